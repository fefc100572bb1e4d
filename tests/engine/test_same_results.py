"""The engine gives the very same results as the baseline revision it was made faster than.

The baseline engine is extracted from git at test time (the test fails, never skips, where git
or the revision is absent: it is the guard for any future optimisation) and asked about every
shared scenario and a few hundred generated assessments: cancer
types, unknowns, lesions with unknown findings, and safety values on both sides of their
thresholds. Each result must match the baseline's key for key, in order.
"""

import dataclasses
import json
import random
import shutil
import subprocess

import pytest

from options.rules import Assessment, CompiledRuleSet, Rule, evaluate, vocab
from options.validation import AssessmentInvalid, validate_assessment

from .baseline import ROOT, RULESET, extract_revision, load_package, scenarios
from .baseline import SAME_CONTRACT as BASELINE

SEED = 20261127
GENERATED = 400


def _has_baseline():
    if shutil.which("git") is None:
        return False
    found = subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{BASELINE}^{{commit}}"],
                           capture_output=True)
    return found.returncode == 0




@pytest.fixture(scope="module", autouse=True)
def _baseline_present():
    if not _has_baseline():
        pytest.fail(f"git or revision {BASELINE} unavailable: the engine cannot be compared "
                    "with its baseline (clone with history)")


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """The baseline's (rules module, the current default ruleset compiled by it).

    Both engines read the same rules: a rule field added since the baseline that no
    evaluation reads (a label for people, such as `bonecare_default`) is left out for it.
    """
    root = extract_revision(BASELINE, tmp_path_factory.mktemp("baseline"))
    rules, _ = load_package(root, "baseline_options")
    data = json.loads((ROOT / RULESET).read_text())
    known = {field.name for field in dataclasses.fields(rules.Rule)}
    return rules, rules.CompiledRuleSet(
        [rules.Rule(**{k: v for k, v in r.items() if k in known}) for r in data["rules"]],
        version=data["version"])


@pytest.fixture(scope="module")
def current():
    data = json.loads((ROOT / RULESET).read_text())
    return CompiledRuleSet([Rule(**r) for r in data["rules"]], version=data["version"])


def _maybe(rng, value, unknown=0.25):
    return None if rng.random() < unknown else value


def _lesion(rng):
    site = rng.choice(vocab.SITES)
    lesion = {"site": site, "lesion_type": rng.choice(vocab.LESION_TYPES),
              "pain": rng.choice(vocab.PAINS)}
    if site == "spine":
        lesion["level"] = rng.choice(vocab.SPINE_LEVELS)
        for name, choices in (("collapse", vocab.COLLAPSES), ("alignment", vocab.ALIGNMENTS),
                              ("posterolateral", vocab.POSTEROLATERALS),
                              ("retropulsion", (True, False))):
            lesion[name] = _maybe(rng, rng.choice(choices), 0.3)
    else:
        lesion["fracture"] = _maybe(rng, rng.choice((True, False)))
    if site in vocab.LONG_BONE_SITES:
        lesion["cortical_involvement"] = _maybe(rng, rng.choice(vocab.CORTICAL_INVOLVEMENTS))
    if site == "sacrum" and rng.random() < 0.5:
        lesion["level"] = rng.choice(vocab.SACRAL_LEVELS)
    return {k: v for k, v in lesion.items() if v is not None}


def _prior(rng):
    prior = {"treatment": rng.choice(vocab.TREATMENTS), "response": rng.choice(vocab.RESPONSES)}
    if rng.random() < 0.7:
        prior["weeks_ago"] = rng.randint(0, 60)
    return prior


SAFETY_VALUES = {
    "creatinine_clearance_ml_min": (10, 29.9, 30, 35, 60, 120),
    "serum_creatinine_umol_l": (50, 90, 180, 400),
    "weight_kg": (45, 70, 110),
    "corrected_calcium_mmol_l": (1.9, 2.1, 2.2, 2.4, 2.8, 3.2),
}


def _patient(rng):
    cancer = rng.choice(vocab.CANCER_TYPES)
    data = {"cancer_type": cancer, "age_years": _maybe(rng, rng.randint(18, 100)),
            "sex": _maybe(rng, rng.choice(vocab.SEXES)),
            "treatment_intent": _maybe(rng, rng.choice(vocab.TREATMENT_INTENTS))}
    for name in ("bone_metastases", "mscc_signs", "dental_assessment_done",
                 "unhealed_oral_lesion", "uncorrectable_coagulopathy", "active_infection",
                 "cement_allergy", "pregnant"):
        data[name] = _maybe(rng, rng.random() < 0.5)
    for name, values in SAFETY_VALUES.items():
        data[name] = _maybe(rng, rng.choice(values), 0.4)
    if cancer == "prostate":
        data["prostate_hormone_status"] = _maybe(rng, rng.choice(
            vocab.PROSTATE_HORMONE_STATUSES))
    if cancer == "myeloma":
        data["myeloma_needs_treatment"] = _maybe(rng, rng.random() < 0.6)
    if data["sex"] == "male":
        data.pop("pregnant")
    return data


def _assessment(rng):
    data = _patient(rng)
    if rng.random() < 0.85:
        data["lesions"] = [_lesion(rng) for _ in range(rng.randint(0, 4))]
    if rng.random() < 0.8:
        data["prior_treatments"] = [_prior(rng) for _ in range(rng.randint(0, 3))]
    return {k: v for k, v in data.items() if v is not None}


def generated():
    """Return GENERATED valid contract dicts, the same ones every run."""
    rng = random.Random(SEED)
    found = []
    while len(found) < GENERATED:
        try:
            found.append(validate_assessment(_assessment(rng)))
        except AssessmentInvalid:
            continue
    return found


CASES = [validate_assessment(s) for s in scenarios()] + generated()


def test_the_generated_assessments_reach_every_status(current):
    statuses = {o["status"] for data in CASES
                for o in evaluate(Assessment.from_contract(data), current)["options"]}
    assert statuses == set(vocab.STATUSES)


@pytest.mark.parametrize("start", range(0, len(CASES), 50), ids=lambda s: f"cases-{s}")
def test_results_match_the_baseline(baseline, current, start):
    rules, ruleset = baseline
    for data in CASES[start:start + 50]:
        expected = rules.evaluate(rules.Assessment.from_contract(data), ruleset)
        got = evaluate(Assessment.from_contract(data), current)
        assert json.dumps(got) == json.dumps(expected), data
