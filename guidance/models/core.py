from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from options import vocab
from options.choices import choices
from options.rules import Parser, RuleError, compile_rule
from options.validation import AssessmentInvalid, validate_assessment

from ..engine_rules import define_conditions, engine_rule_from_row

OPTION_CHOICES = [("", "All options (global)"), *choices(vocab.OPTIONS)]


class GuidanceDocument(models.Model):
    """One piece of guidance (for example NICE TA265) as one ruleset cites it.

    Each ruleset holds its own copy of every document it cites: a title, address or
    "replaced by" changes in a draft, is reviewed with it and reaches clinicians only when it
    is published, and a rollback brings back the documents it was published with.
    """

    ruleset = models.ForeignKey("RuleSet", on_delete=models.CASCADE, related_name="documents")
    code = models.CharField(max_length=20, help_text='For example "TA265".')
    title = models.CharField(max_length=300)
    url = models.URLField(blank=True)
    publisher = models.CharField(max_length=100, default="NICE")
    published = models.DateField(null=True, blank=True)
    last_reviewed = models.DateField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    evidence_note = models.TextField(blank=True)
    replaced_by = models.CharField(
        max_length=20, blank=True,
        help_text='The code of the document that replaced this one (CG75 by "NG234"); '
                  "clinicians see the fact beside each citation.")
    version = models.PositiveIntegerField(
        default=1, help_text="Raised by each change (guidance.services.document_update); "
                             "each consultation keeps the citation as it was shown.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["ruleset", "code"], name="unique_document_code"),
        ]

    def __str__(self):
        return self.code

    @property
    def review_overdue(self):
        """True when the next review date has passed."""
        return self.next_review_due is not None and self.next_review_due < timezone.localdate()


class RuleSet(models.Model):
    """One version of the whole body of rules; at most one is published and in use."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    PUBLISHED = "published"
    RETIRED = "retired"
    # A draft its editor gave up, with a reason: kept, read-only, never submitted or published.
    DISCARDED = "discarded"
    STATE_CHOICES = [(DRAFT, "Draft"), (IN_REVIEW, "Submitted for review"),
                     (APPROVED, "Approved"), (PUBLISHED, "Published"), (RETIRED, "Retired"),
                     (DISCARDED, "Discarded")]

    version = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=STATE_CHOICES, default=DRAFT)
    notes = models.TextField(blank=True)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="derived"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rulesets_created",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rulesets_published",
    )
    lock_version = models.PositiveIntegerField(default=0)
    content_digest = models.CharField(
        max_length=64, blank=True, editable=False,
        help_text="SHA-256 of the rules, documents, code lists and expectations, stamped when "
                  "first published: the version names this content and no other.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("review_ruleset", "Approve or return a draft submitted for review")]
        constraints = [
            models.UniqueConstraint(
                fields=["state"],
                condition=Q(state="published"),
                name="one_published_ruleset",
            ),
        ]

    def __str__(self):
        return f"{self.version} ({self.get_state_display().lower()})"

    def read_only_reason(self):
        """Say why this ruleset's rules cannot change now, and what to do instead."""
        if self.state in (self.IN_REVIEW, self.APPROVED):
            return (f"{self.version} is {self.get_state_display().lower()}: its rules cannot "
                    "change unless the reviewer returns it, or in a new draft")
        return (f"{self.version} is {self.state} and never changes: make a new draft from it "
                "to change its rules")


class Rule(models.Model):
    """One clinical rule in a ruleset: when its condition holds, its effect applies."""

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules")
    code = models.CharField(max_length=40, help_text='Stable code, e.g. "DMAB-TA265-02".')
    option = models.CharField(max_length=20, blank=True, choices=OPTION_CHOICES)
    effect = models.CharField(max_length=20, choices=choices(vocab.RULE_EFFECTS))
    status = models.CharField(max_length=20, blank=True, choices=choices(vocab.STATUSES))
    priority = models.IntegerField(default=100)
    condition = models.JSONField(default=dict, blank=True)
    guidance = models.ForeignKey(GuidanceDocument, on_delete=models.PROTECT, related_name="rules")
    section = models.CharField(max_length=100, blank=True)
    text = models.TextField(help_text="What the clinician reads.")
    patient_text = models.TextField(blank=True)
    alert_code = models.CharField(max_length=40, blank=True)
    alert_severity = models.CharField(
        max_length=10, blank=True, choices=choices(vocab.ALERT_SEVERITIES)
    )
    defines = models.CharField(
        max_length=60, blank=True, help_text="The derived fact a define rule provides."
    )
    temporary = models.BooleanField(
        default=False,
        help_text="A safety stop that lifts once its cause is corrected (calcium, an unhealed "
                  "wound): shown as \"not now\", with this rule's text as what must happen first.")
    bonecare_default = models.BooleanField(
        "BoneCare default",
        default=False,
        help_text="BoneCare's own choice where the cited guidance is silent or unclear (an open "
                  "question awaiting clinical sign-off): clinicians see it labelled as "
                  "BoneCare's default, never as NICE's.")
    editor_note = models.TextField(
        blank=True,
        help_text="For guidance editors only (open questions, sources to re-check); never shown "
                  "to clinicians or patients.")
    lock_version = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["option", "effect", "priority", "code"]
        constraints = [
            models.UniqueConstraint(fields=["ruleset", "code"], name="unique_rule_code"),
        ]

    def __str__(self):
        return self.code

    def clean(self):
        """Run the engine's parser, so a mistake shows beside the field at fault."""
        super().clean()
        if self.guidance_id is None or self.ruleset_id is None:
            return
        if self.ruleset.state != RuleSet.DRAFT:
            raise ValidationError(f"Ruleset {self.ruleset.read_only_reason()}.")
        if self.guidance.ruleset_id != self.ruleset_id:
            raise ValidationError({"guidance": f"Choose {self.guidance.code} as "
                                   f"{self.ruleset.version} holds it: a rule cites the "
                                   "documents of its own ruleset."})
        others = Rule.objects.filter(ruleset=self.ruleset)
        others = others.exclude(pk=self.pk) if self.pk is not None else others
        parser = Parser(derived=define_conditions(others))
        try:
            compile_rule(engine_rule_from_row(self), parser)
        except RuleError as error:
            field = "condition" if error.field.startswith("condition") else error.field
            if field not in {f.name for f in self._meta.fields}:
                field = None
            message = f"{error.field}: {error.message}" if field == "condition" else (
                error.message)
            raise ValidationError({field: message} if field else message) from error


class Scenario(models.Model):
    """One worked clinical case with the advice the ruleset is expected to give."""

    SOURCE_CHOICES = [("shared", "Shared clinical scenarios"), ("editor", "Guidance editor"),
                      ("threshold", "Safety threshold bracket")]

    code = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    assessment = models.JSONField()
    expected = models.JSONField(help_text="Option -> expected status.")
    expected_hold = models.JSONField(default=list, blank=True)
    expected_alerts = models.JSONField(default=list, blank=True)
    expected_scores = models.JSONField(default=dict, blank=True)
    expected_missing = models.JSONField(
        default=dict, blank=True,
        help_text="Option -> input paths that must be listed as missing (an empty list: none "
                  "of pregnancy or renal function may be asked).")
    expected_derived = models.JSONField(
        default=dict, blank=True, help_text="Derived value -> what BoneCare must calculate.")
    source = models.CharField(max_length=10, choices=SOURCE_CHOICES, default="editor")
    expectation_note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code

    def clean(self):
        """Check the assessment with the contract validator and the expectations' vocabulary."""
        super().clean()
        errors = {}
        if self.assessment is not None:
            try:
                validate_assessment(self.assessment)
            except AssessmentInvalid as error:
                errors["assessment"] = [f"{e['path'] or '(assessment)'}: {e['message']}"
                                        for e in error.errors]
        errors.update(expectation_errors(self))
        if errors:
            raise ValidationError(errors)


def expectation_errors(scenario):
    """Return {field: [messages]} for expectations outside the vocabulary."""
    errors = {}
    expected = scenario.expected
    if not isinstance(expected, dict) or not expected:
        errors["expected"] = ["must map at least one option to its expected status"]
    else:
        errors["expected"] = [
            f"{option}: {status!r} is not a status; allowed: {', '.join(vocab.STATUSES)}"
            if option in vocab.OPTIONS else f"{option}: not an option"
            for option, status in expected.items()
            if option not in vocab.OPTIONS or status not in vocab.STATUSES
        ]
    hold = scenario.expected_hold
    if not isinstance(hold, list) or any(option not in vocab.OPTIONS for option in hold):
        errors["expected_hold"] = [f"must list options from {', '.join(vocab.OPTIONS)}"]
    alerts = scenario.expected_alerts
    if not isinstance(alerts, list) or any(not isinstance(code, str) for code in alerts):
        errors["expected_alerts"] = ["must be a list of alert codes"]
    return {name: messages for name, messages in errors.items() if messages}
