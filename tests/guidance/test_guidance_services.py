"""Rules console services: draft, publish, roll back, scenarios as a gate, impact, locking.

Publishing always goes through a second person here (tests.guidance_builders); the rules of
that review are tested in tests/guidance/governance/."""

import pytest
from django.core.exceptions import ValidationError

from guidance.governance import (
    GovernanceRefused,
    ruleset_publish,
    ruleset_rollback,
    ruleset_submit,
)
from guidance.models import ExpectationChange, Rule, RuleSet, Scenario
from guidance.scenarios.impact import ruleset_impact
from guidance.scenarios.regression import ruleset_test
from guidance.selectors import published_compiled
from guidance.services import (
    PublishRefused,
    RuleSetReadOnly,
    StaleEdit,
    rule_save,
    ruleset_create_draft,
    scenario_expectation_update,
    scenarios_load_shared,
)
from options.consultation.services import consultation_create, evaluate_assessment
from tests.builders import scenario_files, threshold_scenario_files
from tests.guidance_builders import (
    calcium_assessment,
    calcium_scenario,
    hypocalcaemia_draft,
    publish_reviewed,
)

pytestmark = pytest.mark.django_db


def statuses(result):
    return {o["option"]: o["status"] for o in result["options"]}


def test_new_draft_copies_every_rule_and_leaves_the_published_ruleset_alone(
        published_ruleset, guidance_editor):
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    assert draft.state == RuleSet.DRAFT
    assert draft.based_on == published_ruleset
    assert draft.version == "2026.4"
    assert draft.rules.count() == published_ruleset.rules.count() == 128
    assert draft.history.first().history_user == guidance_editor
    published_ruleset.refresh_from_db()
    assert published_ruleset.state == RuleSet.PUBLISHED


def test_rules_of_a_published_ruleset_cannot_be_changed(published_ruleset, guidance_editor):
    rule = published_ruleset.rules.get(code="DEF-HYPOCALCAEMIA")
    rule.condition = {"fact": "corrected_calcium_mmol_l", "lt": 2.1}
    with pytest.raises(RuleSetReadOnly):
        rule_save(rule=rule, by=guidance_editor)
    with pytest.raises(ValidationError, match="never changes"):
        rule.full_clean()


def test_a_rule_naming_an_unknown_fact_cannot_be_saved(published_ruleset, guidance_editor):
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    rule = draft.rules.get(code="DEF-HYPOCALCAEMIA")
    rule.condition = {"all": [{"fact": "age_years", "ge": 18},
                              {"fact": "serum_calcium", "lt": 2.1}]}
    with pytest.raises(ValidationError) as raised:
        rule_save(rule=rule, by=guidance_editor)
    message = raised.value.message_dict["condition"][0]
    assert message.startswith("condition.all[1].fact: unknown fact 'serum_calcium'")
    rule.refresh_from_db()
    assert rule.condition == {"fact": "corrected_calcium_mmol_l", "lt": 2.2}


def test_a_rule_with_an_unknown_value_cannot_be_saved(published_ruleset, guidance_editor):
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    rule = draft.rules.get(code="DEF-HYPOCALCAEMIA")
    rule.condition = {"fact": "cancer_type", "eq": "melanoma"}
    with pytest.raises(ValidationError, match="condition.eq: 'melanoma' is not one of"):
        rule_save(rule=rule, by=guidance_editor)


def test_publishing_a_draft_retires_the_old_one_and_stamps_who_and_when(
        published_ruleset, guidance_editor, safety_officer):
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor)
    publish_reviewed(draft, author=guidance_editor, reviewer=safety_officer)
    draft.refresh_from_db()
    published_ruleset.refresh_from_db()
    assert (draft.state, published_ruleset.state) == (RuleSet.PUBLISHED, RuleSet.RETIRED)
    assert draft.published_by == guidance_editor and draft.published_at is not None
    assert RuleSet.objects.filter(state=RuleSet.PUBLISHED).count() == 1
    assert published_ruleset.history.first().history_change_reason == "retired: 2026.4 published"


def test_the_next_evaluation_uses_the_new_version_and_old_consultations_keep_theirs(
        published_ruleset, guidance_editor, safety_officer):
    before = consultation_create(data=calcium_assessment(2.15), channel="form")
    assert statuses(before.result)["denosumab"] == "contraindicated"
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor)
    publish_reviewed(draft, author=guidance_editor, reviewer=safety_officer)

    result = evaluate_assessment(data=calcium_assessment(2.15), channel="form")
    assert result["ruleset"]["version"] == "2026.4"
    assert statuses(result)["denosumab"] == "recommended"
    before.refresh_from_db()
    assert before.ruleset_version == "2026.3" and before.ruleset == published_ruleset
    assert statuses(before.result)["denosumab"] == "contraindicated"


@pytest.mark.parametrize("state", [RuleSet.PUBLISHED, RuleSet.DRAFT])
def test_only_an_approved_draft_can_be_published(published_ruleset, guidance_editor, state):
    ruleset = published_ruleset if state == RuleSet.PUBLISHED else ruleset_create_draft(
        source=published_ruleset, by=guidance_editor)
    with pytest.raises(GovernanceRefused, match="not approved"):
        ruleset_publish(ruleset=ruleset, by=guidance_editor)


def test_a_retired_ruleset_is_put_back_in_one_step_with_a_reason(
        published_ruleset, guidance_editor, safety_officer):
    first_published_at = evaluate_assessment(data=calcium_assessment(2.4), channel="form")[
        "ruleset"]["published_at"]
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor)
    publish_reviewed(draft, author=guidance_editor, reviewer=safety_officer)
    ruleset_rollback(ruleset=RuleSet.objects.get(pk=published_ruleset.pk), by=guidance_editor,
                     reason="Lab range change withdrawn")
    row, _ = published_compiled()
    assert row.version == "2026.3"
    assert RuleSet.objects.get(pk=draft.pk).state == RuleSet.RETIRED
    result = evaluate_assessment(data=calcium_assessment(2.15), channel="form")
    assert statuses(result)["denosumab"] == "contraindicated"
    republished_at = RuleSet.objects.get(pk=published_ruleset.pk).published_at.isoformat()
    assert result["ruleset"]["published_at"] == republished_at != first_published_at


def test_only_a_retired_ruleset_can_be_rolled_back_to(published_ruleset, guidance_editor):
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    with pytest.raises(GovernanceRefused, match="not retired"):
        ruleset_rollback(ruleset=draft, by=guidance_editor, reason="Emergency")


def test_every_shared_and_threshold_scenario_passes_against_the_default_ruleset(
        published_ruleset):
    files = scenario_files() + threshold_scenario_files()
    assert scenarios_load_shared() == len(files)
    assert Scenario.objects.filter(source="threshold").count() == len(threshold_scenario_files())
    outcome = ruleset_test(ruleset=published_ruleset)
    assert len(outcome.checks) == len(files)
    assert outcome.passed, [(c.scenario.code, c.mismatches, c.error) for c in outcome.failures]


def test_the_draft_test_names_the_option_that_fails(published_ruleset, guidance_editor):
    calcium_scenario()
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor)
    (check,) = ruleset_test(ruleset=draft).checks
    assert not check.passed
    by_option = {c.option: (c.expected, c.got, c.passed) for c in check.options}
    assert by_option["denosumab"] == ("contraindicated", "recommended", False)
    assert by_option["bisphosphonate"] == ("recommended", "recommended", True)
    assert "hold: expected ['bisphosphonate'], got []" in check.mismatches


def test_a_rule_edit_that_breaks_a_scenario_blocks_submitting(published_ruleset,
                                                              guidance_editor):
    scenario = calcium_scenario()
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor)
    with pytest.raises(PublishRefused, match="ED-CALCIUM-215") as raised:
        ruleset_submit(ruleset=draft, by=guidance_editor, summary="Lower threshold")
    assert [check.scenario.code for check in raised.value.failures] == [scenario.code]
    assert RuleSet.objects.get(pk=draft.pk).state == RuleSet.DRAFT
    assert published_compiled()[0] == published_ruleset


def test_publishing_goes_ahead_once_the_expectation_is_changed_with_a_reason(
        published_ruleset, guidance_editor, safety_officer):
    scenario = calcium_scenario()
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor)
    expected = {**scenario.expected, "denosumab": "recommended"}
    scenario_expectation_update(scenario=scenario, ruleset=draft, expected=expected,
                                expected_hold=[], by=guidance_editor,
                                reason="Local lab: hypocalcaemia below 2.10 mmol/L")
    publish_reviewed(draft, author=guidance_editor, reviewer=safety_officer)
    assert RuleSet.objects.get(pk=draft.pk).state == RuleSet.PUBLISHED
    change = ExpectationChange.objects.get(ruleset=draft)
    assert change.by == guidance_editor
    assert change.reason == "Local lab: hypocalcaemia below 2.10 mmol/L"
    assert (change.before["expected"]["denosumab"], change.after["expected"]["denosumab"]) == (
        "contraindicated", "recommended")


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"reason": ""}, "expectation_note"),
     ({"expected": {"denosumab": "maybe"}}, "expected"),
     ({"expected": {"radiotherapy": "recommended"}}, "expected"),
     ({"expected_hold": ["surgery"]}, "expected_hold")],
    ids=["no-reason", "unknown-status", "unknown-option", "unknown-hold"],
)
def test_an_expectation_change_is_refused_when_incomplete(published_ruleset, guidance_editor,
                                                          changes, field):
    scenario = calcium_scenario()
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    arguments = {"expected": {"denosumab": "recommended"}, "reason": "because", **changes}
    with pytest.raises(ValidationError) as raised:
        scenario_expectation_update(scenario=scenario, ruleset=draft, by=guidance_editor,
                                    **arguments)
    assert field in raised.value.message_dict
    row = draft.expectations.get(code=scenario.code)
    assert row.expected["denosumab"] == "contraindicated"
    assert not ExpectationChange.objects.exists()


def test_a_scenario_with_an_invalid_assessment_names_the_path(db):
    scenario = Scenario(code="BAD", title="bad", expected={"denosumab": "recommended"},
                        assessment={"cancer_type": "breast", "bone_metastases": True,
                                    "lesions": [{"site": "knee"}]})
    with pytest.raises(ValidationError) as raised:
        scenario.full_clean()
    assert any(m.startswith("lesions[0].site") for m in raised.value.message_dict["assessment"])


def test_impact_preview_counts_scenarios_and_consultations_option_by_option(
        published_ruleset, guidance_editor):
    scenarios_load_shared()
    calcium_scenario()
    for calcium in (2.15, 2.12, 2.35):
        consultation_create(data={**calcium_assessment(calcium), "patient_ref": "MRN-77"},
                            channel="form")
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor)

    impact = ruleset_impact(draft=draft, published=published_ruleset)

    # The threshold scenario just below 2.20 (TH-CALCIUM-2.15) notices the change too.
    assert (impact.scenarios_checked, impact.consultations_checked) == (
        len(scenario_files()) + len(threshold_scenario_files()) + 1, 3)
    assert [row.label for row in impact.scenarios] == ["ED-CALCIUM-215", "TH-CALCIUM-2.15"]
    assert [row.label for row in impact.consultations] == ["Recent case 2", "Recent case 3"]
    assert all(row.changes == [("denosumab", "contraindicated", "recommended")]
               for row in impact.scenarios + impact.consultations)
    assert all(row.holds == [("bisphosphonate", True, False)]
               for row in impact.scenarios + impact.consultations)
    rows = {option: (status, hold) for option, _, status, hold in impact.option_rows()}
    status, hold = rows["denosumab"]
    assert (status.scenarios, status.consultations) == (2, 2)
    assert status.transition_list == [(("contraindicated", "recommended"), 4)]
    assert status.examples == ["ED-CALCIUM-215", "TH-CALCIUM-2.15", "Recent case 2",
                               "Recent case 3"]
    status, hold = rows["bisphosphonate"]
    assert (status.total, hold.scenarios, hold.consultations) == (0, 2, 2)
    assert hold.transition_list == [((True, False), 4)]
    assert "MRN-77" not in repr(impact)


def test_a_save_from_a_stale_copy_is_refused_naming_who_changed_it(published_ruleset,
                                                                   guidance_editor,
                                                                   django_user_model):
    other = django_user_model.objects.create_user(username="second_editor")
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    mine = draft.rules.get(code="DEF-HYPOCALCAEMIA")
    theirs = draft.rules.get(code="DEF-HYPOCALCAEMIA")
    theirs.text = "Their wording."
    rule_save(rule=theirs, by=other)

    mine.text = "My wording."
    with pytest.raises(StaleEdit, match="changed by second_editor") as raised:
        rule_save(rule=mine, by=guidance_editor)
    assert raised.value.changed_by == other and raised.value.lock_version == 1
    assert Rule.objects.get(pk=mine.pk).text == "Their wording."
    rule_save(rule=mine, by=guidance_editor, lock_version=raised.value.lock_version)
    assert Rule.objects.get(pk=mine.pk).text == "My wording."


def test_impact_preview_reads_consultations_in_a_fixed_number_of_queries(
        published_ruleset, guidance_editor, django_assert_max_num_queries):
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor)
    ruleset_impact(draft=draft, published=published_ruleset)  # compile both once
    for calcium in (2.15, 2.12, 2.35, 2.5, 2.4, 2.3):
        consultation_create(data=calcium_assessment(calcium), channel="form")
    with django_assert_max_num_queries(6):
        impact = ruleset_impact(draft=draft, published=published_ruleset)
    assert impact.consultations_checked == 6
