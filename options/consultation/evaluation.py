"""Validate a contract dict, build its assessment and evaluate it with a given ruleset.

The step beneath the one evaluation door (`services.evaluate_assessment`, which adds the
published ruleset and the audit), shared with the rules console's scenario gate and impact
preview, which evaluate with rulesets of their own choosing. It audits and stores nothing,
and imports no Django.
"""

from ..rules import Assessment, CompiledRuleSet, evaluate
from ..validation import AssessmentInvalid, validate_assessment

__all__ = ["AssessmentInvalid", "evaluate_with_ruleset", "evaluate_with_rulesets"]


def evaluate_with_ruleset(*, data: object, ruleset: CompiledRuleSet) -> tuple[dict, dict]:
    """Return (clean contract dict, result) for raw input; raise AssessmentInvalid."""
    clean = validate_assessment(data)
    return clean, evaluate(Assessment.from_contract(clean), ruleset)


def evaluate_with_rulesets(*, data: object,
                           rulesets: tuple[CompiledRuleSet, ...]) -> tuple[dict, list[dict]]:
    """Return (clean contract dict, [result per ruleset]): validated and built once.

    For comparing rulesets on the same input (the impact preview); raise AssessmentInvalid.
    """
    clean = validate_assessment(data)
    assessment = Assessment.from_contract(clean)
    return clean, [evaluate(assessment, ruleset) for ruleset in rulesets]
