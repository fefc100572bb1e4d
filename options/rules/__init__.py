"""BoneCare's rules engine: pure Python, standard library only, never Django."""

from .assessment import Assessment, Lesion, PriorTreatment
from .conditions import ConditionError, Parser
from .engine import CompiledRuleSet, Rule, RuleError, compile_rule, evaluate

__all__ = [
    "Assessment",
    "CompiledRuleSet",
    "ConditionError",
    "Lesion",
    "Parser",
    "PriorTreatment",
    "Rule",
    "RuleError",
    "compile_rule",
    "evaluate",
]
