"""The closed vocabulary of the assessment contract (shared/spec/assessment.md).

Standard library only. This is the one table of the contract's fields: their kinds, ranges,
choices, required-ness and where each applies (site, cancer type, sex). The engine, the
validator (options.validation.contract_validator), the REST API's input serializers and schema
(options.api.serializers.assessment_input_serializer), the consultation form
(options.web.forms.assessment_form_class and its lesion and prior-treatment builders) and the
Django models read it, and so do the CDS Hooks service's FHIR code lists and cards
(guidance.codes, options.cds_hooks.cards); only labels, hints and placement for
people live beside them.
"""

# The options, in the contract's order: the medicines, then the procedures that place cement.
MEDICINES = ("bisphosphonate", "denosumab")
PROCEDURES = ("cementoplasty", "vertebroplasty", "kyphoplasty")
OPTIONS = MEDICINES + PROCEDURES

STATUSES = (
    "recommended",
    "consider",
    "not_recommended",
    "contraindicated",
    "not_applicable",
    "needs_information",
)
ACTIVE_STATUSES = ("recommended", "consider")

CANCER_TYPES = (
    "breast",
    "prostate",
    "myeloma",
    "lung",
    "renal",
    "bladder",
    "thyroid",
    "other_solid",
    "primary_bone",
    "other_haematological",
    "none",
)
SEXES = ("female", "male")
PROSTATE_HORMONE_STATUSES = ("hormone_sensitive", "hormone_relapsed")
TREATMENT_INTENTS = ("curative", "palliative")

SITES = ("spine", "upper_limb", "lower_limb", "peritrochanteric", "pelvis", "sacrum", "other")
LONG_BONE_SITES = ("upper_limb", "lower_limb", "peritrochanteric")
SPINE_LEVELS = (
    tuple(f"C{n}" for n in range(1, 8))
    + tuple(f"T{n}" for n in range(1, 13))
    + tuple(f"L{n}" for n in range(1, 6))
    + tuple(f"S{n}" for n in range(1, 6))
)
SACRAL_LEVELS = tuple(f"S{n}" for n in range(1, 6))
LESION_TYPES = ("lytic", "mixed", "blastic")
PAINS = ("none", "mild", "moderate", "mechanical")
COLLAPSES = ("none", "involvement_over_50", "under_50", "over_50")
ALIGNMENTS = ("normal", "deformity", "subluxation")
POSTEROLATERALS = ("none", "unilateral", "bilateral")
CORTICAL_INVOLVEMENTS = ("under_third", "third_to_two_thirds", "over_two_thirds")

TREATMENTS = (
    "simple_analgesia",
    "opioid",
    "adjuvant_analgesia",
    "radiotherapy",
    "bisphosphonate",
    "denosumab",
    "surgery",
    "cementoplasty",
)
RESPONSES = ("effective", "inadequate", "not_tolerated", "ongoing")

SINS_BANDS = ("stable", "indeterminate", "unstable")
MIRELS_BANDS = ("low", "borderline", "high")

ALERT_SEVERITIES = ("info", "warning", "critical")

# Inputs whose absence never makes an option undecidable: the status stands as the
# eligibility rules set it, and the field is listed as required before starting
# (clinical/rules.md, "Unknown inputs"). In the order they are asked.
SAFETY_FIELDS = (
    "creatinine_clearance_ml_min",
    "corrected_calcium_mmol_l",
    "dental_assessment_done",
    "unhealed_oral_lesion",
    "uncorrectable_coagulopathy",
    "active_infection",
    "cement_allergy",
    "pregnant",
)

# Kinds of fact, as the condition parser checks them: ("enum", values), ("bool",),
# ("number", low, high) or ("int", low, high).
PATIENT_FACTS = {
    "age_years": ("int", 18, 120),
    "sex": ("enum", SEXES),
    "cancer_type": ("enum", CANCER_TYPES),
    "bone_metastases": ("bool",),
    "prostate_hormone_status": ("enum", PROSTATE_HORMONE_STATUSES),
    "myeloma_needs_treatment": ("bool",),
    "treatment_intent": ("enum", TREATMENT_INTENTS),
    "mscc_signs": ("bool",),
    "creatinine_clearance_ml_min": ("number", 0, 250),
    "serum_creatinine_umol_l": ("number", 10, 2000),
    "weight_kg": ("number", 20, 300),
    "corrected_calcium_mmol_l": ("number", 0.5, 5.0),
    "dental_assessment_done": ("bool",),
    "unhealed_oral_lesion": ("bool",),
    "uncorrectable_coagulopathy": ("bool",),
    "active_infection": ("bool",),
    "cement_allergy": ("bool",),
    "pregnant": ("bool",),
}

LESION_FACTS = {
    "site": ("enum", SITES),
    "level": ("enum", SPINE_LEVELS),
    "lesion_type": ("enum", LESION_TYPES),
    "pain": ("enum", PAINS),
    "collapse": ("enum", COLLAPSES),
    "alignment": ("enum", ALIGNMENTS),
    "posterolateral": ("enum", POSTEROLATERALS),
    "retropulsion": ("bool",),
    "cortical_involvement": ("enum", CORTICAL_INVOLVEMENTS),
    "fracture": ("bool",),
    # Computed from the findings, never entered.
    "sins": ("int", 0, 18),
    "sins_band": ("enum", SINS_BANDS),
    "mirels": ("int", 4, 12),
    "mirels_band": ("enum", MIRELS_BANDS),
}

PRIOR_FACTS = {
    "treatment": ("enum", TREATMENTS),
    "response": ("enum", RESPONSES),
    "weeks_ago": ("int", 0, 10_000),
}
REQUIRED_PRIOR_FIELDS = ("treatment", "response")

# Patient facts that apply to one cancer type only (asked for, and accepted, only then).
PATIENT_FIELD_CANCERS = {
    "prostate_hormone_status": "prostate",
    "myeloma_needs_treatment": "myeloma",
}
# Patient facts that never apply to a sex (pregnancy is never asked for a man).
PATIENT_FIELD_NOT_FOR_SEX = {"pregnant": "male"}
# How many lesions and prior treatments one assessment may carry.
MAX_LESIONS = 20
MAX_PRIOR_TREATMENTS = 30

_ALL_SITES = frozenset(SITES)
_SPINE = frozenset({"spine"})
_NON_SPINAL = _ALL_SITES - _SPINE
# Which lesion findings apply to which sites (the contract's "For" column); a finding
# outside its sites is an input error, and a rule asking about it there is simply false.
LESION_FIELD_SITES = {
    "site": _ALL_SITES,
    "lesion_type": _ALL_SITES,
    "pain": _ALL_SITES,
    "level": frozenset({"spine", "sacrum"}),
    "collapse": _SPINE,
    "alignment": _SPINE,
    "posterolateral": _SPINE,
    "retropulsion": _SPINE,
    "cortical_involvement": frozenset(LONG_BONE_SITES),
    "fracture": _NON_SPINAL,
    "sins": _SPINE,
    "sins_band": _SPINE,
    "mirels": frozenset(LONG_BONE_SITES),
    "mirels_band": frozenset(LONG_BONE_SITES),
}
# A finding whose choices narrow at one site: {field: {site: choices}}.
LESION_FIELD_SITE_CHOICES = {"level": {"sacrum": SACRAL_LEVELS}}
# Since 2026-11-27 the score findings (collapse, alignment, posterolateral, retropulsion,
# cortical_involvement) may be absent: unknown, and the score becomes a range.
REQUIRED_LESION_FIELDS = {
    "spine": ("site", "lesion_type", "pain", "level"),
    "upper_limb": ("site", "lesion_type", "pain"),
    "lower_limb": ("site", "lesion_type", "pain"),
    "peritrochanteric": ("site", "lesion_type", "pain"),
    "pelvis": ("site", "lesion_type", "pain"),
    "sacrum": ("site", "lesion_type", "pain"),
    "other": ("site", "lesion_type", "pain"),
}

# The lesion findings a caller enters (scores are computed, never accepted as input).
LESION_FIELDS_ENTERED = (
    "site",
    "level",
    "lesion_type",
    "pain",
    "collapse",
    "alignment",
    "posterolateral",
    "retropulsion",
    "cortical_involvement",
    "fracture",
)
PRIOR_TREATMENT_FIELDS = tuple(PRIOR_FACTS)
# The assessment's scalar fields, in contract order.
ASSESSMENT_SCALAR_FIELDS = ("patient_ref", *PATIENT_FACTS)

__all__ = [
    "MEDICINES",
    "OPTIONS",
    "PROCEDURES",
    "STATUSES",
    "ACTIVE_STATUSES",
    "CANCER_TYPES",
    "SEXES",
    "PROSTATE_HORMONE_STATUSES",
    "TREATMENT_INTENTS",
    "SITES",
    "LONG_BONE_SITES",
    "SPINE_LEVELS",
    "SACRAL_LEVELS",
    "LESION_TYPES",
    "PAINS",
    "COLLAPSES",
    "ALIGNMENTS",
    "POSTEROLATERALS",
    "CORTICAL_INVOLVEMENTS",
    "TREATMENTS",
    "RESPONSES",
    "SINS_BANDS",
    "MIRELS_BANDS",
    "ALERT_SEVERITIES",
    "SAFETY_FIELDS",
    "PATIENT_FACTS",
    "LESION_FACTS",
    "PRIOR_FACTS",
    "REQUIRED_PRIOR_FIELDS",
    "PATIENT_FIELD_CANCERS",
    "PATIENT_FIELD_NOT_FOR_SEX",
    "MAX_LESIONS",
    "MAX_PRIOR_TREATMENTS",
    "LESION_FIELD_SITE_CHOICES",
    "_ALL_SITES",
    "_SPINE",
    "_NON_SPINAL",
    "LESION_FIELD_SITES",
    "REQUIRED_LESION_FIELDS",
    "LESION_FIELDS_ENTERED",
    "PRIOR_TREATMENT_FIELDS",
    "ASSESSMENT_SCALAR_FIELDS",
]
