"""An author withdraws their own submitted draft; an editor discards a draft. Both with a
reason, audited, through the governance services alone; tried as an attacker would, and
judged by the ruleset's state and what clinicians are told afterwards."""

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test import Client

from guidance.governance import (
    GovernanceRefused,
    ruleset_approve,
    ruleset_discard,
    ruleset_publish,
    ruleset_rollback,
    ruleset_submit,
    ruleset_withdraw,
)
from guidance.guards import RuleSetFrozen, state_change
from guidance.models import GovernanceEvent, Review, RuleSet
from guidance.services import RuleSetReadOnly, rule_save, ruleset_create_draft
from options.identity.roles import EDITOR
from tests.conftest import user_in_role
from tests.guidance_builders import hypocalcaemia_draft, publish_reviewed

pytestmark = pytest.mark.django_db
SUMMARY = "Hypocalcaemia below 2.10 mmol/L, as the local laboratory"
REASON = "The laboratory has not changed its range after all"


@pytest.fixture
def draft(published_ruleset, guidance_editor):
    return hypocalcaemia_draft(published_ruleset, guidance_editor)


@pytest.fixture
def submitted(draft, guidance_editor):
    ruleset_submit(ruleset=draft, by=guidance_editor, summary=SUMMARY)
    return draft


@pytest.fixture
def other_editor(django_user_model):
    return user_in_role(django_user_model, username="editor_other", role=EDITOR)


def state_of(ruleset):
    return RuleSet.objects.get(pk=ruleset.pk).state


def events(action, outcome="ok"):
    return GovernanceEvent.objects.filter(action=action, outcome=outcome)


def browser(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def test_the_author_withdraws_a_submission_which_becomes_an_editable_draft(
        submitted, guidance_editor, safety_officer, django_capture_on_commit_callbacks):
    safety_officer.email = "cso@example.nhs.uk"
    safety_officer.save()
    with django_capture_on_commit_callbacks(execute=True):
        review = ruleset_withdraw(ruleset=submitted, by=guidance_editor, reason=REASON)
    assert state_of(submitted) == RuleSet.DRAFT
    assert (review.outcome, review.comment) == (Review.WITHDRAWN, REASON)
    assert events("withdraw").get().detail == REASON
    (message,) = mail.outbox
    assert message.to == ["cso@example.nhs.uk"] and "withdrawn from review" in message.subject
    assert REASON in message.body and "By: editor_test" in message.body
    submitted.refresh_from_db()
    rule = submitted.rules.get(code="DEF-HYPOCALCAEMIA")
    rule.text = "Changed after withdrawing"
    rule_save(rule=rule, by=guidance_editor)  # editable again
    with pytest.raises(GovernanceRefused, match="not submitted for review"):
        # nothing waits for review
        ruleset_approve(ruleset=submitted, by=safety_officer, comment="Checked")


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_withdrawal_needs_a_reason(submitted, guidance_editor, reason):
    with pytest.raises(GovernanceRefused, match="reason"):
        ruleset_withdraw(ruleset=submitted, by=guidance_editor, reason=reason)
    assert state_of(submitted) == RuleSet.IN_REVIEW
    assert events("withdraw", "refused").exists()


@pytest.mark.parametrize("who", ["safety_officer", "other_editor", "clinician"])
def test_nobody_but_the_author_withdraws_a_submission(submitted, who, request):
    with pytest.raises(GovernanceRefused):
        ruleset_withdraw(ruleset=submitted, by=request.getfixturevalue(who), reason=REASON)
    assert state_of(submitted) == RuleSet.IN_REVIEW
    assert Review.objects.get(ruleset=submitted).outcome == Review.PENDING


def test_an_approved_draft_cannot_be_withdrawn(submitted, guidance_editor, safety_officer):
    ruleset_approve(ruleset=submitted, by=safety_officer, comment="Checked")
    with pytest.raises(GovernanceRefused, match="approved, not submitted"):
        ruleset_withdraw(ruleset=submitted, by=guidance_editor, reason=REASON)
    assert state_of(submitted) == RuleSet.APPROVED


def test_a_discarded_draft_is_kept_but_never_changed_submitted_or_published(
        draft, guidance_editor, safety_officer):
    ruleset_discard(ruleset=draft, by=guidance_editor, reason=REASON)
    assert state_of(draft) == RuleSet.DISCARDED
    assert events("discard").get().detail == REASON
    draft.refresh_from_db()
    rule = draft.rules.get(code="DEF-HYPOCALCAEMIA")
    rule.text = "Changed after discarding"
    with pytest.raises((RuleSetReadOnly, RuleSetFrozen)):
        rule_save(rule=rule, by=guidance_editor)
    with pytest.raises(GovernanceRefused, match="discarded, not draft"):
        ruleset_submit(ruleset=draft, by=guidance_editor, summary=SUMMARY)
    with pytest.raises(GovernanceRefused, match="discarded, not approved"):
        ruleset_publish(ruleset=draft, by=guidance_editor)
    with pytest.raises(GovernanceRefused):
        ruleset_rollback(ruleset=draft, by=guidance_editor, reason="try")
    with pytest.raises((RuleSetFrozen, ProtectedError)):
        RuleSet.objects.get(pk=draft.pk).delete()
    for state in (RuleSet.DRAFT, RuleSet.IN_REVIEW, RuleSet.PUBLISHED):  # even in a service
        draft.state = state
        with pytest.raises(RuleSetFrozen), state_change():
            draft.save()
    assert state_of(draft) == RuleSet.DISCARDED
    assert RuleSet.objects.get(state=RuleSet.PUBLISHED).version == "2026.3"


@pytest.mark.parametrize("reason", ["", "  "])
def test_discarding_needs_a_reason(draft, guidance_editor, reason):
    with pytest.raises(GovernanceRefused, match="reason"):
        ruleset_discard(ruleset=draft, by=guidance_editor, reason=reason)
    assert state_of(draft) == RuleSet.DRAFT


@pytest.mark.parametrize("who", ["safety_officer", "clinician"])
def test_neither_a_safety_officer_nor_a_clinician_discards_an_editors_draft(
        draft, who, request):
    with pytest.raises(GovernanceRefused, match="only a Guidance editor"):
        ruleset_discard(ruleset=draft, by=request.getfixturevalue(who), reason=REASON)
    assert state_of(draft) == RuleSet.DRAFT
    assert events("discard", "refused").exists()


def test_nobody_discards_a_published_retired_submitted_or_approved_ruleset(
        published_ruleset, draft, guidance_editor, safety_officer, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x")
    root.groups.add(*guidance_editor.groups.all(), *safety_officer.groups.all())
    publish_reviewed(draft, author=guidance_editor, reviewer=safety_officer)
    pending = ruleset_create_draft(source=draft, by=guidance_editor, version="2026.5")
    ruleset_submit(ruleset=pending, by=guidance_editor, summary="Nothing")
    approved = ruleset_create_draft(source=draft, by=guidance_editor, version="2026.6")
    ruleset_submit(ruleset=approved, by=guidance_editor, summary="Nothing")
    ruleset_approve(ruleset=approved, by=safety_officer, comment="Checked")
    for ruleset in (published_ruleset, draft, pending, approved):
        before = state_of(ruleset)
        for who in (guidance_editor, root):
            with pytest.raises(GovernanceRefused, match="not draft"):
                ruleset_discard(ruleset=ruleset, by=who, reason=REASON)
        assert state_of(ruleset) == before
    for ruleset in (published_ruleset, draft):  # nor around the service
        ruleset = RuleSet.objects.get(pk=ruleset.pk)
        ruleset.state = RuleSet.DISCARDED
        with pytest.raises(RuleSetFrozen), state_change():
            ruleset.save()
    assert [state_of(r) for r in (published_ruleset, draft, pending, approved)] == [
        RuleSet.RETIRED, RuleSet.PUBLISHED, RuleSet.IN_REVIEW, RuleSet.APPROVED]


def test_the_console_discards_with_a_reason_and_csrf(draft, guidance_editor, safety_officer):
    page = f"/admin/guidance/ruleset/{draft.pk}/"
    editor = browser(guidance_editor)
    assert "Discard draft" in editor.get(f"{page}change/").content.decode()
    assert "Discard draft" not in browser(safety_officer).get(
        f"{page}change/").content.decode()
    assert browser(safety_officer).post(f"{page}discard/", {"reason": REASON}
                                        ).status_code == 403
    assert browser(guidance_editor, enforce_csrf_checks=True).post(
        f"{page}discard/", {"reason": REASON}).status_code == 403
    blank = editor.post(f"{page}discard/", {"reason": ""})
    assert blank.status_code == 200 and "This field is required" in blank.content.decode()
    assert state_of(draft) == RuleSet.DRAFT
    assert editor.post(f"{page}discard/", {"reason": REASON}).status_code == 302
    assert state_of(draft) == RuleSet.DISCARDED
    listing = editor.get("/admin/guidance/ruleset/").content.decode()
    assert f">{draft.version}<" not in listing and "All but discarded" in listing
    assert f">{draft.version}<" in editor.get(
        "/admin/guidance/ruleset/?state=discarded").content.decode()
    kept = editor.get(f"{page}change/").content.decode()
    assert "Discarded by its editor" in kept and "Submit for review" not in kept
    assert editor.post(f"{page}submit/", {"summary": "again"}).status_code == 200
    assert state_of(draft) == RuleSet.DISCARDED


def test_the_console_lets_the_author_alone_withdraw(submitted, guidance_editor, other_editor,
                                                    safety_officer):
    page = f"/admin/guidance/ruleset/{submitted.pk}/"
    assert "Withdraw from review" in browser(guidance_editor).get(
        f"{page}change/").content.decode()
    assert "Withdraw from review" not in browser(other_editor).get(
        f"{page}change/").content.decode()
    assert browser(safety_officer).post(f"{page}withdraw/", {"reason": REASON}
                                        ).status_code == 403
    refused = browser(other_editor).post(f"{page}withdraw/", {"reason": REASON}, follow=True)
    assert "only whoever submitted" in refused.content.decode()
    assert state_of(submitted) == RuleSet.IN_REVIEW
    assert browser(guidance_editor).post(f"{page}withdraw/", {"reason": REASON}
                                         ).status_code == 302
    assert state_of(submitted) == RuleSet.DRAFT


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")
def test_postgresql_lets_a_draft_be_discarded_and_nothing_else_change_to_or_from_it(
        published_ruleset, draft):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE guidance_ruleset SET state = 'discarded' WHERE id = %s",
                       [draft.pk])
    assert state_of(draft) == RuleSet.DISCARDED
    for statement in (
            "UPDATE guidance_ruleset SET state = 'draft' WHERE state = 'discarded'",
            "UPDATE guidance_ruleset SET title = 'x' WHERE state = 'discarded'",
            "UPDATE guidance_ruleset SET state = 'discarded' WHERE state = 'published'",
            "UPDATE guidance_rule SET text = 'x' WHERE ruleset_id IN "
            "(SELECT id FROM guidance_ruleset WHERE state = 'discarded')",
            "DELETE FROM guidance_ruleset WHERE state = 'discarded'"):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as c:
            c.execute(statement)
    assert state_of(draft) == RuleSet.DISCARDED
    assert state_of(published_ruleset) == RuleSet.PUBLISHED
