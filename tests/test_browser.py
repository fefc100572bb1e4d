"""In a real browser: shared scenarios entered by hand, and axe-core on every page.

Uses Debian's Chromium (/usr/bin/chromium) through Playwright's bundled driver; no browser is
downloaded. Set BONECARE_SHOTS_DIR to also save a screenshot of each page there.
"""

import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="browser tests need Debian's Chromium at /usr/bin/chromium "
                              "(apt-get install chromium); .ci/run installs it"),
]
# Playwright's sync API runs an event loop in this thread; the ORM calls in these tests
# happen outside it, between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from options.choices import label  # noqa: E402
from options.web.forms import AssessmentForm, LesionForm, PriorTreatmentForm, YesNoField  # noqa: E402
from options.web.presenters import STATUS_TAGS  # noqa: E402

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PASSWORD = "a-long-test-password-1"
RESULT_URL = re.compile(r"/consultations/\d+/$")
SHOTS = os.environ.get("BONECARE_SHOTS_DIR")


def scenario(code):
    return json.loads((settings.BONECARE_SCENARIOS_DIR /
                       f"{code}.json").read_text())


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


# One Playwright per module: tests/test_browser_form.py shares these fixtures, and two sync
# Playwright instances cannot run in one thread at once.
@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def treatment_options(transactional_db):
    """The five options as their data migration made them (live_server tests flush tables)."""
    from importlib import import_module

    from options.models import TreatmentOption

    migration = import_module("options.migrations.0002_treatment_options")
    for values in migration.TREATMENT_OPTIONS:
        TreatmentOption.objects.update_or_create(slug=values["slug"], defaults=values)


def local_context(browser, live_server, *, width, height):
    """Return a browser context whose requests never leave the live server."""
    context = browser.new_context(base_url=live_server.url,
                                  viewport={"width": width, "height": height})

    def local_only(route):
        # Nothing leaves the machine (the NHS font is fetched from a CDN; Arial stands in).
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", local_only)
    return context


@pytest.fixture
def page(browser, live_server, clinician, published_ruleset, treatment_options):
    clinician.set_password(PASSWORD)
    clinician.save()
    context = local_context(browser, live_server, width=1100, height=900)
    page = context.new_page()
    yield page
    context.close()


def shot(page, name, *, media="screen"):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.emulate_media(media=media)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)
        if media == "print":
            page.pdf(path=str(Path(SHOTS) / f"{name}.pdf"), format="A4")
        page.emulate_media(media="screen")


def assert_accessible(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def sign_in(page, username):
    page.goto("/consultations/new/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/consultations/new/")


def answer(scope, form_class, name, value):
    """Answer one question the way a person would: by its label."""
    field = form_class.base_fields[name]
    if isinstance(field, YesNoField):
        scope.get_by_role("group", name=field.label).get_by_label(
            "Yes" if value else "No", exact=True).check()
    elif hasattr(field, "choices") and field.widget.input_type == "radio":
        scope.get_by_role("group", name=field.label, exact=True).get_by_label(
            label(value), exact=True).check()
    elif hasattr(field, "choices"):
        scope.get_by_label(field.label, exact=True).select_option(label=label(value))
    else:
        scope.get_by_label(field.label, exact=True).fill(str(value))


def enter_by_hand(page, assessment):
    """Fill the consultation form from a contract assessment, clicking and typing."""
    answer(page, AssessmentForm, "cancer_type", assessment["cancer_type"])
    for name, value in assessment.items():
        if name not in ("cancer_type", "lesions", "prior_treatments"):
            answer(page, AssessmentForm, name, value)
    for index, lesion in enumerate(assessment.get("lesions", [])):
        page.get_by_role("button", name="Add another lesion" if index else "Add a lesion").click()
        row = page.get_by_role("group", name=f"Lesion {index + 1}", exact=True)
        answer(row, LesionForm, "site", lesion["site"])
        for name, value in lesion.items():
            if name != "site":
                answer(row, LesionForm, name, value)
    for index, prior in enumerate(assessment.get("prior_treatments", [])):
        page.get_by_role("button",
                         name="Add another treatment" if index else "Add a treatment").click()
        row = page.get_by_role("group", name=f"Treatment {index + 1}", exact=True)
        for name, value in prior.items():
            answer(row, PriorTreatmentForm, name, value)


def statuses_shown(page):
    tags = page.locator("[data-option] [data-status]")
    return tags.evaluate_all("els => els.map(e => [e.dataset.status, e.textContent.trim()])")


def assert_statuses(page, expected):
    shown = statuses_shown(page)
    assert [s for s, _ in shown] == list(expected.values())
    assert [word for _, word in shown] == [STATUS_TAGS[s][0] for s in expected.values()]


def test_sign_in_page_is_accessible(page):
    page.goto("/accounts/login/")
    shot(page, "01-sign-in")
    assert_accessible(page)


def test_v06_entered_by_hand_shows_its_statuses_and_prints(page, clinician):
    data = scenario("V06")
    sign_in(page, clinician.username)
    shot(page, "02-form-empty")
    assert_accessible(page)
    enter_by_hand(page, data["assessment"])
    assert page.locator("[data-score]").first.inner_text() == "SINS 10 (Indeterminate)"
    shot(page, "04-form-with-lesion")
    assert_accessible(page)
    page.get_by_role("button", name="Get advice and save").click()
    page.wait_for_url(RESULT_URL)
    assert_statuses(page, data["expected"])
    shot(page, "05-result-v06")
    assert_accessible(page)
    page.get_by_role("link", name="Print clinician summary").click()
    expect(page.get_by_role("heading", name="clinician summary")).to_be_visible()
    shot(page, "08-print-clinician", media="print")
    assert_accessible(page)
    page.go_back()
    page.get_by_role("link", name="Print patient summary").click()
    expect(page.get_by_role("heading", name="Treatments to strengthen your bones")).to_be_visible()
    expect(page.get_by_text("as a drip into a vein")).to_be_visible()
    shot(page, "09-print-patient", media="print")
    assert_accessible(page)
    page.get_by_role("link", name="Consultations", exact=True).click()
    expect(page.get_by_role("heading", name="Your consultations")).to_be_visible()
    assert page.locator("tbody tr").count() == 1
    shot(page, "07-list")
    assert_accessible(page)


def test_v07_shows_the_cord_compression_emergency(page, clinician):
    data = scenario("V07")
    sign_in(page, clinician.username)
    enter_by_hand(page, data["assessment"])
    page.get_by_role("button", name="Get advice and save").click()
    page.wait_for_url(RESULT_URL)
    assert_statuses(page, data["expected"])
    emergency = page.locator(".nhsuk-card--care--emergency")
    expect(emergency).to_be_visible()
    assert "24 hours" in emergency.inner_text()
    shot(page, "06-result-v07-mscc")
    assert_accessible(page)


def test_v09_entered_with_the_keyboard_alone(page, clinician):
    data = scenario("V09")
    sign_in(page, clinician.username)
    keyboard = page.keyboard

    def choose(locator):
        locator.focus()
        keyboard.press("Space")

    def press_button(name):
        page.get_by_role("button", name=name).focus()
        keyboard.press("Enter")
        page.wait_for_load_state()

    def pick(locator, text):
        locator.focus()
        keyboard.type(text)

    choose(page.get_by_role("radio", name="Breast"))
    choose(page.get_by_role("group", name=AssessmentForm.base_fields["bone_metastases"].label)
           .get_by_label("Yes", exact=True))
    press_button("Add a lesion")
    row = page.get_by_role("group", name="Lesion 1", exact=True)
    pick(row.get_by_label("Site", exact=True), "Upper")
    pick(row.get_by_label("Lesion type", exact=True), "Lytic")
    pick(row.get_by_label("Pain", exact=True), "Moderate")
    pick(row.get_by_label("Cortical involvement (Mirels size)"), "Under")
    fracture = row.get_by_role("group", name="Pathological fracture present?")
    choose(fracture.get_by_label("No", exact=True))
    assert row.locator("[data-score]").inner_text() == "Mirels 7 (Low)"
    assessment = {k: v for k, v in data["assessment"].items()
                  if k not in ("cancer_type", "bone_metastases", "lesions")}
    for index, prior in enumerate(assessment.pop("prior_treatments")):
        press_button("Add another treatment" if index else "Add a treatment")
        prior_row = page.get_by_role("group", name=f"Treatment {index + 1}", exact=True)
        pick(prior_row.get_by_label("Treatment", exact=True), label(prior["treatment"]))
        pick(prior_row.get_by_label("Response"), label(prior["response"]))
        if "weeks_ago" in prior:
            pick(prior_row.get_by_label("Weeks ago"), str(prior["weeks_ago"]))
    for name, value in assessment.items():
        field = AssessmentForm.base_fields[name]
        if isinstance(field, YesNoField):
            group = page.get_by_role("group", name=field.label)
            choose(group.get_by_label("Yes" if value else "No", exact=True))
        else:
            pick(page.get_by_label(field.label), str(value))
    keyboard.press("Enter")  # from the last text box: the form's default button submits
    page.wait_for_url(RESULT_URL)
    assert_statuses(page, data["expected"])


def test_errors_are_summarised_and_linked_to_their_fields(page, clinician):
    sign_in(page, clinician.username)
    page.get_by_label("Patient reference").fill("9434765918")
    page.get_by_role("button", name="Get advice and save").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    shot(page, "03-form-with-errors")
    assert_accessible(page)
    summary.get_by_role("link", name="Select the primary cancer").click()
    assert page.evaluate("document.activeElement.id") == "id_cancer_type_0"
    assert page.get_by_label("Patient reference").input_value() == "9434765918"
