"""evaluate_assessment: the one function every interface calls to get advice."""

from contextlib import contextmanager
from decimal import Decimal

from django.db import transaction

from guidance.selectors import NoPublishedRuleSet, published_compiled

from .models import Consultation, EvaluationAudit, Lesion, PriorTreatment
from .rules import Assessment, evaluate
from .validation import AssessmentInvalid, patient_ref_problem, validate_assessment

__all__ = [
    "AssessmentInvalid",
    "NoPublishedRuleSet",
    "consultation_create",
    "evaluate_assessment",
]


def _audit(*, channel, outcome, patient_ref="", ruleset_version="", user=None,
           client_name="", endpoint="", consultation=None):
    EvaluationAudit.objects.create(
        channel=channel,
        outcome=outcome,
        patient_ref=patient_ref or "",
        ruleset_version=ruleset_version,
        user=user if user is not None and user.is_authenticated else None,
        api_client_name=client_name,
        endpoint=endpoint,
        consultation=consultation,
    )


def _ref(data):
    """Return the caller's patient reference for the audit, or blank if it is not valid."""
    ref = data.get("patient_ref") if isinstance(data, dict) else None
    return ref.strip() if ref is not None and patient_ref_problem(ref) is None else ""


def _run(data):
    """Validate and evaluate."""
    clean = validate_assessment(data)
    ruleset, compiled = published_compiled()
    return clean, ruleset, evaluate(Assessment.from_contract(clean), compiled)


@contextmanager
def _audit_rejection(data, audit):
    """Audit a rejected input after its transaction has rolled back, then re-raise."""
    try:
        yield
    except AssessmentInvalid:
        _audit(outcome="invalid", patient_ref=_ref(data), **audit)
        raise


def evaluate_assessment(*, data, channel, user=None, client_name="", endpoint=""):
    """Validate an assessment, evaluate it with the published ruleset and audit the call.

    Raises AssessmentInvalid (with field paths) or NoPublishedRuleSet; stores nothing
    but the audit row.
    """
    audit = {"channel": channel, "user": user, "client_name": client_name,
             "endpoint": endpoint}
    # One write, the audit row, which a single INSERT makes atomic: no BEGIN/COMMIT pair,
    # which cost two database round trips on every evaluation (see the API benchmark).
    with _audit_rejection(data, audit):
        clean, ruleset, result = _run(data)
    _audit(outcome="ok", patient_ref=clean.get("patient_ref", ""),
           ruleset_version=ruleset.version, **audit)
    return result


CONSULTATION_FIELDS = (
    "patient_ref", "age_years", "cancer_type", "bone_metastases", "prostate_hormone_status",
    "myeloma_needs_treatment", "treatment_intent", "mscc_signs",
    "creatinine_clearance_ml_min", "corrected_calcium_mmol_l", "dental_assessment_done",
    "unhealed_oral_lesion", "uncorrectable_coagulopathy", "active_infection",
    "cement_allergy", "pregnant",
)
TEXT_FIELDS = ("patient_ref", "prostate_hormone_status", "treatment_intent")
# Stored as decimals with these places; a float handed to the model would be converted with
# the column's precision (2.35 -> 2.350) and fail full_clean().
DECIMAL_FIELDS = {"creatinine_clearance_ml_min": 1, "corrected_calcium_mmol_l": 2}


def _decimal(value, places):
    """Return a contract number as the stored decimal, rounded to the column's places."""
    if value is None:
        return None
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places))


def consultation_create(*, data, channel, by=None, client_name="", endpoint="",
                        copied_from=None):
    """Validate, evaluate and store a consultation with its advice, atomically.

    The stored result and ruleset version let the advice be shown again exactly as given.
    """
    audit = {"channel": channel, "user": by, "client_name": client_name,
             "endpoint": endpoint}
    with _audit_rejection(data, audit), transaction.atomic():
        clean, ruleset, result = _run(data)
        values = {name: clean.get(name) for name in CONSULTATION_FIELDS}
        for name in TEXT_FIELDS:
            values[name] = values[name] or ""
        for name, places in DECIMAL_FIELDS.items():
            values[name] = _decimal(values[name], places)
        consultation = Consultation(
            lesions_recorded="lesions" in clean,
            prior_treatments_recorded="prior_treatments" in clean,
            clinician=by if by is not None and by.is_authenticated else None,
            api_client_name=client_name, copied_from=copied_from, result=result,
            ruleset=ruleset, ruleset_version=ruleset.version, **values)
        consultation.full_clean()
        consultation.save()
        _children_create(consultation, clean)
        _audit(outcome="ok", patient_ref=clean.get("patient_ref", ""),
               ruleset_version=ruleset.version, consultation=consultation, **audit)
    return consultation


def _children_create(consultation, clean):
    Lesion.objects.bulk_create(
        Lesion(consultation=consultation, position=i, **_blank_text(lesion, LESION_TEXT))
        for i, lesion in enumerate(clean.get("lesions") or [])
    )
    PriorTreatment.objects.bulk_create(
        PriorTreatment(consultation=consultation, position=i, **prior)
        for i, prior in enumerate(clean.get("prior_treatments") or [])
    )


LESION_TEXT = ("level", "collapse", "alignment", "posterolateral", "cortical_involvement")


def _blank_text(values, names):
    """Return values with absent text findings stored blank (booleans stay None)."""
    return {**dict.fromkeys(names, ""), **values}
