"""In a real browser: a safety officer returns a draft with a comment; its author finds the
comment on the ruleset list and the draft page, changes a rule and submits again; the officer
reads both rounds in order, what changed since, word by word, and the condition in plain
words. axe finds nothing on each page. Screenshots go to /tmp/ui-shots/ (or
BONECARE_SHOTS_DIR), to be looked at.
"""

import os
from pathlib import Path

import pytest

from tests.browser import BROWSER_TESTS, PASSWORD, assert_accessible, expect, local_context

pytestmark = BROWSER_TESTS
SHOTS = Path(os.environ.get("BONECARE_SHOTS_DIR") or "/tmp/ui-shots")
COMMENT = "Name the laboratory range this follows, and double the vitamin D with it."


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"review-talk-{name}.png"), full_page=True)


def signed_in(user, browser, live_server):
    user.set_password(PASSWORD)
    user.save()
    context = local_context(browser, live_server, width=1280, height=900)
    page = context.new_page()
    page.goto("/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    return context, page


@pytest.fixture
def submitted(transactional_db, published_ruleset, guidance_editor, safety_officer):
    from guidance.governance import ruleset_submit
    from tests.guidance_builders import hypocalcaemia_draft

    draft = hypocalcaemia_draft(published_ruleset, guidance_editor)
    ruleset_submit(ruleset=draft, by=guidance_editor,
                   summary="Hypocalcaemia below 2.10 mmol/L, as our laboratory's range.")
    return draft


def change_the_supplements(draft, editor):
    from guidance.services import rule_save

    draft.refresh_from_db()
    rule = draft.rules.get(code="BP-CAUT-SUPPLEMENTS")
    rule.text = rule.text.replace("400 units", "800 units")
    rule.bonecare_default = True
    rule_save(rule=rule, by=editor, reason="The reviewer asked for 800 units")


def test_a_returned_draft_comes_back_and_the_second_round_shows_what_changed(
        browser, live_server, submitted, guidance_editor, safety_officer):
    from guidance.models import RuleSet

    draft = submitted
    officer_context, officer = signed_in(safety_officer, browser, live_server)
    officer.goto(f"/admin/guidance/ruleset/{draft.pk}/review/")
    officer.get_by_label("Comment").fill(COMMENT)
    officer.get_by_role("button", name="Return to the author").click()
    officer.wait_for_url(f"**/admin/guidance/ruleset/{draft.pk}/change/")
    assert RuleSet.objects.get(pk=draft.pk).state == RuleSet.DRAFT

    editor_context, editor = signed_in(guidance_editor, browser, live_server)
    editor.goto("/admin/guidance/ruleset/")
    expect(editor.locator("#result_list")).to_contain_text(
        f"Returned by {safety_officer.username} on")
    expect(editor.locator("#result_list")).to_contain_text("Name the laboratory range")
    shoot(editor, "1-list-returned")
    assert_accessible(editor)
    editor.goto(f"/admin/guidance/ruleset/{draft.pk}/change/")
    conversation = editor.locator(".review-conversation")
    expect(conversation.locator("[data-review-status]")).to_contain_text("Returned to its author")
    expect(conversation.locator("[data-step=returned]")).to_contain_text(COMMENT)
    shoot(editor, "2-draft-returned")
    assert_accessible(editor)

    change_the_supplements(draft, guidance_editor)
    editor.goto(f"/admin/guidance/ruleset/{draft.pk}/submit/")
    editor.get_by_label("What changed and why").fill("Vitamin D 800 units, as asked.")
    editor.get_by_role("button", name=f"Submit {draft.version} for review").click()
    editor.wait_for_url(f"**/admin/guidance/ruleset/{draft.pk}/change/")
    editor_context.close()

    officer.goto(f"/admin/guidance/ruleset/{draft.pk}/review/")
    steps = officer.locator(".conversation [data-step]")
    expect(steps).to_have_count(3)
    assert steps.evaluate_all("els => els.map(e => e.dataset.step)") == [
        "submitted", "returned", "submitted"]
    since = officer.locator("[data-changes-since]")
    expect(since.get_by_role("heading")).to_have_text("Changed since your last review")
    row = since.locator('tr[data-rule="BP-CAUT-SUPPLEMENTS"]')
    expect(since.locator("tr[data-rule]")).to_have_count(1)
    expect(row.locator("del")).to_have_text(["removed: 400", "removed: no"])
    expect(row.locator("ins")).to_have_text(["added: 800", "added: yes"])
    threshold = officer.locator('tr[data-rule="DEF-HYPOCALCAEMIA"]')
    expect(threshold.locator("dd").first).to_contain_text("below")
    threshold.get_by_text("As stored").click()  # the stored form, collapsed, opens
    expect(threshold.locator("details pre").first).to_contain_text("corrected_calcium_mmol_l")
    shoot(officer, "3-review-second-round")
    assert_accessible(officer)
    since.scroll_into_view_if_needed()
    officer.screenshot(path=str(SHOTS / "review-talk-4-changed-since.png"))
    officer_context.close()
