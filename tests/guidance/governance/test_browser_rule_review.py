"""In a real browser: the rule review page of a rule whose threshold changed shows each
version of the rule apart, with its chart; screenshots go to /tmp/ui-shots/ (or
BONECARE_SHOTS_DIR), to be looked at."""

import pytest

from tests.browser import BROWSER_TESTS, expect
from tests.guidance.governance.test_browser_governance import admin_sign_in, person, shoot

pytestmark = BROWSER_TESTS


@pytest.fixture
def two_versions(transactional_db, published_ruleset, guidance_editor, safety_officer):
    """DMAB-SAFE-02's decisions over 14 months under 2.20 mmol/L, then 2 under 2.40."""
    from django.utils import timezone

    from options.consultation.decisions import decision_record
    from options.consultation.models import Decision
    from tests.guidance_builders import hypocalcaemia_draft, publish_reviewed

    draft = hypocalcaemia_draft(published_ruleset, guidance_editor, threshold=2.4)
    publish_reviewed(draft, author=guidance_editor, reviewer=safety_officer)
    now = timezone.now()
    plan = [(published_ruleset.version, months_ago, outcome)
            for months_ago in range(16, 2, -1)
            for outcome in ("mdt_disagrees",) * (months_ago % 4) + ("not_going_ahead",)]
    plan += [(draft.version, months_ago, "not_going_ahead") for months_ago in (2, 1, 1)]
    for version, months_ago, outcome in plan:
        decision = decision_record(
            source="result_page", outcome=outcome, option="denosumab",
            rule_codes=["DMAB-SAFE-02"], decided_by="DMAB-SAFE-02", ruleset_version=version,
            advised_status="contraindicated", reason_code="clinical_judgement",
            by=guidance_editor)
        Decision.objects.filter(pk=decision.pk).update(
            created_at=now - timezone.timedelta(days=30 * months_ago))
    return published_ruleset, draft


def test_each_version_of_a_changed_rule_is_shown_apart(browser, live_server, two_versions,
                                                       guidance_editor):
    old, new = two_versions
    context, page = person(guidance_editor, browser, live_server)
    admin_sign_in(page, guidance_editor.username)
    page.goto("/admin/guidance/rule/review/")
    assert page.locator('tr[data-rule="DMAB-SAFE-02"]').count() == 2
    shoot(page, "11-rule-review-versions")
    page.goto("/admin/guidance/rule/review/DMAB-SAFE-02/")
    sections = page.locator("section.rule-version")
    assert sections.count() == 2
    expect(sections.nth(0).locator("h2")).to_contain_text(f"as in {old.version}")
    expect(sections.nth(0).locator("h2")).to_contain_text("below 2.20 mmol/L")
    expect(sections.nth(1).locator("h2")).to_contain_text(f"as in {new.version}")
    expect(sections.nth(1).locator("h2")).to_contain_text("below 2.40 mmol/L")
    labels = sections.nth(0).locator("svg.decisions-chart text.month").all_text_contents()
    assert labels and all(len(label.split()) == 2 and len(label.split()[1]) == 4
                          for label in labels)
    boxes = [box for box in (t.bounding_box() for t in sections.nth(0).locator(
        "svg.decisions-chart text.month").all()) if box]
    assert all(a["x"] + a["width"] <= b["x"] for a, b in zip(boxes, boxes[1:], strict=False))
    shoot(page, "12-rule-review-rule-versions")
    context.close()
