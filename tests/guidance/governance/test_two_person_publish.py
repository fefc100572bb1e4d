"""A change reaches clinicians only through a second person, who never wrote it."""

import pytest
from django.core.exceptions import ValidationError

from guidance.governance import (
    GovernanceRefused,
    ruleset_approve,
    ruleset_publish,
    ruleset_return,
    ruleset_submit,
)
from guidance.models import GovernanceEvent, Publication, Review, RuleSet
from guidance.services import RuleSetReadOnly, rule_save, ruleset_create_draft
from options.identity.roles import SAFETY_OFFICER
from tests.conftest import user_in_role
from tests.guidance_builders import approved, calcium_scenario, hypocalcaemia_draft

pytestmark = pytest.mark.django_db
SUMMARY = "Hypocalcaemia below 2.10 mmol/L, as the local laboratory"


@pytest.fixture
def draft(published_ruleset, guidance_editor):
    return hypocalcaemia_draft(published_ruleset, guidance_editor)


def refused_events(action):
    return GovernanceEvent.objects.filter(action=action, outcome="refused")


def test_submit_freezes_the_draft_with_its_diff_and_impact(draft, guidance_editor):
    review = ruleset_submit(ruleset=draft, by=guidance_editor, summary=SUMMARY)
    assert RuleSet.objects.get(pk=draft.pk).state == RuleSet.IN_REVIEW
    (change,) = review.rules_diff
    assert change["code"] == "DEF-HYPOCALCAEMIA" and change["change"] == "changed"
    assert change["fields"]["condition"][1] == {"fact": "corrected_calcium_mmol_l", "lt": 2.1}
    assert review.impact["against"] == "2026.3"
    rule = draft.rules.get(code="DEF-HYPOCALCAEMIA")
    rule.text = "Changed while in review"
    with pytest.raises(RuleSetReadOnly):
        rule_save(rule=rule, by=guidance_editor)


def test_the_author_can_never_approve_their_own_draft(draft, guidance_editor,
                                                       django_user_model):
    # An editor who is also a safety officer still wrote this draft.
    guidance_editor.groups.add(user_in_role(django_user_model, username="other_cso",
                                            role=SAFETY_OFFICER).groups.get())
    ruleset_submit(ruleset=draft, by=guidance_editor, summary=SUMMARY)
    with pytest.raises(GovernanceRefused, match="author of a draft can never review it"):
        ruleset_approve(ruleset=draft, by=guidance_editor, comment="Checked")
    assert RuleSet.objects.get(pk=draft.pk).state == RuleSet.IN_REVIEW
    assert refused_events("approve").get().by == guidance_editor


def test_whoever_changed_a_rule_of_the_draft_counts_as_an_author(
        draft, guidance_editor, safety_officer):
    rule = draft.rules.get(code="BP-CRIT-CALCIUM")
    rule.text = rule.text + " "  # a safety officer who also edits is an author of it
    safety_officer.groups.add(*guidance_editor.groups.all())
    rule_save(rule=rule, by=safety_officer)
    ruleset_submit(ruleset=draft, by=guidance_editor, summary=SUMMARY)
    with pytest.raises(GovernanceRefused, match="cso_test made or changed"):
        ruleset_approve(ruleset=draft, by=safety_officer, comment="Checked")


@pytest.mark.parametrize("who", ["editor", "clinician", "nobody"])
def test_only_a_safety_officer_approves(draft, guidance_editor, clinician, who):
    ruleset_submit(ruleset=draft, by=guidance_editor, summary=SUMMARY)
    by = {"editor": guidance_editor, "clinician": clinician, "nobody": None}[who]
    with pytest.raises(GovernanceRefused, match="Clinical safety officer"):
        ruleset_approve(ruleset=draft, by=by, comment="Checked")
    assert refused_events("approve").count() == 1


def test_a_safety_officer_cannot_submit(draft, safety_officer):
    with pytest.raises(GovernanceRefused, match="Guidance editor"):
        ruleset_submit(ruleset=draft, by=safety_officer, summary=SUMMARY)


def test_submit_needs_a_summary(draft, guidance_editor):
    with pytest.raises(GovernanceRefused, match="summary"):
        ruleset_submit(ruleset=draft, by=guidance_editor, summary="  ")


def test_returned_with_a_comment_the_draft_is_editable_again(draft, guidance_editor,
                                                              safety_officer):
    ruleset_submit(ruleset=draft, by=guidance_editor, summary=SUMMARY)
    with pytest.raises(GovernanceRefused, match="comment"):
        ruleset_return(ruleset=draft, by=safety_officer, comment="")
    review = ruleset_return(ruleset=draft, by=safety_officer, comment="Cite the lab's range")
    assert (review.outcome, review.reviewer) == (Review.RETURNED, safety_officer)
    draft.refresh_from_db()
    assert draft.state == RuleSet.DRAFT
    rule = draft.rules.get(code="DEF-HYPOCALCAEMIA")
    rule.editor_note = "Lab range: trust pathology handbook 2026"
    rule_save(rule=rule, by=guidance_editor)
    with pytest.raises(GovernanceRefused, match="draft, not approved"):
        ruleset_publish(ruleset=draft, by=guidance_editor)


def test_publishing_records_author_reviewer_reasons_and_impact(
        draft, guidance_editor, safety_officer):
    ruleset_publish(ruleset=approved(draft, author=guidance_editor, reviewer=safety_officer,
                                     summary=SUMMARY), by=safety_officer)
    publication = Publication.objects.get(ruleset=draft)
    assert publication.kind == Publication.REVIEWED and not publication.needs_review
    assert (publication.author, publication.reviewer, publication.published_by) == (
        guidance_editor, safety_officer, safety_officer)
    assert SUMMARY in publication.reasons and "Checked against the lab's range" in (
        publication.reasons)
    assert publication.replaced_version == "2026.3"
    hold = publication.impact["options"]["bisphosphonate"]["hold"]
    assert hold == {"scenarios": 0, "consultations": 0, "transitions": []}


def test_the_audit_lists_each_step_in_order(draft, guidance_editor, safety_officer):
    ruleset_publish(ruleset=approved(draft, author=guidance_editor, reviewer=safety_officer),
                    by=guidance_editor)
    steps = list(GovernanceEvent.objects.filter(ruleset=draft).order_by("at", "id")
                 .values_list("action", "by__username"))
    assert steps == [("new_draft", "editor_test"), ("submit", "editor_test"),
                     ("approve", "cso_test"), ("publish", "editor_test")]


def test_a_draft_failing_its_expectations_cannot_be_submitted(
        published_ruleset, guidance_editor):
    calcium_scenario()  # expects today's advice at calcium 2.15
    draft = hypocalcaemia_draft(published_ruleset, guidance_editor)
    with pytest.raises(GovernanceRefused, match="ED-CALCIUM-215") as refused:
        ruleset_submit(ruleset=draft, by=guidance_editor, summary=SUMMARY)
    assert [check.scenario.code for check in refused.value.failures] == ["ED-CALCIUM-215"]
    assert RuleSet.objects.get(pk=draft.pk).state == RuleSet.DRAFT
    assert refused_events("submit").count() == 1


def test_an_expectation_of_a_submitted_draft_cannot_change(
        published_ruleset, guidance_editor):
    from guidance.services import scenario_expectation_update

    scenario = calcium_scenario()
    draft = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    ruleset_submit(ruleset=draft, by=guidance_editor, summary="No change")
    with pytest.raises(ValidationError, match="only a draft"):
        scenario_expectation_update(scenario=scenario, ruleset=draft, by=guidance_editor,
                                    expected={**scenario.expected}, reason="try")


def test_a_draft_made_from_a_ruleset_no_longer_live_cannot_be_published(
        published_ruleset, guidance_editor, safety_officer):
    first = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    second = approved(ruleset_create_draft(source=published_ruleset, by=guidance_editor),
                      author=guidance_editor, reviewer=safety_officer)
    ruleset_publish(ruleset=approved(first, author=guidance_editor, reviewer=safety_officer),
                    by=guidance_editor)
    # Publishing the second would silently undo whatever the first changed.
    with pytest.raises(GovernanceRefused, match=f"{first.version} is live now"):
        ruleset_publish(ruleset=second, by=guidance_editor)
    third = ruleset_create_draft(source=published_ruleset, by=guidance_editor)
    with pytest.raises(GovernanceRefused, match="make a new draft from"):
        ruleset_submit(ruleset=third, by=guidance_editor, summary=SUMMARY)
    assert RuleSet.objects.get(state=RuleSet.PUBLISHED) == first


def test_the_ruleset_list_names_drafts_waiting_for_review(draft, guidance_editor,
                                                          safety_officer, client):
    ruleset_submit(ruleset=draft, by=guidance_editor, summary=SUMMARY)
    client.force_login(safety_officer)
    page = client.get("/admin/guidance/ruleset/").content.decode()
    assert "Waiting for your review" in page
    assert f"/admin/guidance/ruleset/{draft.pk}/review/" in page
    client.force_login(guidance_editor)
    assert "Submitted, waiting for a clinical safety officer" in client.get(
        "/admin/guidance/ruleset/").content.decode()


@pytest.mark.parametrize("comment", ["", "   "])
def test_an_approval_says_what_was_checked(draft, guidance_editor, safety_officer, comment):
    ruleset_submit(ruleset=draft, by=guidance_editor, summary=SUMMARY)
    with pytest.raises(GovernanceRefused, match="comment: say what you checked"):
        ruleset_approve(ruleset=draft, by=safety_officer, comment=comment)
    assert RuleSet.objects.get(pk=draft.pk).state == RuleSet.IN_REVIEW
    review = ruleset_approve(ruleset=draft, by=safety_officer,
                             comment="Checked against the lab's range")
    assert review.comment == "Checked against the lab's range"
    assert RuleSet.objects.get(pk=draft.pk).state == RuleSet.APPROVED
