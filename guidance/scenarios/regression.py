"""Scenarios as regression tests: run a ruleset against its own expectations."""

from dataclasses import dataclass, field

from options.choices import label as status_label
from options.consultation.evaluation import AssessmentInvalid, evaluate_with_ruleset
from options.vocab import OPTIONS

from ..selectors import ruleset_compiled
from .compare import scenario_mismatches
from .expectations import ruleset_expectations


def _options(names):
    return ", ".join(status_label(name).lower() for name in sorted(names)) or "none"


@dataclass(frozen=True)
class OptionCheck:
    """One option of one scenario: the status expected and the status the ruleset gave."""

    option: str
    expected: str
    got: str

    @property
    def passed(self):
        return self.expected == self.got

    @property
    def expected_label(self):
        return status_label(self.expected)

    @property
    def got_label(self):
        return status_label(self.got)


@dataclass(frozen=True)
class ScenarioCheck:
    """One scenario run against one ruleset."""

    scenario: object  # a Scenario, or an Expectation (a ruleset's own copy)
    options: list = field(default_factory=list)
    mismatches: list = field(default_factory=list)
    result: dict | None = None
    error: str = ""

    @property
    def passed(self):
        return not self.error and not self.mismatches

    @property
    def output(self):
        """Return what the ruleset gave as the expectations an editor sets (statuses, hold,
        alerts), or None when the scenario could not run."""
        if self.result is None:
            return None
        options = self.result["options"]
        return {"expected": {o["option"]: o["status"] for o in options},
                "expected_hold": [o["option"] for o in options if o["hold"]],
                "expected_alerts": [a["code"] for a in self.result["alerts"]]}

    @property
    def acceptable(self):
        """Tell whether taking the output as the expectation makes a failing scenario pass:
        it fails on statuses, hold or alerts alone, not on what an editor does not set here
        (scores, the questions asked, derived values)."""
        if self.passed or self.output is None:
            return False
        row = self.scenario
        return not scenario_mismatches(
            result=self.result, **self.output, expected_scores=row.expected_scores,
            expected_missing=row.expected_missing, expected_derived=row.expected_derived)

    @property
    def other_mismatches(self):
        """Return the mismatches beyond option statuses: hold, alerts, scores."""
        prefixes = tuple(f"{option}:" for option in OPTIONS)
        return [text for text in self.mismatches if not text.startswith(prefixes)]

    @property
    def further_mismatches(self):
        """Return the mismatches beyond statuses, hold and alerts: scores, questions, values."""
        return [text for text in self.other_mismatches
                if not text.startswith(("hold:", "alerts:"))]

    @property
    def other_differences(self):
        """Return the mismatches beyond option statuses, with hold and alerts in words."""
        if self.output is None:
            return self.other_mismatches
        row, output, words = self.scenario, self.output, []
        if sorted(row.expected_hold) != sorted(output["expected_hold"]):
            words.append(f"On hold: expected {_options(row.expected_hold)}, got "
                         f"{_options(output['expected_hold'])}")
        if sorted(row.expected_alerts) != sorted(output["expected_alerts"]):
            words.append(f"Alerts: expected {', '.join(sorted(row.expected_alerts)) or 'none'}"
                         f", got {', '.join(sorted(output['expected_alerts'])) or 'none'}")
        return words + self.further_mismatches


@dataclass(frozen=True)
class RulesetTest:
    """Every stored scenario run against one ruleset."""

    ruleset: object
    checks: list

    @property
    def failures(self):
        return [check for check in self.checks if not check.passed]

    @property
    def passed(self):
        return not self.failures


def _evaluate(data, compiled):
    """Evaluate a contract dict; raise AssessmentInvalid if it no longer validates."""
    return evaluate_with_ruleset(data=data, ruleset=compiled)[1]


def _invalid_text(error):
    return "; ".join(f"{e['path'] or '(assessment)'}: {e['message']}" for e in error.errors)


def scenario_check(scenario, compiled):
    """Run one stored scenario against a compiled ruleset."""
    try:
        result = _evaluate(scenario.assessment, compiled)
    except AssessmentInvalid as error:
        return ScenarioCheck(scenario=scenario, error=f"invalid assessment: {_invalid_text(error)}")
    got = {o["option"]: o["status"] for o in result["options"]}
    options = [OptionCheck(option, scenario.expected[option], got[option])
               for option in OPTIONS if option in scenario.expected]
    mismatches = scenario_mismatches(
        expected=scenario.expected, result=result, expected_hold=scenario.expected_hold,
        expected_alerts=scenario.expected_alerts, expected_scores=scenario.expected_scores,
        expected_missing=scenario.expected_missing, expected_derived=scenario.expected_derived)
    return ScenarioCheck(scenario=scenario, options=options, mismatches=mismatches,
                         result=result)


def ruleset_test(*, ruleset, scenarios=None):
    """Run the ruleset's own expectations (or the cases given) against it; never writes."""
    _, compiled = ruleset_compiled(ruleset)
    scenarios = ruleset_expectations(ruleset) if scenarios is None else scenarios
    return RulesetTest(ruleset=ruleset,
                       checks=[scenario_check(scenario, compiled) for scenario in scenarios])
