"""Expectations are versioned with their ruleset; a rollback must pass the ones it was
published with, and is flagged for a safety officer's follow-up."""

import pytest
from django.db import IntegrityError, connection, transaction

from guidance.governance import GovernanceRefused, publication_follow_up, ruleset_rollback
from guidance.models import GovernanceEvent, Publication, Rule, RuleSet, Scenario
from guidance.scenarios import regression
from guidance.scenarios.expectations import ruleset_expectations
from guidance.scenarios.regression import ruleset_test
from guidance.selectors import published_compiled
from guidance.services import (
    ruleset_create_draft,
    scenario_expectation_update,
    scenarios_load_shared,
)
from options.identity.roles import SAFETY_OFFICER
from tests.conftest import user_in_role
from tests.guidance_builders import (
    CALCIUM_215_EXPECTED_NOW,
    calcium_215_no_longer_held,
    calcium_scenario,
    hypocalcaemia_draft,
    publish_reviewed,
)

pytestmark = pytest.mark.django_db
LOWER = {**CALCIUM_215_EXPECTED_NOW, "denosumab": "recommended"}


@pytest.fixture
def lowered(published_ruleset, guidance_editor, safety_officer):
    """2026.4 (threshold 2.10, its expectation changed with a reason) replaced 2026.3."""
    scenarios_load_shared()
    scenario = calcium_scenario()
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor)
    scenario_expectation_update(scenario=scenario, ruleset=draft, expected=LOWER,
                                expected_hold=[], by=guidance_editor,
                                reason="Local lab: below 2.10 mmol/L")
    calcium_215_no_longer_held(draft, guidance_editor)
    publish_reviewed(draft, author=guidance_editor, reviewer=safety_officer)
    return draft


def expected_denosumab(ruleset):
    row = next(r for r in ruleset_expectations(ruleset) if r.code == "ED-CALCIUM-215")
    return row.expected["denosumab"]


def test_each_ruleset_keeps_the_expectations_it_was_published_with(
        published_ruleset, lowered):
    assert expected_denosumab(lowered) == "recommended"
    assert expected_denosumab(RuleSet.objects.get(pk=published_ruleset.pk)) == "contraindicated"
    assert ruleset_test(ruleset=lowered).passed
    assert ruleset_test(ruleset=published_ruleset).passed  # against its own, not 2026.4's


def test_testing_a_draft_uses_the_drafts_expectations(published_ruleset, guidance_editor):
    scenario = calcium_scenario()
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor)
    assert not ruleset_test(ruleset=draft).passed
    scenario_expectation_update(scenario=scenario, ruleset=draft, expected=LOWER,
                                expected_hold=[], by=guidance_editor, reason="Lab range")
    assert ruleset_test(ruleset=draft).passed
    assert ruleset_test(ruleset=published_ruleset).passed


def test_a_rollback_restores_rules_and_expectations(published_ruleset, lowered,
                                                    guidance_editor):
    publication = ruleset_rollback(ruleset=RuleSet.objects.get(pk=published_ruleset.pk),
                                   by=guidance_editor, reason="Lab range withdrawn")
    assert published_compiled()[0].version == "2026.3"
    assert publication.kind == Publication.EMERGENCY and publication.needs_review
    assert (publication.published_by, publication.reasons) == (guidance_editor,
                                                              "Lab range withdrawn")
    assert publication.scenarios_passed == Scenario.objects.count()
    assert publication.replaced_version == "2026.4"
    # The next draft starts from 2026.3's rules and 2026.3's expectations.
    draft = ruleset_create_draft(source=RuleSet.objects.get(pk=published_ruleset.pk),
                                 by=guidance_editor)
    assert expected_denosumab(draft) == "contraindicated"
    assert draft.rules.get(code="DEF-HYPOCALCAEMIA").condition["lt"] == 2.2
    assert ruleset_test(ruleset=draft).passed


def test_a_rollback_to_a_ruleset_failing_its_own_expectations_is_refused(
        published_ruleset, lowered, guidance_editor, monkeypatch):
    # As if the engine had changed since 2026.3 was published, so that V01 no longer gives
    # what 2026.3 was published expecting.
    real = regression._evaluate

    def engine_changed(data, compiled):
        result = real(data, compiled)
        if data == Scenario.objects.get(code="V01").assessment:
            result["options"][0] = {**result["options"][0], "status": "contraindicated"}
        return result

    monkeypatch.setattr(regression, "_evaluate", engine_changed)
    with pytest.raises(GovernanceRefused, match="V01") as refused:
        ruleset_rollback(ruleset=RuleSet.objects.get(pk=published_ruleset.pk),
                         by=guidance_editor, reason="Emergency")
    assert [check.scenario.code for check in refused.value.failures] == ["V01"]
    assert published_compiled()[0].version == lowered.version
    assert GovernanceEvent.objects.get(action="rollback").outcome == "refused"


def test_a_rollback_to_content_changed_since_publication_is_refused(
        published_ruleset, lowered, guidance_editor):
    """The retired 2026.3's hypocalcaemia threshold rewritten behind the models' back:
    PostgreSQL's trigger refuses the write; where nothing refuses it, the digest refuses the
    rollback."""
    tamper = Rule.objects.filter(ruleset=published_ruleset, code="DEF-HYPOCALCAEMIA")
    lowered_to = {"fact": "corrected_calcium_mmol_l", "lt": 1.0}
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError, match="not a draft"), transaction.atomic():
            tamper.update(condition=lowered_to)
        return
    assert tamper.update(condition=lowered_to) == 1
    with pytest.raises(GovernanceRefused, match="not those first published"):
        ruleset_rollback(ruleset=RuleSet.objects.get(pk=published_ruleset.pk),
                         by=guidance_editor, reason="Emergency")
    assert published_compiled()[0].version == lowered.version


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_rollback_needs_a_reason(published_ruleset, lowered, guidance_editor, reason):
    with pytest.raises(GovernanceRefused, match="reason"):
        ruleset_rollback(ruleset=RuleSet.objects.get(pk=published_ruleset.pk),
                         by=guidance_editor, reason=reason)


def test_a_clinician_cannot_roll_back(published_ruleset, lowered, clinician):
    with pytest.raises(GovernanceRefused, match="only a"):
        ruleset_rollback(ruleset=RuleSet.objects.get(pk=published_ruleset.pk),
                         by=clinician, reason="Emergency")


def test_the_rollback_is_followed_up_by_another_safety_officer(
        published_ruleset, lowered, safety_officer, django_user_model):
    publication = ruleset_rollback(ruleset=RuleSet.objects.get(pk=published_ruleset.pk),
                                   by=safety_officer, reason="Wrong range published")
    with pytest.raises(GovernanceRefused, match="cannot follow it up"):
        publication_follow_up(publication=publication, by=safety_officer, comment="Fine")
    other = user_in_role(django_user_model, username="cso_two", role=SAFETY_OFFICER)
    with pytest.raises(GovernanceRefused, match="comment"):
        publication_follow_up(publication=publication, by=other, comment="")
    publication_follow_up(publication=publication, by=other, comment="Range confirmed wrong")
    publication.refresh_from_db()
    assert not publication.needs_review and publication.followed_up_by == other
