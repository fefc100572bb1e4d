"""Every way a launch is refused ends on a page that says why, with one SmartLaunch row and a
refused sign-in in the account audit, nobody signed in and nothing of the record kept."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session

from options.identity.models import AccountEvent
from options.smart.models import EhrIdentity, SmartLaunch
from options.smart.services import smart_client_create
from tests.smart.bonecare import Browser, launch_in_session, register
from tests.smart.ehr import DEFAULT_FHIR_USER

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser(live_server, published_ruleset, treatment_options):
    return Browser(live_server)


def signed_in_sessions():
    return [s for s in Session.objects.all() if SESSION_KEY in s.get_decoded()]


def assert_refused(page, reason, status=400):
    assert page.status_code == status, page.text[:400]
    assert f'data-refusal="{reason}"' in page.text
    row = SmartLaunch.objects.latest("id")
    assert (row.outcome, row.reason) == ("refused", reason)
    assert AccountEvent.objects.filter(kind="sign_in_failed", source="smart",
                                       reason=f"SMART launch: {reason}").exists()
    assert signed_in_sessions() == []
    assert launch_in_session() is None


def test_an_iss_not_registered_is_refused_before_anything_is_asked_of_it(ehr, browser):
    page = browser.launch(ehr, "p-v01")  # the EHR is not registered
    assert_refused(page, "unknown_iss")
    assert "not registered" in page.text
    assert ehr.counts()["token"] == 0 and ehr.seen() == []


def test_a_revoked_registration_is_refused_like_an_unknown_one(ehr, browser):
    from options.http.clients import client_revoke

    client_revoke(client=register(ehr))
    assert_refused(browser.launch(ehr, "p-v01"), "unknown_iss")


def test_a_planted_state_is_refused(ehr, browser):
    register(ehr)
    assert_refused(browser.get("/smart/callback?code=abc&state=planted-by-someone"),
                   "state_unknown")


def test_a_state_is_used_once_and_only_in_the_browser_that_started_it(ehr, browser,
                                                                      live_server):
    register(ehr)
    callback = browser.launch(ehr, "p-v01", follow=False)
    thief = Browser(live_server)
    assert_refused(thief.session.get(callback, timeout=15), "state_unknown")
    first = browser.session.get(callback, timeout=15)
    assert first.status_code == 200 and first.url.endswith("/smart/consultation/")
    again = browser.session.get(callback, timeout=15)
    assert again.status_code == 400 and 'data-refusal="state_unknown"' in again.text


@pytest.mark.parametrize("fault", [{"id_token_aud": "another-app"},
                                   {"id_token_other_key": True}],
                         ids=["wrong-aud", "another-key"])
def test_an_id_token_that_fails_its_checks_signs_nobody_in(ehr, browser, fault):
    register(ehr)
    ehr.faults_set(**fault)
    assert_refused(browser.launch(ehr, "p-v01"), "id_token_invalid")
    assert ehr.seen() == []  # the record is not read with a token from an unproven sign-in


def test_a_token_without_patient_context_is_refused(ehr, browser):
    register(ehr)
    ehr.faults_set(no_patient=True)
    page = browser.launch(ehr, "p-v01")
    assert_refused(page, "no_patient")
    assert "which patient" in page.text


def test_a_token_the_ehr_says_has_expired_is_refused_before_any_read(ehr, browser):
    register(ehr)
    ehr.faults_set(expires_in=0)
    page = browser.launch(ehr, "p-v01")
    assert_refused(page, "token_expired")
    assert "expired" in page.text and ehr.seen() == []


def test_a_fhir_401_mid_read_refuses_the_launch_and_signs_nobody_in(ehr, browser):
    register(ehr)
    ehr.fhir_faults_set(unauthorized_after=2)
    page = browser.launch(ehr, "p-v01")
    assert_refused(page, "record_unreadable", status=502)
    assert "answered 401" in page.text


class _Recorder(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the name http.server calls
        self.server.received.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_redirecting_fhir_server_is_not_followed(ehr, browser):
    elsewhere = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    elsewhere.received = []
    threading.Thread(target=elsewhere.serve_forever, daemon=True).start()
    try:
        register(ehr)
        ehr.fhir_faults_set(redirect_to=f"http://127.0.0.1:{elsewhere.server_port}")
        page = browser.launch(ehr, "p-v01")
        assert_refused(page, "record_unreadable", status=502)
        assert "a redirect, which BoneCare does not follow" in page.text
        assert elsewhere.received == []
    finally:
        elsewhere.shutdown()
        elsewhere.server_close()


def test_an_unknown_user_is_refused_where_the_registration_makes_no_accounts(ehr, browser):
    register(ehr, create_accounts=False)
    page = browser.launch(ehr, "p-v01")
    assert_refused(page, "not_linked", status=403)
    assert EhrIdentity.objects.count() == 0


def test_a_linked_user_signs_in_as_their_own_account(ehr, browser, clinician):
    client = register(ehr, create_accounts=False)
    EhrIdentity.objects.create(user=clinician, iss=client.iss, fhir_user=DEFAULT_FHIR_USER)
    page = browser.launch(ehr, "p-v01")
    assert page.status_code == 200
    (session,) = signed_in_sessions()
    assert str(session.get_decoded()[SESSION_KEY]) == str(clinician.pk)


def test_a_linked_account_without_the_clinician_role_is_refused(ehr, browser,
                                                               guidance_editor):
    client = register(ehr, create_accounts=False)
    EhrIdentity.objects.create(user=guidance_editor, iss=client.iss,
                               fhir_user=DEFAULT_FHIR_USER)
    assert_refused(browser.launch(ehr, "p-v01"), "not_clinician", status=403)


def test_an_iss_whose_smart_configuration_cannot_be_read_is_refused(ehr, browser,
                                                                    live_server):
    # BoneCare's own site is no SMART server: its configuration URL answers 404.
    smart_client_create(name="Not an EHR", iss=f"{live_server.url}/nowhere",
                        client_id="x")
    page = browser.get("/smart/launch", params={"iss": f"{live_server.url}/nowhere",
                                                "launch": "x"})
    assert_refused(page, "configuration_unreadable", status=502)


def test_a_launch_whose_access_has_expired_files_nothing(ehr, browser):
    register(ehr)
    ehr.faults_set(access_token_ttl=4)  # long enough for the launch's reads on a loaded machine
    page = browser.launch(ehr, "p-v01")
    assert page.status_code == 200 and "When you save, the clinician summary is filed" in page.text
    time.sleep(4.2)
    again = browser.get("/smart/consultation/")
    assert "access to the record has expired, so saving keeps the consultation here only" \
        in again.text
    fields = {**browser.form_fields(page), "action": "submit"}
    saved = browser.post("/smart/consultation/", data=fields, headers={"Referer": page.url})
    assert 'data-filing="not_filed"' in saved.text and "expired" in saved.text
    assert ehr.documents() == []
