"""True impact: what a draft would change, option by option, against the published ruleset.

For every scenario and stored consultation both rulesets evaluate the same inputs now, so a
change reflects the rules alone. Counted per option: changes of status and of hold (a
bisphosphonate held until calcium is corrected); and per alert code: alerts that appear or
go. A fixed number of queries whatever the number of consultations (options.consultation.stored).
"""

from collections import Counter
from dataclasses import dataclass, field

from options.choices import label
from options.consultation.evaluation import AssessmentInvalid, evaluate_with_rulesets
from options.consultation.stored import stored_assessments
from options.vocab import OPTIONS

from ..selectors import ruleset_compiled
from .expectations import ruleset_expectations

DEFAULT_CONSULTATIONS_LIMIT = 10_000
EXAMPLES = 5
KINDS = ("status", "hold")


@dataclass
class ImpactRow:
    """One case that changes: (option, before, after) for status and hold; alerts gained/lost."""

    label: str
    title: str
    changes: list = field(default_factory=list)  # status: (option, before, after)
    holds: list = field(default_factory=list)  # hold: (option, before, after) as booleans
    alerts: list = field(default_factory=list)  # (code, "appears" or "goes")


@dataclass
class Tally:
    """Counts and a few examples of one kind of change for one option or alert."""

    scenarios: int = 0
    consultations: int = 0
    transitions: Counter = field(default_factory=Counter)
    examples: list = field(default_factory=list)

    @property
    def total(self):
        return self.scenarios + self.consultations

    @property
    def transition_list(self):
        """Return [(transition, count)], most frequent first (templates cannot ask a Counter)."""
        return self.transitions.most_common()

    def add(self, row, kind_of_case, transition):
        setattr(self, kind_of_case, getattr(self, kind_of_case) + 1)
        self.transitions[transition] += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(row.label)


@dataclass
class Impact:
    """What publishing a draft would change, against the published ruleset."""

    draft: object
    published: object
    scenarios: list
    scenarios_checked: int
    consultations: list
    consultations_checked: int
    consultations_skipped: int
    by_option: dict  # option -> {"status": Tally, "hold": Tally}
    alerts: dict  # alert code -> Tally

    def option_rows(self):
        """Return one row per option: its label and the status and hold tallies."""
        return [(option, label(option), self.by_option[option]["status"],
                 self.by_option[option]["hold"]) for option in OPTIONS]

    @property
    def changed(self):
        return bool(self.scenarios or self.consultations)

    def figures(self):
        """Return the counts as plain data, kept with a review and a publication."""
        def tally(t):
            return {"scenarios": t.scenarios, "consultations": t.consultations,
                    "transitions": [[*map(_word, k), n] for k, n in sorted(
                        t.transitions.items(), key=lambda item: repr(item[0]))]}
        return {
            "against": self.published.version if self.published else "",
            "scenarios_checked": self.scenarios_checked,
            "consultations_checked": self.consultations_checked,
            "consultations_skipped": self.consultations_skipped,
            "options": {option: {kind: tally(self.by_option[option][kind]) for kind in KINDS}
                        for option in OPTIONS},
            "alerts": {code: tally(t) for code, t in sorted(self.alerts.items())},
        }


def _word(value):
    if isinstance(value, bool):
        return "on hold" if value else "not on hold"
    return value


def _differences(before, after):
    """Return (status changes, hold changes, alert changes) between two results."""
    old = {o["option"]: o for o in before["options"]}
    new = {o["option"]: o for o in after["options"]}
    statuses = [(o, old[o]["status"], new[o]["status"]) for o in OPTIONS
                if old[o]["status"] != new[o]["status"]]
    holds = [(o, bool(old[o]["hold"]), bool(new[o]["hold"])) for o in OPTIONS
             if bool(old[o]["hold"]) != bool(new[o]["hold"])]
    was = Counter(a["code"] for a in before["alerts"])
    now = Counter(a["code"] for a in after["alerts"])
    alerts = [(code, "appears") for code in sorted(now - was)]
    alerts += [(code, "goes") for code in sorted(was - now)]
    return statuses, holds, alerts


class _Comparison:
    """Evaluate cases under both rulesets and tally what changes."""

    def __init__(self, old, new):
        self.rulesets = (old, new)
        self.by_option = {option: {kind: Tally() for kind in KINDS} for option in OPTIONS}
        self.alerts = {}

    def run(self, cases, kind_of_case):
        """Return (rows that change, number skipped) for (label, title, assessment) cases."""
        rows, skipped = [], 0
        for case_label, title, data in cases:
            try:
                before, after = evaluate_with_rulesets(data=data, rulesets=self.rulesets)[1]
            except AssessmentInvalid:
                skipped += 1
                continue
            statuses, holds, alerts = _differences(before, after)
            if statuses or holds or alerts:
                row = ImpactRow(case_label, title, statuses, holds, alerts)
                self._tally(row, kind_of_case)
                rows.append(row)
        return rows, skipped

    def _tally(self, row, kind_of_case):
        for option, before, after in row.changes:
            self.by_option[option]["status"].add(row, kind_of_case, (before, after))
        for option, before, after in row.holds:
            self.by_option[option]["hold"].add(row, kind_of_case, (before, after))
        for code, change in row.alerts:
            self.alerts.setdefault(code, Tally()).add(row, kind_of_case, (change,))


def ruleset_impact(*, draft, published, consultations_limit=DEFAULT_CONSULTATIONS_LIMIT):
    """Show which scenarios and stored consultations would change, option by option.

    Scenarios are the draft's own expectations' cases. Consultations are the most recent
    `consultations_limit`, labelled "Recent case N" by position (newest first): never by patient
    reference or id, nor in a form that reads as a consultation number.
    """
    comparison = _Comparison(ruleset_compiled(published)[1], ruleset_compiled(draft)[1])
    cases = ruleset_expectations(draft)
    scenario_rows, _ = comparison.run(((c.code, c.title, c.assessment) for c in cases),
                                      "scenarios")
    consultations = stored_assessments(limit=consultations_limit)
    consultation_rows, skipped = comparison.run(
        ((f"Recent case {number}", label(cancer), data)
         for number, (_, cancer, data) in enumerate(consultations, start=1)), "consultations")
    return Impact(draft=draft, published=published, scenarios=scenario_rows,
                  scenarios_checked=len(cases), consultations=consultation_rows,
                  consultations_checked=len(consultations) - skipped,
                  consultations_skipped=skipped, by_option=comparison.by_option,
                  alerts=comparison.alerts)
