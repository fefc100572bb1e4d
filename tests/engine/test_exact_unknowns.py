"""An unknown input is asked for only when the final status could differ (clinical/rules.md).

Three-valued logic alone treats "SINS 12 or less" and "collapse present" as independent
unknowns although one finding drives both, so the engine decides an option that needs only
lesion findings over their joint values. Checked here against brute force: every completion
of every unknown lesion finding, over generated assessments where everything else is known.
"""

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from options.rules import Assessment, CompiledRuleSet, Rule, evaluate, vocab
from options.rules.engine import SETTLED_CAUTION, completions
from options.validation import AssessmentInvalid, validate_assessment

SEED = 20261207
COUNT = 10_000
MAX_BRUTE = 72  # completions per assessment (one spinal lesion at most), to keep it quick
RULESET = Path(__file__).resolve().parents[2] / "guidance" / "data" / "default_ruleset.json"
FINDINGS = {"collapse": vocab.COLLAPSES, "alignment": vocab.ALIGNMENTS,
            "posterolateral": vocab.POSTEROLATERALS, "retropulsion": (True, False)}


@pytest.fixture(scope="module")
def ruleset():
    data = json.loads(RULESET.read_text())
    return CompiledRuleSet([Rule(**r) for r in data["rules"]], version=data["version"])


def _spine(rng):
    lesion = {"site": "spine", "level": rng.choice(vocab.SPINE_LEVELS),
              "lesion_type": rng.choice(vocab.LESION_TYPES), "pain": rng.choice(vocab.PAINS)}
    for name, values in FINDINGS.items():
        if rng.random() < 0.6:
            lesion[name] = rng.choice(values)
    return lesion


def _long_bone(rng):
    lesion = {"site": rng.choice(vocab.LONG_BONE_SITES),
              "lesion_type": rng.choice(vocab.LESION_TYPES), "pain": rng.choice(vocab.PAINS)}
    if rng.random() < 0.5:
        lesion["cortical_involvement"] = rng.choice(vocab.CORTICAL_INVOLVEMENTS)
    if rng.random() < 0.5:
        lesion["fracture"] = rng.random() < 0.5
    return lesion


def _assessment(rng):
    """Every input but lesion findings known; safety inputs known or not."""
    cancer = rng.choice(("breast", "prostate", "myeloma", "lung", "renal", "other_solid"))
    data = {"cancer_type": cancer, "bone_metastases": True, "mscc_signs": rng.random() < 0.1,
            "treatment_intent": rng.choice(vocab.TREATMENT_INTENTS),
            "age_years": rng.randint(30, 90), "sex": rng.choice(vocab.SEXES),
            "lesions": [(_spine if rng.random() < 0.75 else _long_bone)(rng)
                        for _ in range(rng.randint(1, 2))],
            "prior_treatments": [
                {"treatment": rng.choice(vocab.TREATMENTS),
                 "response": rng.choice(vocab.RESPONSES), "weeks_ago": rng.randint(0, 30)}
                for _ in range(rng.randint(0, 3))]}
    if cancer == "prostate":
        data["prostate_hormone_status"] = rng.choice(vocab.PROSTATE_HORMONE_STATUSES)
    if cancer == "myeloma":
        data["myeloma_needs_treatment"] = rng.random() < 0.7
    return data


def _cases():
    rng = random.Random(SEED)
    while True:
        try:
            clean = validate_assessment(_assessment(rng))
        except AssessmentInvalid:
            continue
        assessment = Assessment.from_contract(clean)
        brute = list(completions(assessment, range(len(assessment.lesions))))
        if 1 < len(brute) <= MAX_BRUTE:  # some finding unknown, and few enough to try all
            yield assessment, brute


def test_needs_information_exactly_when_a_completion_could_change_the_status(ruleset):
    differences, kinds, checked = [], Counter(), 0
    for assessment, brute in _cases():
        result = evaluate(assessment, ruleset)
        possible = [{o["option"]: o["status"] for o in evaluate(c, ruleset)["options"]}
                    for c in brute]
        for option in result["options"]:
            statuses = {each[option["option"]] for each in possible}
            assert "needs_information" not in statuses  # everything else is known
            expected = statuses.pop() if len(statuses) == 1 else "needs_information"
            kinds[(expected == "needs_information",
                   SETTLED_CAUTION in option["cautions"])] += 1
            if option["status"] != expected:
                differences.append((option["option"], option["status"], expected,
                                    assessment))
        checked += 1
        if checked == COUNT:
            break
    assert differences[:3] == []
    # Not vacuous: both kinds of answer were met, and some were settled only jointly.
    assert kinds[(True, False)] > 100 and kinds[(False, True)] > 10, kinds


def test_the_example_of_issue_20_is_not_recommended(ruleset):
    clean = validate_assessment({
        "cancer_type": "breast", "bone_metastases": True, "mscc_signs": False,
        "prior_treatments": [], "lesions": [{
            "site": "spine", "level": "C5", "lesion_type": "lytic", "pain": "none",
            "alignment": "subluxation", "posterolateral": "bilateral", "retropulsion": False}]})
    result = evaluate(Assessment.from_contract(clean), ruleset)
    options = {o["option"]: o for o in result["options"]}
    for name in ("vertebroplasty", "kyphoplasty"):
        assert options[name]["status"] == "not_recommended"
        assert options[name]["missing"] == []
        assert SETTLED_CAUTION in options[name]["cautions"]
    assert result["scores"][0]["sins_range"] == [11, 14]  # the range is still said
