"""The one door into the engine: validate a contract dict, build its assessment, evaluate it.

Every caller goes through `assessment_evaluate`: the services (which add the published
ruleset and the audit), the rules console's scenario gate and the benchmarks. It audits and
stores nothing, and imports no Django.
"""

from .rules import Assessment, CompiledRuleSet, evaluate
from .validation import AssessmentInvalid, validate_assessment

__all__ = ["AssessmentInvalid", "assessment_evaluate", "assessment_evaluate_each"]


def assessment_evaluate(*, data: object, ruleset: CompiledRuleSet) -> tuple[dict, dict]:
    """Return (clean contract dict, result) for raw input; raise AssessmentInvalid."""
    clean = validate_assessment(data)
    return clean, evaluate(Assessment.from_contract(clean), ruleset)


def assessment_evaluate_each(*, data: object,
                             rulesets: tuple[CompiledRuleSet, ...]) -> tuple[dict, list[dict]]:
    """Return (clean contract dict, [result per ruleset]): validated and built once.

    For comparing rulesets on the same input (the impact preview); raise AssessmentInvalid.
    """
    clean = validate_assessment(data)
    assessment = Assessment.from_contract(clean)
    return clean, [evaluate(assessment, ruleset) for ruleset in rulesets]
