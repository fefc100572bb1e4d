"""With DEBUG off, every error is a page in words, in the look of where the person was: the
rules console's under /admin/, the clinicians' site's elsewhere, JSON for the machine doors.
Each says what happened and where to go next (the person's own home, or sign-in) and shows
nothing of the request or the error: no address, no exception text, no setting."""

import pytest
from django.test import Client, override_settings

from tests.web.error_urls import SECRET

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.web.error_urls")]

CONSOLE = 'id="site-name"'  # the admin's header, named "BoneCare rules console"
SITE = "nhsuk-header"


@pytest.fixture(autouse=True)
def debug_off():
    with override_settings(DEBUG=False):
        yield


def browser_of(user):
    browser = Client(raise_request_exception=False)
    if user is not None:
        browser.force_login(user)
    return browser


def page(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def assert_nothing_leaks(html, *addresses):
    for detail in (SECRET, "Traceback", "settings.py", "Exception", *addresses):
        assert detail not in html


NOT_FOUND = "/consultations/no-such-page/"


@pytest.mark.parametrize("who, next_step, href", [
    ("anonymous", "Sign in", "/accounts/login/"),
    ("clinician", "Go to your consultations", "/consultations/"),
    ("guidance_editor", "Go to the rules console", "/admin/guidance/ruleset/"),
    ("safety_officer", "Go to the rules console", "/admin/guidance/ruleset/"),
], ids=["anonymous", "clinician", "editor", "safety-officer"])
def test_a_missing_page_on_the_site_is_the_sites_404_leading_home(request, who, next_step,
                                                                   href):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    html = page(browser_of(user).get(NOT_FOUND + "?patient_ref=MRN-404"), 404)
    assert SITE in html and CONSOLE not in html
    assert "<h1>Page not found</h1>" in html
    assert f'href="{href}"' in html and next_step in html
    assert "error 404" in html
    assert_nothing_leaks(html, NOT_FOUND, "MRN-404")


@pytest.mark.parametrize("address", [
    "/admin/guidance/ruleset/999999/change/",   # a record that does not exist
    "/admin/guidance/rule/not-a-number/change/",
    "/admin/guidance/rule/not-a-number/history/",
    "/admin/guidance/governanceevent/999999/change/",
    "/admin/guidance/ruleset/999999/review/",
    "/admin/no-such-page/",
], ids=["missing-ruleset", "bad-rule-id", "bad-history-id", "missing-event",
        "missing-review", "unknown-address"])
def test_a_missing_page_in_the_console_is_the_consoles_404(guidance_editor, address):
    html = page(browser_of(guidance_editor).get(address), 404)
    assert CONSOLE in html and "BoneCare rules console" in html and SITE not in html
    assert "<h1>Page not found</h1>" in html
    assert 'href="/admin/guidance/ruleset/"' in html and "Go to the rules console" in html
    assert_nothing_leaks(html, address)


@pytest.mark.parametrize("who, address", [
    ("guidance_editor", "/admin/auth/user/"),          # accounts are the IT admin's
    ("guidance_editor", "/admin/guidance/governanceevent/add/"),  # the audit is read-only
    ("safety_officer", "/admin/guidance/rule/add/"),   # reads, never writes a rule
    ("safety_officer", "/admin/options/evaluationaudit/"),  # names patients
], ids=["editor-users", "editor-add-audit-row", "officer-add-rule", "officer-patient-audit"])
def test_a_console_page_not_for_the_role_is_the_consoles_403(request, who, address):
    html = page(browser_of(request.getfixturevalue(who)).get(address), 403)
    assert CONSOLE in html and SITE not in html
    assert "<h1>You cannot open this page</h1>" in html
    assert "Your role in BoneCare does not include this page" in html
    assert 'href="/admin/guidance/ruleset/"' in html
    assert_nothing_leaks(html, address)


def test_a_record_in_a_model_the_role_cannot_see_is_a_403_whether_or_not_it_exists(
        safety_officer):
    browser = browser_of(safety_officer)
    for address in ("/admin/auth/user/999999/change/", f"/admin/auth/user/{safety_officer.pk}"
                    "/change/"):
        page(browser.get(address), 403)


def test_the_console_asks_a_stranger_to_sign_in_rather_than_say_what_exists():
    response = browser_of(None).get("/admin/guidance/ruleset/999999/change/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_clinician_in_the_console_is_told_it_is_not_theirs_on_the_site(clinician):
    response = browser_of(clinician).get("/admin/guidance/ruleset/", follow=True)
    html = page(response, 403)
    assert SITE in html and "The rules console is for guidance editors" in html
    assert 'href="/"' in html  # their home, which sends a clinician to their consultations


def test_an_editor_opening_a_clinicians_page_gets_the_sites_403(guidance_editor):
    html = page(browser_of(guidance_editor).get("/consultations/new/"), 403)
    assert SITE in html and "clinician" in html


@pytest.mark.parametrize("who", ["anonymous", "clinician", "guidance_editor"])
@pytest.mark.parametrize("address", ["/broken/", "/admin/broken/"])
def test_a_failure_is_a_plain_500_page_that_shows_nothing_of_it(request, who, address):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    html = page(browser_of(user).get(address), 500)
    assert SITE in html
    assert "<h1>Sorry, something went wrong</h1>" in html
    assert "use the NICE guidance directly" in html and "error 500" in html
    assert_nothing_leaks(html, address)


def test_a_bad_request_is_a_400_page_that_shows_nothing_of_it(clinician):
    html = page(browser_of(clinician).get("/suspicious/"), 400)
    assert "<h1>BoneCare could not read that request</h1>" in html
    assert_nothing_leaks(html, "/suspicious/")


def test_a_machine_door_fails_in_its_json_shape(ehr_client):
    response = Client(raise_request_exception=False).get("/api/broken")
    assert response.status_code == 500
    assert response.json() == {"status": 500, "title": "Error", "errors": [
        {"path": "", "message": "The request could not be completed. Try again later."}]}
    assert SECRET not in response.content.decode()


def test_a_form_refused_by_the_csrf_check_says_nothing_was_saved(clinician):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(clinician)
    html = page(browser.post("/consultations/new/", {"cancer_type": "breast"}), 403)
    assert SITE in html and "<h1>This form could not be accepted</h1>" in html
    assert "nothing was saved" in html and 'href="/consultations/"' in html
    assert "CSRF" not in html


@pytest.mark.parametrize("who, offered, not_offered", [
    ("clinician", ['href="/consultations/new/"'], ["Rules console"]),
    ("guidance_editor", ["Rules console"], ['href="/consultations/new/"']),
    ("safety_officer", ["Rules console"], ['href="/consultations/new/"']),
], ids=["clinician", "editor", "safety-officer"])
def test_the_sites_menu_offers_each_role_its_own_pages(request, who, offered, not_offered):
    html = page(browser_of(request.getfixturevalue(who)).get(NOT_FOUND), 404)
    menu = html[html.index('aria-label="Menu"'):html.index("</nav>", html.index(
        'aria-label="Menu"'))]
    assert all(text in menu for text in offered)
    assert not any(text in menu for text in not_offered)
