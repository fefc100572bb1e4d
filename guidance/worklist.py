"""What is waiting for one person in the rules console: the first thing each role sees.

A guidance editor sees their own drafts, what came back to them from review, what is waiting
for a reviewer and what is approved and ready to publish; a clinical safety officer sees what
is waiting for their review (never their own drafts, which they may not review) and the
emergency rollbacks waiting for a follow-up they may give (never their own rollbacks).
"""

from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone
from django.utils.dateformat import format as date_format

from options.identity.roles import EDITOR, SAFETY_OFFICER, role_held

from .models import Publication, Review, RuleSet


@dataclass
class Item:
    """One ruleset (or rollback) waiting, with what happened last in words."""

    ruleset: RuleSet
    said: str = ""
    publication: Publication | None = None


@dataclass
class Worklist:
    editor: bool = False
    officer: bool = False
    my_drafts: list[Item] = field(default_factory=list)
    returned: list[Item] = field(default_factory=list)
    in_review: list[Item] = field(default_factory=list)
    approved: list[Item] = field(default_factory=list)
    to_review: list[Item] = field(default_factory=list)
    to_follow_up: list[Item] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any((self.my_drafts, self.returned, self.in_review, self.approved,
                        self.to_review, self.to_follow_up))


def _last_reviews(rulesets):
    """Return {ruleset id: its latest Review} for the rulesets, in one query."""
    latest = {}
    for review in Review.objects.filter(ruleset__in=rulesets).select_related(
            "submitted_by", "reviewer").order_by("ruleset_id", "-submitted_at", "-id"):
        latest.setdefault(review.ruleset_id, review)
    return latest


def _on(moment) -> str:
    return date_format(timezone.localtime(moment), "j M Y") if moment else "a date not recorded"


def _by(user) -> str:
    return user.get_username() if user is not None else "someone no longer listed"


def _editor_items(work, user, open_sets, latest):
    for ruleset in open_sets:
        review = latest.get(ruleset.pk)
        if ruleset.state == RuleSet.DRAFT and review is not None and (
                review.outcome == Review.RETURNED and review.submitted_by_id == user.pk):
            work.returned.append(Item(ruleset, (
                f"Returned by {_by(review.reviewer)} on {_on(review.reviewed_at)}: "
                f"{review.comment}")))
        elif ruleset.state == RuleSet.DRAFT and ruleset.created_by_id == user.pk:
            work.my_drafts.append(Item(ruleset, "Your draft: not yet submitted for review."))
        elif ruleset.state == RuleSet.IN_REVIEW and review is not None:
            work.in_review.append(Item(ruleset, (
                f"Submitted by {_by(review.submitted_by)} on {_on(review.submitted_at)}: "
                "waiting for a clinical safety officer.")))
        elif ruleset.state == RuleSet.APPROVED and review is not None:
            work.approved.append(Item(ruleset, (
                f"Approved by {_by(review.reviewer)} on {_on(review.reviewed_at)}: "
                "ready to publish.")))


def _officer_items(work, user, open_sets, latest):
    from .governance import ruleset_authors

    for ruleset in open_sets:
        review = latest.get(ruleset.pk)
        if ruleset.state == RuleSet.IN_REVIEW and review is not None and (
                user.pk not in ruleset_authors(ruleset)):
            work.to_review.append(Item(ruleset, (
                f"Submitted by {_by(review.submitted_by)} on {_on(review.submitted_at)}.")))
    for publication in Publication.objects.filter(needs_review=True).exclude(
            published_by=user).select_related("ruleset", "published_by"):
        work.to_follow_up.append(Item(publication.ruleset, (
            f"Rolled back by {_by(publication.published_by)} on "
            f"{_on(publication.published_at)}: {publication.reasons}"), publication))


def worklist_for(user: AbstractBaseUser) -> Worklist:
    """Return what is waiting for this person, by what they may do about it."""
    work = Worklist(editor=role_held(user, EDITOR), officer=role_held(user, SAFETY_OFFICER))
    if not (work.editor or work.officer):
        return work
    open_sets = list(RuleSet.objects.filter(state__in=(
        RuleSet.DRAFT, RuleSet.IN_REVIEW, RuleSet.APPROVED)).order_by("-created_at"))
    latest = _last_reviews(open_sets)
    if work.editor:
        _editor_items(work, user, open_sets, latest)
    if work.officer:
        _officer_items(work, user, open_sets, latest)
    return work
