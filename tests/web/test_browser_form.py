"""In a real browser: the consultation form's scripted help, and the same form without script.

Same set-up as tests/web/test_browser.py (Debian's Chromium through Playwright's bundled driver,
nothing fetched from outside). Set BONECARE_SHOTS_DIR to save screenshots there.
"""

import re

import pytest

from options.consultation.models import Consultation
from options.web.forms import AssessmentForm, LesionForm
from tests.browser import (
    BROWSER_TESTS,
    PASSWORD,
    RESULT_URL,
    SHOTS,
    answer,
    assert_accessible,
    assert_statuses,
    enter_by_hand,
    expect,
    scenario,
    shot,
    sign_in,
)

pytestmark = BROWSER_TESTS
ERROR_LOGGED = re.compile(r"\b\w*Error\b")
CALCULATED = ("Calculated creatinine clearance: 79.6 mL/min (Cockcroft–Gault from age, sex, "
              "weight and serum creatinine)")


def shot_part(locator, name):
    """Save a screenshot of one part of the page, to look at closely."""
    if SHOTS:
        locator.screenshot(path=f"{SHOTS}/{name}.png")


def watch_console(page):
    """Collect console errors and uncaught exceptions from now on.

    NHS.UK frontend reports a component that fails to start with console.log(error), so
    a logged Error counts as well as console.error.
    """
    problems = []

    def on_console(message):
        if message.type in ("error", "warning") or ERROR_LOGGED.search(message.text):
            problems.append(f"{message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    return problems


def mark_page(page):
    """Leave a marker on the page's window: it disappears if the page is reloaded."""
    page.evaluate("window.bonecareMarker = 'still here'")


def same_page(page):
    return page.evaluate("window.bonecareMarker") == "still here"


def calculation(page):
    return page.locator("[data-calculator-output]")


def group(scope, form_class, name):
    return scope.get_by_role("group", name=form_class.base_fields[name].label, exact=True)


def enter_v34(page, **changes):
    """Enter scenario V34 by hand, saying there is no lesion and no treatment so far."""
    data = scenario("V34")
    enter_by_hand(page, {**data["assessment"], **changes})
    for name in ("lesions_status", "prior_treatments_status"):
        page.locator(f"input[name='{name}'][value='none']").check()
    return data


def test_the_form_page_has_no_console_errors(page, clinician):
    problems = watch_console(page)
    sign_in(page, clinician.username)
    page.wait_for_load_state("networkidle")
    expect(page.locator("body.nhsuk-frontend-supported")).to_have_count(1)
    page.get_by_role("link", name="Consultations", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert problems == []


def test_v34_by_hand_shows_the_calculated_clearance_before_submitting(page, clinician):
    problems = watch_console(page)
    sign_in(page, clinician.username)
    mark_page(page)
    data = enter_v34(page)
    expect(calculation(page)).to_have_text(CALCULATED)
    assert same_page(page)
    shot(page, "form-v34-calculated")
    shot_part(page.locator("[data-calculator]"), "form-part-kidney")
    assert_accessible(page)
    page.get_by_label("Creatinine clearance (mL/min)").fill("55")
    expect(calculation(page)).to_contain_text("as entered: 55 mL/min")
    expect(calculation(page)).to_contain_text("takes precedence")
    page.get_by_label("Creatinine clearance (mL/min)").fill("")
    expect(calculation(page)).to_have_text(CALCULATED)
    page.get_by_role("button", name="Get advice and save").click()
    page.wait_for_url(RESULT_URL)
    assert_statuses(page, data["expected"])
    stored = Consultation.objects.get().to_assessment()
    assert stored["weight_kg"] == 72
    assert "creatinine_clearance_ml_min" not in stored
    assert problems == []


def test_the_calculator_says_what_is_still_needed_and_what_is_out_of_range(page, clinician):
    sign_in(page, clinician.username)
    page.get_by_label("Weight (kg)").fill("72")
    expect(calculation(page)).to_have_text(
        "To calculate creatinine clearance by Cockcroft–Gault, also enter age, sex and "
        "serum creatinine.")
    page.get_by_label("Weight (kg)").fill("7")
    expect(calculation(page)).to_contain_text("Weight (kg) must be a number from 20 to 300")


def test_choosing_male_hides_pregnancy_and_it_is_not_sent(page, clinician):
    sign_in(page, clinician.username)
    pregnancy = group(page, AssessmentForm, "pregnant")
    pregnancy.get_by_label("Yes", exact=True).check()
    group(page, AssessmentForm, "sex").get_by_label("Male", exact=True).check()
    expect(pregnancy).to_be_hidden()
    sent = page.evaluate(
        "new FormData(document.getElementById('consultation-form')).has('pregnant')")
    assert sent is False
    shot(page, "form-male-no-pregnancy")
    group(page, AssessmentForm, "sex").get_by_label("Female", exact=True).check()
    expect(pregnancy).to_be_visible()
    expect(pregnancy.get_by_label("Yes", exact=True)).to_be_checked()


def lesion_row(page, number):
    return page.get_by_role("group", name=f"Lesion {number}", exact=True)


def test_lesion_rows_are_added_and_removed_without_reloading(page, clinician):
    sign_in(page, clinician.username)
    mark_page(page)
    page.get_by_role("button", name="Add a lesion").click()
    expect(lesion_row(page, 1)).to_be_visible()
    expect(lesion_row(page, 1).get_by_label("Site", exact=True)).to_be_focused()
    expect(page.locator("[data-row-announcer]")).to_have_text("Lesion 1 added.")
    page.get_by_role("button", name="Add another lesion").click()
    answer(lesion_row(page, 1), LesionForm, "site", "pelvis")
    second = lesion_row(page, 2)
    for name, value in {"site": "spine", "level": "T7", "lesion_type": "lytic",
                        "pain": "mechanical"}.items():
        answer(second, LesionForm, name, value)
    second.get_by_label("Vertebral body collapse").select_option(label="Not reported")
    expect(second.locator("[data-score]")).to_have_text(
        "SINS 6 to 16 (depends on findings not reported)")
    shot(page, "form-two-lesions")
    shot_part(page.locator("[data-rows='lesions']"), "form-part-lesions")
    lesion_row(page, 1).get_by_role("button", name="Remove lesion 1").click()
    assert same_page(page)
    expect(page.locator("[data-lesion-row]")).to_have_count(1)
    moved = lesion_row(page, 1)
    expect(moved.get_by_label("Site", exact=True)).to_have_value("spine")
    expect(moved.get_by_label("Site", exact=True)).to_be_focused()
    assert moved.get_by_label("Site", exact=True).get_attribute("name") == "lesions-0-site"
    expect(moved.get_by_role("button", name="Remove lesion 1")).to_have_attribute(
        "value", "remove-lesions-0")
    expect(page.locator("[name='lesions-TOTAL_FORMS']")).to_have_value("1")
    expect(page.locator("[data-row-announcer]")).to_contain_text("Lesion 1 removed.")
    assert_accessible(page)
    # The server reads the renumbered row: submit with the cancer missing to see it again.
    page.get_by_role("button", name="Get advice and save").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    again = lesion_row(page, 1)
    expect(again.get_by_label("Vertebral level")).to_have_value("T7")
    expect(again.get_by_label("Vertebral body collapse")).to_have_value("unknown")
    expect(lesion_row(page, 2)).to_have_count(0)


def test_the_last_row_removed_brings_back_the_question(page, clinician):
    sign_in(page, clinician.username)
    mark_page(page)
    page.get_by_role("button", name="Add a treatment").click()
    status = page.get_by_role("group", name="Has the patient had any pain or bone treatments?")
    expect(status).to_be_hidden()
    row = page.get_by_role("group", name="Treatment 1", exact=True)
    row.get_by_label("Treatment", exact=True).select_option(label="Opioid")
    page.get_by_role("button", name="Add another treatment").click()
    page.get_by_role("button", name="Remove treatment 2").click()
    page.get_by_role("button", name="Remove treatment 1").click()
    assert same_page(page)
    expect(status).to_be_visible()
    expect(page.locator("#prior_treatments-section")).to_be_focused()
    expect(page.get_by_role("button", name="Add a treatment")).to_be_visible()
    expect(page.locator("[name='prior-TOTAL_FORMS']")).to_have_value("0")


def test_a_decimal_comma_is_read_as_a_decimal_point(page, clinician):
    sign_in(page, clinician.username)
    enter_v34(page, weight_kg="72,0", corrected_calcium_mmol_l="2,35")
    expect(calculation(page)).to_have_text(CALCULATED)
    page.get_by_role("button", name="Get advice and save").click()
    page.wait_for_url(RESULT_URL)
    stored = Consultation.objects.get().to_assessment()
    assert stored["corrected_calcium_mmol_l"] == 2.35
    assert stored["weight_kg"] == 72


@pytest.fixture
def no_script_page(browser, live_server, clinician, published_ruleset, treatment_options):
    clinician.set_password(PASSWORD)
    clinician.save()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport={"width": 1100, "height": 900})
    context.route("**/*", lambda route: route.continue_()
                  if route.request.url.startswith(live_server.url) else route.abort())
    yield context.new_page()
    context.close()


def test_without_script_rows_post_and_the_conflict_is_shown(no_script_page, clinician):
    page = no_script_page
    sign_in(page, clinician.username)
    page.get_by_role("button", name="Add a lesion").click()
    page.wait_for_load_state()
    expect(lesion_row(page, 1)).to_be_visible()
    answer(page, AssessmentForm, "cancer_type", "lung")
    group(page, AssessmentForm, "sex").get_by_label("Male", exact=True).check()
    pregnancy = group(page, AssessmentForm, "pregnant")
    expect(pregnancy).to_be_visible()
    pregnancy.get_by_label("Yes", exact=True).check()
    lesion_row(page, 1).get_by_role("button", name="Remove lesion 1").click()
    page.wait_for_load_state()
    expect(page.locator("[data-lesion-row]")).to_have_count(0)
    page.get_by_role("button", name="Get advice and save").click()
    summary = page.locator(".nhsuk-error-summary")
    # The one conflict is said once, beside the pregnancy question.
    expect(summary.get_by_role("link")).to_have_count(1)
    expect(summary.get_by_role("link", name=re.compile("Pregnant is answered yes"))).to_be_visible()
    expect(page.locator("#id_sex-error")).to_have_count(0)
    expect(page.locator("#id_pregnant-error")).to_be_visible()
    shot(page, "form-no-script-conflict")
    shot_part(summary, "form-part-no-script-summary")
    shot_part(page.locator("[data-pregnancy]"), "form-part-no-script-pregnancy")
    assert not Consultation.objects.exists()


def test_the_form_at_phone_width_has_no_errors_or_violations(page, clinician):
    problems = watch_console(page)
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, clinician.username)
    page.get_by_role("button", name="Add a lesion").click()
    page.get_by_label("Weight (kg)").fill("72")
    expect(calculation(page)).to_contain_text("also enter")
    shot(page, "form-phone")
    shot_part(page.locator("header"), "form-part-phone-header")
    assert_accessible(page)
    assert problems == []
