"""In a real browser: a clinician records a decision, an editor submits a change, the author
is refused as reviewer, a clinical safety officer approves, the editor publishes and later
rolls back, and the rule review page shows the decisions. Screenshots go to /tmp/ui-shots/
(or BONECARE_SHOTS_DIR), to be looked at.
"""

import os
from pathlib import Path

import pytest

from tests.browser import (
    BROWSER_TESTS,
    PASSWORD,
    assert_accessible,
    expect,
    local_context,
    sign_in,
)

pytestmark = BROWSER_TESTS
SHOTS = Path(os.environ.get("BONECARE_SHOTS_DIR") or "/tmp/ui-shots")


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"governance-{name}.png"), full_page=True)


def person(user, browser, live_server):
    user.set_password(PASSWORD)
    user.save()
    context = local_context(browser, live_server, width=1280, height=900)
    return context, context.new_page()


def admin_sign_in(page, username):
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")


def record_decision(page, consultation, option):
    page.goto(f"/consultations/{consultation.pk}/")
    section = page.locator(f"#decision-{option}")
    section.locator("summary").click()
    section.get_by_label("The MDT disagrees with this advice").check()
    section.get_by_label("Reason (needed when not going ahead or the MDT disagrees)").select_option(
        "evidence_moved_on")
    section.get_by_label("Comment (optional)").fill("MDT: start after the dental review")
    section.get_by_role("button", name="Record decision").click()
    page.wait_for_url(f"**/consultations/{consultation.pk}/#option-{option}")


@pytest.fixture
def setting(transactional_db, published_ruleset, guidance_editor, safety_officer, clinician,
            treatment_options):
    from django.contrib.auth.models import Group

    from guidance.services import scenario_expectation_update, scenarios_load_shared
    from options.consultation.services import consultation_create
    from options.identity.roles import SAFETY_OFFICER
    from tests.guidance_builders import (
        CALCIUM_215_EXPECTED_NOW,
        calcium_215_no_longer_held,
        calcium_assessment,
        calcium_scenario,
        hypocalcaemia_draft,
    )
    scenarios_load_shared()
    scenario = calcium_scenario()
    consultation = consultation_create(data={**calcium_assessment(2.15), "patient_ref": "MRN-7"},
                                       channel="form", by=clinician)
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor)
    scenario_expectation_update(
        scenario=scenario, ruleset=draft, by=guidance_editor, expected_hold=[],
        expected={**CALCIUM_215_EXPECTED_NOW, "denosumab": "recommended"},
        reason="Local laboratory: hypocalcaemia below 2.10 mmol/L")
    calcium_215_no_longer_held(draft, guidance_editor,
                               reason="Local laboratory: hypocalcaemia below 2.10 mmol/L")
    # An editor who also holds the safety officer role: still never the reviewer of her own.
    guidance_editor.groups.add(Group.objects.get(name=SAFETY_OFFICER.group))
    earlier_decisions(consultation, clinician)
    return consultation, draft


def earlier_decisions(consultation, clinician):
    """Decisions of the last three months about the same advice, for the chart."""
    from django.utils import timezone

    from options.consultation.decisions import decision_record, option_rule_codes
    from options.consultation.models import Decision

    now = timezone.now()
    for months_ago, outcome in [(3, "not_going_ahead"), (3, "mdt_disagrees"),
                                (2, "not_going_ahead"), (2, "going_ahead"),
                                (1, "mdt_disagrees"), (1, "mdt_disagrees")]:
        decision = decision_record(
            source="result_page", outcome=outcome, option="denosumab",
            rule_codes=option_rule_codes(consultation.result, "denosumab"),
            ruleset_version=consultation.ruleset_version, consultation=consultation,
            by=clinician, reason_code="clinical_judgement" if outcome != "not_going_ahead"
            else "", comment=f"Earlier decision, {months_ago} month(s) ago")
        Decision.objects.filter(pk=decision.pk).update(
            created_at=now - timezone.timedelta(days=30 * months_ago))


def test_a_change_goes_through_two_people_and_decisions_reach_the_rule_review(
        browser, live_server, setting, guidance_editor, safety_officer, clinician,
        published_ruleset):
    from guidance.models import Publication, RuleSet
    from options.consultation.models import Decision

    consultation, draft = setting
    doctor_context, doctor = person(clinician, browser, live_server)
    sign_in(doctor, clinician.username)
    record_decision(doctor, consultation, "denosumab")
    assert Decision.objects.order_by("-created_at").first().comment == (
        "MDT: start after the dental review")
    doctor.locator("#decision-denosumab").scroll_into_view_if_needed()
    shoot(doctor, "1-result-page-decision")
    doctor.locator("#decision-denosumab summary").click()  # the form open, as when it fails
    assert_accessible(doctor)
    doctor_context.close()

    editor_context, editor = person(guidance_editor, browser, live_server)
    admin_sign_in(editor, guidance_editor.username)
    editor.goto(f"/admin/guidance/ruleset/{draft.pk}/submit/")
    editor.get_by_label("What changed and why").fill(
        "Hypocalcaemia threshold lowered to 2.10 mmol/L to match our laboratory's range.")
    shoot(editor, "2-submit")
    editor.get_by_role("button", name=f"Submit {draft.version} for review").click()
    editor.wait_for_url(f"**/admin/guidance/ruleset/{draft.pk}/change/")
    assert RuleSet.objects.get(pk=draft.pk).state == RuleSet.IN_REVIEW

    editor.goto(f"/admin/guidance/ruleset/{draft.pk}/review/")
    editor.get_by_role("button", name=f"Approve {draft.version}").click()
    expect(editor.locator("ul.messagelist")).to_contain_text(
        "the author of a draft can never review it")
    shoot(editor, "3-self-approval-refused")
    assert RuleSet.objects.get(pk=draft.pk).state == RuleSet.IN_REVIEW

    officer_context, officer = person(safety_officer, browser, live_server)
    admin_sign_in(officer, safety_officer.username)
    officer.goto(f"/admin/guidance/ruleset/{draft.pk}/review/")
    officer.get_by_label("Comment").fill("Checked against the pathology handbook.")
    shoot(officer, "4-review")
    officer.get_by_role("button", name=f"Approve {draft.version}").click()
    officer.wait_for_url(f"**/admin/guidance/ruleset/{draft.pk}/change/")
    shoot(officer, "5-approved")
    officer_context.close()

    editor.goto(f"/admin/guidance/ruleset/{draft.pk}/publish/")
    editor.get_by_role("button", name=f"Publish {draft.version}").click()
    editor.wait_for_url(f"**/admin/guidance/ruleset/{draft.pk}/change/")
    shoot(editor, "6-published")
    assert RuleSet.objects.get(pk=draft.pk).state == RuleSet.PUBLISHED

    editor.goto(f"/admin/guidance/ruleset/{published_ruleset.pk}/rollback/")
    editor.get_by_label("Why roll back now").fill("Laboratory range not yet in force.")
    editor.get_by_role("button", name=f"Roll back to {published_ruleset.version} now").click()
    editor.wait_for_url(f"**/admin/guidance/ruleset/{published_ruleset.pk}/change/")
    shoot(editor, "7-rollback")
    assert Publication.objects.get(kind="emergency_rollback").needs_review
    editor.goto("/admin/guidance/ruleset/publications/")
    expect(editor.locator("#content-main")).to_contain_text("Needs review")
    shoot(editor, "8-publications")

    editor.goto("/admin/guidance/rule/review/")
    code = Decision.objects.order_by("-created_at").first().rule_codes[0]
    assert editor.locator(f'tr[data-rule="{code}"]').count() == 1
    shoot(editor, "9-rule-review")
    editor.goto(f"/admin/guidance/rule/review/{code}/")
    expect(editor.locator("#content-main")).to_contain_text("MDT: start after the dental review")
    assert editor.locator("svg.decisions-chart rect").count() >= 1
    shoot(editor, "10-rule-review-rule")
    editor_context.close()
