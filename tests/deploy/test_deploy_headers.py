"""What every response tells the browser: a strict CSP, no caching, cookies that hold no secret."""

import pytest
from django.test import Client

from options.api.models import ApiClient
from tests.result_helpers import PAGES, consultation_for

PASSWORD = "correct-horse-battery-staple"
PATIENT_PAGES = ["/consultations/", "/consultations/new/"]


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    """Hash test passwords cheaply; the real hasher's cost is not under test here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def csp(response):
    return dict(part.strip().split(" ", 1) for part in
                response["Content-Security-Policy"].split(";") if part.strip())


@pytest.mark.parametrize("persona, path", [("anonymous_client", "/accounts/login/"),
                                           *[("clinician_client", p) for p in PATIENT_PAGES],
                                           ("guidance_editor_client", "/admin/")])
def test_pages_allow_nothing_inline_and_nothing_from_elsewhere(request, persona, path):
    response = request.getfixturevalue(persona).get(path)
    assert response.status_code == 200
    policy = csp(response)
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_swagger_ui_may_draw_data_images_and_still_runs_nothing_inline(anonymous_client):
    page = anonymous_client.get("/api/docs/")
    assert page.status_code == 200
    assert csp(page)["img-src"] == "'self' data:"
    assert "unsafe-inline" not in page["Content-Security-Policy"]
    html = page.content.decode()
    assert "<style>" not in html
    assert "<script>" not in html  # every script has a src
    script = anonymous_client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")


@pytest.mark.parametrize("path", PATIENT_PAGES)
def test_pages_for_a_signed_in_clinician_are_never_stored(clinician_client, path):
    response = clinician_client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_stored_consultation_and_its_prints_are_never_stored(clinician_client, clinician,
                                                               published_ruleset):
    consultation = consultation_for("V06", by=clinician)
    for path in PAGES.values():
        response = clinician_client.get(path.format(pk=consultation.pk))
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path


@pytest.mark.parametrize("method, path", [("get", "/api/v1/whoami"),
                                          ("get", "/api/v1/consultations"),
                                          ("post", "/api/v1/evaluate"),
                                          ("get", "/api/v1/nowhere")])
def test_api_responses_are_never_stored(ehr_client, published_ruleset, method, path):
    response = getattr(ehr_client, method)(path, {}, format="json")
    assert "no-store" in response["Cache-Control"]


def test_an_api_refusal_is_never_stored(db, anonymous_client):
    response = anonymous_client.get("/api/v1/whoami")
    assert response.status_code == 401
    assert "no-store" in response["Cache-Control"]


def test_the_session_cookie_ends_with_the_browser(client, clinician):
    clinician.set_password(PASSWORD)
    clinician.save()
    response = client.post("/accounts/login/",
                           {"username": clinician.username, "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"]


def test_a_new_api_token_is_shown_once_and_never_sent_in_a_cookie(django_user_model):
    browser = Client()
    admin = django_user_model.objects.create_superuser("admin", "a@example.org", PASSWORD)
    browser.force_login(admin)
    set_cookies = []
    response = browser.post("/admin/api/apiclient/add/",
                            {"name": "Ward EHR", "scopes": ["evaluate"]})
    set_cookies += [morsel.OutputString() for morsel in response.cookies.values()]
    assert response.status_code == 302
    page = browser.get(response["Location"])
    set_cookies += [morsel.OutputString() for morsel in page.cookies.values()]
    [message] = [m.message for m in page.context["messages"] if "token" in m.message]
    token = message.rsplit(" ", 1)[-1]
    assert ApiClient.objects.get(name="Ward EHR").token_prefix in token
    assert token in page.content.decode()
    assert not any(token in cookie for cookie in set_cookies)
    assert token[:12] not in "".join(browser.cookies.output())
    assert token not in browser.get(response["Location"]).content.decode()  # once


class TestBehindOneProxy:
    """The lockout counts the address the proxy saw, not the proxy's own or a claimed one."""

    PROXY = "10.0.0.1"

    @pytest.fixture(autouse=True)
    def one_trusted_proxy(self, settings):
        # What DJANGO_TRUSTED_PROXY_COUNT=1 sets (tests/deploy/test_settings.py checks that).
        settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
        settings.AXES_IPWARE_PROXY_COUNT = 0
        settings.IPWARE_STRICT = False

    def sign_in(self, client, username, password, forwarded_for):
        return client.post("/accounts/login/", {"username": username, "password": password},
                           REMOTE_ADDR=self.PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)

    @pytest.fixture
    def doctor(self, clinician):
        clinician.set_password(PASSWORD)
        clinician.save()
        return clinician

    def test_an_attacker_cannot_lock_out_everyone_behind_the_proxy(self, doctor):
        for _ in range(6):
            self.sign_in(Client(), doctor.username, "wrong", "203.0.113.9")
        assert self.sign_in(Client(), doctor.username, "wrong", "203.0.113.9").status_code == 429
        assert self.sign_in(Client(), doctor.username, PASSWORD, "10.20.0.7").status_code == 302

    def test_an_attacker_cannot_pose_as_another_address(self, doctor):
        # He sends X-Forwarded-For himself; the proxy appends the address it saw.
        for _ in range(6):
            self.sign_in(Client(), doctor.username, "wrong", "10.20.0.7, 203.0.113.9")
        assert self.sign_in(Client(), doctor.username, PASSWORD, "10.20.0.7").status_code == 302
        assert self.sign_in(Client(), doctor.username, PASSWORD, "203.0.113.9").status_code == 429
