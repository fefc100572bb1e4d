"""A ruleset's review read as a conversation: its status in words, then each submission,
answer, withdrawal, discard and publication, oldest first; and what changed between one
submission and the one before it.

Read only. Submissions and answers come from the Review rows, withdrawals and discards from
the governance audit (who and when; the reason is in both), publications from theirs.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator

from .models import Publication, Review, RuleSet
from .scenarios.diff import content_compare

__all__ = ["Step", "review_changes_since", "review_conversation", "review_latest_note",
           "review_status", "reviews_told"]

# kind -> how the step is headed, with the name of who took it
HEADINGS = {
    "submitted": "Submitted for review by {who}",
    "approved": "Approved by {who}",
    "returned": "Returned to the author by {who}",
    "withdrawn": "Withdrawn from review by {who}",
    "discarded": "Discarded by {who}",
    Publication.REVIEWED: "Published by {who}",
    Publication.INITIAL: "Published at installation",
    Publication.EMERGENCY: "Put back in use by {who} (emergency rollback)",
    "followed_up": "Emergency rollback followed up by {who}",
}


@dataclass(frozen=True)
class Step:
    """One turn of the conversation: what was done, by whom, when, and what they wrote."""

    kind: str
    who: str
    at: datetime.datetime | None
    text: str = ""

    @property
    def heading(self):
        return HEADINGS[self.kind].format(who=self.who)


def reviews_told():
    """Return reviews with who and what was said, without their diffs and content (a
    submission's content is some 100 kB)."""
    return Review.objects.select_related("submitted_by", "reviewer").defer(
        "content", "rules_diff", "documents_diff", "code_lists_diff", "expectation_changes",
        "impact")


def _name(user):
    return user.get_username() if user is not None else "a command run on the server"


def _day(at):
    return date_format(timezone.localtime(at), "j M Y") if at else "a date not recorded"


def _events(ruleset, action):
    return list(ruleset.events.filter(action=action, outcome="ok").select_related("by")
                .order_by("at", "id"))


def _review_steps(review, withdrawals):
    steps = [Step("submitted", _name(review.submitted_by), review.submitted_at, review.summary)]
    if review.outcome in (Review.APPROVED, Review.RETURNED):
        steps.append(Step(review.outcome, _name(review.reviewer), review.reviewed_at,
                          review.comment))
    elif review.outcome == Review.WITHDRAWN:
        # Each withdrawal wrote one audit row, in the same transaction, in the same order.
        event = withdrawals.pop(0) if withdrawals else None
        steps.append(Step("withdrawn", _name(event.by if event else review.submitted_by),
                          event.at if event else None, review.comment))
    return steps


def _publication_steps(publication):
    steps = [Step(publication.kind, _name(publication.published_by), publication.published_at,
                  "" if publication.kind == Publication.REVIEWED else publication.reasons)]
    if publication.followed_up_at:
        steps.append(Step("followed_up", _name(publication.followed_up_by),
                          publication.followed_up_at, publication.follow_up_comment))
    return steps


def review_conversation(ruleset: RuleSet) -> list[Step]:
    """Return every step of the ruleset's review, oldest first (in the order they can happen:
    submissions and their answers, then a discard or the publications)."""
    withdrawals = _events(ruleset, "withdraw")
    steps = []
    for review in reviews_told().filter(ruleset=ruleset).order_by("submitted_at", "id"):
        steps += _review_steps(review, withdrawals)
    steps += [Step("discarded", _name(event.by), event.at, event.detail)
              for event in _events(ruleset, "discard")]
    for publication in ruleset.publications.select_related(
            "published_by", "followed_up_by").order_by("published_at", "id"):
        steps += _publication_steps(publication)
    return steps


def review_status(ruleset: RuleSet, steps: list[Step]) -> str:
    """Say in words where the ruleset's review stands now."""
    last = steps[-1] if steps else None
    kind = last.kind if last else None
    if ruleset.state == RuleSet.DRAFT and kind == "returned":
        return (f"Returned to its author by {last.who} on {_day(last.at)}: change what the "
                "comment asks, then submit it again.")
    if ruleset.state == RuleSet.DRAFT and kind == "withdrawn":
        return (f"Withdrawn from review by {last.who} on {_day(last.at)}: a draft again, to "
                "change and submit again.")
    if ruleset.state == RuleSet.DRAFT:
        return "Not yet submitted for review."
    if ruleset.state == RuleSet.IN_REVIEW and kind == "submitted":
        return (f"Submitted by {last.who} on {_day(last.at)}: waiting for a clinical safety "
                "officer's review.")
    if ruleset.state == RuleSet.APPROVED and kind == "approved":
        return f"Approved by {last.who} on {_day(last.at)}: it may be published."
    if ruleset.state == RuleSet.DISCARDED and kind == "discarded":
        return f"Discarded by {last.who} on {_day(last.at)}: kept for the record."
    return f"{ruleset.get_state_display()}."


def review_latest_note(ruleset: RuleSet) -> str:
    """Say in a line what last happened to the ruleset's review, for the ruleset list; reads
    the reviews alone (prefetch them), newest first."""
    reviews = list(ruleset.reviews.all())
    if not reviews or ruleset.state not in (RuleSet.DRAFT, RuleSet.IN_REVIEW,
                                            RuleSet.APPROVED):
        return ""
    review = max(reviews, key=lambda row: (row.submitted_at, row.pk))
    words = Truncator(review.comment).words(12)
    if review.outcome == Review.RETURNED:
        return f"Returned by {_name(review.reviewer)} on {_day(review.reviewed_at)}: {words}"
    if review.outcome == Review.WITHDRAWN:
        return f"Withdrawn from review by {_name(review.submitted_by)}: {words}"
    if review.outcome == Review.APPROVED:
        return f"Approved by {_name(review.reviewer)} on {_day(review.reviewed_at)}"
    return f"Submitted by {_name(review.submitted_by)} on {_day(review.submitted_at)}"


@dataclass(frozen=True)
class ChangesSince:
    """What changed between a submission and the one before it; `changes` is None when
    either was stored before each submission's content was kept."""

    previous: Review
    changes: dict | None

    @property
    def count(self):
        return sum(len(self.changes[key]) for key in self.changes) if self.changes else 0


def review_changes_since(review: Review) -> ChangesSince | None:
    """Return what changed since the submission before `review`, or None for a first one."""
    previous = (review.ruleset.reviews.select_related("reviewer", "submitted_by")
                .filter(submitted_at__lt=review.submitted_at).order_by("-submitted_at", "-id")
                .defer("rules_diff", "documents_diff", "code_lists_diff",
                       "expectation_changes", "impact").first())
    if previous is None:
        return None
    if previous.content is None or review.content is None:
        return ChangesSince(previous, None)
    return ChangesSince(previous, content_compare(previous.content, review.content))
