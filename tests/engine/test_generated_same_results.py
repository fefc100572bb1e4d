"""The generated evaluation (options/rules/generated.py) gives the interpreter's results.

Every shared scenario and over a thousand generated assessments are evaluated both ways, on
the default ruleset and on edited ones (rules removed, priorities swapped, a temporary safety
stop added, an alert removed, conditions that the default data do not use), and the results
must match key for key, in order. Rule data must reach the results as data, never as code.
"""

import ast
import copy
import dataclasses
import json
import random

import pytest

from bench.engine import ROOT, RULESET, scenarios
from options.rules import Assessment, CompiledRuleSet, Rule, engine
from options.rules.engine import GENERATE_AFTER, evaluate, evaluate_generated, evaluate_interpreted
from options.validation import AssessmentInvalid, validate_assessment
from tests.engine.test_same_results import _assessment

SEED = 20261128
GENERATED = 1200


def _cases():
    rng = random.Random(SEED)
    found = [validate_assessment(s) for s in scenarios()]
    generated = 0
    while generated < GENERATED:
        try:
            found.append(validate_assessment(_assessment(rng)))
        except AssessmentInvalid:
            continue
        generated += 1
    return [Assessment.from_contract(data) for data in found]


CASES = _cases()
DEFAULT = json.loads((ROOT / RULESET).read_text())


def _rule(**fields):
    return {"option": "", "status": "", "priority": 100, "section": "", "patient_text": "",
            "alert_code": "", "alert_severity": "", "defines": "", "temporary": False,
            "editor_note": "", "guidance": "TEST", **fields}


def _removed(rules):
    """Every third rule that defines nothing, gone."""
    return [r for i, r in enumerate(rules) if r["effect"] == "define" or i % 3]


def _swapped(rules):
    """Status, safety and criterion rules in the reverse of their order."""
    rules = copy.deepcopy(rules)
    for r in rules:
        if r["effect"] in ("status", "safety", "criterion", "caution"):
            r["priority"] = 1000 - r["priority"]
    return rules


def _temporary_stop(rules):
    return rules + [_rule(
        code=f"TMP-CALCIUM-{option}", option=option, effect="safety", status="not_recommended",
        priority=5, temporary=True, text="Calcium below {corrected_calcium_mmol_l.lt}.",
        condition={"fact": "corrected_calcium_mmol_l", "lt": 2.4})
        for option in ("bisphosphonate", "vertebroplasty", "cementoplasty")]


def _no_alert(rules):
    first = next(r["code"] for r in rules if r["effect"] == "alert")
    return [r for r in rules if r["code"] != first]


def _deep(depth, leaf):
    """A condition nested past the depth that the generated source writes inline."""
    for i in range(depth):
        leaf = {"all" if i % 2 else "any": [{"fact": "mscc_signs", "is": i % 3 == 0}, leaf]}
    return leaf


def _unusual(rules):
    """Conditions the default rules do not use: an any whose true part carries lesions
    before a part settled by the cancer type, a derived fact built on another and negated,
    priors asked with an unknown answer, ordered and not_in comparisons, deep nesting."""
    spine_any = {"any": [{"any_lesion": {"all": [{"fact": "site", "eq": "spine"}, {
        "fact": "sins_band", "in": ["indeterminate", "unstable"]}]}},
        {"fact": "cancer_type", "in": ["myeloma", "lung"]}]}
    return rules + [
        _rule(code="DEF-OLD-OR-RENAL", effect="define", defines="old_or_renal", priority=9,
              text="Old, or renal impairment.",
              condition={"any": [{"fact": "crcl_below_30", "is": True},
                                 {"fact": "age_years", "gt": 80}]}),
        _rule(code="VP-TEST-40", option="vertebroplasty", effect="status", status="consider",
              priority=35, text="Spinal lesion, or a cancer type.", condition=spine_any),
        _rule(code="CEM-TEST-1", option="cementoplasty", effect="status", status="consider",
              priority=15, text="Recent effective radiotherapy.",
              condition={"any_prior": {"all": [
                  {"fact": "treatment", "not_in": ["opioid", "surgery"]},
                  {"fact": "weeks_ago", "lt": 6}, {"not": {"fact": "response", "eq": "ongoing"}}
              ]}}),
        _rule(code="BP-TEST-SAFE", option="bisphosphonate", effect="safety",
              status="contraindicated", priority=15, text="Not for the old or renal.",
              condition={"all": [{"not": {"fact": "old_or_renal", "is": False}},
                                 {"unknown": {"fact": "dental_assessment_done", "is": True}}]}),
        _rule(code="DMAB-TEST-CRIT", option="denosumab", effect="criterion", priority=5,
              text="Deeply nested.", condition={"when": {"not": {"fact": "old_or_renal",
                                                                  "is": True}},
                                                "met": _deep(70, spine_any)}),
        _rule(code="KP-TEST-NOTE", option="kyphoplasty", effect="note", priority=5,
              text="Unknown spine.",
              condition={"unknown": {"any_lesion": {"not": {"fact": "collapse", "ne": "none"}}}}),
        _rule(code="ALERT-TEST", effect="alert", alert_code="test", alert_severity="info",
              priority=9, text="Lesions or not.",
              condition={"any": [{"not": {"any_lesion": {"fact": "mirels", "le": 7}}},
                                 {"fact": "out_of_scope", "is": True}]}),
    ]


def _shuffled(seed):
    """Priorities drawn at random and a tenth of the rules (none that defines) left out."""
    def edit(rules):
        rng = random.Random(seed)
        rules = [r if r["effect"] == "define" else {**r, "priority": rng.randint(1, 99)}
                 for r in _unusual(rules)]  # a define may name only those before it
        return [r for r in rules if r["effect"] == "define" or rng.random() > 0.1]
    return edit


EDITS = {"default": list, "removed": _removed, "swapped": _swapped,
         "temporary-stop": _temporary_stop, "no-alert": _no_alert, "unusual": _unusual,
         "shuffled-1": _shuffled(1), "shuffled-2": _shuffled(2)}


def _compiled(rules):
    return CompiledRuleSet([Rule(**r) for r in rules], version=DEFAULT["version"])


@pytest.fixture(scope="module", params=list(EDITS), ids=list(EDITS))
def ruleset(request):
    return _compiled(EDITS[request.param](DEFAULT["rules"]))


@pytest.mark.parametrize("start", range(0, len(CASES), 300), ids=lambda s: f"cases-{s}")
def test_generated_results_match_the_interpreter(ruleset, start):
    for assessment in CASES[start:start + 300]:
        expected = evaluate_interpreted(assessment, ruleset)
        got = evaluate_generated(assessment, ruleset)
        assert got == expected, assessment
        assert json.dumps(got) == json.dumps(expected), assessment  # in order, too
    assert ruleset.generation_errors == {}


def test_a_cancer_type_without_plans_of_its_own_is_evaluated_alike(ruleset):
    for assessment in CASES[:100]:
        unplanned = dataclasses.replace(assessment, cancer_type="not_in_the_vocabulary")
        assert evaluate_generated(unplanned, ruleset) == evaluate_interpreted(unplanned,
                                                                              ruleset)
    assert None in ruleset.runners


def test_the_cases_reach_every_option_status_and_unknown():
    ruleset = _compiled(DEFAULT["rules"])
    seen = {(o["status"], bool(o["missing"]), bool(o["not_now"]), bool(o["lesions"]))
            for a in CASES for o in evaluate_generated(a, ruleset)["options"]}
    assert {s for s, *_ in seen} >= {"recommended", "consider", "not_recommended",
                                     "contraindicated", "not_applicable", "needs_information"}
    assert any(m for _, m, _, _ in seen) and any(n for _, _, n, _ in seen)
    assert any(lesions for *_, lesions in seen)


def test_a_deep_condition_is_asked_through_its_compiled_closure():
    ruleset = _compiled(_unusual(DEFAULT["rules"]))
    source = engine.runner(ruleset, "breast").source
    assert "(facts, None)" in source


CODE = "x\"'; __import__('os').system('echo pwned') #\n\tprint(1) \\ {{}} ''' \"\"\""


def test_rule_data_that_looks_like_code_is_evaluated_as_data(monkeypatch):
    rules = [r for r in DEFAULT["rules"] if r["code"] != "ALERT-MSCC"]
    rules.append(_rule(code="ALERT-" + CODE, effect="alert", alert_code=CODE,
                       alert_severity="critical", priority=1, section=CODE,
                       text="Cord compression " + CODE.replace("{{}}", ""),
                       patient_text=CODE.replace("{{}}", ""), guidance=CODE,
                       condition={"fact": "mscc_signs", "is": True}))
    ruleset = _compiled(rules)
    calls = []
    monkeypatch.setattr("os.system", calls.append)
    for assessment in CASES[:200]:
        assert evaluate_generated(assessment, ruleset) == evaluate_interpreted(assessment,
                                                                               ruleset)
    source = engine.runner(ruleset, "breast").source
    assert "__import__" not in source and "pwned" not in source and "Cord" not in source
    alerts = [a for case in CASES[:200] if case.mscc_signs
              for a in evaluate_generated(case, ruleset)["alerts"] if a["code"] == CODE]
    assert alerts and alerts[0]["section"] == CODE and alerts[0]["rule"] == "ALERT-" + CODE
    assert calls == []


# Every string the generated source may hold: its own result keys, never rule data.
OWN_STRINGS = {"ruleset", "options", "alerts", "scores", "derived", "option", "status",
               "hold", "summary", "decided_by", "not_now", "reasons", "criteria",
               "conditions", "cautions", "notes", "missing", "lesions", "rule", "text"}


def test_the_generated_source_holds_no_rule_data(ruleset):
    for cancer_type in [*ruleset.plans_by_cancer, None]:
        tree = ast.parse(engine.runner(ruleset, cancer_type).source)
        constants = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)}
        strings = {c for c in constants if isinstance(c, str)}
        numbers = {c for c in constants if not isinstance(c, str | bool) and c is not None}
        assert strings <= OWN_STRINGS
        assert all(isinstance(n, int) and 0 <= n < 30 for n in numbers)  # indexes only
        names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        namespace = {*engine.generated.HELPERS, "defines", "header", "a", "bool", "sorted", "set",
                     "str"}
        assert all(n in namespace or n.rstrip("0123456789") in GENERATED_NAMES
                   for n in names), names - namespace


GENERATED_NAMES = {"k", "s", "f", "t", "r", "m", "l", "v", "i", "x", "o", "pv", "ccl",
                   "derived", "scores", "lesions", "priors", "facts", "un", "sm", "ls", "st",
                   "rs", "act", "fs", "db", "hd", "rz", "nn", "ms", "hl", "hm", "hs", "fin",
                   "fa", "cm", "crit", "cd", "ca", "nt", "sy", "al", "h", "u", "p"}


def test_a_ruleset_whose_source_cannot_be_built_is_interpreted(monkeypatch):
    def refuse(ruleset, cancer_type):
        raise RecursionError("too deep")

    monkeypatch.setattr(engine.generated, "build", refuse)
    ruleset = _compiled(DEFAULT["rules"])
    for assessment in CASES[:50]:
        assert evaluate_generated(assessment, ruleset) == evaluate_interpreted(assessment,
                                                                               ruleset)
    assert set(ruleset.generation_errors) <= {*ruleset.plans_by_cancer, None}
    assert ruleset.generation_errors


def test_evaluate_interprets_a_plan_set_until_it_has_been_asked_often():
    ruleset = _compiled(DEFAULT["rules"])
    breast = [a for a in CASES if a.cancer_type == "breast"]
    assert len(breast) > GENERATE_AFTER + 10
    for i, assessment in enumerate(breast):
        assert ("breast" in ruleset.runners) is (i > GENERATE_AFTER)
        assert evaluate(assessment, ruleset) == evaluate_interpreted(assessment, ruleset)
    assert set(ruleset.runners) == {"breast"}
