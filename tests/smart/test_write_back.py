"""Saving a launched consultation files the clinician summary to the EHR as a
DocumentReference; a failure to file never loses the consultation and is said on its page.
The EHR's access token is never in a log, a cookie, the database or a URL."""

import base64
import logging
import re

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command

from options.consultation.models import Consultation
from options.smart.models import SummaryFiling
from tests.smart.bonecare import Browser, register
from tests.smart.ehr import RESOURCE_SCOPES

pytestmark = pytest.mark.django_db(transaction=True)
JWT = re.compile(r"eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+")


@pytest.fixture
def browser(live_server, published_ruleset, treatment_options):
    return Browser(live_server)


def save(browser, page, **changes):
    fields = {**browser.form_fields(page), "action": "submit", **changes}
    return browser.post("/smart/consultation/", data=fields, headers={"Referer": page.url})


def test_saving_files_the_summary_and_records_its_id(ehr, browser):
    register(ehr)
    page = browser.launch(ehr, "p-v01", encounter="enc-7")
    saved = save(browser, page)
    consultation = Consultation.objects.get()
    assert saved.url.endswith(f"/consultations/{consultation.pk}/")
    (document,) = ehr.documents()
    filing = SummaryFiling.objects.get()
    assert (filing.outcome, filing.document_id, filing.fhir_patient_id) == (
        "filed", document["id"], "p-v01")
    assert 'data-filing="filed"' in saved.text and document["id"] in saved.text
    assert document["subject"] == {"reference": "Patient/p-v01"}
    assert document["context"]["encounter"] == [{"reference": "Encounter/enc-7"}]
    assert document["author"] == [{"reference": "Practitioner/example-oncologist"}]
    summary, link = (item["attachment"] for item in document["content"])
    html = base64.b64decode(summary["data"]).decode()
    assert summary["contentType"] == "text/html"
    assert f"Ruleset {consultation.ruleset_version}" in html
    for option in consultation.result["options"]:
        assert f'data-option="{option["option"]}"' in html
    assert link["url"].endswith(f"/consultations/{consultation.pk}/")


def test_a_refused_filing_keeps_the_consultation_and_says_so(ehr, browser):
    register(ehr)
    ehr.fhir_faults_set(document_status=500)
    saved = save(browser, browser.launch(ehr, "p-v01"))
    consultation = Consultation.objects.get()
    assert saved.url.endswith(f"/consultations/{consultation.pk}/")
    assert 'data-filing="not_filed"' in saved.text and "answered 500" in saved.text
    assert SummaryFiling.objects.get().outcome == "not_filed"
    assert f"/consultations/{consultation.pk}/" in browser.get("/consultations/").text


def test_without_permission_to_file_nothing_is_sent_and_the_form_says_so(ehr, browser):
    register(ehr)
    granted = [s for s in f"launch openid fhirUser {RESOURCE_SCOPES}".split()
               if "DocumentReference" not in s]
    ehr.faults_set(scopes_granted=granted)
    page = browser.launch(ehr, "p-v01")
    assert "did not allow BoneCare to file documents" in page.text
    saved = save(browser, page)
    assert 'data-filing="not_filed"' in saved.text and "permission to file" in saved.text
    assert ehr.documents() == []


def test_fewer_scopes_leave_their_fields_absent_never_guessed(ehr, browser):
    from tests.smart.bonecare import launch_in_session

    register(ehr)
    granted = [s for s in f"launch openid fhirUser {RESOURCE_SCOPES}".split()
               if "Observation" not in s]
    ehr.faults_set(scopes_granted=granted)
    page = browser.launch(ehr, "p-v01")
    record = launch_in_session()["record"]
    assert not {"corrected_calcium_mmol_l", "creatinine_clearance_ml_min",
                "pregnant"} & set(record["assessment"])
    assert record["assessment"]["cancer_type"] == "breast"
    assert record["not_read"] == ["test results"]
    assert "data-not-read" in page.text
    assert not any("Observation" in path for path in ehr.seen())


def test_a_form_from_an_earlier_launch_is_not_filed_to_the_later_patient(ehr, browser):
    register(ehr)
    first = browser.launch(ehr, "p-v01")
    # Another patient opened in the same browser since: the earlier form, even with a token
    # that still passes the CSRF check (sign-in rotates it), is not saved for the later one.
    second = browser.launch(ehr, "p-v20")
    token = browser.form_fields(second)["csrfmiddlewaretoken"]
    answer = save(browser, first, csrfmiddlewaretoken=token)
    assert answer.status_code == 409 and "data-other-launch" in answer.text
    assert Consultation.objects.count() == 0 and ehr.documents() == []


def test_the_access_token_is_never_in_a_log_a_cookie_the_database_or_a_url(
        ehr, browser, caplog):
    caplog.set_level(logging.DEBUG)
    register(ehr)
    page = browser.launch(ehr, "p-v01")
    save(browser, page)
    assert len(ehr.documents()) == 1  # the token worked, so it was there to leak
    assert not JWT.search(caplog.text)
    for cookie in browser.session.cookies:
        assert not JWT.search(cookie.value or ""), cookie.name
    assert not JWT.search(browser.callback_url) and "token" not in browser.callback_url
    for session in Session.objects.all():
        assert not JWT.search(str(session.get_decoded()))
    from io import StringIO

    dump = StringIO()
    call_command("dumpdata", stdout=dump)
    assert not JWT.search(dump.getvalue())
