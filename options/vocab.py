"""The vocabulary for Django code: the engine's closed lists plus audit channels.

The engine's lists live in options/rules/vocab.py (standard library only); this module
re-exports them so that models, forms and the API spell every value as the engine does.
"""

from .rules.engine import EFFECTS as RULE_EFFECTS
from .rules.vocab import *  # noqa: F403
from .rules.vocab import __all__ as _engine_names

EVALUATION_CHANNELS = ("form", "api", "cds_hooks", "cli")
EVALUATION_OUTCOMES = ("ok", "invalid", "error")

# Clinicians' decisions (options.consultation.decisions): what was done with one option of
# the advice.
DECISION_OUTCOMES_BY_SOURCE = {
    "result_page": ("going_ahead", "not_going_ahead", "mdt_disagrees"),
    "cds_hooks": ("accepted", "overridden"),
}
DECISION_SOURCES = tuple(DECISION_OUTCOMES_BY_SOURCE)
DECISION_OUTCOMES = tuple(o for outcomes in DECISION_OUTCOMES_BY_SOURCE.values() for o in outcomes)
# Coded reasons, offered on the result page and as CDS Hooks overrideReasons.
DECISION_REASONS = (
    "patient_choice",
    "clinical_judgement",
    "other_condition",
    "contraindication_not_assessed",
    "not_available",
    "evidence_moved_on",
    "mdt_decision",
    "other_reason",
)

__all__ = [*_engine_names, "RULE_EFFECTS", "EVALUATION_CHANNELS", "EVALUATION_OUTCOMES",
           "DECISION_OUTCOMES_BY_SOURCE", "DECISION_SOURCES", "DECISION_OUTCOMES",
           "DECISION_REASONS"]
