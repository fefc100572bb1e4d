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
    """A vertebral lesion: a SINS finding not reported is absent, and SINS becomes a range."""

    site = _choice(SPINAL_SITES)
    level = _choice(vocab.SPINE_LEVELS)
    collapse = _optional_choice(vocab.COLLAPSES)
    alignment = _optional_choice(vocab.ALIGNMENTS)
    posterolateral = _optional_choice(vocab.POSTEROLATERALS)
    retropulsion = _optional_bool()


class LongBoneLesionInputSerializer(_LesionCommon):
    """A long-bone lesion: cortical involvement not reported is absent (Mirels a range)."""

    site = _choice(vocab.LONG_BONE_SITES)
    cortical_involvement = _optional_choice(vocab.CORTICAL_INVOLVEMENTS)
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


# Fields that only one group of cancers carries; the rest are common to every assessment.
_CANCER_SPECIFIC = ("cancer_type", "bone_metastases", "prostate_hormone_status",
                    "myeloma_needs_treatment")
_HELP = {
    "age_years": "adults only",
    "sex": "for Cockcroft-Gault; pregnancy is never asked for male (pregnant: true with "
           "sex: male is refused)",
    "creatinine_clearance_ml_min": "Cockcroft-Gault; when absent it is calculated from age, "
                                   "sex, weight and serum creatinine (never from eGFR)",
    "serum_creatinine_umol_l": "for the Cockcroft-Gault calculation",
    "weight_kg": "for the Cockcroft-Gault calculation",
    "corrected_calcium_mmol_l": "albumin-corrected",
    "bone_metastases": "unknown if absent",
    "prostate_hormone_status": "unknown if absent",
    "myeloma_needs_treatment": "false for smouldering myeloma; unknown if absent",
    "pregnant": "must not be true when sex is male",
}


def contract_field(name, kind):
    """Return an optional serializer field for one vocabulary fact (its kind and range)."""
    options = {"required": False, "allow_null": True, "help_text": _HELP.get(name, "")}
    if kind[0] == "enum":
        return _choice(kind[1], **options)
    if kind[0] == "bool":
        return serializers.BooleanField(**options)
    field = serializers.IntegerField if kind[0] == "int" else serializers.FloatField
    return field(min_value=kind[1], max_value=kind[2], **options)


class _AssessmentBase(serializers.Serializer):
    patient_ref = serializers.RegexField(
        PATIENT_REF_PATTERN, min_length=1, max_length=PATIENT_REF_MAX_LENGTH, required=False,
        allow_null=True,
        help_text="The caller's patient reference; a 10-digit NHS number must pass its "
                  "check digit.")
    lesions = _lesions()
    prior_treatments = PriorTreatmentInputSerializer(
        many=True, required=False, allow_null=True, max_length=MAX_PRIOR_TREATMENTS)


# Every patient fact of the engine's vocabulary, with its kind and range, and none typed here.
_AssessmentCommon = type("_AssessmentCommon", (_AssessmentBase,), {
    "__module__": __name__,
    **{name: contract_field(name, kind) for name, kind in vocab.PATIENT_FACTS.items()
       if name not in _CANCER_SPECIFIC},
})


PROSTATE = ("prostate",)
MYELOMA = ("myeloma",)
NO_CANCER = ("none",)
OTHER_CANCERS = tuple(c for c in vocab.CANCER_TYPES if c not in PROSTATE + MYELOMA + NO_CANCER)


def _specific(name):
    return contract_field(name, vocab.PATIENT_FACTS[name])


class NoCancerAssessmentInputSerializer(_AssessmentCommon):
    cancer_type = _choice(NO_CANCER)
    bone_metastases = _specific("bone_metastases")


class OtherCancerAssessmentInputSerializer(_AssessmentCommon):
    """Solid tumours other than prostate, primary bone cancer, and other blood cancers."""

    cancer_type = _choice(OTHER_CANCERS)
    bone_metastases = _specific("bone_metastases")


class ProstateAssessmentInputSerializer(OtherCancerAssessmentInputSerializer):
    cancer_type = _choice(PROSTATE)
    prostate_hormone_status = _specific("prostate_hormone_status")


class MyelomaAssessmentInputSerializer(OtherCancerAssessmentInputSerializer):
    cancer_type = _choice(MYELOMA)
    myeloma_needs_treatment = _specific("myeloma_needs_treatment")


AssessmentInputSerializer = PolymorphicProxySerializer(
    component_name="AssessmentInput",
    serializers=_variants([
        (OTHER_CANCERS, OtherCancerAssessmentInputSerializer),
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
    patient_text = serializers.CharField(required=False, help_text="plain words, when the rule "
                                                                   "has them")


class CriterionOutputSerializer(ReasonOutputSerializer):
    met = serializers.BooleanField(allow_null=True, help_text="null when unknown")


class OptionDecisionOutputSerializer(serializers.Serializer):
    option = _choice(vocab.OPTIONS)
    status = _choice(vocab.STATUSES)
    hold = serializers.BooleanField()
    summary = serializers.CharField()
    decided_by = serializers.CharField(
        allow_null=True, help_text="the rule that set the final status (a safety rule when it "
                                   "overrode); null for needs_information")
    not_now = ReasonOutputSerializer(
        many=True, help_text="what must happen first (a hold, or a temporary safety stop); "
                             "empty unless the option is 'not now'")
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
    patient_text = serializers.CharField(required=False)


def _range(low, high):
    return serializers.ListField(
        child=serializers.IntegerField(min_value=low, max_value=high), min_length=2,
        max_length=2, required=False, help_text="lowest and highest totals while a finding is "
                                                "not reported")


_POINTS_HELP = "points by component; [low, high] for a finding not reported"


class SinsScoreOutputSerializer(serializers.Serializer):
    lesion = serializers.IntegerField(min_value=0)
    sins = serializers.IntegerField(min_value=0, max_value=18, allow_null=True)
    sins_range = _range(0, 18)
    sins_band = _choice(vocab.SINS_BANDS, required=False,
                        help_text="absent when the range spans two bands")
    points = serializers.DictField(help_text=_POINTS_HELP)


class MirelsScoreOutputSerializer(serializers.Serializer):
    lesion = serializers.IntegerField(min_value=0)
    mirels = serializers.IntegerField(min_value=4, max_value=12, allow_null=True)
    mirels_range = _range(4, 12)
    mirels_band = _choice(vocab.MIRELS_BANDS, required=False,
                          help_text="absent when the range spans two bands")
    points = serializers.DictField(help_text=_POINTS_HELP)


# "from" is a Python keyword, so this serializer is built rather than declared.
DerivedValueOutputSerializer = type("DerivedValueOutputSerializer", (serializers.Serializer,), {
    "__module__": __name__,
    "value": serializers.FloatField(),
    "method": serializers.CharField(help_text="e.g. cockcroft_gault"),
    "from": serializers.ListField(child=serializers.CharField(),
                                  help_text="the assessment fields it was calculated from"),
})


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
    derived = serializers.DictField(
        child=DerivedValueOutputSerializer(),
        help_text="values BoneCare worked out and how, e.g. creatinine_clearance_ml_min")


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
