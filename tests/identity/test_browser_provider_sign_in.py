"""Hospital sign-in end to end: Chromium, BoneCare's live server and a real OpenID provider.

The provider is npm's oidc-provider (tests/identity/provider.mjs); nothing here stands in
for it. Set BONECARE_SHOTS_DIR to keep screenshots of the pages.
"""

import re
from dataclasses import replace
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model

from options.identity.models import AccountEvent, ProviderIdentity
from options.identity.roles import CLINICIAN, EDITOR, SAFETY_OFFICER
from tests.browser import BROWSER_TESTS, assert_accessible, local_context, shot
from tests.identity.conftest import (
    CLINICIAN_VALUE,
    DISPLAY_NAME,
    EDITOR_VALUE,
    trusting,
    with_private_key,
)

pytestmark = BROWSER_TESTS

FORM = "/consultations/new/"
CALLBACK = "/accounts/oidc/callback/"


@pytest.fixture
def new_page(request, browser, live_server, provider, published_ruleset):
    """Open pages in fresh browsers (no cookies) that reach only BoneCare and the provider."""
    request.getfixturevalue("treatment_options")  # the form lists them
    contexts = []

    def open_page():
        context = local_context(browser, live_server, width=1100, height=900,
                                also=[provider.issuer])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def provider_sign_in(page, subject, *, start=FORM):
    """Ask BoneCare for a page, choose the provider, and sign in there as the subject."""
    page.goto(start)
    page.get_by_role("button", name=f"Sign in with {DISPLAY_NAME}").click()
    page.locator("input[name=login]").fill(subject)
    page.locator("input[name=password]").fill("any password: the test provider takes any")
    with page.expect_response(lambda r: CALLBACK in r.url) as callback:
        page.locator("button[type=submit]").click()
    page.wait_for_load_state()
    return callback.value


def callback_held(page, provider, subject):
    """Sign in at the provider, but return its answer (BoneCare's callback URL) unused.

    The provider's form is posted and its redirects followed one at a time by the page's own
    request context (same cookies), stopping before the one that would reach BoneCare.
    """
    page.goto(FORM)
    page.get_by_role("button", name=f"Sign in with {DISPLAY_NAME}").click()
    page.locator("input[name=login]").wait_for()
    action = urljoin(page.url, page.locator("form").first.get_attribute("action"))
    response = page.request.post(action, max_redirects=0, form={
        "prompt": "login", "login": subject, "password": "any"})
    location = urljoin(action, response.headers["location"])
    while CALLBACK not in location:
        response = page.request.get(location, max_redirects=0)
        location = urljoin(location, response.headers["location"])
    return location


def events(kind, **filters):
    return list(AccountEvent.objects.filter(kind=kind, **filters).order_by("id"))


def roles_of(subject):
    user = ProviderIdentity.objects.get(subject=subject).user
    return set(user.groups.values_list("name", flat=True))


def test_a_clinician_signs_in_at_the_provider_and_lands_on_the_form(new_page, provider):
    provider.user_set("ux-1001", preferred_username="ada", email="ada@trust.example",
                      given_name="Ada", family_name="Lovelace", roles=[CLINICIAN_VALUE])
    page = new_page()
    page.goto("/accounts/login/")
    shot(page, "identity-sign-in-page")
    assert_accessible(page)
    callback = provider_sign_in(page, "ux-1001")
    assert callback.status == 302
    assert urlsplit(page.url).path == FORM
    assert page.get_by_role("heading", level=1).first.inner_text()
    assert "Signed in as ada" in page.content()
    shot(page, "identity-signed-in")
    assert roles_of("ux-1001") == {CLINICIAN.group}
    identity = ProviderIdentity.objects.get(subject="ux-1001")
    assert identity.issuer == provider.issuer
    assert not identity.user.has_usable_password()
    [sign_in] = events("sign_in", source="provider")
    assert (sign_in.subject, sign_in.address) == ("ux-1001", "127.0.0.1")
    assert [event.role for event in events("role_granted")] == ["clinician"]


OFFICER_VALUE = "BoneCare.SafetyOfficer"


@pytest.mark.parametrize(("value", "role", "home", "heading"), [
    (CLINICIAN_VALUE, CLINICIAN, "/consultations/", "Your consultations"),
    (EDITOR_VALUE, EDITOR, "/admin/guidance/ruleset/", "Rules console"),
    (OFFICER_VALUE, SAFETY_OFFICER, "/admin/guidance/ruleset/", "Rules console"),
], ids=["clinician", "editor", "safety_officer"])
def test_each_role_signed_in_at_the_provider_lands_on_its_own_home(
        new_page, provider, settings, value, role, home, heading):
    """From the sign-in page, with nowhere else asked for: each role's own home, styled,
    never a bare 403; and /admin/ for a clinician is a page that says so, not a loop."""
    config = settings.BONECARE_OIDC
    settings.BONECARE_OIDC = replace(config, role_values={
        **config.role_values, "safety_officer": frozenset({OFFICER_VALUE})})
    subject = f"home-{role.key}"
    provider.user_set(subject, preferred_username=role.key, roles=[value])
    page = new_page()
    provider_sign_in(page, subject, start="/accounts/login/")
    assert urlsplit(page.url).path == home
    assert heading in page.get_by_role("heading", level=1).first.inner_text()
    assert roles_of(subject) == {role.group}
    shot(page, f"identity-home-{role.key}")
    assert_accessible(page)
    response = page.goto("/admin/")
    if role is CLINICIAN:
        assert response.status == 403
        assert "The rules console is for guidance editors" in page.content()
    else:
        assert response.status == 200 and urlsplit(page.url).path == "/admin/"


def test_sign_out_ends_the_session_here_and_at_the_provider(new_page, provider):
    provider.user_set("ux-1002", preferred_username="bea", roles=[CLINICIAN_VALUE])
    page = new_page()
    provider_sign_in(page, "ux-1002")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Yes, sign me out").click()  # the provider's own page
    page.wait_for_url(re.compile(r"/accounts/signed-out/"))
    assert "You have signed out of BoneCare" in page.content()
    page.goto(FORM)
    assert urlsplit(page.url).path == "/accounts/login/"
    page.get_by_role("button", name=f"Sign in with {DISPLAY_NAME}").click()
    page.locator("input[name=login]").wait_for()  # the provider asks again: its session ended


def test_a_role_removed_at_the_provider_is_removed_at_the_next_sign_in(new_page, provider):
    provider.user_set("ux-1003", preferred_username="cyd", roles=[CLINICIAN_VALUE, EDITOR_VALUE])
    provider_sign_in(new_page(), "ux-1003")
    assert roles_of("ux-1003") == {CLINICIAN.group, EDITOR.group}
    assert ProviderIdentity.objects.get(subject="ux-1003").user.is_staff

    provider.user_set("ux-1003", preferred_username="cyd", roles=[CLINICIAN_VALUE])
    page = new_page()
    provider_sign_in(page, "ux-1003")
    assert urlsplit(page.url).path == FORM
    assert roles_of("ux-1003") == {CLINICIAN.group}
    assert not ProviderIdentity.objects.get(subject="ux-1003").user.is_staff
    [removed] = events("role_removed")
    assert (removed.role, removed.source, removed.address) == ("editor", "provider", "127.0.0.1")


def test_a_person_without_a_mapped_role_sees_the_no_access_page(new_page, provider):
    provider.user_set("ux-1004", preferred_username="dee", roles=["Finance.Reports"])
    page = new_page()
    callback = provider_sign_in(page, "ux-1004")
    assert callback.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == (
        "You do not have access to BoneCare")
    shot(page, "identity-no-access")
    assert_accessible(page)
    assert not ProviderIdentity.objects.filter(subject="ux-1004").exists()
    [refused] = events("sign_in_failed")
    assert (refused.reason.split(":")[0], refused.subject, refused.username) == (
        "no_role", "ux-1004", "dee")
    page.goto(FORM)
    assert urlsplit(page.url).path == "/accounts/login/"


def test_a_no_access_sign_in_leaves_nobody_signed_in_in_that_browser(new_page, provider):
    provider.user_set("ux-1013", preferred_username="fay", roles=[CLINICIAN_VALUE])
    provider.user_set("ux-1014", preferred_username="gil", roles=[])
    page = new_page()
    provider_sign_in(page, "ux-1013")
    page.context.clear_cookies(domain="127.0.0.1")  # the provider forgets fay; BoneCare not yet
    # A signed-in page offers no provider button: post to the start with its own CSRF token.
    page.evaluate("""() => { const form = document.querySelector('form[action$="/logout/"]');
                             form.action = '/accounts/oidc/start/'; form.submit(); }""")
    page.locator("input[name=login]").fill("ux-1014")
    page.locator("input[name=password]").fill("any")
    with page.expect_response(lambda r: CALLBACK in r.url) as callback:
        page.locator("button[type=submit]").click()
    assert callback.value.status == 403
    page.goto(FORM)
    assert urlsplit(page.url).path == "/accounts/login/"


def test_a_callback_with_another_state_is_refused(new_page, provider):
    provider.user_set("ux-1005", roles=[CLINICIAN_VALUE])
    attacker = new_page()
    callback_url = callback_held(attacker, provider, "ux-1005")  # a valid code, not yet used
    forged = callback_url.replace("state=", "state=forged", 1)
    with attacker.expect_response(lambda r: CALLBACK in r.url) as callback:
        attacker.goto(forged)
    assert callback.value.status == 400
    assert "could not be matched to one started in this browser" in attacker.content()
    shot(attacker, "identity-sign-in-failed")
    assert_accessible(attacker)
    victim = new_page()  # the untouched answer, planted in another browser (login CSRF)
    victim.goto(callback_url)
    assert "could not be matched to one started in this browser" in victim.content()
    assert [event.reason for event in events("sign_in_failed")] == ["state mismatch"] * 2
    assert not events("sign_in")


def test_a_code_used_once_is_refused_when_replayed(new_page, provider):
    provider.user_set("ux-1006", roles=[CLINICIAN_VALUE])
    victim = new_page()
    used = []
    victim.on("request", lambda request: CALLBACK in request.url and used.append(request.url))
    provider_sign_in(victim, "ux-1006")
    code = parse_qs(urlsplit(used[0]).query)["code"][0]

    attacker = new_page()
    with attacker.expect_request(f"{provider.issuer}/auth**") as authorize:
        attacker.goto(FORM)
        attacker.get_by_role("button", name=f"Sign in with {DISPLAY_NAME}").click()
    state = parse_qs(urlsplit(authorize.value.url).query)["state"][0]
    with attacker.expect_response(lambda r: CALLBACK in r.url) as callback:
        attacker.goto(f"{CALLBACK}?code={code}&state={state}")
    assert callback.value.status == 400
    assert "one-time code may already have been used" in attacker.content()
    assert [event.reason for event in events("sign_in_failed")] == [
        "provider error: invalid_grant"]
    assert len(events("sign_in")) == 1  # the victim's own


@pytest.mark.parametrize(("fault", "reason"), [
    ({"exp_offset": -600}, "ID token expired"),
    ({"aud": "another-service"}, "ID token claim aud: invalid_claim"),
], ids=["expired-id-token", "wrong-audience"])
def test_an_id_token_that_fails_its_checks_signs_nobody_in(new_page, provider, fault, reason):
    provider.user_set("ux-1007", roles=[CLINICIAN_VALUE])
    provider.faults_set(**fault)
    page = new_page()
    callback = provider_sign_in(page, "ux-1007")
    assert callback.status == 400
    assert "could not verify the identity" in page.content()
    assert [event.reason for event in events("sign_in_failed")] == [reason]
    assert not get_user_model().objects.exists()


def test_a_new_signing_key_is_fetched_once_and_then_trusted(new_page, provider):
    provider.user_set("ux-1008", roles=[CLINICIAN_VALUE])
    provider_sign_in(new_page(), "ux-1008")
    before = provider.counts()["jwks"]
    provider_sign_in(new_page(), "ux-1008")
    assert provider.counts()["jwks"] == before  # the keys are kept, not fetched each time

    provider.rotate_keys()  # a new process: its counts start again
    page = new_page()
    provider_sign_in(page, "ux-1008")
    assert urlsplit(page.url).path == FORM
    assert provider.counts()["jwks"] == 1  # the unknown kid made BoneCare fetch them again
    assert len(events("sign_in")) == 3


def test_a_client_proving_itself_with_a_private_key_jwt_signs_in(new_page, provider, settings,
                                                                   client_key):
    settings.BONECARE_OIDC = with_private_key(provider, client_key)
    provider.user_set("ux-1009", roles=[EDITOR_VALUE])
    page = new_page()
    provider_sign_in(page, "ux-1009", start="/admin/")
    assert urlsplit(page.url).path == "/admin/"
    assert roles_of("ux-1009") == {EDITOR.group}


def test_a_cis2_selected_role_read_from_userinfo_grants_its_role(new_page, provider, settings):
    cis2 = trusting(provider.issuer, scopes=("openid", "profile", "nationalrbacaccess",
                                             "selectedrole"),
                    roles_claim="nhsid_nrbac_roles", use_userinfo=True,
                    org_codes=frozenset({"RYE"}), role_values={"clinician": frozenset({"R8000"})})
    settings.BONECARE_OIDC = cis2
    provider.user_set("ux-1010", preferred_username="eve", selected_roleid="555021935107",
                      nhsid_nrbac_roles=[
                          {"person_roleid": "555021935107", "org_code": "RYE",
                           "role_code": "S8000:G8000:R8000", "activity_codes": ["B0264"]},
                          {"person_roleid": "555021935108", "org_code": "RYE",
                           "role_code": "S8000:G8000:R8001", "activity_codes": []}])
    page = new_page()
    provider_sign_in(page, "ux-1010")
    assert urlsplit(page.url).path == FORM
    assert roles_of("ux-1010") == {CLINICIAN.group}

    settings.BONECARE_OIDC = replace(cis2, use_userinfo=False)  # the ID token alone lacks them
    assert provider_sign_in(new_page(), "ux-1010").status == 403
    assert roles_of("ux-1010") == set()


def test_an_authentication_older_than_max_age_is_refused(new_page, provider, settings):
    settings.BONECARE_OIDC = replace(settings.BONECARE_OIDC, max_age_seconds=300)
    provider.user_set("ux-1011", roles=[CLINICIAN_VALUE])
    provider_sign_in(new_page(), "ux-1011")  # a fresh authentication is accepted
    provider.faults_set(auth_time_offset=-3600)  # one an hour old is not
    page = new_page()
    assert provider_sign_in(page, "ux-1011").status == 400
    assert "could not verify the identity" in page.content()
    assert [event.reason for event in events("sign_in_failed")] == [
        "authentication older than max_age"]


def test_a_required_assurance_level_is_checked_in_the_id_token(new_page, provider, settings):
    settings.BONECARE_OIDC = replace(settings.BONECARE_OIDC, acr_values=("AAL3_ANY",))
    provider.user_set("ux-1012", roles=[CLINICIAN_VALUE])
    assert provider_sign_in(new_page(), "ux-1012").status == 400  # the token names no acr
    provider.faults_set(acr="AAL3_ANY")
    page = new_page()
    assert provider_sign_in(page, "ux-1012").status == 302
    assert urlsplit(page.url).path == FORM
    assert [event.reason for event in events("sign_in_failed")] == [
        "authentication assurance (acr) not accepted"]
