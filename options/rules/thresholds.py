"""The numbers a ruleset's safety and eligibility rules compare facts with, and which worked
cases lie just either side of each.

A threshold that moves with no case just inside it and none just outside moves unnoticed by
the scenario gate (docs/hazard-log.md, GV7). Thresholds are found by the engine's own Parser
(what it compiles is what it evaluates), following each derived fact a rule asks to the
define rule that holds its number. A case's values are those the engine used: the result's
calculated creatinine clearance and its SINS and Mirels totals, never recomputed here.
Standard library only.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .compiled import Rule
from .conditions import Parser
from .predicates import Test, comparison_test
from .texts import format_number
from .vocab import LESION_FACTS, PATIENT_FACTS, PRIOR_FACTS

# The rules whose outcome a scenario's expectations check: eligibility (status), safety
# stops, holds, and the alerts (unstable spine, orthopaedic referral).
GUARDED_EFFECTS = ("status", "safety", "hold", "alert")
NUMERIC_OPS = ("lt", "le", "gt", "ge", "eq", "ne")

# One clinically meaningful step per numeric fact of the vocabulary: a case is "just" inside
# or outside a threshold when its value lies within one step of it.
STEPS = {
    "age_years": 1,
    "weight_kg": 1,
    "serum_creatinine_umol_l": 5,
    "creatinine_clearance_ml_min": 2,
    "corrected_calcium_mmol_l": 0.05,
    "sins": 1,
    "mirels": 1,
    "weeks_ago": 1,
}
TOLERANCE = 1e-9  # 2.20 - 2.15 is 0.0500000000000003 in binary floating point
SCORES = ("sins", "mirels")  # lesion facts the result reports in `scores`

Key = tuple[str, str, float]  # (fact, op, value)
Value = float | tuple[float, float]  # a number, or a score range (lowest, highest)


def _numeric(facts):
    return tuple(name for name, kind in facts.items() if kind[0] in ("int", "number"))


PATIENT_NUMBERS = _numeric(PATIENT_FACTS)
LESION_NUMBERS = _numeric(LESION_FACTS)
PRIOR_NUMBERS = _numeric(PRIOR_FACTS)


@dataclass(frozen=True)
class Threshold:
    """One number a fact is compared with, where it is written and which rules it reaches."""

    fact: str
    op: str
    value: float
    rules: tuple[str, ...]  # the rules whose conditions hold the number
    via: tuple[str, ...] = ()  # guarded rules that ask it through a derived fact

    @property
    def key(self) -> Key:
        return (self.fact, self.op, self.value)

    @property
    def step(self) -> float | None:
        return STEPS.get(self.fact)

    def __str__(self) -> str:
        via = f" via {', '.join(self.via)}" if self.via else ""
        return (f"{self.fact} {self.op} {format_number(self.value)} "
                f"({', '.join(self.rules)}{via})")


class _Comparisons(Parser):
    """The engine's Parser, noting each comparison after it has checked and compiled it."""

    def __init__(self, derived):
        super().__init__(derived)
        self.numbers = []  # (fact, op, value)
        self.asked = []  # derived facts asked

    def _comparison(self, cond, path, scope):
        predicate = super()._comparison(cond, path, scope)
        name = cond["fact"]
        op = next(key for key in cond if key != "fact")
        value = cond[op]
        _, where = self._fact_kind(name, path, scope)
        if where == "derived":
            self.asked.append(name)
        elif op in NUMERIC_OPS and isinstance(value, int | float) and not isinstance(
                value, bool):
            self.numbers.append((name, op, value))
        return predicate


def _read(condition, derived) -> tuple[list, list]:
    parser = _Comparisons(derived)
    parser.compile(condition)
    return parser.numbers, parser.asked


def ruleset_thresholds(rules: Iterable[Rule]) -> list[Threshold]:
    """Return every numeric threshold of the safety and eligibility rules, by fact.

    Raises ConditionError (from the Parser) for a condition outside the vocabulary.
    """
    rules = list(rules)
    defines = {rule.defines: rule for rule in rules if rule.effect == "define"}
    derived = {name: rule.condition for name, rule in defines.items()}
    held, via = {}, {}
    for rule in (r for r in rules if r.effect in GUARDED_EFFECTS):
        numbers, asked = _read(rule.condition, derived)
        for key in numbers:
            held.setdefault(key, set()).add(rule.code)
        for name, key in _through(asked, defines, derived):
            held.setdefault(key, set()).add(defines[name].code)
            via.setdefault(key, set()).add(rule.code)
    return [Threshold(*key, rules=tuple(sorted(held[key])),
                      via=tuple(sorted(via.get(key, set()) - held[key])))
            for key in sorted(held, key=lambda k: (k[0], k[2], k[1]))]


def _through(asked, defines, derived):
    """Yield (derived fact, threshold key) for the numbers held by the facts asked."""
    seen, queue = set(), list(asked)
    while queue:
        name = queue.pop()
        if name in seen or name not in defines:
            continue
        seen.add(name)
        numbers, more = _read(defines[name].condition, derived)
        yield from ((name, key) for key in numbers)
        queue.extend(more)


def thresholds_changed(rules: Iterable[Rule], base: Iterable[Rule]) -> list[Threshold]:
    """Return the thresholds of `rules` that `base` does not have (a number, fact or
    comparison changed, or a rule added)."""
    before = {threshold.key for threshold in ruleset_thresholds(base)}
    return [t for t in ruleset_thresholds(rules) if t.key not in before]


def case_values(assessment: Mapping[str, object], result: Mapping[str, object]
                ) -> dict[str, list[Value]]:
    """Return {fact: [values]} of one case's numeric facts as the engine used them.

    Patient facts as entered, except a calculated creatinine clearance (the result's
    `derived`); SINS and Mirels from the result's `scores` (a range where a finding was not
    reported); prior treatments' facts as entered.
    """
    values = {name: [assessment[name]] for name in PATIENT_NUMBERS
              if assessment.get(name) is not None}
    for name, entry in result.get("derived", {}).items():
        values[name] = [entry["value"]]
    for entry in result.get("scores", ()):
        for name in SCORES:
            value = entry.get(name)
            low_high = entry.get(f"{name}_range")
            if value is not None or low_high:
                values.setdefault(name, []).append(
                    value if value is not None else tuple(low_high))
    items = [(PRIOR_NUMBERS, assessment.get("prior_treatments") or ()),
             ([n for n in LESION_NUMBERS if n not in SCORES], assessment.get("lesions") or ())]
    for names, rows in items:
        for row in rows:
            for name in names:
                if row.get(name) is not None:
                    values.setdefault(name, []).append(row[name])
    return values


def side(threshold: Threshold, value: Value) -> str | None:
    """Return "inside" or "outside" where the value lies within one step of the threshold
    on that side (a range: all of it), else None."""
    step = threshold.step
    if step is None:
        return None
    test = comparison_test(threshold.op, threshold.value)
    ends = set(value) if isinstance(value, tuple) else {value}
    sides = {_side(test, threshold.value, step, end) for end in ends}
    return sides.pop() if len(sides) == 1 else None


def _side(test: Test, threshold: float, step: float, value: float) -> str | None:
    if abs(value - threshold) > step + TOLERANCE:
        return None
    return "inside" if test(value) else "outside"


@dataclass(frozen=True)
class Bracket:
    """A threshold with the cases just inside it and just outside it."""

    threshold: Threshold
    inside: tuple[str, ...]
    outside: tuple[str, ...]

    @property
    def bracketed(self) -> bool:
        return bool(self.inside and self.outside)

    def __str__(self) -> str:
        step = self.threshold.step
        if step is None:
            return f"{self.threshold}: no step is set for {self.threshold.fact} (STEPS)"
        lacking = [word for word, cases in (("inside", self.inside),
                                            ("outside", self.outside)) if not cases]
        if not lacking:
            return (f"{self.threshold}: inside {', '.join(self.inside)}; "
                    f"outside {', '.join(self.outside)}")
        return (f"{self.threshold}: no scenario just {' or '.join(lacking)} "
                f"(within {format_number(step)})")


def thresholds_bracketed(thresholds: Iterable[Threshold],
                         cases: Iterable[tuple[str, Mapping[str, list[Value]]]]
                         ) -> list[Bracket]:
    """Return each threshold with the cases (id, case_values) just inside and outside it."""
    cases = list(cases)
    brackets = []
    for threshold in thresholds:
        found = {"inside": [], "outside": []}
        for case_id, values in cases:
            sides = {side(threshold, value) for value in values.get(threshold.fact, ())}
            for word in found:
                if word in sides:
                    found[word].append(case_id)
        brackets.append(Bracket(threshold, tuple(found["inside"]), tuple(found["outside"])))
    return brackets
