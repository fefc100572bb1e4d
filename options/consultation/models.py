
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

from .. import vocab
from ..choices import choices

# Assessment fields stored as columns on Consultation, in contract order (spec/assessment.md).
ASSESSMENT_FIELDS = vocab.ASSESSMENT_SCALAR_FIELDS


def contract_dict(instance, field_names):
    """Return the named fields as contract values, leaving out unknown (None) and blank ones."""
    result = {}
    for name in field_names:
        value = getattr(instance, name)
        if value is None or value == "":
            continue
        result[name] = value
    return result


class TreatmentOption(models.Model):
    """One treatment the tool advises on, with the words clinicians and patients see."""

    slug = models.CharField(max_length=20, unique=True, choices=choices(vocab.OPTIONS))
    name = models.CharField(max_length=100)
    display_order = models.PositiveSmallIntegerField()
    summary = models.CharField(max_length=300, help_text="One line for clinicians.")
    patient_description = models.TextField(
        help_text="Plain language: what it is and how it is given or done."
    )

    class Meta:
        ordering = ["display_order"]

    def __str__(self):
        return self.name


class Consultation(models.Model):
    """One assessment of one patient at one time, with the advice given and its ruleset."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
        help_text="Empty when the consultation came through the API.",
    )
    api_client_name = models.CharField(max_length=100, blank=True)
    patient_ref = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )

    age_years = models.PositiveSmallIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=6, blank=True, choices=choices(vocab.SEXES))
    cancer_type = models.CharField(max_length=20, choices=choices(vocab.CANCER_TYPES))
    bone_metastases = models.BooleanField(null=True, blank=True)
    prostate_hormone_status = models.CharField(
        max_length=20, blank=True, choices=choices(vocab.PROSTATE_HORMONE_STATUSES)
    )
    myeloma_needs_treatment = models.BooleanField(null=True, blank=True)
    treatment_intent = models.CharField(
        max_length=20, blank=True, choices=choices(vocab.TREATMENT_INTENTS)
    )
    mscc_signs = models.BooleanField(null=True, blank=True)
    # Floats, as the contract gives them: stored advice must re-derive exactly from them.
    creatinine_clearance_ml_min = models.FloatField(null=True, blank=True)
    serum_creatinine_umol_l = models.FloatField(null=True, blank=True)
    weight_kg = models.FloatField(null=True, blank=True)
    corrected_calcium_mmol_l = models.FloatField(null=True, blank=True)
    dental_assessment_done = models.BooleanField(null=True, blank=True)
    unhealed_oral_lesion = models.BooleanField(null=True, blank=True)
    uncorrectable_coagulopathy = models.BooleanField(null=True, blank=True)
    active_infection = models.BooleanField(null=True, blank=True)
    cement_allergy = models.BooleanField(null=True, blank=True)
    pregnant = models.BooleanField(null=True, blank=True)

    # An empty list is an answer ("no prior treatments"); an absent one is unknown.
    lesions_recorded = models.BooleanField(default=False)
    prior_treatments_recorded = models.BooleanField(default=False)

    result = models.JSONField(help_text="The evaluation result exactly as it was given.")
    citations = models.JSONField(
        default=list, blank=True,
        help_text="Each guidance document the advice cited as it was shown then (code, title, "
                  "address, date, replacement, version): a later edit changes future advice only.")
    ruleset_version = models.CharField(max_length=40)
    ruleset = models.ForeignKey(
        "guidance.RuleSet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Consultation {self.pk} ({self.cancer_type}, {self.created_at:%Y-%m-%d})"

    def to_assessment(self):
        """Return the assessment as the contract dict, omitting unknown and blank fields."""
        assessment = contract_dict(self, ASSESSMENT_FIELDS)
        if self.lesions_recorded:
            assessment["lesions"] = [
                lesion.to_contract() for lesion in self.lesions.all()  # ordered by position
            ]
        if self.prior_treatments_recorded:
            assessment["prior_treatments"] = [
                p.to_contract() for p in self.prior_treatments.all()
            ]
        return assessment


class Lesion(models.Model):
    """One bone lesion considered in a consultation, as described by the clinician."""

    CONTRACT_FIELDS = vocab.LESION_FIELDS_ENTERED

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="lesions")
    position = models.PositiveSmallIntegerField(help_text="Index in the assessment, from 0.")
    site = models.CharField(max_length=20, choices=choices(vocab.SITES))
    level = models.CharField(max_length=3, blank=True, choices=choices(vocab.SPINE_LEVELS))
    lesion_type = models.CharField(max_length=10, choices=choices(vocab.LESION_TYPES))
    pain = models.CharField(max_length=12, choices=choices(vocab.PAINS))
    collapse = models.CharField(max_length=20, blank=True, choices=choices(vocab.COLLAPSES))
    alignment = models.CharField(max_length=12, blank=True, choices=choices(vocab.ALIGNMENTS))
    posterolateral = models.CharField(
        max_length=12, blank=True, choices=choices(vocab.POSTEROLATERALS)
    )
    retropulsion = models.BooleanField(null=True, blank=True)
    cortical_involvement = models.CharField(
        max_length=20, blank=True, choices=choices(vocab.CORTICAL_INVOLVEMENTS)
    )
    fracture = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["consultation", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "position"], name="unique_lesion_position"
            ),
        ]

    def __str__(self):
        return f"{self.site} {self.level}".strip()

    def to_contract(self):
        """Return the lesion as the contract dict, omitting unknown and blank fields."""
        return contract_dict(self, self.CONTRACT_FIELDS)


class PriorTreatment(models.Model):
    """One pain or bone treatment the patient has had, and how well it worked."""

    CONTRACT_FIELDS = vocab.PRIOR_TREATMENT_FIELDS

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="prior_treatments"
    )
    position = models.PositiveSmallIntegerField(help_text="Index in the assessment, from 0.")
    treatment = models.CharField(max_length=20, choices=choices(vocab.TREATMENTS))
    response = models.CharField(max_length=15, choices=choices(vocab.RESPONSES))
    weeks_ago = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["consultation", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "position"], name="unique_prior_treatment_position"
            ),
        ]

    def __str__(self):
        return f"{self.treatment} ({self.response})"

    def to_contract(self):
        """Return the prior treatment as the contract dict, omitting unknown fields."""
        return contract_dict(self, self.CONTRACT_FIELDS)


class EvaluationAudit(models.Model):
    """One evaluation through the pages, the command line or CDS Hooks: who, when, how, and
    whether it succeeded. An API call's evaluation is recorded by its one api.ApiCallAudit row.

    Never clinical content beyond the caller's patient reference.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    channel = models.CharField(max_length=12, choices=choices(vocab.EVALUATION_CHANNELS))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evaluation_audits",
    )
    api_client_name = models.CharField(max_length=100, blank=True)
    endpoint = models.CharField(max_length=200, blank=True)
    patient_ref = models.CharField(max_length=64, blank=True)
    ruleset_version = models.CharField(max_length=40, blank=True)
    outcome = models.CharField(max_length=10, choices=choices(vocab.EVALUATION_OUTCOMES))
    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audits",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.channel} {self.outcome} at {self.created_at:%Y-%m-%d %H:%M}"


class Decision(models.Model):
    """One clinician's decision about one option of the advice given: what they chose to do,
    the rules that advice cited, and why. Recorded from the result page or from CDS Hooks
    feedback; the rule review page counts these rows per rule.

    Rows are only ever added (options.consultation.decisions.decision_record): a change of
    mind is a new row.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    source = models.CharField(max_length=12, choices=choices(vocab.DECISION_SOURCES))
    outcome = models.CharField(max_length=20, choices=choices(vocab.DECISION_OUTCOMES))
    option = models.CharField(max_length=20, choices=choices(vocab.OPTIONS))
    rule_codes = models.JSONField(
        default=list, blank=True, help_text="The codes of the rules the advice cited.")
    ruleset_version = models.CharField(max_length=40)
    advised_status = models.CharField(
        max_length=20, blank=True, choices=choices(vocab.STATUSES),
        help_text="The option's status in the advice the decision was about, where known.")
    followed = models.BooleanField(
        help_text="Whether the decision went with the advice "
                  "(options.consultation.decisions.followed).")
    reason_code = models.CharField(
        max_length=30, blank=True, choices=choices(vocab.DECISION_REASONS))
    reason_text = models.CharField(max_length=300, blank=True)
    comment = models.TextField(blank=True, validators=[MaxLengthValidator(2000)])
    consultation = models.ForeignKey(
        Consultation, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="decisions")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="decisions")
    client_name = models.CharField(max_length=100, blank=True)
    card_uuid = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["option", "created_at"], name="decision_option_time")]

    def __str__(self):
        return f"{self.option} {self.outcome} ({self.source})"

    def clean(self):
        """Check that the outcome belongs to the source and the rule codes are codes."""
        super().clean()
        errors = {}
        allowed = vocab.DECISION_OUTCOMES_BY_SOURCE.get(self.source, ())
        if self.source in vocab.DECISION_OUTCOMES_BY_SOURCE and self.outcome not in allowed:
            errors["outcome"] = (f"{self.outcome!r} is not an outcome for {self.source}; "
                                 f"allowed: {', '.join(allowed)}")
        codes = self.rule_codes
        if not isinstance(codes, list) or not all(
                isinstance(code, str) and code.strip() and len(code) <= 40 for code in codes):
            errors["rule_codes"] = "must be a list of rule codes (text of 1 to 40 characters)"
        if self.source == "cds_hooks" and not self.client_name:
            errors["client_name"] = "required for CDS Hooks feedback: the EHR client's name"
        if errors:
            raise ValidationError(errors)


class DecisionRule(models.Model):
    """The rule that decided the option a decision was about (its `decided_by`): the rule
    review page counts the decision for or against this rule alone."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="rules")
    code = models.CharField(max_length=40, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["decision", "code"], name="unique_decision_rule"),
        ]

    def __str__(self):
        return self.code
