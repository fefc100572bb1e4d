"""A safety threshold moved in a draft is noticed: the threshold scenarios either side of it
fail the gate, and a changed threshold no scenario brackets is named to the editor who
submits and the safety officer who reviews (docs/hazard-log.md, GV7)."""

import pytest
from django.test import Client
from django.urls import reverse

from guidance.governance import ruleset_submit
from guidance.scenarios.regression import ruleset_test
from guidance.scenarios.thresholds import thresholds_unbracketed
from guidance.services import PublishRefused, rule_save, scenarios_load_shared
from tests.guidance_builders import calcium_215_no_longer_held, hypocalcaemia_draft

pytestmark = pytest.mark.django_db

LOWERED = ("corrected_calcium_mmol_l lt 1 (DEF-HYPOCALCAEMIA via BP-HOLD-01, DMAB-SAFE-02): "
           "no scenario just inside or outside (within 0.05)")
# The same, as the submit and review pages say it.
LOWERED_IN_WORDS = ("corrected calcium below 1.00 mmol/L (DEF-HYPOCALCAEMIA, used by BP-HOLD-01, "
                    "DMAB-SAFE-02): no scenario just inside or outside (within 0.05)")


@pytest.fixture
def scenarios(published_ruleset):
    scenarios_load_shared()


@pytest.mark.parametrize(("threshold", "failing"), [
    (1.0, "TH-CALCIUM-2.15"),  # the move: calcium 2.0-2.19 no longer held
    (2.3, "TH-CALCIUM-2.20"),
], ids=["lowered", "raised"])
def test_moving_hypocalcaemia_fails_the_threshold_scenario_on_that_side(
        published_ruleset, scenarios, guidance_editor, threshold, failing):
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor, threshold=threshold)
    failures = ruleset_test(ruleset=draft).failures
    assert [check.scenario.code for check in failures] == [failing]
    assert any(text.startswith("denosumab: expected") for text in failures[0].mismatches)
    assert any(text.startswith("hold: expected") for text in failures[0].mismatches)
    with pytest.raises(PublishRefused, match=failing):
        ruleset_submit(ruleset=draft, by=guidance_editor, summary="Lab range")


def test_a_lowered_threshold_no_scenario_brackets_is_named(
        published_ruleset, scenarios, guidance_editor):
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor, threshold=1.0)
    assert [str(bracket) for bracket in thresholds_unbracketed(draft)] == [LOWERED]


def test_an_unchanged_draft_names_no_threshold(published_ruleset, scenarios, guidance_editor):
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor, threshold=2.2)
    assert thresholds_unbracketed(draft) == []


def test_a_changed_threshold_that_scenarios_bracket_is_not_named(
        published_ruleset, scenarios, guidance_editor):
    # Below 2.18: TH-CALCIUM-2.15 lies just inside, TH-CALCIUM-2.20 just outside.
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor, threshold=2.18)
    assert thresholds_unbracketed(draft) == []
    assert ruleset_test(ruleset=draft).passed


def test_a_new_rule_with_a_threshold_is_checked_too(published_ruleset, scenarios,
                                                     guidance_editor):
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor, threshold=2.2)
    rule = draft.rules.get(code="BP-SAFE-01")
    rule.condition = {"any": [{"fact": "pregnant", "is": True},
                              {"fact": "age_years", "lt": 40}]}
    rule_save(rule=rule, by=guidance_editor)
    assert [str(b) for b in thresholds_unbracketed(draft)] == [
        "age_years lt 40 (BP-SAFE-01): no scenario just inside or outside (within 1)"]


def test_the_submit_and_review_pages_name_the_threshold(
        published_ruleset, scenarios, guidance_editor, safety_officer):
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor, threshold=1.0)
    editor = Client()
    editor.force_login(guidance_editor)
    page = editor.get(reverse("admin:guidance_ruleset_submit", args=[draft.pk])).content.decode()
    assert "1 changed threshold that no scenario brackets" in page
    assert LOWERED_IN_WORDS in page and LOWERED not in page

    calcium_215_no_longer_held(draft, guidance_editor, reason="Lab says below 1.0")
    ruleset_submit(ruleset=draft, by=guidance_editor, summary="Hypocalcaemia below 1.0")
    officer = Client()
    officer.force_login(safety_officer)
    page = officer.get(reverse("admin:guidance_ruleset_review", args=[draft.pk])).content
    assert LOWERED_IN_WORDS in page.decode()


def test_an_unchanged_draft_shows_no_threshold_warning(published_ruleset, scenarios,
                                                       guidance_editor):
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor, threshold=2.2)
    editor = Client()
    editor.force_login(guidance_editor)
    page = editor.get(reverse("admin:guidance_ruleset_submit", args=[draft.pk])).content.decode()
    assert "no scenario brackets" not in page
