"""evaluate_assessment: the one function every interface calls to get advice."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from guidance.selectors import NoPublishedRuleSet, citations_for, published_compiled

from ..rules.vocab import ASSESSMENT_SCALAR_FIELDS, CANCER_TYPES
from ..validation import AssessmentInvalid, patient_ref_normal, patient_ref_problem
from .evaluation import evaluate_with_ruleset
from .models import Consultation, EvaluationAudit, Lesion, PriorTreatment

__all__ = [
    "AssessmentInvalid",
    "NoPublishedRuleSet",
    "advice_now",
    "alerts_whatever_the_cancer",
    "assessment_advise",
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


def audit_patient_ref(data: object) -> str:
    """Return the caller's patient reference for the audit, or blank if it is not valid."""
    ref = data.get("patient_ref") if isinstance(data, dict) else None
    return patient_ref_normal(ref) if ref is not None and patient_ref_problem(ref) is None else ""


def _evaluate(data, audit, published_key=None):
    """Evaluate through the one door outside any transaction, so a refusal's audit is kept
    (`audit`: whom the EvaluationAudit row names; None when the calling door audits)."""
    ruleset, compiled = published_compiled(key=published_key)
    try:
        clean, result = evaluate_with_ruleset(data=data, ruleset=compiled)
    except AssessmentInvalid:
        if audit is not None:
            _audit(outcome="invalid", patient_ref=audit_patient_ref(data), **audit)
        raise
    return ruleset, clean, result


def assessment_advise(*, data: object, published_key: tuple | None = None) -> dict:
    """Validate an assessment and evaluate it with the published ruleset; audit nothing.

    For a door that writes its call's one audit row with its answer (the REST API and CDS
    Hooks, which name the ruleset version in it). `published_key`: which ruleset is
    published, as the caller read it earlier in the same request (so that what it read with
    it, such as code lists, is of the same version); None to read it here. Raises
    AssessmentInvalid (with field paths) or NoPublishedRuleSet; stores nothing.
    """
    _, compiled = published_compiled(key=published_key)
    return evaluate_with_ruleset(data=data, ruleset=compiled)[1]


def evaluate_assessment(*, data: object, channel: str, user: AbstractBaseUser | None = None,
                        client_name: str = "", endpoint: str = "",
                        published_key: tuple | None = None) -> dict:
    """Validate an assessment, evaluate it with the published ruleset and audit the call
    (options.EvaluationAudit: the consultation form, the command line).

    `published_key`: which ruleset is published, as the caller read it earlier in the same
    request (guidance.selectors.published_key), so that what it read with it (code lists)
    is of the same version; None to read it here. Raises
    AssessmentInvalid (with field paths) or NoPublishedRuleSet; stores nothing but the audit
    row.
    """
    audit = {"channel": channel, "user": user, "client_name": client_name,
             "endpoint": endpoint}
    ruleset, clean, result = _evaluate(data, audit, published_key)
    _audit(outcome="ok", patient_ref=clean.get("patient_ref", ""),
           ruleset_version=ruleset.version, **audit)
    return result


def advice_now(*, consultation: Consultation, by: AbstractBaseUser | None) -> dict | None:
    """Return the advice the rules published now give for a stored consultation's assessment,
    or None when it was given under those rules or none are published. Audited; stores
    nothing, and the advice as given stays as it was."""
    try:
        ruleset, _ = published_compiled()
    except NoPublishedRuleSet:
        return None
    if ruleset.version == consultation.ruleset_version:
        return None
    try:
        return evaluate_assessment(data=consultation.to_assessment(), channel="form", user=by,
                                   endpoint="GET /consultations/<id>/ (rules in force now)")
    except AssessmentInvalid:  # the contract has moved on since: say nothing rather than guess
        return None


def alerts_whatever_the_cancer(*, data: dict, published_key: tuple | None = None) -> dict | None:
    """Return the alerts the published rules raise for an assessment whatever its primary
    cancer, as a result with no options, or None when there are none.

    For a record that does not settle the primary cancer: no advice can be given, but cord
    compression is an emergency whatever the cancer, and silence would read as none. Each
    cancer type is tried; only an alert every one of them raises is returned. Nothing is
    guessed, stored or audited here (the caller's call is audited).
    """
    _, compiled = published_compiled(key=published_key)
    results = []
    for cancer_type in CANCER_TYPES:
        try:
            results.append(evaluate_with_ruleset(data={**data, "cancer_type": cancer_type},
                                               ruleset=compiled)[1])
        except AssessmentInvalid:
            return None
    common = set.intersection(*({a["code"] for a in r["alerts"]} for r in results))
    alerts = [alert for alert in results[0]["alerts"] if alert["code"] in common]
    return {"ruleset": results[0]["ruleset"], "options": [], "alerts": alerts} if alerts else None


TEXT_FIELDS = ("patient_ref", "sex", "prostate_hormone_status", "treatment_intent")


def consultation_create(*, data: object, channel: str, by: AbstractBaseUser | None = None,
                        client_name: str = "", endpoint: str = "",
                        copied_from: Consultation | None = None,
                        audit: bool = True) -> Consultation:
    """Validate, evaluate and store a consultation with its advice, atomically.

    The stored result and ruleset version let the advice be shown again exactly as given.
    `audit=False`: the calling door writes the call's one audit row itself, in the caller's
    transaction (the REST API's api.ApiCallAudit).
    """
    who = {"channel": channel, "user": by, "client_name": client_name,
           "endpoint": endpoint} if audit else None
    ruleset, clean, result = _evaluate(data, who)
    with transaction.atomic():
        values = {name: clean.get(name) for name in ASSESSMENT_SCALAR_FIELDS}
        for name in TEXT_FIELDS:
            values[name] = values[name] or ""
        consultation = Consultation(
            lesions_recorded="lesions" in clean,
            prior_treatments_recorded="prior_treatments" in clean,
            clinician=by if by is not None and by.is_authenticated else None,
            api_client_name=client_name, copied_from=copied_from, result=result,
            citations=citations_for(result), ruleset=ruleset,
            ruleset_version=ruleset.version, **values)
        consultation.full_clean()
        consultation.save()
        _children_create(consultation, clean)
        if who is not None:
            _audit(outcome="ok", patient_ref=clean.get("patient_ref", ""),
                   ruleset_version=ruleset.version, consultation=consultation, **who)
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
