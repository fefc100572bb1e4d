"""What the result, print and form pages show of stored advice and of lesion scores."""

from .current import current_rules_view
from .draft import draft_banner
from .patient import ALERT_PATIENT_TEXT, PATIENT_STATUS_TEXT
from .result import STATUS_TAGS, conditions_said_once, consultation_view, inputs_view
from .scoring import lesion_score, score_tables

__all__ = [
    "ALERT_PATIENT_TEXT",
    "PATIENT_STATUS_TEXT",
    "STATUS_TAGS",
    "conditions_said_once",
    "consultation_view",
    "current_rules_view",
    "draft_banner",
    "inputs_view",
    "lesion_score",
    "score_tables",
]
