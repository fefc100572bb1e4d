"""The consultation form: what it sends to the contract, and where errors are shown."""

import json
import logging
import re

import pytest
from django.conf import settings
from django.test import Client

from options.consultation.models import Consultation
from options.rules.vocab import PATIENT_FACTS
from options.validation import validate_assessment
from options.web.consultation_form import ConsultationForm, data_from_assessment, lesion_score_text
from options.web.forms import AssessmentForm, LesionForm
from options.web.presenters import score_tables

V06_LESION = {"site": "spine", "level": "L1", "lesion_type": "lytic", "pain": "mechanical",
              "collapse": "under_50", "alignment": "normal", "posterolateral": "none",
              "retropulsion": False}


def post(**answers):
    """Return posted form data: a myeloma patient plus the given answers."""
    base = {"cancer_type": "myeloma", "myeloma_needs_treatment": "yes",
            "bone_metastases": "yes", "lesions-TOTAL_FORMS": "0", "prior-TOTAL_FORMS": "0"}
    return {**base, **answers}


def lesion(index=0, **findings):
    return {f"lesions-{index}-{name}": value for name, value in findings.items()}


def contract(data):
    return ConsultationForm(data).contract()


@pytest.mark.parametrize(("cancer", "question", "answer", "sent"), [
    ("prostate", "prostate_hormone_status", "hormone_relapsed", True),
    ("breast", "prostate_hormone_status", "hormone_relapsed", False),
    ("myeloma", "myeloma_needs_treatment", "no", True),
    ("lung", "myeloma_needs_treatment", "no", False),
    ("primary_bone", "treatment_intent", "palliative", True),
    ("renal", "treatment_intent", "palliative", False),
], ids=lambda v: str(v))
def test_a_cancer_question_is_sent_only_for_its_cancer(cancer, question, answer, sent):
    data = contract(post(**{"cancer_type": cancer, "myeloma_needs_treatment": "",
                            question: answer}))
    assert (question in data) is sent


@pytest.mark.parametrize(("answer", "sent"), [("yes", True), ("no", False), ("unknown", None),
                                              ("", None)])
def test_yes_no_not_known_sends_true_false_or_nothing(answer, sent):
    data = contract(post(mscc_signs=answer))
    assert data.get("mscc_signs") is sent


def test_numbers_are_sent_as_numbers():
    data = contract(post(age_years="70", creatinine_clearance_ml_min="55.5",
                         corrected_calcium_mmol_l="2.40"))
    assert data["age_years"] == 70
    assert data["creatinine_clearance_ml_min"] == 55.5
    assert data["corrected_calcium_mmol_l"] == 2.4


@pytest.mark.parametrize(("site", "kept", "dropped"), [
    ("spine", {"level", "collapse", "alignment", "posterolateral", "retropulsion"},
     {"cortical_involvement", "fracture"}),
    ("lower_limb", {"cortical_involvement", "fracture"},
     {"level", "collapse", "alignment", "posterolateral", "retropulsion"}),
    ("pelvis", {"fracture"}, {"level", "collapse", "cortical_involvement"}),
    ("sacrum", {"level", "fracture"}, {"collapse", "cortical_involvement"}),
])
def test_a_lesion_sends_only_the_findings_that_apply_to_its_site(site, kept, dropped):
    everything = {**V06_LESION, "level": "S1" if site == "sacrum" else "L1",
                  "retropulsion": "no", "cortical_involvement": "under_third",
                  "fracture": "no", "site": site}
    data = contract(post(**{"lesions-TOTAL_FORMS": "1"}, **lesion(**everything)))
    sent = set(data["lesions"][0])
    assert kept <= sent
    assert not dropped & sent


def test_empty_lesion_rows_are_not_sent():
    data = contract(post(**{"lesions-TOTAL_FORMS": "2"}, **lesion(1, site="pelvis",
                                                                   lesion_type="lytic",
                                                                   pain="mild")))
    assert data["lesions"] == [{"site": "pelvis", "lesion_type": "lytic", "pain": "mild"}]


@pytest.mark.parametrize(("status", "expected"), [("none", []), ("unknown", None), ("", None)])
def test_prior_treatments_none_so_far_differs_from_not_known(status, expected):
    data = contract(post(prior_treatments_status=status))
    assert data.get("prior_treatments") == expected


def test_listed_prior_treatments_are_sent_with_weeks_ago():
    data = contract(post(**{"prior-TOTAL_FORMS": "1", "prior-0-treatment": "opioid",
                            "prior-0-response": "inadequate", "prior-0-weeks_ago": "3"}))
    assert data["prior_treatments"] == [{"treatment": "opioid", "response": "inadequate",
                                         "weeks_ago": 3}]


def test_a_stored_assessment_round_trips_through_the_form():
    assessment = {"patient_ref": "REF-1", "cancer_type": "myeloma",
                  "myeloma_needs_treatment": True, "bone_metastases": True,
                  "lesions": [V06_LESION], "prior_treatments": [],
                  "corrected_calcium_mmol_l": 2.4, "mscc_signs": False}
    assert contract(data_from_assessment(assessment)) == assessment


def test_add_lesion_keeps_every_answer_and_adds_an_empty_row():
    form = ConsultationForm.with_action(
        post(patient_ref="REF-9", **{"lesions-TOTAL_FORMS": "1"}, **lesion(site="pelvis")),
        "add-lesions")
    assert form.data["lesions-TOTAL_FORMS"] == "2"
    assert form.data["patient_ref"] == "REF-9"
    assert form.data["lesions-0-site"] == "pelvis"


def test_remove_lesion_shifts_the_later_rows_up():
    data = post(**{"lesions-TOTAL_FORMS": "2"}, **lesion(0, site="pelvis"),
                **lesion(1, site="spine", level="T7"))
    form = ConsultationForm.with_action(data, "remove-lesions-0")
    assert form.data["lesions-TOTAL_FORMS"] == "1"
    assert form.data["lesions-0-site"] == "spine"
    assert form.data["lesions-0-level"] == "T7"
    assert "lesions-1-site" not in form.data


def test_remove_prior_treatment_keeps_the_others():
    data = post(**{"prior-TOTAL_FORMS": "2", "prior-0-treatment": "opioid",
                   "prior-1-treatment": "radiotherapy"})
    form = ConsultationForm.with_action(data, "remove-prior_treatments-0")
    assert form.data["prior-0-treatment"] == "radiotherapy"


# Through the view: errors beside the field, in the summary, and every answer kept.

def summary_links(html):
    block = html[html.index("nhsuk-error-summary__list"):html.index("<h1>")]
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', block)


@pytest.mark.parametrize(("answers", "anchor", "message"), [
    ({"cancer_type": ""}, "id_cancer_type_0", "Select the primary cancer"),
    ({"sex": "male", "pregnant": "yes"}, "id_pregnant_0",
     "Pregnant is answered yes, but sex is male: correct one of them"),
    ({"weight_kg": "12"}, "id_weight_kg", "Weight (kg) must be a number from 20 to 300"),
    ({"serum_creatinine_umol_l": "2,5,0"}, "id_serum_creatinine_umol_l",
     "Serum creatinine (micromol/L) must be a number"),
    ({"corrected_calcium_mmol_l": "2,4.1"}, "id_corrected_calcium_mmol_l",
     "must be a number"),
    ({"patient_ref": "9434765918"}, "id_patient_ref", "check digit is wrong"),
    ({"age_years": "12"}, "id_age_years", "Age in years must be a whole number from 18 to 120"),
    ({"age_years": "seventy"}, "id_age_years", "Age in years must be a whole number"),
    ({"corrected_calcium_mmol_l": "9"}, "id_corrected_calcium_mmol_l",
     "must be a number from 0.5 to 5.0"),
    ({"creatinine_clearance_ml_min": "lots"}, "id_creatinine_clearance_ml_min",
     "must be a number"),
    ({"lesions-TOTAL_FORMS": "1", **lesion(site="spine", lesion_type="lytic", pain="mild")},
     "id_lesions-0-level", "Lesion 1: select the vertebral level"),
    ({"lesions-TOTAL_FORMS": "1", **lesion(lesion_type="lytic")},
     "id_lesions-0-site", "Lesion 1: select where the lesion is"),
    ({"lesions-TOTAL_FORMS": "1", **lesion(site="sacrum", level="T4", lesion_type="lytic",
                                           pain="mild")},
     "id_lesions-0-level", "Lesion 1: vertebral level must be one of S1"),
    ({"prior-TOTAL_FORMS": "1", "prior-0-treatment": "opioid"}, "id_prior-0-response",
     "Treatment 1: select how well it worked"),
    ({"prior-TOTAL_FORMS": "1", "prior-0-treatment": "opioid", "prior-0-response": "ongoing",
      "prior-0-weeks_ago": "soon"}, "id_prior-0-weeks_ago", "Weeks ago must be a whole number"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_an_error_is_shown_beside_its_field_and_in_the_summary(
        clinician_client, published_ruleset, answers, anchor, message):
    data = {**post(**answers), "action": "submit"}
    response = clinician_client.post("/consultations/new/", data)
    html = response.content.decode()
    assert response.status_code == 200
    links = summary_links(html)
    assert any(href == anchor and message in text for href, text in links), links
    assert f'id="{anchor}"' in html
    field_id = anchor[:-2] if anchor.endswith("_0") else anchor
    assert re.search(rf'id="{re.escape(field_id)}-error">.*?{re.escape(message)}', html, re.S)
    assert "<title>Error: " in html
    assert not Consultation.objects.exists()


def test_errors_are_listed_in_page_order_and_answers_are_kept(clinician_client,
                                                              published_ruleset):
    data = {**post(cancer_type="", patient_ref="REF-KEEP", corrected_calcium_mmol_l="abc",
                   mscc_signs="yes", **{"lesions-TOTAL_FORMS": "1"},
                   **lesion(site="spine", lesion_type="lytic", pain="mild")),
            "action": "submit"}
    html = clinician_client.post("/consultations/new/", data).content.decode()
    anchors = [href for href, _ in summary_links(html)]
    assert anchors == ["id_cancer_type_0", "id_lesions-0-level", "id_corrected_calcium_mmol_l"]
    assert 'value="REF-KEEP"' in html
    assert 'value="abc"' in html
    assert re.search(r'name="mscc_signs" type="radio" value="yes" checked', html)
    assert '<option value="spine" selected>' in html


def test_add_lesion_button_re_renders_without_errors_or_saving(clinician_client,
                                                               published_ruleset):
    data = {**post(cancer_type="", patient_ref="REF-ADD"), "action": "add-lesions"}
    html = clinician_client.post("/consultations/new/", data).content.decode()
    assert "There is a problem" not in html
    assert 'name="lesions-0-site"' in html
    assert 'value="REF-ADD"' in html
    assert not Consultation.objects.exists()


def test_findings_that_do_not_apply_to_the_site_are_hidden(clinician_client, published_ruleset):
    data = {**post(**{"lesions-TOTAL_FORMS": "1"}, **lesion(site="lower_limb")),
            "action": "add-prior_treatments"}
    html = clinician_client.post("/consultations/new/", data).content.decode()
    hidden = re.findall(r'data-sites="[^"]*" hidden>\s*<div[^>]*>\s*(?:<fieldset[^>]*>\s*'
                        r'<legend[^>]*>|<label[^>]*>)([^<]+)<', html)
    assert "Vertebral body collapse" in hidden
    assert "Cortical involvement (Mirels size)" not in hidden


def test_the_form_shows_the_score_tables_from_the_engine(clinician_client):
    html = clinician_client.get("/consultations/new/").content.decode()
    assert '<script id="score-tables" type="application/json">' in html
    assert '"mechanical": 3' in html


def test_a_complete_spinal_lesion_shows_its_sins_without_javascript(clinician_client):
    data = {**post(**{"lesions-TOTAL_FORMS": "1"},
                   **lesion(**{k: v for k, v in V06_LESION.items() if k != "retropulsion"})),
            "action": "add-prior_treatments"}
    html = clinician_client.post("/consultations/new/", data).content.decode()
    assert "SINS 10 (Indeterminate)" in html


# Since the contract of 2026-11-27: sex, kidney function, decimal commas, findings not
# reported, other haematological cancer and unanswered scope questions.

DECIMAL_FIELDS = [name for name, kind in PATIENT_FACTS.items() if kind[0] == "number"]


def test_sex_is_sent_as_chosen_and_left_out_when_unanswered():
    assert contract(post(sex="female"))["sex"] == "female"
    assert "sex" not in contract(post(sex=""))


def test_the_form_asks_sex_and_keeps_pregnancy_apart_for_the_script(clinician_client):
    html = clinician_client.get("/consultations/new/").content.decode()
    assert re.search(r'name="sex" type="radio" value="female">\s*<label[^>]*>Female<', html)
    assert re.search(r'name="sex" type="radio" value="male">\s*<label[^>]*>Male<', html)
    wrapper = html[html.index("<div data-pregnancy>"):]
    assert 'name="pregnant"' in wrapper[:wrapper.index("</fieldset>")]


@pytest.mark.parametrize("name", DECIMAL_FIELDS)
@pytest.mark.parametrize(("typed", "number"), [("2,35", 2.35), ("80,4", 80.4), ("72,0", 72)])
def test_a_decimal_comma_is_read_as_a_decimal_point(name, typed, number):
    assert contract(post(**{name: typed}))[name] == number


@pytest.mark.parametrize("typed", ["2,3,5", "2,3.5", "1.000,5"])
def test_a_number_with_more_than_one_separator_is_refused(typed):
    form = ConsultationForm(post(weight_kg=typed))
    assert "weight_kg" not in form.contract()
    assert [error["path"] for error in form.type_errors()] == ["weight_kg"]


def test_a_decimal_comma_is_stored_as_the_number(clinician_client, published_ruleset):
    data = {**post(corrected_calcium_mmol_l="2,35", weight_kg="72,5"), "action": "submit"}
    response = clinician_client.post("/consultations/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = Consultation.objects.get().to_assessment()
    assert stored["corrected_calcium_mmol_l"] == 2.35
    assert stored["weight_kg"] == 72.5


SCORE_FINDINGS = ["collapse", "alignment", "posterolateral", "retropulsion",
                  "cortical_involvement"]


@pytest.mark.parametrize("finding", SCORE_FINDINGS)
def test_a_score_finding_can_be_not_reported_and_is_then_left_out(finding):
    assert ("unknown", "Not reported") in LesionForm.base_fields[finding].choices
    site = "lower_limb" if finding == "cortical_involvement" else "spine"
    findings = {"site": site, "lesion_type": "lytic", "pain": "mild", finding: "unknown"}
    if site == "spine":
        findings["level"] = "T7"
    data = contract(post(**{"lesions-TOTAL_FORMS": "1"}, **lesion(**findings)))
    assert finding not in data["lesions"][0]
    assert validate_assessment(data)["lesions"][0]["site"] == site


SPINE = {"site": "spine", "level": "L1", "lesion_type": "lytic", "pain": "mechanical"}


@pytest.mark.parametrize(("values", "shown"), [
    ({**SPINE, "collapse": "under_50", "alignment": "normal", "posterolateral": "none"},
     "SINS 10 (Indeterminate)"),
    ({**SPINE, "collapse": "unknown", "alignment": "deformity", "posterolateral": "none"},
     "SINS 10 to 13 (depends on findings not reported)"),
    ({**SPINE, "collapse": "unknown", "alignment": "normal", "posterolateral": "none"},
     "SINS 8 to 11 (Indeterminate)"),
    ({**SPINE}, "SINS 8 to 18 (depends on findings not reported)"),
    ({"site": "spine", "level": "S3", "lesion_type": "blastic", "pain": "none",
      "collapse": "none", "alignment": "normal", "posterolateral": "unknown"},
     "SINS 0 to 3 (Stable)"),
    ({**SPINE, "level": ""}, ""),
    ({"site": "upper_limb", "lesion_type": "lytic", "pain": "moderate",
      "cortical_involvement": "under_third"}, "Mirels 7 (Low)"),
    ({"site": "upper_limb", "lesion_type": "lytic", "pain": "moderate",
      "cortical_involvement": "unknown"}, "Mirels 7 to 9 (depends on findings not reported)"),
    ({"site": "pelvis", "lesion_type": "lytic", "pain": "moderate"}, ""),
], ids=["complete", "collapse-not-reported", "range-within-indeterminate",
        "three-not-reported", "range-in-one-band", "level-missing", "mirels",
        "mirels-size-not-reported", "no-score-for-pelvis"])
def test_the_score_shown_is_a_range_while_findings_are_not_reported(values, shown):
    assert lesion_score_text(values, tables=score_tables()) == shown


def test_the_range_is_shown_without_javascript(clinician_client):
    data = {**post(**{"lesions-TOTAL_FORMS": "1"},
                   **lesion(**SPINE, collapse="unknown", alignment="deformity",
                            posterolateral="none")),
            "action": "add-prior_treatments"}
    html = clinician_client.post("/consultations/new/", data).content.decode()
    assert "SINS 10 to 13 (depends on findings not reported)" in html
    assert '<option value="unknown" selected>Not reported</option>' in html


def test_other_haematological_cancer_is_offered_by_name(clinician_client):
    html = clinician_client.get("/consultations/new/").content.decode()
    assert re.search(r'value="other_haematological">\s*<label[^>]*>'
                     r'Other haematological cancer \(lymphoma, leukaemia\)<', html)


@pytest.mark.parametrize(("cancer", "question"), [
    ("breast", "bone_metastases"),
    ("prostate", "prostate_hormone_status"),
    ("myeloma", "myeloma_needs_treatment"),
])
def test_a_scope_question_may_be_answered_not_known(cancer, question):
    assert ("unknown", "Not known") in AssessmentForm.base_fields[question].choices
    for answer in ("unknown", ""):
        data = contract(post(cancer_type=cancer, **{question: answer}))
        assert question not in data
        assert validate_assessment(data)["cancer_type"] == cancer


def test_the_page_says_how_creatinine_clearance_is_found_without_javascript(
        clinician_client):
    data = {**post(age_years="55", sex="female", weight_kg="72", serum_creatinine_umol_l="80"),
            "action": "add-lesions"}
    html = clinician_client.post("/consultations/new/", data).content.decode()
    assert ("Calculated creatinine clearance: 79.6 mL/min (Cockcroft–Gault from age, sex, "
            "weight and serum creatinine)") in html
    assert "never from an eGFR" in html


# The empty-row templates and markup the page's script relies on.

def test_each_list_has_an_empty_row_template_for_the_script(clinician_client):
    html = clinician_client.get("/consultations/new/").content.decode()
    templates = re.findall(r"<template data-row-template>(.*?)</template>", html, re.S)
    assert len(templates) == 2
    assert 'name="lesions-__prefix__-site"' in templates[0]
    assert 'value="remove-lesions-__prefix__"' in templates[0]
    assert 'name="prior-__prefix__-treatment"' in templates[1]
    assert 'data-rows="lesions" data-prefix="lesions" data-max="20"' in html


def test_the_list_question_is_hidden_and_not_sent_while_rows_exist(clinician_client):
    data = {**post(lesions_status="none"), "action": "add-lesions"}
    html = clinician_client.post("/consultations/new/", data).content.decode()
    assert "<div data-row-status hidden>" in html
    assert re.search(r'name="lesions_status" type="radio" value="none" checked disabled>', html)


def test_the_form_page_has_no_inline_script(clinician_client):
    html = clinician_client.get("/consultations/new/").content.decode()
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", html)


def test_the_header_has_the_menu_item_nhsuk_frontend_expects(clinician_client):
    html = clinician_client.get("/consultations/new/").content.decode()
    assert '<li class="nhsuk-header__menu" hidden>' in html
    assert 'class="nhsuk-header__menu-toggle' in html


def test_the_cockcroft_gault_formula_is_not_written_in_javascript():
    script = (settings.BASE_DIR / "static/options/consultation.js").read_text()
    for constant in ("1.23", "1.04", "140"):
        assert constant not in script


# The calculator's endpoint.

DERIVE_URL = "/consultations/derive/"
V34_KIDNEY = {"age_years": 55, "sex": "female", "weight_kg": "72",
              "serum_creatinine_umol_l": "80"}


def derive(client, answers, **extra):
    return client.post(DERIVE_URL, json.dumps(answers), content_type="application/json",
                       **extra)


def test_the_calculator_returns_cockcroft_gault_from_the_one_formula(clinician_client):
    response = derive(clinician_client, V34_KIDNEY)
    assert response.status_code == 200
    body = response.json()
    assert body["value"] == 79.6
    assert body["method"] == "cockcroft_gault"
    assert body["from"] == ["age_years", "sex", "weight_kg", "serum_creatinine_umol_l"]
    assert body["text"] == ("Calculated creatinine clearance: 79.6 mL/min (Cockcroft–Gault "
                            "from age, sex, weight and serum creatinine)")
    assert "no-store" in response["Cache-Control"]


def test_the_calculator_reads_a_decimal_comma(clinician_client):
    body = derive(clinician_client, {**V34_KIDNEY, "weight_kg": "72,0"}).json()
    assert body["value"] == 79.6


def test_an_entered_clearance_takes_precedence(clinician_client):
    body = derive(clinician_client, {**V34_KIDNEY, "creatinine_clearance_ml_min": "41,5"}).json()
    assert body["value"] == 41.5
    assert body["method"] == "entered"
    assert "takes precedence" in body["text"]


def test_the_calculator_stays_quiet_until_weight_or_creatinine_is_given(clinician_client):
    body = derive(clinician_client, {"age_years": "70", "sex": "male"}).json()
    assert body["value"] is None
    assert body["text"] == ""


def test_the_calculator_says_which_inputs_are_still_needed(clinician_client):
    body = derive(clinician_client, {"weight_kg": "72", "sex": None}).json()
    assert body["value"] is None
    assert body["needed"] == ["age_years", "sex", "serum_creatinine_umol_l"]
    assert body["text"].endswith("also enter age, sex and serum creatinine.")


@pytest.mark.parametrize(("answers", "path", "message"), [
    ({"weight_kg": "7"}, "weight_kg", "Weight (kg) must be a number from 20 to 300"),
    ({"weight_kg": "heavy"}, "weight_kg", "Weight (kg) must be a number"),
    ({"serum_creatinine_umol_l": 5000}, "serum_creatinine_umol_l", "from 10 to 2000"),
    ({"age_years": "12"}, "age_years", "Age in years must be a whole number from 18 to 120"),
    ({"sex": "other"}, "sex", ""),
    ({"weight_kg": {"value": 70}}, "weight_kg", "must be a number"),
], ids=["out-of-range", "not-a-number", "creatinine-too-high", "under-18", "bad-sex",
        "an-object"])
def test_bad_calculator_input_is_refused_naming_the_field(clinician_client, answers, path,
                                                          message):
    response = derive(clinician_client, answers)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [error["path"] for error in errors] == [path]
    assert message in errors[0]["message"]


@pytest.mark.parametrize(("body", "content_type", "status"), [
    ("not json", "application/json", 400),
    ("[1, 2]", "application/json", 400),
    ("weight_kg=72", "application/x-www-form-urlencoded", 415),
])
def test_the_calculator_takes_only_a_json_object(clinician_client, body, content_type, status):
    response = clinician_client.post(DERIVE_URL, body, content_type=content_type)
    assert response.status_code == status
    assert response.json()["errors"][0]["path"] == ""


def test_the_calculator_is_for_signed_in_clinicians_only(client, guidance_editor):
    response = derive(client, V34_KIDNEY)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    client.force_login(guidance_editor)
    assert derive(client, V34_KIDNEY).status_code == 403


def test_the_calculator_answers_only_posts(clinician_client):
    assert clinician_client.get(DERIVE_URL, V34_KIDNEY).status_code == 405


def test_the_calculator_needs_the_csrf_token(clinician):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(clinician)
    assert derive(browser, V34_KIDNEY).status_code == 403
    page = browser.get("/consultations/new/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert derive(browser, V34_KIDNEY, HTTP_X_CSRFTOKEN=token).status_code == 200


def test_the_calculator_logs_no_values(clinician_client, caplog):
    caplog.set_level(logging.DEBUG)
    derive(clinician_client, {**V34_KIDNEY, "weight_kg": "71.37"})
    derive(clinician_client, {**V34_KIDNEY, "weight_kg": "9876.5"})
    assert "71.37" not in caplog.text
    assert "9876" not in caplog.text


def test_a_man_answered_pregnant_gets_one_error_beside_the_question(clinician_client,
                                                                   published_ruleset):
    data = {**post(sex="male", pregnant="yes"), "action": "submit"}
    html = clinician_client.post("/consultations/new/", data).content.decode()
    assert summary_links(html) == [
        ("id_pregnant_0", "Pregnant is answered yes, but sex is male: correct one of them")]
    assert html.count("correct one of them") == 2  # in the summary and beside the question


def test_without_javascript_the_pregnancy_question_says_it_is_for_women(clinician_client,
                                                                        published_ruleset):
    html = clinician_client.get("/consultations/new/").content.decode()
    assert "If female: pregnant?" in html and ">Pregnant?<" not in html


def test_a_blank_treatment_row_is_said_to_be_left_out(clinician_client, published_ruleset):
    data = {**post(**{"prior-TOTAL_FORMS": "2", "prior-0-treatment": "opioid",
                      "prior-0-response": "ongoing"}), "action": "submit"}
    response = clinician_client.post("/consultations/new/", data, follow=True)
    html = response.content.decode()
    assert "Treatment 2 was left blank, so it was not recorded." in html
    assert len(Consultation.objects.get().to_assessment()["prior_treatments"]) == 1
