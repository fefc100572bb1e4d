"""The options app's models, as Django looks for them here; they live with their concept."""

from .consultation.models import (  # noqa: F401
    Consultation,
    Decision,
    DecisionRule,
    EvaluationAudit,
    Lesion,
    PriorTreatment,
    TreatmentOption,
)
