"""In a real browser: an editor opens a failing scenario's expectation form (it holds what
is expected now; one button fills it from the draft), then accepts the draft's output for
three failing scenarios with one reason on the test page, and reads them grouped by reason
before submitting. Screenshots go to /tmp/expect-reason-*.png (or BONECARE_SHOTS_DIR), to be
looked at."""

import os
from pathlib import Path

import pytest

from tests.browser import BROWSER_TESTS, assert_accessible, expect
from tests.guidance.governance.test_browser_governance import admin_sign_in, person

pytestmark = BROWSER_TESTS
SHOTS = Path(os.environ.get("BONECARE_SHOTS_DIR") or "/tmp")
FAILING = ["ED-CALCIUM-212", "ED-CALCIUM-215", "TH-CALCIUM-2.15"]
REASON = "Local laboratory: hypocalcaemia below 2.10 mmol/L"


def checked(page, name):
    """Screenshot the page, and check it with axe and for one breadcrumbs landmark."""
    shoot(page, name)
    assert page.locator("nav[aria-label=Breadcrumbs]").count() == 1
    assert_accessible(page)


def shoot(page, name):
    """Save the whole page, and what the first screen shows (legible when looked at)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"expect-reason-{name}.png"), full_page=True)
    page.screenshot(path=str(SHOTS / f"expect-reason-{name}-top.png"))


@pytest.fixture
def draft(transactional_db, published_ruleset, guidance_editor, treatment_options):
    from guidance.services import scenarios_load_shared
    from tests.guidance_builders import calcium_scenario, hypocalcaemia_draft

    scenarios_load_shared()
    calcium_scenario("ED-CALCIUM-215", 2.15)
    calcium_scenario("ED-CALCIUM-212", 2.12)
    return hypocalcaemia_draft(published_ruleset, guidance_editor)


def test_an_editor_starts_from_now_and_accepts_three_scenarios_for_one_reason(
        browser, live_server, draft, guidance_editor):
    from guidance.models import ExpectationChange
    from guidance.scenarios.regression import ruleset_test

    context, editor = person(guidance_editor, browser, live_server)
    admin_sign_in(editor, guidance_editor.username)

    # The form holds what is expected now; one button takes the draft's output instead.
    editor.goto(f"/admin/guidance/ruleset/{draft.pk}/expectation/ED-CALCIUM-215/")
    page = editor.locator("#content-main")
    expect(page).to_contain_text("The form below holds what is expected now")
    expect(editor.get_by_label("Expected status: Denosumab")).to_have_value("contraindicated")
    expect(editor.get_by_role("row", name="Denosumab")).to_contain_text("Changes")
    checked(editor, "1-form-from-now")
    editor.get_by_role("link", name=f"Start from what {draft.version} gives").click()
    expect(page).to_contain_text(f"The form below holds what {draft.version} gives")
    expect(editor.get_by_label("Expected status: Denosumab")).to_have_value("recommended")
    checked(editor, "2-form-from-draft")
    assert not ExpectationChange.objects.exists()

    # On the test page: a reason with no scenario ticked is refused beside the ticks, and
    # the reason is kept. (Without a reason the browser itself asks for one: required.)
    editor.goto(f"/admin/guidance/ruleset/{draft.pk}/test/")
    expect(page).to_contain_text("3 of")
    checked(editor, "3-test-page")
    editor.get_by_label("Why these expectations change").fill(REASON)
    editor.get_by_role("button", name="Accept for the ticked scenarios").click()
    expect(editor.locator(".field-codes .errorlist")).to_contain_text(
        "Tick at least one failing scenario")
    expect(editor.get_by_label("Why these expectations change")).to_have_value(REASON)
    checked(editor, "4-test-page-refused")
    assert not ExpectationChange.objects.exists()

    # Three ticked, one reason: each expects what the draft gives, and the draft passes.
    for code in FAILING:
        editor.get_by_label(code, exact=True).check()
    editor.get_by_role("button", name="Accept for the ticked scenarios").click()
    editor.wait_for_url(f"**/admin/guidance/ruleset/{draft.pk}/test/")
    expect(editor.locator("ul.messagelist")).to_contain_text("is now expected of 3 scenario(s)")
    expect(page).to_contain_text("scenarios pass")
    shoot(editor, "5-test-page-accepted")
    assert sorted(ExpectationChange.objects.values_list("code", "reason")) == [
        (code, REASON) for code in FAILING]
    assert ruleset_test(ruleset=draft).passed

    # The submit page lists the three under their one reason.
    editor.goto(f"/admin/guidance/ruleset/{draft.pk}/submit/")
    expect(page).to_contain_text(f"Reason: {REASON} (3 scenarios)")
    shoot(editor, "6-submit-grouped")
    context.close()
