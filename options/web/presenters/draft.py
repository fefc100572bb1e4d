"""The banner over a form pre-filled from an EHR's record: which answers came from the
record and which the clinician still has to give, in words (options.choices)."""

from collections.abc import Mapping

from ... import vocab
from ...choices import field_name, missing_in_words
from ..forms import CANCER_QUESTIONS

# Kidney function is given either as a clearance or as what Cockcroft-Gault needs.
CLEARANCE = "creatinine_clearance_ml_min"
COCKCROFT_GAULT = ("serum_creatinine_umol_l", "weight_kg", "age_years", "sex")
NEVER_ASKED = ("patient_ref",)


def _asked(name: str, assessment: Mapping[str, object]) -> bool:
    """Whether the form asks this patient's question (cancer type, sex, kidney function)."""
    if name in NEVER_ASKED or name in assessment:
        return False
    if name in CANCER_QUESTIONS:
        return assessment.get("cancer_type") == CANCER_QUESTIONS[name]
    if vocab.PATIENT_FIELD_NOT_FOR_SEX.get(name, "-") == assessment.get("sex"):
        return False
    if name == CLEARANCE:
        return not all(n in assessment for n in COCKCROFT_GAULT)
    if name in COCKCROFT_GAULT[:2]:
        return CLEARANCE not in assessment
    return True


def record_answers(assessment: Mapping[str, object]) -> list[str]:
    """The fields a pre-filled form's answers came from the record for, in the form's order."""
    return [name for name in vocab.ASSESSMENT_SCALAR_FIELDS
            if name in assessment and name not in NEVER_ASKED]


def draft_banner(assessment: Mapping[str, object]) -> dict[str, list[str]]:
    """Return {"from_record": [...], "to_answer": [...]} for a draft's assessment."""
    from_record = [field_name(name) for name in record_answers(assessment)]
    to_answer = [name for name in vocab.PATIENT_FACTS if _asked(name, assessment)]
    to_answer += [name for name in ("lesions", "prior_treatments") if name not in assessment]
    return {"from_record": from_record, "to_answer": missing_in_words(to_answer)}
