"""Engine benchmark: evaluations per second over the shared scenarios, one core.

Run with `make bench-engine`. Pure engine: validated assessments in, result dicts out, with
the full default ruleset compiled once (as in a server process). No Django, no database.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

from options.rules import Assessment, CompiledRuleSet, Rule, evaluate
from options.validation import validate_assessment

ROOT = Path(__file__).resolve().parent.parent
RULESET = ROOT / "guidance" / "data" / "default_ruleset.json"
SCENARIOS = ROOT / "guidance" / "data" / "scenarios"
TARGET = 20_000


def load():
    data = json.loads(RULESET.read_text())
    started = time.perf_counter()
    ruleset = CompiledRuleSet([Rule(**r) for r in data["rules"]], version=data["version"])
    compile_ms = (time.perf_counter() - started) * 1000
    assessments = [
        Assessment.from_contract(validate_assessment(json.loads(p.read_text())["assessment"]))
        for p in sorted(SCENARIOS.glob("*.json"))
    ]
    if not assessments:
        sys.exit(f"no scenarios found in {SCENARIOS}")
    return ruleset, assessments, compile_ms, len(data["rules"])


def rate(ruleset, assessments, seconds):
    """Return evaluations per second over `seconds` of round-robin evaluation."""
    count = 0
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for assessment in assessments:
            evaluate(assessment, ruleset)
        count += len(assessments)
    return count / elapsed


def main():
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    ruleset, assessments, compile_ms, rules = load()
    rate(ruleset, assessments, 0.5)  # warm up
    rounds = [rate(ruleset, assessments, 1.0) for _ in range(7)]
    median = statistics.median(rounds)
    print(f"ruleset {ruleset.version}: {rules} rules, compiled once in {compile_ms:.1f} ms")
    print(f"scenarios: {len(assessments)}; rounds: {len(rounds)} x 1 s on one core")
    print(f"engine evaluations per second: median {median:,.0f}, best {max(rounds):,.0f}, "
          f"worst {min(rounds):,.0f}  (target {TARGET:,})")
    print(f"mean time per evaluation: {1e6 / median:.1f} us")


if __name__ == "__main__":
    main()
