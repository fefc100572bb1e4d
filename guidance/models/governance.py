"""Governance records: each ruleset's own scenario expectations, reviews, publications, audit.

A clinical safety officer reads these to answer: what changed, who wrote it, who checked it,
what it was expected to do to advice, and what it did to the scenarios it was tested against.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from ..actions import action_words, outcome_words
from .core import RuleSet, expectation_errors

USER = settings.AUTH_USER_MODEL
EXPECTATION_FIELDS = ("expected", "expected_hold", "expected_alerts", "expected_scores",
                      "expected_missing", "expected_derived")


def _user_fk(related_name, **extra):
    return models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name=related_name, **extra)


class Expectation(models.Model):
    """What one worked scenario must give under one ruleset version.

    A draft's rows are copied from the ruleset it came from and change only with a reason
    (ExpectationChange); at publish the draft's rows are completed from the scenario library
    and then never change, so a rollback is tested against the expectations it was published
    with.
    """

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="expectations")
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    assessment = models.JSONField()
    expected = models.JSONField()
    expected_hold = models.JSONField(default=list, blank=True)
    expected_alerts = models.JSONField(default=list, blank=True)
    expected_scores = models.JSONField(default=dict, blank=True)
    expected_missing = models.JSONField(default=dict, blank=True)
    expected_derived = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True, help_text="Why the expectation is what it is.")

    class Meta:
        ordering = ["ruleset", "code"]
        constraints = [
            models.UniqueConstraint(fields=["ruleset", "code"], name="unique_expectation_code"),
        ]

    def __str__(self):
        return f"{self.code} under {self.ruleset.version}"

    def clean(self):
        """Check the expectations' vocabulary, as a scenario's."""
        super().clean()
        errors = expectation_errors(self)
        if errors:
            raise ValidationError(errors)

    def values(self):
        """Return the expectation fields as a dict."""
        return {name: getattr(self, name) for name in EXPECTATION_FIELDS}


class ExpectationChange(models.Model):
    """One change of what a scenario must give under a draft: before, after, why, by whom."""

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE,
                                related_name="expectation_changes")
    code = models.CharField(max_length=40)
    before = models.JSONField()
    after = models.JSONField()
    reason = models.TextField()
    by = _user_fk("expectation_changes")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.code} in {self.ruleset.version}"


class Review(models.Model):
    """One submission of a draft for review, and the second person's answer to it."""

    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"
    OUTCOMES = [(PENDING, "Waiting for review"), (APPROVED, "Approved"),
                (RETURNED, "Returned to the author"), (WITHDRAWN, "Withdrawn by the author")]

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="reviews")
    submitted_by = _user_fk("reviews_submitted")
    submitted_at = models.DateTimeField(auto_now_add=True)
    summary = models.TextField(help_text="The author's account of what changed and why.")
    rules_diff = models.JSONField(default=list, blank=True)
    documents_diff = models.JSONField(default=list, blank=True)
    code_lists_diff = models.JSONField(default=list, blank=True)
    expectation_changes = models.JSONField(default=list, blank=True)
    content_digest = models.CharField(
        max_length=64, blank=True,
        help_text="SHA-256 of what was submitted (guidance.content): approving and publishing "
                  "are refused if the draft's content is no longer this.")
    content = models.JSONField(
        null=True, blank=True,
        help_text="What was submitted, as guidance.content's canonical content (its digest is "
                  "content_digest): the next submission is compared with it. Empty for a "
                  "submission made before it was kept.")
    impact = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=10, choices=OUTCOMES, default=PENDING)
    reviewer = _user_fk("reviews_done")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]

    def __str__(self):
        return f"Review of {self.ruleset.version} ({self.outcome})"


class Publication(models.Model):
    """One time a ruleset was put live: who wrote and checked it, why, and its impact then."""

    INITIAL = "initial"
    REVIEWED = "reviewed"
    EMERGENCY = "emergency_rollback"
    KINDS = [(INITIAL, "First ruleset (installation)"), (REVIEWED, "Reviewed and approved"),
             (EMERGENCY, "Emergency rollback")]

    ruleset = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="publications")
    kind = models.CharField(max_length=20, choices=KINDS)
    replaced_version = models.CharField(max_length=40, blank=True)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = _user_fk("publications_made")
    author = _user_fk("publications_authored")
    reviewer = _user_fk("publications_reviewed")
    review = models.ForeignKey(Review, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="publications")
    reasons = models.TextField(blank=True)
    impact = models.JSONField(default=dict, blank=True)
    scenarios_passed = models.PositiveIntegerField(default=0)
    content_digest = models.CharField(max_length=64, blank=True,
                                      help_text="SHA-256 of the content put live.")
    needs_review = models.BooleanField(default=False)
    followed_up_by = _user_fk("publications_followed_up")
    followed_up_at = models.DateTimeField(null=True, blank=True)
    follow_up_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self):
        return f"{self.ruleset.version} {self.kind} at {self.published_at:%Y-%m-%d %H:%M}"


class GovernanceEvent(models.Model):
    """One governance action or refusal (submit, approve, return, publish, rollback, ...)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    by = _user_fk("governance_events")
    action = models.CharField(max_length=30)
    ruleset = models.ForeignKey(RuleSet, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="events")
    outcome = models.CharField(max_length=10, default="ok")
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return (f"{action_words(self.action)} ({outcome_words(self.outcome).lower()}), "
                f"{timezone.localtime(self.at):%d %b %Y %H:%M}")
