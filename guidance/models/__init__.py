"""Guidance as data (core) and the governance records around its changes (governance)."""

from .code_lists import CodeListEntry
from .core import OPTION_CHOICES, GuidanceDocument, Rule, RuleSet, Scenario
from .governance import (
    EXPECTATION_FIELDS,
    Expectation,
    ExpectationChange,
    GovernanceEvent,
    Publication,
    Review,
)

__all__ = [
    "EXPECTATION_FIELDS",
    "OPTION_CHOICES",
    "CodeListEntry",
    "Expectation",
    "ExpectationChange",
    "GovernanceEvent",
    "GuidanceDocument",
    "Publication",
    "Review",
    "Rule",
    "RuleSet",
    "Scenario",
]
