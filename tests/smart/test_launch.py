"""An EHR launches BoneCare (SMART App Launch 2.x): the clinician is signed in with the
EHR's authority, the record is read with their token and mapped as the CDS Hooks service maps
it, and the form opens pre-filled. Real processes throughout (tests/smart/ehr.py)."""

import datetime

import pytest
from django.utils import timezone

from guidance.selectors import code_lists_published, published_key
from options.cds_hooks.fhir import request_parse
from options.cds_hooks.mapping import assessment_from_fhir
from options.cds_hooks.services import assessment_settle
from options.identity.models import AccountEvent
from options.smart.models import EhrIdentity, SmartLaunch
from tests.cds_hooks.helpers import example
from tests.smart.bonecare import Browser, launch_in_session, register
from tests.smart.ehr import DEFAULT_FHIR_USER

pytestmark = pytest.mark.django_db(transaction=True)
FORM = "/smart/consultation/"


@pytest.fixture
def browser(live_server, published_ruleset, treatment_options):
    return Browser(live_server)


def cds_mapping(name):
    """The CDS Hooks service's mapping of the same example's data."""
    request = request_parse(example(name)["request"], hook="patient-view")
    mapped = assessment_from_fhir(request.prefetch, codes=code_lists_published(published_key()),
                                  today=timezone.localdate())
    assessment_settle(mapped)
    return mapped.assessment


@pytest.mark.parametrize("name", ["V01", "V20", "V34"])
def test_an_ehr_launch_opens_the_form_filled_as_the_cds_hooks_mapping_fills_it(
        ehr, browser, name):
    register(ehr)
    patient = example(name)["request"]["context"]["patientId"]
    page = browser.launch(ehr, patient, encounter="enc-1")
    assert page.status_code == 200 and page.url.endswith(FORM), page.text[:300]
    launch = launch_in_session()
    assert launch["record"]["assessment"] == cds_mapping(name)
    assert launch["record"]["assessment"] == example(name)["mapped_assessment"]
    assert launch["patient"] == patient and launch["encounter"] == "enc-1"
    assert "data-from-record-answers" in page.text and "a test result dated 20" in page.text
    row = SmartLaunch.objects.get()
    assert (row.outcome, row.kind, row.fhir_patient_id, row.fhir_user) == (
        "signed_in", "ehr", patient, DEFAULT_FHIR_USER)
    assert AccountEvent.objects.filter(kind="sign_in", source="smart",
                                       subject=DEFAULT_FHIR_USER).count() == 1
    assert EhrIdentity.objects.get().fhir_user == DEFAULT_FHIR_USER


def test_the_form_shows_the_patient_banner_only_when_the_ehr_asks_for_it(ehr, browser,
                                                                         live_server):
    register(ehr)
    shown = browser.launch(ehr, "p-v01", need_patient_banner=True)
    assert "data-patient-banner" in shown.text
    hidden = Browser(live_server).launch(ehr, "p-v01", need_patient_banner=False)
    assert hidden.status_code == 200 and "data-patient-banner" not in hidden.text


def test_dates_in_the_banner_are_the_records(ehr, browser):
    register(ehr)
    page = browser.launch(ehr, "p-v01")
    sources = launch_in_session()["record"]["sources"]
    assert sources["corrected_calcium_mmol_l"].startswith("a test result dated ")
    date = sources["corrected_calcium_mmol_l"].removeprefix("a test result dated ")
    datetime.date.fromisoformat(date)
    assert date in page.text


@pytest.mark.parametrize(("label", "words"), [
    ("http://snomed.info/sct|1234 (Osteopenia)",
     "\u201cOsteopenia\u201d (code 1234): not recognised by BoneCare"),
    ("http://snomed.info/sct|1234", "An entry coded 1234: not recognised by BoneCare"),
])
def test_an_unrecognised_code_is_described_in_words(label, words):
    from options.smart.services import _unrecognised_words

    assert _unrecognised_words(label) == words
    assert "|" not in words and "snomed" not in words
