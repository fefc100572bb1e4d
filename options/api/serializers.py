"""Serializers named by direction. Input ones only DOCUMENT the contract for the schema:
every assessment is validated by options.validation.validate_assessment, never here."""

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from options import vocab
from options.validation import (
    MAX_LESIONS,
    MAX_PRIOR_TREATMENTS,
    PATIENT_REF_MAX_LENGTH,
    PATIENT_REF_PATTERN,
)

# --- Input: the assessment contract (shared/spec/assessment.md) -------------------------

SPINAL_SITES = ("spine",)
SACRAL_SITES = ("sacrum",)
FLAT_BONE_SITES = ("pelvis", "other")


def _choice(values, **kwargs):
    return serializers.ChoiceField(choices=list(values), **kwargs)


def _optional_choice(values):
    return _choice(values, required=False, allow_null=True)


def _optional_bool():
    return serializers.BooleanField(required=False, allow_null=True)


class _LesionCommon(serializers.Serializer):
    lesion_type = _choice(vocab.LESION_TYPES)
    pain = _choice(vocab.PAINS, help_text="mechanical: worse on movement or loading")


class SpinalLesionInputSerializer(_LesionCommon):
    """A vertebral lesion: the SINS findings are required."""

    site = _choice(SPINAL_SITES)
    level = _choice(vocab.SPINE_LEVELS)
    collapse = _choice(vocab.COLLAPSES)
    alignment = _choice(vocab.ALIGNMENTS)
    posterolateral = _choice(vocab.POSTEROLATERALS)
    retropulsion = _optional_bool()


class LongBoneLesionInputSerializer(_LesionCommon):
    """A long-bone lesion: the Mirels cortical involvement is required."""

    site = _choice(vocab.LONG_BONE_SITES)
    cortical_involvement = _choice(vocab.CORTICAL_INVOLVEMENTS)
    fracture = _optional_bool()


class SacralLesionInputSerializer(_LesionCommon):
    site = _choice(SACRAL_SITES)
    level = _optional_choice(vocab.SACRAL_LEVELS)
    fracture = _optional_bool()


class FlatBoneLesionInputSerializer(_LesionCommon):
    """Pelvis, or other bones (ribs, skull, sternum, scapula)."""

    site = _choice(FLAT_BONE_SITES)
    fracture = _optional_bool()


def _variants(groups):
    return {value: serializer for values, serializer in groups for value in values}


def _lesions():
    return PolymorphicProxySerializer(
        component_name="LesionInput",
        serializers=_variants([
            (SPINAL_SITES, SpinalLesionInputSerializer),
            (vocab.LONG_BONE_SITES, LongBoneLesionInputSerializer),
            (SACRAL_SITES, SacralLesionInputSerializer),
            (FLAT_BONE_SITES, FlatBoneLesionInputSerializer),
        ]),
        resource_type_field_name="site",
        many=True, required=False, allow_null=True, max_length=MAX_LESIONS,
    )


class PriorTreatmentInputSerializer(serializers.Serializer):
    treatment = _choice(vocab.TREATMENTS)
    response = _choice(vocab.RESPONSES)
    weeks_ago = serializers.IntegerField(min_value=0, max_value=10_000, required=False,
                                         allow_null=True)


class _AssessmentCommon(serializers.Serializer):
    patient_ref = serializers.RegexField(
        PATIENT_REF_PATTERN, min_length=1, max_length=PATIENT_REF_MAX_LENGTH, required=False,
        allow_null=True,
        help_text="The caller's patient reference; a 10-digit NHS number must pass its "
                  "check digit.")
    age_years = serializers.IntegerField(min_value=18, max_value=120, required=False,
                                         allow_null=True)
    treatment_intent = _optional_choice(vocab.TREATMENT_INTENTS)
    mscc_signs = _optional_bool()
    lesions = _lesions()
    prior_treatments = PriorTreatmentInputSerializer(
        many=True, required=False, allow_null=True, max_length=MAX_PRIOR_TREATMENTS)
    creatinine_clearance_ml_min = serializers.FloatField(
        min_value=0, max_value=250, required=False, allow_null=True, help_text="Cockcroft-Gault")
    corrected_calcium_mmol_l = serializers.FloatField(
        min_value=0.5, max_value=5.0, required=False, allow_null=True,
        help_text="albumin-corrected")
    dental_assessment_done = _optional_bool()
    unhealed_oral_lesion = _optional_bool()
    uncorrectable_coagulopathy = _optional_bool()
    active_infection = _optional_bool()
    cement_allergy = _optional_bool()
    pregnant = _optional_bool()


PROSTATE = ("prostate",)
MYELOMA = ("myeloma",)
NO_CANCER = ("none",)
SOLID_CANCERS = tuple(c for c in vocab.CANCER_TYPES if c not in PROSTATE + MYELOMA + NO_CANCER)


class NoCancerAssessmentInputSerializer(_AssessmentCommon):
    cancer_type = _choice(NO_CANCER)
    bone_metastases = _optional_bool()


class SolidCancerAssessmentInputSerializer(_AssessmentCommon):
    cancer_type = _choice(SOLID_CANCERS)
    bone_metastases = serializers.BooleanField()


class ProstateAssessmentInputSerializer(SolidCancerAssessmentInputSerializer):
    cancer_type = _choice(PROSTATE)
    prostate_hormone_status = _choice(vocab.PROSTATE_HORMONE_STATUSES)


class MyelomaAssessmentInputSerializer(SolidCancerAssessmentInputSerializer):
    cancer_type = _choice(MYELOMA)
    myeloma_needs_treatment = serializers.BooleanField(help_text="false for smouldering myeloma")


AssessmentInputSerializer = PolymorphicProxySerializer(
    component_name="AssessmentInput",
    serializers=_variants([
        (SOLID_CANCERS, SolidCancerAssessmentInputSerializer),
        (PROSTATE, ProstateAssessmentInputSerializer),
        (MYELOMA, MyelomaAssessmentInputSerializer),
        (NO_CANCER, NoCancerAssessmentInputSerializer),
    ]),
    resource_type_field_name="cancer_type",
)

# --- Output --------------------------------------------------------------------------------


class ReasonOutputSerializer(serializers.Serializer):
    rule = serializers.CharField(help_text="Stable rule code, e.g. DMAB-TA265-02")
    guidance = serializers.CharField(allow_blank=True)
    section = serializers.CharField(allow_blank=True)
    text = serializers.CharField()


class CriterionOutputSerializer(ReasonOutputSerializer):
    met = serializers.BooleanField(allow_null=True, help_text="null when unknown")


class OptionDecisionOutputSerializer(serializers.Serializer):
    option = _choice(vocab.OPTIONS)
    status = _choice(vocab.STATUSES)
    hold = serializers.BooleanField()
    summary = serializers.CharField()
    reasons = ReasonOutputSerializer(many=True)
    criteria = CriterionOutputSerializer(many=True)
    conditions = serializers.ListField(child=serializers.CharField())
    cautions = serializers.ListField(child=serializers.CharField())
    notes = serializers.ListField(child=serializers.CharField())
    missing = serializers.ListField(child=serializers.CharField(), help_text="field paths")
    lesions = serializers.ListField(child=serializers.IntegerField(min_value=0))


class AlertOutputSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="mscc, unstable_spine, orthopaedic_referral, ...")
    severity = _choice(vocab.ALERT_SEVERITIES)
    text = serializers.CharField()
    guidance = serializers.CharField(allow_blank=True)
    section = serializers.CharField(allow_blank=True)
    rule = serializers.CharField()


class SinsScoreOutputSerializer(serializers.Serializer):
    lesion = serializers.IntegerField(min_value=0)
    sins = serializers.IntegerField(min_value=0, max_value=18)
    sins_band = _choice(vocab.SINS_BANDS)


class MirelsScoreOutputSerializer(serializers.Serializer):
    lesion = serializers.IntegerField(min_value=0)
    mirels = serializers.IntegerField(min_value=4, max_value=12)
    mirels_band = _choice(vocab.MIRELS_BANDS)


class RuleSetVersionOutputSerializer(serializers.Serializer):
    version = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)


class EvaluationOutputSerializer(serializers.Serializer):
    ruleset = RuleSetVersionOutputSerializer()
    options = OptionDecisionOutputSerializer(many=True, help_text="always the five, in order")
    alerts = AlertOutputSerializer(many=True)
    scores = PolymorphicProxySerializer(
        component_name="ScoreOutput",
        serializers=[SinsScoreOutputSerializer, MirelsScoreOutputSerializer],
        resource_type_field_name=None, many=True,
    )


class ConsultationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    patient_ref = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    ruleset_version = serializers.CharField()
    assessment = serializers.DictField(help_text="the assessment as stored (AssessmentInput)")
    result = EvaluationOutputSerializer()


class TreatmentOptionOutputSerializer(serializers.Serializer):
    slug = _choice(vocab.OPTIONS)
    name = serializers.CharField()
    summary = serializers.CharField()
    patient_description = serializers.CharField()


class GuidanceDocumentOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField(allow_blank=True)
    publisher = serializers.CharField()
    published = serializers.DateField(allow_null=True)
    last_reviewed = serializers.DateField(allow_null=True)
    next_review_due = serializers.DateField(allow_null=True)
    review_overdue = serializers.BooleanField()


class RuleSetOutputSerializer(serializers.Serializer):
    version = serializers.CharField()
    title = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    rule_count = serializers.IntegerField(min_value=0)


class ClientOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    scopes = serializers.ListField(child=serializers.CharField())


class ErrorItemOutputSerializer(serializers.Serializer):
    path = serializers.CharField(allow_blank=True, help_text='e.g. "lesions[1].level"')
    message = serializers.CharField()


class ErrorOutputSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    title = serializers.CharField()
    errors = ErrorItemOutputSerializer(many=True)
