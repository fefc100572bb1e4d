"""The clinician's consultation pages."""

from .consultations import (
    consultation_copy,
    consultation_detail,
    consultation_list,
    consultation_new,
)
from .printing import consultation_print_clinician, consultation_print_patient

__all__ = [
    "consultation_copy",
    "consultation_detail",
    "consultation_list",
    "consultation_new",
    "consultation_print_clinician",
    "consultation_print_patient",
]
