"""The sign-in pages without a browser: switches, refusals that are pages (never a 500), limits."""

import datetime
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import time_machine

from options.identity.backends import PROVIDER_BACKEND
from options.identity.models import AccountEvent
from tests.identity.conftest import DISPLAY_NAME, trusting
from tests.identity.provider import free_port

BASE_DIR = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery-staple"
PRINT = ("import json; from django.conf import settings; print(json.dumps({"
         "'backends': settings.AUTHENTICATION_BACKENDS, "
         "'form_action': settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']}))")
ENTRA = {"BONECARE_OIDC_ISSUER": "https://login.microsoftonline.com/tenant-id/v2.0",
         "BONECARE_OIDC_CLIENT_ID": "app-id", "BONECARE_OIDC_CLIENT_SECRET": "s3cret",
         "BONECARE_OIDC_ROLE_CLINICIAN": "BoneCare.Clinician"}


def settings_loaded(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BONECARE_")}
    clean.update(env, DJANGO_SETTINGS_MODULE="bonecare.settings", DJANGO_DEBUG="true")
    return subprocess.run([sys.executable, "-c", PRINT], cwd=BASE_DIR, env=clean,
                          capture_output=True, text=True, timeout=60)


def test_by_default_passwords_are_the_only_way_in():
    loaded = json.loads(settings_loaded().stdout)
    assert "django.contrib.auth.backends.ModelBackend" in loaded["backends"]
    assert loaded["form_action"] == ["'self'"]


def test_with_a_provider_and_local_sign_in_off_no_password_is_checked():
    loaded = json.loads(settings_loaded(**ENTRA, BONECARE_LOCAL_SIGN_IN="false").stdout)
    assert "django.contrib.auth.backends.ModelBackend" not in loaded["backends"]
    assert PROVIDER_BACKEND in loaded["backends"]
    assert loaded["form_action"] == ["'self'", "https://login.microsoftonline.com"]


@pytest.mark.parametrize(("env", "named"), [
    ({"BONECARE_LOCAL_SIGN_IN": "false"}, "BONECARE_OIDC_ISSUER is not set: nobody could"),
    ({"BONECARE_LOCAL_SIGN_IN": "no"}, "BONECARE_LOCAL_SIGN_IN must be 'true' or 'false'"),
    ({**ENTRA, "BONECARE_OIDC_CLIENT_ID": ""}, "BONECARE_OIDC_CLIENT_ID must be set"),
], ids=["nobody-could-sign-in", "not-a-boolean", "half-configured"])
def test_a_sign_in_mistake_stops_start_up_naming_the_variable(env, named):
    result = settings_loaded(**env)
    assert result.returncode != 0
    assert named in result.stderr


@pytest.fixture
def local_sign_in_off(settings):
    settings.BONECARE_LOCAL_SIGN_IN = False
    settings.AUTHENTICATION_BACKENDS = [backend for backend in settings.AUTHENTICATION_BACKENDS
                                        if not backend.endswith("ModelBackend")]
    settings.BONECARE_OIDC = trusting("https://idp.example")


def test_with_local_sign_in_off_a_password_signs_nobody_in(client, clinician, local_sign_in_off):
    clinician.set_password(PASSWORD)
    clinician.save()
    page = client.get("/accounts/login/").content.decode()
    assert f"Sign in with {DISPLAY_NAME}" in page
    assert 'name="password"' not in page
    response = client.post("/accounts/login/", {"username": clinician.username,
                                                "password": PASSWORD})
    assert response.status_code == 403
    assert "password is switched off" in response.content.decode()
    assert client.get("/consultations/").status_code == 302


def test_with_local_sign_in_off_the_admin_sends_people_to_the_provider(client, local_sign_in_off):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_without_a_provider_its_pages_do_not_exist(client, db):
    assert client.post("/accounts/oidc/start/").status_code == 404
    assert client.get("/accounts/oidc/callback/?code=x&state=y").status_code == 404
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()


def test_an_unreachable_provider_is_a_clear_page_and_an_audit_row(client, db, settings):
    closed = f"http://127.0.0.1:{free_port()}"
    settings.BONECARE_OIDC = trusting(closed, timeout_seconds=2)
    response = client.post("/accounts/oidc/start/", REMOTE_ADDR="10.4.4.4")
    assert response.status_code == 503
    assert "could not be reached" in response.content.decode()
    [event] = AccountEvent.objects.all()
    assert (event.kind, event.reason, event.address) == (
        "sign_in_failed", "provider unavailable: ConnectionError", "10.4.4.4")


@pytest.mark.parametrize("query", [
    "", "?code=abc", "?state=unknown&code=abc", "?error=access_denied&state=x",
    "?state=" + "x" * 5000, "?state=%00&code=%00",
], ids=["nothing", "no-state", "unknown-state", "provider-error", "long-state", "nul"])
def test_a_callback_nobody_started_is_refused_with_a_page(client, db, provider, query):
    response = client.get(f"/accounts/oidc/callback/{query}")
    assert response.status_code == 400
    assert "Sign-in did not complete" in response.content.decode()
    assert AccountEvent.objects.get().kind == "sign_in_failed"


def test_the_start_keeps_only_a_local_next_page(client, db, provider):
    response = client.post("/accounts/oidc/start/", {"next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"].startswith(f"{provider.issuer}/auth?")
    assert "code_challenge_method=S256" in response["Location"]
    assert "nonce=" in response["Location"]
    assert client.session["identity_next"] == ""
    client.post("/accounts/oidc/start/", {"next": "/consultations/new/"})
    assert client.session["identity_next"] == "/consultations/new/"
    assert "max_age" not in response["Location"] and "acr_values" not in response["Location"]


def test_the_start_asks_for_fresh_and_strong_authentication_when_configured(client, db,
                                                                           provider, settings):
    settings.BONECARE_OIDC = replace(settings.BONECARE_OIDC, max_age_seconds=900,
                                     acr_values=("AAL3_ANY", "AAL3"))
    location = client.post("/accounts/oidc/start/")["Location"]
    assert "max_age=900" in location
    assert "acr_values=AAL3_ANY+AAL3" in location


def test_the_session_limits_apply_to_provider_sign_ins(client, clinician):
    with time_machine.travel(datetime.datetime(2030, 1, 1, 9, 0, tzinfo=datetime.UTC),
                             tick=False) as traveller:
        client.force_login(clinician, backend=PROVIDER_BACKEND)
        assert client.get("/consultations/").status_code == 200
        traveller.shift(datetime.timedelta(minutes=31))
        assert client.get("/consultations/").status_code == 302


def test_a_discovery_document_for_another_issuer_is_refused(client, db, provider, settings):
    settings.BONECARE_OIDC = trusting(provider.issuer + "/")
    response = client.post("/accounts/oidc/start/")
    assert response.status_code == 503
    assert AccountEvent.objects.get().reason == "provider unavailable: ProviderMisconfigured"


def test_a_flood_of_bad_callbacks_is_refused_without_growing_the_audit(client, db, provider):
    from options.identity.failures import FAILURES_PER_MINUTE

    statuses = [client.get("/accounts/oidc/callback/?state=x&code=y", REMOTE_ADDR="10.6.6.6")
                .status_code for _ in range(FAILURES_PER_MINUTE + 5)]
    assert statuses == [400] * FAILURES_PER_MINUTE + [429] * 5
    assert AccountEvent.objects.count() == FAILURES_PER_MINUTE
    other = client.get("/accounts/oidc/callback/?state=x&code=y", REMOTE_ADDR="10.6.6.7")
    assert other.status_code == 400  # another address is answered and audited as before


def test_a_local_sign_out_ends_the_session_and_says_so(clinician_client):
    response = clinician_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signed-out/"
    assert "You have signed out of BoneCare" in clinician_client.get(
        "/accounts/signed-out/").content.decode()
    assert clinician_client.get("/consultations/").status_code == 302
