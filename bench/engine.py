"""Engine benchmark: the current engine against baseline revisions, side by side, one core.

Run with `make bench-engine` (BENCH_BASELINES="rev ..." to choose others). Each baseline
engine is extracted from git at run time into a temporary directory and loaded under its own
package name; the engines then take turns, round by round, on the same scenarios (those every
baseline's contract can express), each with the default ruleset of its own revision compiled
once (as in a server process). Validated assessments in, result dicts out: no Django, no
database. Turns cancel out most of what other processes do to the figures.
"""

import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from tests.engine.baseline import (
    FILED,
    ROOT,
    RULESET,
    SAME_CONTRACT,
    extract_revision,
    load_package,
    scenarios,
)

BASELINE_NOTES = {
    FILED: "the engine of 2026-11-26 (older contract, smaller ruleset)",
    SAME_CONTRACT: "the 2026-11-27 contract and ruleset, before the speed work",
}
BASELINES = os.environ.get("BENCH_BASELINES", f"{FILED} {SAME_CONTRACT}").split()
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 20))  # each engine's: short rounds, many turns
SECONDS = 0.5


class Engine:
    """One revision's engine, its compiled default ruleset and the scenarios it evaluates."""

    def __init__(self, label, rules, validation, root, cases):
        self.label = label
        self.evaluate = rules.evaluate
        data = json.loads((Path(root) / RULESET).read_text())
        self.ruleset = rules.CompiledRuleSet(
            [rules.Rule(**r) for r in data["rules"]], version=data["version"])
        self.assessments = [
            rules.Assessment.from_contract(known_fields(validation, scenario))
            for scenario in cases
        ]

    def rate(self, seconds):
        """Return evaluations per second over `seconds` of round-robin evaluation."""
        evaluate, ruleset, assessments = self.evaluate, self.ruleset, self.assessments
        count = 0
        started = time.perf_counter()
        while (elapsed := time.perf_counter() - started) < seconds:
            for assessment in assessments:
                evaluate(assessment, ruleset)
            count += len(assessments)
        return count / elapsed


def known_fields(validation, scenario):
    """Validate `scenario` for an older contract, without the fields it did not have yet.

    The baseline predates `sex` and the Cockcroft-Gault inputs (2026-11-27): it evaluates the
    same patients without them, as it would have been called then. None if it refuses the
    scenario for another reason (a cancer type it did not know).
    """
    try:
        return validation.validate_assessment(scenario)
    except validation.AssessmentInvalid as refused:
        unknown = {e["path"] for e in refused.errors if e["message"] == "unknown field"}
        if not unknown or len(unknown) < len(refused.errors):
            return None
        try:
            return validation.validate_assessment(
                {k: v for k, v in scenario.items() if k not in unknown})
        except validation.AssessmentInvalid:
            return None


def turns(engines):
    """Alternate rounds of each engine; return {label: [rates]}."""
    for engine in engines:
        engine.rate(0.3)  # warm up
    rates = {engine.label: [] for engine in engines}
    for turn in range(ROUNDS):
        for engine in engines if turn % 2 == 0 else reversed(engines):
            rates[engine.label].append(engine.rate(SECONDS))
    return rates


def main():
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})  # one core
    from options import rules, validation

    with tempfile.TemporaryDirectory() as tmp:
        baselines = []
        for i, revision in enumerate(BASELINES):
            root = extract_revision(revision, Path(tmp) / revision)
            baselines.append((revision, root, *load_package(root, f"baseline_{i}_options")))
        # Every engine evaluates the scenarios that every baseline's contract can express.
        cases = [s for s in scenarios()
                 if all(known_fields(b[3], s) is not None for b in baselines)]
        engines = [Engine("current", rules, validation, ROOT, cases)] + [
            Engine(f"baseline {revision}", base_rules, base_validation, root, cases)
            for revision, root, base_rules, base_validation in baselines]
    rates = turns(engines)
    medians = {e.label: statistics.median(rates[e.label]) for e in engines}
    print(f"scenarios: {len(cases)} of {len(scenarios())} (those every baseline's contract "
          f"can express); {ROUNDS} alternating rounds of {SECONDS} s each on one core; medians")
    for engine in engines:
        low, high = min(rates[engine.label]), max(rates[engine.label])
        print(f"  {engine.label}: {medians[engine.label]:,.0f} evaluations per second "
              f"(rounds {low:,.0f}-{high:,.0f}); {BASELINE_NOTES.get(engine.label[9:], '')}")
    now = medians["current"]
    print(f"current: {now:,.0f} evaluations per second")
    for engine in engines[1:]:
        print(f"  ratio to {engine.label}: {now / medians[engine.label]:.2f}x")


if __name__ == "__main__":
    main()
