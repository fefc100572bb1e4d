"""Engine benchmark: the current engine against a baseline revision, side by side, one core.

Run with `make bench-engine`. The baseline engine is extracted from git at run time into a
temporary directory and loaded under its own package name; the two then take turns, round by
round, on the same 16 scenarios, each with the default ruleset of its own revision compiled
once (as in a server process). Validated assessments in, result dicts out: no Django, no
database. Turns cancel out most of what other processes do to the figures.
"""

import importlib.util
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "4dce0a9"  # the engine before issue 10 item 5
RULESET = Path("guidance/data/default_ruleset.json")
SCENARIOS = ROOT / "guidance" / "data" / "scenarios"
ENGINE_PATHS = ("options/__init__.py", "options/rules", "options/validation.py", str(RULESET))
ROUNDS = 20  # each engine's; short rounds, many turns: a busy machine slows both alike
SECONDS = 0.5


def extract_revision(revision, into):
    """Write the engine, validator and default ruleset of `revision` under `into`."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, *ENGINE_PATHS],
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return Path(into)


def load_package(root, name):
    """Import `root`/options as package `name`; return its (rules, validation) modules."""
    init = Path(root) / "options" / "__init__.py"
    spec = importlib.util.spec_from_file_location(
        name, init, submodule_search_locations=[str(init.parent)])
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)
    rules = importlib.import_module(f"{name}.rules")
    return rules, importlib.import_module(f"{name}.validation")


class Engine:
    """One revision's engine, its compiled default ruleset and the scenarios it evaluates."""

    def __init__(self, label, rules, validation, root):
        self.label = label
        self.evaluate = rules.evaluate
        data = json.loads((Path(root) / RULESET).read_text())
        self.ruleset = rules.CompiledRuleSet(
            [rules.Rule(**r) for r in data["rules"]], version=data["version"])
        self.assessments = [
            rules.Assessment.from_contract(validation.validate_assessment(scenario))
            for scenario in scenarios()
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


def scenarios():
    """Return the shared scenarios' assessments, in file order."""
    found = [json.loads(p.read_text())["assessment"] for p in sorted(SCENARIOS.glob("*.json"))]
    if not found:
        sys.exit(f"no scenarios found in {SCENARIOS}")
    return found


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
        base_root = extract_revision(BASELINE, tmp)
        base_rules, base_validation = load_package(base_root, "baseline_options")
        current = Engine("current", rules, validation, ROOT)
        baseline = Engine(f"baseline {BASELINE}", base_rules, base_validation, base_root)
    rates = turns([current, baseline])
    now, then = (statistics.median(rates[e.label]) for e in (current, baseline))
    print(f"scenarios: {len(current.assessments)}; {ROUNDS} alternating rounds of "
          f"{SECONDS} s each on one core; medians")
    for engine in (current, baseline):
        low, high = min(rates[engine.label]), max(rates[engine.label])
        print(f"  {engine.label}: rounds {low:,.0f}-{high:,.0f}")
    print(f"current: {now:,.0f} evaluations per second; baseline {BASELINE}: {then:,.0f} "
          f"evaluations per second; ratio {now / then:.2f}x")


if __name__ == "__main__":
    main()
