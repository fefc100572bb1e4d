"""True impact: status, hold and alert changes per option, in a fixed number of queries."""

import pytest

from guidance.scenarios.impact import ruleset_impact
from guidance.services import rule_save, ruleset_create_draft, scenarios_load_shared
from options.consultation.services import consultation_create
from tests.guidance_builders import calcium_assessment, hypocalcaemia_draft, shared_assessment

pytestmark = pytest.mark.django_db


def spine_alert_draft(published, editor, sins=10):
    draft = ruleset_create_draft(source=published, by=editor)
    rule = draft.rules.get(code="ALERT-UNSTABLE-SPINE")
    rule.condition = {"any_lesion": {"fact": "sins", "ge": sins}}
    rule_save(rule=rule, by=editor)
    return draft


def test_a_threshold_that_holds_a_bisphosphonate_is_reported_as_a_hold_change(
        published_ruleset, guidance_editor):
    # The case: raising the threshold puts a bisphosphonate on hold (status unchanged).
    for calcium in (2.25, 2.28, 2.5):
        consultation_create(data=calcium_assessment(calcium), channel="form")
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor, threshold=2.3)
    impact = ruleset_impact(draft=draft, published=published_ruleset)
    status = impact.by_option["bisphosphonate"]["status"]
    hold = impact.by_option["bisphosphonate"]["hold"]
    assert status.total == 0
    assert (hold.consultations, hold.transition_list) == (2, [((False, True), 2)])
    assert hold.examples == ["Recent case 2", "Recent case 3"]
    figures = impact.figures()["options"]["bisphosphonate"]["hold"]
    assert figures == {"scenarios": 0, "consultations": 2,
                       "transitions": [["not on hold", "on hold", 2]]}


def test_alerts_that_appear_are_counted_with_examples(published_ruleset, guidance_editor):
    scenarios_load_shared()
    consultation_create(data=shared_assessment("V06"), channel="form")  # SINS 10
    draft = spine_alert_draft(published_ruleset, guidance_editor, sins=10)
    impact = ruleset_impact(draft=draft, published=published_ruleset)
    tally = impact.alerts["unstable_spine"]
    assert tally.transition_list == [(("appears",), tally.total)]
    # Examples are the first five: scenarios (TH-SINS-12, V06, V07, V11, V20) before the
    # consultation, which is counted.
    assert "V06" in tally.examples and "TH-SINS-12" in tally.examples
    assert tally.consultations == 1 and tally.scenarios >= 2  # V06 and V07 at least
    row = next(r for r in impact.scenarios if r.label == "V06")
    assert row.alerts == [("unstable_spine", "appears")] and row.changes == []


def test_no_change_is_reported_as_none(published_ruleset, guidance_editor):
    consultation_create(data=calcium_assessment(2.5), channel="form")
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    impact = ruleset_impact(draft=draft, published=published_ruleset)
    assert not impact.changed and impact.consultations_checked == 1
    assert all(t.total == 0 for kinds in impact.by_option.values() for t in kinds.values())


@pytest.mark.parametrize("count", [3, 30])
def test_impact_takes_the_same_queries_whatever_the_number_of_consultations(
        published_ruleset, guidance_editor, django_assert_max_num_queries, count):
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor)
    ruleset_impact(draft=draft, published=published_ruleset)  # compile the published once
    for index in range(count):
        data = {**shared_assessment("V06" if index % 2 else "V01"),
                "corrected_calcium_mmol_l": 2.0 + index / 100}
        consultation_create(data=data, channel="form")
    with django_assert_max_num_queries(6):
        impact = ruleset_impact(draft=draft, published=published_ruleset)
    assert impact.consultations_checked == count
