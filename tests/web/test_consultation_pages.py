"""The clinician's pages: who may see what, and that stored advice is shown as given."""

import json
import re

import pytest
from django.conf import settings

from guidance.models import RuleSet
from guidance.scenarios.compare import scenario_file_mismatches
from guidance.selectors import define_names
from options.consultation.models import Consultation, EvaluationAudit
from options.consultation.services import consultation_create
from options.identity.roles import CLINICIAN
from options.rules.texts import render
from options.web.consultation_form import data_from_assessment
from tests.conftest import user_in_role
from tests.guidance_builders import publish_with_document

SCENARIOS = sorted(settings.BONECARE_SCENARIOS_DIR.glob("*.json"))


def scenario(code):
    """Return a shared scenario file as a dict."""
    return json.loads((settings.BONECARE_SCENARIOS_DIR /
                       f"{code}.json").read_text())


def form_post(assessment, **extra):
    """Return the POST data a clinician would send for this assessment."""
    return {**data_from_assessment(assessment), "action": "submit", **extra}


def statuses_shown(html):
    """Return the status tags on a page, in page order."""
    return re.findall(r'data-status="(\w+)"', html)


@pytest.fixture
def other_clinician(db, django_user_model):
    return user_in_role(django_user_model, username="dr_other", role=CLINICIAN)


@pytest.fixture
def v06_consultation(published_ruleset, clinician):
    return consultation_create(data=scenario("V06")["assessment"], channel="form", by=clinician)


PAGES = ["/consultations/", "/consultations/new/", "/consultations/{pk}/",
         "/consultations/{pk}/print/clinician/", "/consultations/{pk}/print/patient/"]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(anonymous_client, v06_consultation, page):
    response = anonymous_client.get(page.format(pk=v06_consultation.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("page", PAGES)
def test_guidance_editors_cannot_open_consultation_pages(guidance_editor_client,
                                                         v06_consultation, page):
    response = guidance_editor_client.get(page.format(pk=v06_consultation.pk))
    assert response.status_code == 403


@pytest.mark.parametrize("page", PAGES[2:] + ["/consultations/new/?from={pk}"])
def test_another_clinicians_consultation_is_not_found(client, other_clinician,
                                                       v06_consultation, page):
    client.force_login(other_clinician)
    assert client.get(page.format(pk=v06_consultation.pk)).status_code == 404


def test_copying_another_clinicians_consultation_is_not_found(client, other_clinician,
                                                               v06_consultation):
    client.force_login(other_clinician)
    response = client.post(f"/consultations/{v06_consultation.pk}/copy/")
    assert response.status_code == 404


def test_root_redirects_to_the_consultation_list(clinician_client):
    response = clinician_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/consultations/"


@pytest.mark.parametrize("path", [p.stem for p in SCENARIOS])
def test_every_shared_scenario_through_the_form_gives_its_expected_advice(
        clinician_client, published_ruleset, path):
    data = scenario(path)
    response = clinician_client.post("/consultations/new/", form_post(data["assessment"]))
    assert response.status_code == 302, response.content.decode()[:2000]
    consultation = Consultation.objects.get()
    assert response["Location"] == f"/consultations/{consultation.pk}/"
    assert scenario_file_mismatches(data, consultation.result) == []
    assert consultation.to_assessment() == {
        **data["assessment"],
        **{k: float(v) for k, v in data["assessment"].items()
           if k in ("creatinine_clearance_ml_min", "corrected_calcium_mmol_l")}}
    page = clinician_client.get(response["Location"]).content.decode()
    assert statuses_shown(page) == [o["status"] for o in consultation.result["options"]]


def test_a_form_submission_is_audited_as_the_form_channel(clinician_client, clinician,
                                                          published_ruleset):
    clinician_client.post("/consultations/new/", form_post(scenario("V06")["assessment"]))
    audit = EvaluationAudit.objects.get()
    assert (audit.channel, audit.outcome, audit.user) == ("form", "ok", clinician)


def test_v07_result_shows_the_cord_compression_emergency_first(clinician_client,
                                                               published_ruleset, clinician):
    consultation = consultation_create(data=scenario("V07")["assessment"], channel="form",
                                       by=clinician)
    html = clinician_client.get(f"/consultations/{consultation.pk}/").content.decode()
    assert "nhsuk-card--care--emergency" in html
    assert "24 hours" in html
    assert html.index('data-alert="mscc"') < html.index('data-option="bisphosphonate"')
    assert statuses_shown(html) == ["recommended", "not_applicable", "not_applicable",
                                    "contraindicated", "contraindicated"]


def test_result_shows_ruleset_version_scores_sources_and_disclaimer(clinician_client,
                                                                    v06_consultation):
    html = clinician_client.get(f"/consultations/{v06_consultation.pk}/").content.decode()
    assert f"Version {v06_consultation.ruleset_version}" in html
    assert "SINS 10" in html
    assert "BP-NG35-01" in html
    assert 'href="https://www.nice.org.uk/guidance/ng35"' in html
    assert "decision support" in html
    assert "Recommended" in html and "Consider" in html  # the word, not only a colour


@pytest.mark.parametrize("page", PAGES[2:])
def test_review_dates_are_for_editors_and_a_replaced_document_says_by_what(
        clinician_client, v06_consultation, page, guidance_editor, safety_officer):
    published = RuleSet.objects.get(state=RuleSet.PUBLISHED)
    draft = publish_with_document(published, "CG75", replaced_by="NG234",
                                  author=guidance_editor, reviewer=safety_officer)
    assert draft.documents.get(code="NG35").review_overdue
    html = clinician_client.get(page.format(pk=v06_consultation.pk)).content.decode()
    assert "overdue" not in html.lower()
    assert "bc-overdue" not in html
    assert "review due" not in html.lower()
    if "patient" not in page:
        assert "replaced by NG234" in html


def test_result_page_shows_the_stored_advice_and_never_re_evaluates(clinician_client,
                                                                    v06_consultation):
    stored = v06_consultation.result
    stored["options"][0]["status"] = "not_recommended"
    stored["options"][0]["summary"] = "As given at the time."
    Consultation.objects.filter(pk=v06_consultation.pk).update(result=stored)
    html = clinician_client.get(f"/consultations/{v06_consultation.pk}/").content.decode()
    assert statuses_shown(html)[0] == "not_recommended"
    assert "As given at the time." in html
    assert EvaluationAudit.objects.count() == 1  # the original evaluation only


def test_list_shows_only_own_consultations_newest_first(client, clinician, other_clinician,
                                                        published_ruleset):
    mine = [consultation_create(data={**scenario("V06")["assessment"], "patient_ref": ref},
                                channel="form", by=clinician) for ref in ("REF-A", "REF-B")]
    consultation_create(data={**scenario("V06")["assessment"], "patient_ref": "THEIRS"},
                        channel="form", by=other_clinician)
    client.force_login(clinician)
    html = client.get("/consultations/").content.decode()
    assert "THEIRS" not in html
    assert html.index("REF-B") < html.index("REF-A")
    assert f"/consultations/{mine[0].pk}/" in html


def test_search_by_patient_reference_is_posted_and_kept_out_of_the_url(
        clinician_client, clinician, published_ruleset):
    for ref in ("943 476 5919", "LOCAL-77"):
        consultation_create(data={**scenario("V06")["assessment"], "patient_ref": ref},
                            channel="form", by=clinician)
    response = clinician_client.post("/consultations/", {"q": "9434765919"})
    assert response["Location"] == "/consultations/"
    html = clinician_client.get("/consultations/").content.decode()
    assert "943 476 5919" in html and "LOCAL-77" not in html
    clinician_client.post("/consultations/", {"clear": "1"})
    assert "LOCAL-77" in clinician_client.get("/consultations/").content.decode()


def test_list_is_paginated(clinician_client, clinician, published_ruleset):
    for index in range(21):
        consultation_create(data={**scenario("V06")["assessment"], "patient_ref": f"P{index}"},
                            channel="form", by=clinician)
    first = clinician_client.get("/consultations/").content.decode()
    second = clinician_client.get("/consultations/?page=2").content.decode()
    assert first.count("nhsuk-table__row") == 20
    assert ">P0<" in second and ">P0<" not in first


def test_copy_prefills_a_new_form_and_leaves_the_original_advice(clinician_client,
                                                                 v06_consultation):
    response = clinician_client.post(f"/consultations/{v06_consultation.pk}/copy/")
    assert response["Location"] == f"/consultations/new/?from={v06_consultation.pk}"
    html = clinician_client.get(response["Location"]).content.decode()
    assert re.search(r'name="lesions-0-level"[^>]*>\s*(<option value="\w*">[^<]*</option>)*'
                     r'<option value="L1" selected>', html)
    post = form_post({**scenario("V06")["assessment"], "mscc_signs": True},
                     copied_from=str(v06_consultation.pk))
    created = clinician_client.post("/consultations/new/", post)
    copy = Consultation.objects.exclude(pk=v06_consultation.pk).get()
    assert created["Location"] == f"/consultations/{copy.pk}/"
    assert copy.copied_from == v06_consultation
    v06_consultation.refresh_from_db()
    assert v06_consultation.mscc_signs is False
    assert not any(a["code"] == "mscc" for a in v06_consultation.result["alerts"])


def test_copy_needs_a_post(clinician_client, v06_consultation):
    assert clinician_client.get(f"/consultations/{v06_consultation.pk}/copy/").status_code == 405


def test_clinician_print_summary_shows_every_option_and_the_ruleset(clinician_client,
                                                                    v06_consultation):
    html = clinician_client.get(
        f"/consultations/{v06_consultation.pk}/print/clinician/").content.decode()
    assert statuses_shown(html) == ["recommended", "not_applicable", "not_applicable",
                                    "consider", "consider"]
    assert f"Ruleset {v06_consultation.ruleset_version}" in html
    assert "@media print" not in html  # print rules live in the stylesheet


def test_patient_summary_is_plain_language_without_rule_codes(clinician_client,
                                                              v06_consultation):
    html = clinician_client.get(
        f"/consultations/{v06_consultation.pk}/print/patient/").content.decode()
    offered = html.split('data-group="offered"')[1].split("</section>")[0]
    assert '<h2 id="group-offered">Treatments your team talked about with you</h2>' in html
    assert all(f'data-option="{slug}"' in offered
               for slug in ("bisphosphonate", "vertebroplasty", "kyphoplasty"))
    assert 'data-option="denosumab"' not in offered
    assert "drip into a vein" in html  # TreatmentOption.patient_description
    assert not re.search(r"\b[A-Z]{2,5}-[A-Z0-9-]+-\d\d\b", html)  # no rule codes
    assert "SINS" not in html


def test_patient_summary_of_an_older_result_uses_its_deciding_rules_patient_text(
        clinician_client, clinician, published_ruleset):
    rule = published_ruleset.rules.exclude(patient_text="").exclude(option="").first()
    consultation = consultation_create(data=scenario("V06")["assessment"], channel="form",
                                       by=clinician)
    result = consultation.result
    for stored in result["options"]:  # as stored before options named their deciding rule
        stored.pop("decided_by")
        stored.pop("not_now")
    option = next(o for o in result["options"] if o["option"] == rule.option)
    option["status"] = "recommended"
    option["reasons"] = [{"rule": rule.code, "guidance": "X", "section": "", "text": ""}]
    Consultation.objects.filter(pk=consultation.pk).update(result=result)
    html = clinician_client.get(
        f"/consultations/{consultation.pk}/print/patient/").content.decode()
    expected = render(rule.patient_text, rule.condition, define_names(published_ruleset))
    assert expected.replace("'", "&#x27;") in html
    assert "{" not in expected


def test_no_published_ruleset_gives_a_clear_message_and_saves_nothing(clinician_client, db):
    response = clinician_client.post("/consultations/new/",
                                     form_post(scenario("V06")["assessment"]))
    assert response.status_code == 503
    assert "No published ruleset" in response.content.decode()
    assert not Consultation.objects.exists()
