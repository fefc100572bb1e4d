"""Scenarios as regression tests: run them against a ruleset, and preview a draft's impact."""

from collections import Counter
from dataclasses import dataclass, field

from options.choices import label as status_label
from options.core import AssessmentInvalid, assessment_evaluate
from options.models import Consultation
from options.vocab import OPTIONS

from .models import Scenario
from .scenarios import scenario_mismatches
from .selectors import ruleset_compiled

DEFAULT_CONSULTATIONS_LIMIT = 200


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

    scenario: Scenario
    options: list = field(default_factory=list)
    mismatches: list = field(default_factory=list)
    result: dict | None = None
    error: str = ""

    @property
    def passed(self):
        return not self.error and not self.mismatches

    @property
    def other_mismatches(self):
        """Return the mismatches beyond option statuses: hold, alerts, scores."""
        prefixes = tuple(f"{option}:" for option in OPTIONS)
        return [text for text in self.mismatches if not text.startswith(prefixes)]


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
    return assessment_evaluate(data=data, ruleset=compiled)[1]


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
    """Run every stored scenario (or those given) against a ruleset; never writes."""
    _, compiled = ruleset_compiled(ruleset)
    scenarios = Scenario.objects.all() if scenarios is None else scenarios
    return RulesetTest(ruleset=ruleset,
                       checks=[scenario_check(scenario, compiled) for scenario in scenarios])


@dataclass(frozen=True)
class ImpactRow:
    """One case whose status changes for at least one option between two rulesets."""

    label: str
    title: str
    changes: list  # [(option, status before, status after)]


@dataclass(frozen=True)
class Impact:
    """What publishing a draft would change, against the published ruleset."""

    draft: object
    published: object
    scenarios: list
    scenarios_checked: int
    consultations: list
    consultations_checked: int
    consultations_skipped: int
    by_option: dict  # option -> Counter of (before, after)

    def option_rows(self):
        """Return (option, scenarios changed, consultations changed, transitions) per option."""
        rows = []
        for option in OPTIONS:
            scenarios = sum(1 for row in self.scenarios if _changes(row, option))
            consultations = sum(1 for row in self.consultations if _changes(row, option))
            transitions = sorted(self.by_option[option].items())
            rows.append((option, scenarios, consultations, transitions))
        return rows


def _changes(row, option):
    return any(change[0] == option for change in row.changes)


def _status_changes(before, after):
    old = {o["option"]: o["status"] for o in before["options"]}
    new = {o["option"]: o["status"] for o in after["options"]}
    return [(option, old[option], new[option]) for option in OPTIONS
            if old[option] != new[option]]


def _compare(assessments, old, new, by_option):
    """Yield (label, title, changes) for each assessment whose statuses differ."""
    skipped = 0
    rows = []
    for label, title, data in assessments:
        try:
            changes = _status_changes(_evaluate(data, old), _evaluate(data, new))
        except AssessmentInvalid:
            skipped += 1
            continue
        for option, before, after in changes:
            by_option[option][(before, after)] += 1
        if changes:
            rows.append(ImpactRow(label=label, title=title, changes=changes))
    return rows, skipped


def _recent_consultations(limit):
    """Yield (opaque label, title, assessment) for recent consultations; no patient_ref."""
    consultations = Consultation.objects.order_by("-created_at").prefetch_related(
        "lesions", "prior_treatments")[:limit]
    for number, consultation in enumerate(consultations, start=1):
        assessment = consultation.to_assessment()
        assessment.pop("patient_ref", None)
        yield (f"Consultation {number}", consultation.get_cancer_type_display(), assessment)


def ruleset_impact(*, draft, published, consultations_limit=DEFAULT_CONSULTATIONS_LIMIT):
    """Show which scenarios and recent consultations would change status, option by option.

    Both rulesets re-evaluate the same inputs now, so a change reflects the rules alone.
    Consultations are labelled by position in the list, never by patient reference or id.
    """
    _, old = ruleset_compiled(published)
    _, new = ruleset_compiled(draft)
    by_option = {option: Counter() for option in OPTIONS}
    scenarios = list(Scenario.objects.all())
    scenario_rows, _ = _compare(((s.code, s.title, s.assessment) for s in scenarios),
                                old, new, by_option)
    consultations = list(_recent_consultations(consultations_limit))
    consultation_rows, skipped = _compare(consultations, old, new, by_option)
    return Impact(draft=draft, published=published, scenarios=scenario_rows,
                  scenarios_checked=len(scenarios), consultations=consultation_rows,
                  consultations_checked=len(consultations) - skipped,
                  consultations_skipped=skipped, by_option=by_option)
