"""Two people to publish: submit, review (approve or return), publish; emergency rollback.

A draft reaches clinicians only after a guidance editor submits it with a summary and a
clinical safety officer who neither wrote nor changed it approves it. Publishing records the
author, the reviewer, their reasons and the impact at that moment. One person may roll back
to a ruleset that was live before, with a reason, if it passes the expectations it was
published with; the rollback is flagged until a safety officer follows it up.

Each service checks first, outside any transaction, so that a refusal's audit row is kept;
then it locks the ruleset's row and does the work, with its audit row, in one transaction.
"""

from django.contrib.auth.base_user import AbstractBaseUser as User
from django.db import transaction
from django.utils import timezone

from options.identity.roles import EDITOR, SAFETY_OFFICER, role_held
from options.rules import RuleError

from .audit import event_record, user_or_none
from .content import content_digest, ruleset_digest, ruleset_snapshot
from .guards import state_change
from .models import Publication, Review, Rule, RuleSet
from .notifications import governance_notify
from .scenarios.diff import code_lists_diff, documents_diff, expectation_changes, rules_diff
from .scenarios.expectations import expectations_complete
from .scenarios.impact import ruleset_impact
from .scenarios.regression import ruleset_test
from .selectors import ruleset_compile
from .services import PublishRefused, ruleset_make_current

__all__ = ["GovernanceRefused", "publication_follow_up", "ruleset_approve",
           "ruleset_authors", "ruleset_discard", "ruleset_publish", "ruleset_return",
           "ruleset_rollback", "ruleset_submit", "ruleset_withdraw"]


class GovernanceRefused(PublishRefused):
    """An action the rules of governance do not allow (role, author, state, reason)."""


def _refuse(action, by, ruleset, message, failures=()):
    event_record(action=action, by=by, ruleset=ruleset, outcome="refused", detail=message)
    raise GovernanceRefused(message, failures)


def _holds(by, *roles):
    return by is not None and any(role_held(by, role) for role in roles)


def _require(action, by, ruleset, *, roles, state, text=None, text_name="reason"):
    """Refuse (audited) unless `by` holds a role, the ruleset is in `state`, text is given."""
    ruleset.refresh_from_db()  # the caller's copy may be older than the last step
    if not _holds(by, *roles):
        names = " or ".join(role.group for role in roles)
        _refuse(action, by, ruleset, f"only a {names} may do this")
    if ruleset.state != state:
        _refuse(action, by, ruleset, f"{ruleset.version} is "
                f"{ruleset.get_state_display().lower()}, not "
                f"{dict(RuleSet.STATE_CHOICES)[state].lower()}")
    if text is not None and not text.strip():
        _refuse(action, by, ruleset, f"{text_name}: say why")


def _gate(action, by, ruleset):
    """Refuse unless the engine runs the ruleset and it passes its own expectations."""
    try:
        ruleset_compile(ruleset)
    except RuleError as error:
        _refuse(action, by, ruleset, f"the engine cannot run {ruleset.version}: {error}")
    outcome = ruleset_test(ruleset=ruleset)
    if outcome.failures:
        codes = ", ".join(check.scenario.code for check in outcome.failures)
        _refuse(action, by, ruleset,
                f"{len(outcome.failures)} scenario(s) fail against {ruleset.version}'s own "
                f"expectations: {codes}", outcome.failures)
    return outcome


def _current_base(action, by, ruleset):
    """Refuse a draft made from a ruleset that is no longer live: publishing it would undo
    the change published since, which nobody reviewed as part of it."""
    live = RuleSet.objects.filter(state=RuleSet.PUBLISHED).first()
    if live is not None and ruleset.based_on_id is not None and ruleset.based_on_id != live.pk:
        _refuse(action, by, ruleset, f"{ruleset.version} was made from "
                f"{ruleset.based_on.version}, but {live.version} is live now: make a new draft "
                f"from {live.version} and carry this change into it")


def _locked(ruleset, state):
    locked = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
    if locked.state != state:
        raise GovernanceRefused(f"{locked.version} changed state meanwhile: it is now "
                                f"{locked.get_state_display().lower()}")
    return locked


def _stamp(ruleset, by, reason):
    ruleset._history_user = user_or_none(by)
    ruleset._change_reason = reason[:100]


def _state_save(ruleset, state, by, reason):
    ruleset.state = state
    _stamp(ruleset, by, reason)
    with state_change():
        ruleset.save()


def _same_content(action, by, ruleset, digest, what):
    """Refuse unless the ruleset holds exactly the content of `digest` (what was submitted,
    approved or first published); return its digest."""
    current = ruleset_digest(ruleset)
    if current != digest:
        _refuse(action, by, ruleset, f"{ruleset.version}'s rules, documents, code lists or "
                f"expectations are not those {what}: nothing was done; make a new draft and "
                "submit it for review")
    return current


def _impact_figures(draft):
    published = RuleSet.objects.filter(state=RuleSet.PUBLISHED).first()
    if published is None:
        return {}
    return ruleset_impact(draft=draft, published=published).figures()


def ruleset_submit(*, ruleset: RuleSet, by: User, summary: str) -> Review:
    """Submit a draft for review with a summary; its rules and expectations then freeze."""
    _require("submit", by, ruleset, roles=(EDITOR,), state=RuleSet.DRAFT, text=summary,
             text_name="summary")
    _current_base("submit", by, ruleset)
    _gate("submit", by, ruleset)
    with transaction.atomic():
        ruleset = _locked(ruleset, RuleSet.DRAFT)
        expectations_complete(ruleset)
        content = ruleset_snapshot(ruleset)  # kept, to show the next round what changed
        review = Review(ruleset=ruleset, submitted_by=user_or_none(by), summary=summary.strip(),
                        rules_diff=rules_diff(ruleset), documents_diff=documents_diff(ruleset),
                        code_lists_diff=code_lists_diff(ruleset),
                        impact=_impact_figures(ruleset),
                        expectation_changes=expectation_changes(ruleset),
                        content=content, content_digest=content_digest(content))
        review.full_clean()
        review.save()
        _state_save(ruleset, RuleSet.IN_REVIEW, by, "submitted for review")
        event_record(action="submit", by=by, ruleset=ruleset, detail=review.summary)
        governance_notify(action="submit", ruleset=ruleset, by=by, text=review.summary)
    return review


def ruleset_authors(ruleset: RuleSet) -> set:
    """Return the ids of everyone who made, changed or submitted this draft."""
    ids = {ruleset.created_by_id}
    ids |= set(Rule.history.filter(ruleset_id=ruleset.pk).values_list("history_user_id",
                                                                       flat=True))
    ids |= set(ruleset.expectation_changes.values_list("by_id", flat=True))
    ids |= set(ruleset.reviews.values_list("submitted_by_id", flat=True))
    return ids - {None}


def _pending_review(ruleset):
    return ruleset.reviews.filter(outcome=Review.PENDING).order_by("-submitted_at").first()


def _answer(action, *, ruleset, by, comment, outcome, state):
    _require(action, by, ruleset, roles=(SAFETY_OFFICER,), state=RuleSet.IN_REVIEW)
    if by.pk in ruleset_authors(ruleset):
        _refuse(action, by, ruleset, f"{by.get_username()} made or changed {ruleset.version}: "
                "the author of a draft can never review it; another clinical safety officer "
                "must")
    # Approval, like a return, says why: the record shows what the second person checked.
    if not (comment or "").strip():
        _refuse(action, by, ruleset, "comment: say what you checked, or why it goes back")
    if outcome == Review.APPROVED:
        _same_content(action, by, ruleset, _pending_review(ruleset).content_digest,
                      "submitted for review")
    with transaction.atomic():
        ruleset = _locked(ruleset, RuleSet.IN_REVIEW)
        review = _pending_review(ruleset)
        review.outcome, review.reviewer = outcome, by
        review.reviewed_at, review.comment = timezone.now(), (comment or "").strip()
        review.save()
        _state_save(ruleset, state, by, f"review: {outcome}")
        event_record(action=action, by=by, ruleset=ruleset, detail=review.comment)
        governance_notify(action=action, ruleset=ruleset, by=by, text=review.comment)
    return review


def ruleset_approve(*, ruleset: RuleSet, by: User, comment: str) -> Review:
    """Approve a submitted draft as its second person, saying what was checked; refused to
    anyone who authored it, and without a comment."""
    return _answer("approve", ruleset=ruleset, by=by, comment=comment,
                   outcome=Review.APPROVED, state=RuleSet.APPROVED)


def ruleset_return(*, ruleset: RuleSet, by: User, comment: str) -> Review:
    """Return a submitted draft to its author with a comment; it becomes editable again."""
    return _answer("return", ruleset=ruleset, by=by, comment=comment,
                   outcome=Review.RETURNED, state=RuleSet.DRAFT)


def ruleset_withdraw(*, ruleset: RuleSet, by: User, reason: str) -> Review:
    """Withdraw one's own submitted draft from review, with a reason; it is a draft again."""
    _require("withdraw", by, ruleset, roles=(EDITOR,), state=RuleSet.IN_REVIEW, text=reason)
    pending = _pending_review(ruleset)
    if pending is None or pending.submitted_by_id != by.pk:
        _refuse("withdraw", by, ruleset, f"only whoever submitted {ruleset.version} may "
                "withdraw it; a safety officer returns it instead")
    with transaction.atomic():
        ruleset = _locked(ruleset, RuleSet.IN_REVIEW)
        review = _pending_review(ruleset)
        review.outcome, review.comment = Review.WITHDRAWN, reason.strip()
        review.save()
        _state_save(ruleset, RuleSet.DRAFT, by, "withdrawn from review")
        event_record(action="withdraw", by=by, ruleset=ruleset, detail=review.comment)
        governance_notify(action="withdraw", ruleset=ruleset, by=by, text=review.comment)
    return review


def ruleset_discard(*, ruleset: RuleSet, by: User, reason: str) -> RuleSet:
    """Give up a draft, with a reason: it is kept, read-only, never submitted or published."""
    _require("discard", by, ruleset, roles=(EDITOR,), state=RuleSet.DRAFT, text=reason)
    with transaction.atomic():
        ruleset = _locked(ruleset, RuleSet.DRAFT)
        _state_save(ruleset, RuleSet.DISCARDED, by, "discarded")
        event_record(action="discard", by=by, ruleset=ruleset, detail=reason.strip())
    return ruleset


def ruleset_publish(*, ruleset: RuleSet, by: User) -> Publication:
    """Publish an approved draft, recording author, reviewer, reasons and impact now."""
    _require("publish", by, ruleset, roles=(EDITOR, SAFETY_OFFICER), state=RuleSet.APPROVED)
    _current_base("publish", by, ruleset)
    review = ruleset.reviews.filter(outcome=Review.APPROVED).order_by("-reviewed_at").first()
    if review is None:
        _refuse("publish", by, ruleset, f"{ruleset.version} has no approved review")
    digest = _same_content("publish", by, ruleset, review.content_digest,
                           f"{review.reviewer} approved")
    outcome = _gate("publish", by, ruleset)
    with transaction.atomic():
        ruleset = _locked(ruleset, RuleSet.APPROVED)
        figures = _impact_figures(ruleset)
        replaced = RuleSet.objects.filter(state=RuleSet.PUBLISHED).first()
        ruleset_make_current(ruleset, by, "published (reviewed)", digest=digest,
                             replaces=ruleset.based_on_id)
        publication = Publication.objects.create(
            ruleset=ruleset, kind=Publication.REVIEWED, published_by=user_or_none(by),
            author=review.submitted_by, reviewer=review.reviewer, review=review,
            reasons=f"{review.summary}\n\nReview: {review.comment or 'approved'}",
            impact=figures, scenarios_passed=len(outcome.checks), content_digest=digest,
            replaced_version=replaced.version if replaced else "")
        event_record(action="publish", by=by, ruleset=ruleset,
                     detail=f"author {review.submitted_by}, reviewer {review.reviewer}")
        governance_notify(action="publish", ruleset=ruleset, by=by, text=publication.reasons)
    return publication


def ruleset_rollback(*, ruleset: RuleSet, by: User, reason: str) -> Publication:
    """Put a ruleset that was live before back in use, alone, in an emergency.

    Refused unless it passes the expectations it was published with; flagged for a safety
    officer's follow-up.
    """
    _require("rollback", by, ruleset, roles=(EDITOR, SAFETY_OFFICER), state=RuleSet.RETIRED,
             text=reason)
    if not ruleset.publications.exists() and ruleset.published_at is None:
        _refuse("rollback", by, ruleset, f"{ruleset.version} was never live")
    digest = (_same_content("rollback", by, ruleset, ruleset.content_digest, "first published")
              if ruleset.content_digest else ruleset_digest(ruleset))
    outcome = _gate("rollback", by, ruleset)
    with transaction.atomic():
        ruleset = _locked(ruleset, RuleSet.RETIRED)
        replaced = RuleSet.objects.filter(state=RuleSet.PUBLISHED).first()
        figures = _impact_figures(ruleset)
        ruleset_make_current(ruleset, by, "emergency rollback", digest=digest)
        publication = Publication.objects.create(
            ruleset=ruleset, kind=Publication.EMERGENCY, published_by=user_or_none(by),
            reasons=reason.strip(), impact=figures, scenarios_passed=len(outcome.checks),
            replaced_version=replaced.version if replaced else "", needs_review=True,
            content_digest=digest)
        event_record(action="rollback", by=by, ruleset=ruleset, detail=reason.strip())
        governance_notify(action="rollback", ruleset=ruleset, by=by, text=reason.strip())
    return publication


def publication_follow_up(*, publication: Publication, by: User, comment: str) -> Publication:
    """Record a safety officer's follow-up of an emergency rollback; clears its flag."""
    ruleset = publication.ruleset
    if not _holds(by, SAFETY_OFFICER):
        _refuse("follow_up", by, ruleset, f"only a {SAFETY_OFFICER.group} may do this")
    if not publication.needs_review:
        _refuse("follow_up", by, ruleset, "this publication is not waiting for follow-up")
    if publication.published_by_id == by.pk:
        _refuse("follow_up", by, ruleset, "the person who rolled back cannot follow it up")
    if not (comment or "").strip():
        _refuse("follow_up", by, ruleset, "comment: say what was found")
    with transaction.atomic():
        publication.needs_review = False
        publication.followed_up_by, publication.followed_up_at = by, timezone.now()
        publication.follow_up_comment = comment.strip()
        publication.save()
        event_record(action="follow_up", by=by, ruleset=ruleset, detail=comment.strip())
    return publication
