"""A SMART EHR launch in a real browser: Chromium, BoneCare's live server and the test EHR
(its oidc-provider authorization server and its FHIR server, tests/smart/ehr.py).

The EHR opens BoneCare, the clinician signs in at the EHR's own login page, BoneCare reads the
record with their token and opens the form pre-filled; the clinician adds the imaging findings
the record cannot give, saves, and the clinician summary is filed back to the EHR as a
DocumentReference (or the page says why not). Set BONECARE_SHOTS_DIR to keep screenshots.
"""

import base64
import datetime
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from options.choices import field_name
from options.consultation.models import Consultation, TreatmentOption
from options.web.consultation_form import data_from_assessment
from options.web.forms import AssessmentForm, LesionForm, PriorTreatmentForm
from tests.browser import (
    BROWSER_TESTS,
    RESULT_URL,
    SHOTS,
    answer,
    assert_accessible,
    assert_statuses,
    expect,
    local_context,
    scenario,
    shot,
)
from tests.cds_hooks.helpers import example
from tests.smart.bonecare import register
from tests.smart.ehr import DEFAULT_USER

pytestmark = BROWSER_TESTS

FORM = "/smart/consultation/"
# Where an answer came from, in words, and its date where the record has one (the examples'
# Conditions carry none, their Observations do).
SOURCE = re.compile(r"^(a test result|the problem list|an allergy record"
                    r"|the patient details)( dated (\d{4}-\d{2}-\d{2}))?")


@pytest.fixture
def open_page(browser, live_server, running_ehr, published_ruleset, treatment_options):
    """Open pages in fresh browsers that reach only BoneCare and the EHR's sign-in."""
    contexts = []

    def new_page():
        context = local_context(browser, live_server, width=1100, height=900,
                                also=[running_ehr.auth_issuer])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield new_page
    for context in contexts:
        context.close()


def shot_top(page, name):
    """The first screenful only, to look closely at the banners and notices."""
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}-top.png"))


def ehr_launch(page, ehr, patient):
    """The EHR opens BoneCare in the patient's chart; the clinician signs in at the EHR."""
    launch = ehr.launch_create(patient, encounter="enc-1")
    page.goto(f"/smart/launch?iss={ehr.fhir_base}&launch={launch}")
    assert page.url.startswith(ehr.auth_issuer), page.url  # the EHR's login page
    page.locator("input[name=login]").fill(DEFAULT_USER)
    page.locator("input[name=password]").fill("any password: the test EHR takes any")
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"**{FORM}")


def shown_value(page, name):
    """What the form shows for a patient-level field, as it would post it."""
    field = page.locator(f"[name='{name}']")
    if field.first.get_attribute("type") == "radio":
        checked = page.locator(f"input[name='{name}']:checked")
        return checked.get_attribute("value") if checked.count() else ""
    return field.input_value()


def patient_banner_words(patient, patient_id):
    """The patient banner the example's Patient resource should give."""
    names = patient.get("name") or []
    name = ""
    if names:
        name = names[0].get("text") or " ".join(
            [*names[0].get("given", []), names[0].get("family", "")]).strip()
    return name or f"No name in the record (EHR patient {patient_id})"


def complete_by_hand(page, assessment, prefilled):
    """Answer, by label, what the record could not: the lesions, the treatments so far and
    any other question of the scenario that the form does not already hold."""
    for name, value in assessment.items():
        if name not in ("lesions", "prior_treatments") and name not in prefilled:
            answer(page, AssessmentForm, name, value)
    lesions, priors = assessment.get("lesions", []), assessment.get("prior_treatments", [])
    if not lesions:
        page.get_by_role("group", name="Is a bone lesion being considered?").get_by_label(
            "No lesion is being considered for a procedure").check()
    for index, lesion in enumerate(lesions):
        page.get_by_role("button", name="Add another lesion" if index else "Add a lesion").click()
        row = page.get_by_role("group", name=f"Lesion {index + 1}", exact=True)
        answer(row, LesionForm, "site", lesion["site"])
        for name, value in lesion.items():
            if name != "site":
                answer(row, LesionForm, name, value)
    if not priors:
        page.get_by_role("group", name="Has the patient had any pain or bone treatments?"
                         ).get_by_label("None so far").check()
    for index, prior in enumerate(priors):
        page.get_by_role("button",
                         name="Add another treatment" if index else "Add a treatment").click()
        row = page.get_by_role("group", name=f"Treatment {index + 1}", exact=True)
        for name, value in prior.items():
            answer(row, PriorTreatmentForm, name, value)


@pytest.mark.parametrize("name", ["V01", "V20", "V34"])
def test_an_ehr_launch_prefills_the_form_and_files_the_summary_back(
        ehr, open_page, live_server, name):
    register(ehr)
    data, case = scenario(name), example(name)
    patient = case["request"]["context"]["patientId"]
    mapped = case["mapped_assessment"]
    page = open_page()
    ehr_launch(page, ehr, patient)

    banner = page.locator("[data-patient-banner]")
    expect(banner).to_be_visible()
    record_patient = case["request"]["prefetch"]["patient"]
    # The examples' Patients carry no name (V34 has a birth date and gender): the banner says
    # so rather than leave a blank where the name should be.
    assert banner.locator("[data-patient-name]").inner_text() == patient_banner_words(
        record_patient, patient)
    if "birthDate" in record_patient:
        born = datetime.date.fromisoformat(record_patient["birthDate"])
        assert f"Born\n{born:%-d %B %Y}" in banner.inner_text()
    if "gender" in record_patient:
        assert f"Gender\n{record_patient['gender'].capitalize()}" in banner.inner_text()
    from_record = page.locator("[data-from-record]")
    assert "Pre-filled from Test EHR" in from_record.inner_text()
    listed = {item.get_attribute("data-field"): item.inner_text() for item in
              from_record.locator("[data-from-record-answers] > li").all()}
    assert set(listed) == {field for field in mapped if field != "patient_ref"}
    observed = {entry["resource"]["effectiveDateTime"][:10] for entry in
                case["request"]["prefetch"]["observations"]["entry"]}
    for field, text in listed.items():
        named, _, source = text.partition(": from ")
        assert named == field_name(field), text
        kind = SOURCE.match(source)
        assert kind, text
        if kind[1] == "a test result":
            assert kind[3] in observed, text
    assert any(text.endswith(f"a test result dated {day}") for text in listed.values()
               for day in observed)
    form_data = data_from_assessment(mapped)
    for field in mapped:
        assert shown_value(page, field) == form_data[field], field
    shot(page, f"smart-{name}-form-prefilled")
    shot_top(page, f"smart-{name}-form-prefilled")
    assert_accessible(page)

    complete_by_hand(page, data["assessment"], mapped)
    page.get_by_role("button", name="Get advice and save").click()
    page.wait_for_url(RESULT_URL)
    consultation = Consultation.objects.get()
    # The EHR's data agree with the scenario wherever they answer (same lab values, same
    # findings), and the clinician entered the rest: the saved answers are the scenario's, so
    # the scenario's expected statuses are the ones to see (no recomputation needed).
    assert {field: data["assessment"][field] for field in mapped} == mapped
    assert consultation.to_assessment() == data["assessment"]
    assert_statuses(page, data["expected"])
    filed = page.locator("[data-filing=filed]")
    expect(filed).to_be_visible()
    [document] = ehr.documents()
    assert filed.locator("[data-document-id]").inner_text() == document["id"]
    shot(page, f"smart-{name}-result-filed")
    shot_top(page, f"smart-{name}-result-filed")
    assert_accessible(page)

    link = f"{live_server.url}/consultations/{consultation.pk}/"
    assert page.url == link
    assert document["subject"] == {"reference": f"Patient/{patient}"}
    summary, back = document["content"]
    html = base64.b64decode(summary["attachment"]["data"]).decode()
    assert f"Ruleset {consultation.ruleset_version}" in html
    filed_statuses = re.findall(r'data-option="([^"]+)".*?data-status="([^"]+)"', html, re.S)
    assert dict(filed_statuses) == data["expected"]
    for option in TreatmentOption.objects.all():
        assert option.name in html
    assert back["attachment"]["url"] == link


def test_a_summary_the_ehr_refuses_is_not_filed_and_the_consultation_is_kept(ehr, open_page):
    register(ehr)
    ehr.fhir_faults_set(document_status=500)
    data = scenario("V34")
    page = open_page()
    ehr_launch(page, ehr, "p-v34")
    complete_by_hand(page, data["assessment"], example("V34")["mapped_assessment"])
    page.get_by_role("button", name="Get advice and save").click()
    page.wait_for_url(RESULT_URL)
    not_filed = page.locator("[data-filing=not_filed]")
    expect(not_filed).to_be_visible()
    assert not_filed.locator("[data-filing-reason]").inner_text() == (
        "the FHIR server answered 500")
    assert ehr.documents() == []
    shot(page, "smart-result-not-filed")
    shot_top(page, "smart-result-not-filed")
    assert_accessible(page)
    consultation = Consultation.objects.get()
    assert (consultation.ehr_filing.outcome, consultation.ehr_filing.document_id) == (
        "not_filed", "")
    page.get_by_role("link", name="Consultations", exact=True).click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    assert rows.first.locator(f"a[href='/consultations/{consultation.pk}/']").count() == 1


def test_a_launch_from_an_unregistered_ehr_is_refused_in_words(open_page):
    page = open_page()
    response = page.goto("/smart/launch?iss=http://127.0.0.1:9/fhir&launch=x")
    assert response.status == 400
    assert urlsplit(page.url).path == "/smart/launch"
    expect(page.locator("[data-refusal=unknown_iss]")).to_contain_text("not registered")
    shot(page, "smart-refused-unknown-iss")
    assert_accessible(page)


def test_a_standalone_launch_starts_from_boncares_own_page(ehr, open_page):
    register(ehr)
    ehr.standalone_patient_set("p-v20")
    page = open_page()
    page.goto("/smart/")
    shot(page, "smart-standalone")
    assert_accessible(page)
    page.get_by_role("button", name="Open a patient from Test EHR").click()
    page.wait_for_load_state()
    assert page.url.startswith(ehr.auth_issuer), (page.url, page.content()[:1500])
    page.locator("input[name=login]").fill(DEFAULT_USER)
    page.locator("input[name=password]").fill("any password: the test EHR takes any")
    page.locator("button[type=submit]").click()
    page.wait_for_url("**/smart/consultation/")
    expect(page.locator("[data-patient-name]")).to_contain_text("p-v20")
    expect(page.locator("[data-field=mscc_signs]")).to_be_visible()
