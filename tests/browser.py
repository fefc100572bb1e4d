"""What every browser test shares: Chromium, its fixtures, and helpers that act as a person.

Uses Debian's Chromium (/usr/bin/chromium) through Playwright's bundled driver; no browser is
downloaded. Set BONECARE_SHOTS_DIR to also save a screenshot of each page there. A browser
test module sets `pytestmark = BROWSER_TESTS`; tests/conftest.py makes the fixtures
(`browser`, `page`, `treatment_options`) available to every module.
"""

import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_TESTS = [
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


# One Playwright per module: two sync Playwright instances cannot run in one thread at once.
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

    from options.consultation.models import TreatmentOption

    migration = import_module("options.migrations.0002_treatment_options")
    for values in migration.TREATMENT_OPTIONS:
        TreatmentOption.objects.update_or_create(slug=values["slug"], defaults=values)
    since = import_module("options.migrations.0013_patient_descriptions_promise_no_more")
    for slug, text in since.DESCRIPTIONS.items():
        TreatmentOption.objects.filter(slug=slug).update(patient_description=text)


def local_context(browser, live_server, *, width, height, also=()):
    """Return a browser context whose requests never leave the live server (and the local
    servers `also` names, such as a test identity provider or EHR)."""
    context = browser.new_context(base_url=live_server.url,
                                  viewport={"width": width, "height": height})
    allowed = (live_server.url, *also)

    def local_only(route):
        # Nothing leaves the machine (the NHS font is fetched from a CDN; Arial stands in).
        if route.request.url.startswith(allowed):
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
