"""Serializers named by direction. Input ones only DOCUMENT the contract for the schema:
every assessment is validated by options.validation.validate_assessment, never here."""

from collections.abc import Iterable
from types import ModuleType

from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from options import vocab
from options.validation import PATIENT_REF_MAX_LENGTH, PATIENT_REF_PATTERN

# --- Input: the assessment contract (shared/spec/assessment.md) -------------------------
# Every field, its kind, range, choices, required-ness and where it applies come from the
# engine's vocabulary (options/rules/vocab.py): `assessment_input_serializer` builds the
# serializers from it, so nothing about a field is typed here but its help text.

# A vocabulary fact's kind: ("enum", values), ("bool",), ("number", low, high), ("int", low, high).
Kind = tuple[object, ...]
# What a site's lesion carries: (finding, kind, required) for each finding.
LesionShape = tuple[tuple[str, Kind, bool], ...]
SerializerClass = type[serializers.Serializer]
# Serializers for groups of values of the field that tells them apart: [(values, serializer)].
Variants = list[tuple[tuple[str, ...], SerializerClass]]


def _choice(values: Iterable[str], **kwargs: object) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=list(values), **kwargs)


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
    "pain": "mechanical: worse on movement or loading",
}


def contract_field(name: str, kind: Kind, *, required: bool = False) -> serializers.Field:
    """Return a serializer field for one vocabulary fact (its kind and range)."""
    options = {"required": required, "help_text": _HELP.get(name, "")}
    if not required:
        options["allow_null"] = True
    if kind[0] == "enum":
        return _choice(kind[1], **options)
    if kind[0] == "bool":
        return serializers.BooleanField(**options)
    field = serializers.IntegerField if kind[0] == "int" else serializers.FloatField
    return field(min_value=kind[1], max_value=kind[2], **options)


# Names and descriptions of the lesion variants, by their first site; the variants themselves
# (which sites share which findings) come from the vocabulary.
_LESION_VARIANTS = {
    "spine": ("SpinalLesionInputSerializer", "A vertebral lesion: a SINS finding not "
              "reported is absent, and SINS becomes a range."),
    "upper_limb": ("LongBoneLesionInputSerializer", "A long-bone lesion: cortical "
                   "involvement not reported is absent (Mirels a range)."),
    "sacrum": ("SacralLesionInputSerializer", ""),
    "pelvis": ("FlatBoneLesionInputSerializer",
               "Pelvis, or other bones (ribs, skull, sternum, scapula)."),
}


def _lesion_shape(v: ModuleType, site: str) -> LesionShape:
    """Return what a site's lesion carries: each finding with its choices and required-ness."""
    shape = []
    for name in v.LESION_FIELDS_ENTERED:
        if name != "site" and site in v.LESION_FIELD_SITES[name]:
            choices = v.LESION_FIELD_SITE_CHOICES.get(name, {}).get(site)
            kind = ("enum", choices) if choices else v.LESION_FACTS[name]
            shape.append((name, kind, name in v.REQUIRED_LESION_FIELDS[site]))
    return tuple(shape)


def lesion_input_serializers(v: ModuleType = vocab) -> Variants:
    """Return [(sites, serializer)]: one serializer per group of sites with the same findings."""
    groups = {}
    for site in v.SITES:
        groups.setdefault(_lesion_shape(v, site), []).append(site)
    variants = []
    for shape, sites in groups.items():
        name, doc = _LESION_VARIANTS.get(
            sites[0], (f"{sites[0].title().replace('_', '')}LesionInputSerializer", ""))
        fields = {"site": _choice(sites)}
        fields |= {field: contract_field(field, kind, required=required)
                   for field, kind, required in shape}
        variants.append((tuple(sites), type(name, (serializers.Serializer,), {
            "__module__": __name__, "__doc__": doc or None, **fields})))
    return variants


def _variants(groups: Variants) -> dict[str, SerializerClass]:
    return {value: serializer for values, serializer in groups for value in values}


def _lesions(v: ModuleType, variants: Variants) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name="LesionInput",
        serializers=_variants(variants),
        resource_type_field_name="site",
        many=True, required=False, allow_null=True, max_length=v.MAX_LESIONS,
    )


def prior_treatment_input_serializer(v: ModuleType = vocab) -> SerializerClass:
    """Build the prior-treatment serializer from the vocabulary's prior facts."""
    fields = {name: contract_field(name, kind, required=name in v.REQUIRED_PRIOR_FIELDS)
              for name, kind in v.PRIOR_FACTS.items()}
    return type("PriorTreatmentInputSerializer", (serializers.Serializer,),
                {"__module__": __name__, **fields})


# The cancer types with their own variant: one per cancer-specific fact, "none", and the rest.
_CANCER_VARIANTS = {"prostate": "ProstateAssessmentInputSerializer",
                    "myeloma": "MyelomaAssessmentInputSerializer",
                    "none": "NoCancerAssessmentInputSerializer"}
_CANCER_DOCS = {"OtherCancerAssessmentInputSerializer": "Solid tumours other than prostate, "
                "primary bone cancer, and other blood cancers."}


def _assessment_common(v: ModuleType, lesion_variants: Variants,
                       prior_treatment: SerializerClass) -> dict[str, serializers.Field]:
    """Return the fields every assessment carries: the reference, the facts and the lists."""
    fields = {
        "patient_ref": serializers.RegexField(
            PATIENT_REF_PATTERN, min_length=1, max_length=PATIENT_REF_MAX_LENGTH,
            required=False, allow_null=True,
            help_text="The caller's patient reference; a 10-digit NHS number must pass its "
                      "check digit."),
    }
    fields |= {name: contract_field(name, kind) for name, kind in v.PATIENT_FACTS.items()
               if name != "cancer_type" and name not in v.PATIENT_FIELD_CANCERS}
    fields["lesions"] = _lesions(v, lesion_variants)
    fields["prior_treatments"] = prior_treatment(
        many=True, required=False, allow_null=True, max_length=v.MAX_PRIOR_TREATMENTS)
    return fields


def _cancer_groups(v: ModuleType) -> list[tuple[tuple[str, ...], list[str]]]:
    own = {cancer: [] for cancer in _CANCER_VARIANTS}
    for name, cancer in v.PATIENT_FIELD_CANCERS.items():
        own.setdefault(cancer, []).append(name)
    others = tuple(c for c in v.CANCER_TYPES if c not in own)
    # The group holding the contract's first cancer type (breast) comes first, as it always has.
    return [(others, [])] + [((cancer,), names) for cancer, names in own.items()]


def assessment_input_serializer(v: ModuleType = vocab) -> PolymorphicProxySerializer:
    """Build the AssessmentInput schema (one variant per cancer group) from a vocabulary."""
    # Each component is built once, so that every variant names the same one.
    lesion_variants = lesion_input_serializers(v)
    prior_treatment = prior_treatment_input_serializer(v)
    variants = []
    for cancers, names in _cancer_groups(v):
        name = _CANCER_VARIANTS.get(cancers[0]) if len(cancers) == 1 else None
        name = name or "OtherCancerAssessmentInputSerializer"
        fields = {**_assessment_common(v, lesion_variants, prior_treatment),
                  "cancer_type": _choice(cancers)}
        fields |= {field: contract_field(field, v.PATIENT_FACTS[field]) for field in names}
        variants.append((cancers, type(name, (serializers.Serializer,), {
            "__module__": __name__, "__doc__": _CANCER_DOCS.get(name), **fields})))
    return PolymorphicProxySerializer(
        component_name="AssessmentInput",
        serializers=_variants(variants),
        resource_type_field_name="cancer_type",
    )


AssessmentInputSerializer = assessment_input_serializer()

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


def _range(low: int, high: int) -> serializers.ListField:
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
