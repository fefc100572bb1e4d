"""The thresholds a draft changes that its scenarios do not bracket: shown to the editor who
submits it and to the safety officer who reviews it (docs/hazard-log.md, GV7).

A threshold with no scenario just inside it and none just outside it can move again without
the scenario gate noticing; the warning asks for those scenarios before the change is
approved. The engine finds the thresholds and reads each case (options/rules/thresholds.py).
"""

from options.rules.thresholds import Bracket, case_values, thresholds_bracketed, thresholds_changed

from ..models import RuleSet
from ..selectors import ruleset_engine_rules
from .regression import ruleset_test

__all__ = ["thresholds_unbracketed"]


def thresholds_unbracketed(ruleset: RuleSet) -> list[Bracket]:
    """Return each threshold the ruleset changes against the one it is based on (every one,
    for an import) that no scenario of its own expectations lies just inside and just
    outside; each says which side lacks one.

    Raises RuleError or ConditionError for a ruleset that does not compile.
    """
    changed = thresholds_changed(ruleset_engine_rules(ruleset),
                                 base=ruleset_engine_rules(ruleset.based_on))
    if not changed:
        return []
    checks = ruleset_test(ruleset=ruleset).checks
    cases = [(check.scenario.code, case_values(check.scenario.assessment, check.result))
             for check in checks if check.result is not None]
    return [bracket for bracket in thresholds_bracketed(changed, cases)
            if not bracket.bracketed]
