"""Every numeric threshold of the default ruleset's safety and eligibility rules has a
project scenario just inside it and one just outside it, so the scenario gate notices when
it moves (docs/hazard-log.md, GV7). Pure engine: no database."""

import copy

import pytest

from guidance.scenarios.compare import scenario_file_mismatches
from guidance.services import default_ruleset_data
from options.rules import Assessment, CompiledRuleSet, ConditionError, Rule, evaluate
from options.rules.thresholds import (
    STEPS,
    Threshold,
    case_values,
    ruleset_thresholds,
    side,
    thresholds_bracketed,
    thresholds_changed,
)
from options.rules.vocab import LESION_FACTS, PATIENT_FACTS, PRIOR_FACTS
from options.validation import validate_assessment
from tests.builders import scenario, scenario_files, threshold_scenario_files

DEFAULT = default_ruleset_data()["rules"]
THRESHOLD_FILES = threshold_scenario_files()
PROJECT_SCENARIOS = [scenario(path) for path in scenario_files() + THRESHOLD_FILES]


def _rules(data=DEFAULT):
    return [Rule(**rule) for rule in data]


def _with(code, condition, data=DEFAULT):
    """Return the rule data with one rule's condition replaced."""
    data = copy.deepcopy(data)
    next(rule for rule in data if rule["code"] == code)["condition"] = condition
    return data


def test_the_default_ruleset_has_these_thresholds():
    assert [str(t) for t in ruleset_thresholds(_rules())] == [
        "corrected_calcium_mmol_l lt 2.2 (DEF-HYPOCALCAEMIA via BP-HOLD-01, DMAB-SAFE-02)",
        "creatinine_clearance_ml_min lt 30 (DEF-CRCL-BELOW-30 via BP-SAFE-02)",
        "mirels ge 9 (ALERT-ORTHO, PC-IPG179-03)",
        "sins le 12 (BKP-CG75-02, VP-CG75-02)",
        "sins ge 13 (ALERT-UNSTABLE-SPINE)",
        "weeks_ago ge 2 (DEF-RADIOTHERAPY-FAILED via BP-NG131-01, PC-IPG179-03)",
    ]


def test_cautions_criteria_and_conditions_hold_no_guarded_threshold():
    # The zoledronic acid dose bands (30/40/50/60 mL/min) are cautions: shown, not decided.
    found = {(t.fact, t.value) for t in ruleset_thresholds(_rules())}
    assert ("creatinine_clearance_ml_min", 60) not in found
    assert ("mirels", 8) not in found and ("sins", 7) not in found


def test_a_define_rule_no_safety_rule_asks_holds_no_threshold():
    data = _with("DMAB-SAFE-02", {"fact": "pregnant", "is": True},
                 _with("BP-HOLD-01", {"fact": "pregnant", "is": True}))
    assert "corrected_calcium_mmol_l" not in {t.fact for t in ruleset_thresholds(_rules(data))}


def test_a_derived_fact_inside_another_is_followed_to_its_number():
    data = copy.deepcopy(DEFAULT)
    data.append({**data[0], "code": "DEF-LOW-AND-UNWELL", "effect": "define", "option": "",
                 "status": "", "defines": "low_and_unwell", "condition": {"all": [
                     {"fact": "hypocalcaemia", "is": True}, {"fact": "active_infection",
                                                             "is": True}]}})
    data = _with("DMAB-SAFE-02", {"fact": "low_and_unwell", "is": True}, data)
    calcium = next(t for t in ruleset_thresholds(_rules(data))
                   if t.fact == "corrected_calcium_mmol_l")
    assert calcium.rules == ("DEF-HYPOCALCAEMIA",)
    assert calcium.via == ("BP-HOLD-01", "DMAB-SAFE-02")


def test_a_condition_outside_the_vocabulary_is_refused_by_the_engines_parser():
    data = _with("BP-HOLD-01", {"fact": "corrected_calcium_mmol_l", "lt": "low"})
    with pytest.raises(ConditionError, match="must be a number"):
        ruleset_thresholds(_rules(data))


def test_every_numeric_fact_of_the_vocabulary_has_a_step():
    numeric = {name for facts in (PATIENT_FACTS, LESION_FACTS, PRIOR_FACTS)
               for name, kind in facts.items() if kind[0] in ("int", "number")}
    assert set(STEPS) == numeric


CALCIUM = Threshold("corrected_calcium_mmol_l", "lt", 2.2, ("DEF-HYPOCALCAEMIA",))
SINS = Threshold("sins", "le", 12, ("VP-CG75-02",))


@pytest.mark.parametrize(("threshold", "value", "expected"), [
    (CALCIUM, 2.15, "inside"), (CALCIUM, 2.2, "outside"), (CALCIUM, 2.25, "outside"),
    (CALCIUM, 2.14, None), (CALCIUM, 2.26, None),
    (SINS, 12, "inside"), (SINS, 13, "outside"), (SINS, 10, None),
    (SINS, (11, 12), "inside"), (SINS, (12, 13), None), (SINS, (6, 12), None),
    (Threshold("ferritin", "lt", 30, ("X",)), 29, None),
], ids=str)
def test_just_inside_and_just_outside_are_within_one_step(threshold, value, expected):
    assert side(threshold, value) == expected


def test_a_case_is_read_as_the_engine_used_it(run):
    data = scenario(next(p for p in THRESHOLD_FILES if p.stem == "TH-CRCL-29.4"))
    values = case_values(data["assessment"], run(data["assessment"]))
    assert values["creatinine_clearance_ml_min"] == [29.4]  # Cockcroft-Gault, not entered
    v39 = scenario(next(p for p in scenario_files() if p.stem == "V39"))
    assert case_values(v39["assessment"], run(v39["assessment"]))["sins"] == [(6, 12)]


@pytest.mark.parametrize("path", THRESHOLD_FILES, ids=[path.stem for path in THRESHOLD_FILES])
def test_threshold_scenario_through_the_engine(run, path):
    data = scenario(path)
    assert scenario_file_mismatches(data, run(data["assessment"])) == []


def _brackets(run, rules=None, scenarios=PROJECT_SCENARIOS):
    cases = [(s["id"], case_values(s["assessment"], run(s["assessment"]))) for s in scenarios]
    return thresholds_bracketed(ruleset_thresholds(rules or _rules()), cases)


def test_every_default_threshold_is_bracketed_by_the_project_scenarios(run):
    unbracketed = [str(b) for b in _brackets(run) if not b.bracketed]
    assert unbracketed == [], "add project scenarios (guidance/data/scenarios/thresholds/) " \
        "just inside and just outside:\n" + "\n".join(unbracketed)


def test_the_shared_scenarios_alone_leave_thresholds_unbracketed(run):
    shared = [scenario(path) for path in scenario_files()]
    assert {b.threshold.fact for b in _brackets(run, scenarios=shared) if not b.bracketed} == {
        "corrected_calcium_mmol_l", "creatinine_clearance_ml_min", "mirels", "sins",
        "weeks_ago"}


def _moved(threshold, value):
    """Return the default rule data with the threshold's number moved to `value`."""
    data = copy.deepcopy(DEFAULT)

    def move(node):
        if isinstance(node, list):
            return [move(item) for item in node]
        if not isinstance(node, dict):
            return node
        if node.get("fact") == threshold.fact and node.get(threshold.op) == threshold.value:
            return {**node, threshold.op: value}
        return {key: move(item) for key, item in node.items()}

    for rule in data:
        if rule["code"] in threshold.rules:
            rule["condition"] = move(rule["condition"])
    return data


MOVES = [(t, direction) for t in ruleset_thresholds(_rules()) for direction in (-1, 1)]


@pytest.mark.parametrize(("threshold", "direction"), MOVES,
                         ids=[f"{t.fact}-{t.op}-{'down' if d < 0 else 'up'}" for t, d in MOVES])
def test_moving_a_threshold_one_step_fails_a_project_scenario(threshold, direction):
    value = round(threshold.value + direction * threshold.step, 4)
    ruleset = CompiledRuleSet(_rules(_moved(threshold, value)), version="moved")
    moved_run = _runner(ruleset)
    failing = [s["id"] for s in PROJECT_SCENARIOS
               if scenario_file_mismatches(s, moved_run(s["assessment"]))]
    assert failing, f"{threshold} moved to {value}: every scenario still passes"


def _runner(ruleset):
    return lambda data: evaluate(Assessment.from_contract(validate_assessment(data)), ruleset)


def test_a_draft_that_lowers_hypocalcaemia_changes_that_threshold_only():
    lowered = _with("DEF-HYPOCALCAEMIA", {"fact": "corrected_calcium_mmol_l", "lt": 1.0})
    changed = thresholds_changed(_rules(lowered), base=_rules())
    assert [str(t) for t in changed] == [
        "corrected_calcium_mmol_l lt 1 (DEF-HYPOCALCAEMIA via BP-HOLD-01, DMAB-SAFE-02)"]
    assert thresholds_changed(_rules(), base=_rules()) == []


def test_a_lowered_threshold_is_named_as_unbracketed(run):
    lowered = _with("DEF-HYPOCALCAEMIA", {"fact": "corrected_calcium_mmol_l", "lt": 1.0})
    changed = thresholds_changed(_rules(lowered), base=_rules())
    cases = [(s["id"], case_values(s["assessment"], run(s["assessment"])))
             for s in PROJECT_SCENARIOS]
    assert [str(b) for b in thresholds_bracketed(changed, cases)] == [
        "corrected_calcium_mmol_l lt 1 (DEF-HYPOCALCAEMIA via BP-HOLD-01, DMAB-SAFE-02): "
        "no scenario just inside or outside (within 0.05)"]
