"""The consultation form: what it sends to the contract, and where errors are shown."""

import re

import pytest

from options.consultation_form import ConsultationForm, data_from_assessment
from options.models import Consultation

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
    ({"bone_metastases": ""}, "id_bone_metastases_0", "Select whether bone metastases"),
    ({"cancer_type": "prostate", "myeloma_needs_treatment": ""},
     "id_prostate_hormone_status_0", "hormone-sensitive or hormone-relapsed"),
    ({"myeloma_needs_treatment": ""}, "id_myeloma_needs_treatment_0",
     "Select whether the myeloma needs treatment"),
    ({"patient_ref": "9434765918"}, "id_patient_ref", "check digit is wrong"),
    ({"age_years": "12"}, "id_age_years", "Age in years must be a whole number from 18 to 120"),
    ({"age_years": "seventy"}, "id_age_years", "Age in years must be a whole number"),
    ({"corrected_calcium_mmol_l": "9"}, "id_corrected_calcium_mmol_l",
     "must be a number from 0.5 to 5.0"),
    ({"creatinine_clearance_ml_min": "lots"}, "id_creatinine_clearance_ml_min",
     "must be a number"),
    ({"lesions-TOTAL_FORMS": "1", **lesion(site="spine", lesion_type="lytic", pain="mild")},
     "id_lesions-0-level", "Lesion 1: select the vertebral level"),
    ({"lesions-TOTAL_FORMS": "1", **lesion(site="upper_limb", lesion_type="lytic",
                                           pain="mild")},
     "id_lesions-0-cortical_involvement", "Lesion 1: select how much of the cortex"),
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
    assert anchors == ["id_cancer_type_0", "id_lesions-0-level", "id_lesions-0-collapse",
                       "id_lesions-0-alignment", "id_lesions-0-posterolateral",
                       "id_corrected_calcium_mmol_l"]
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
