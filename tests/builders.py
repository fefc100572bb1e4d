"""Small builders for assessments: readable tests without JSON fixtures."""

import json
from pathlib import Path

from django.conf import settings

from guidance.services import threshold_scenarios_dir

SAFE = {
    "creatinine_clearance_ml_min": 80,
    "corrected_calcium_mmol_l": 2.4,
    "dental_assessment_done": True,
    "unhealed_oral_lesion": False,
    "uncorrectable_coagulopathy": False,
    "active_infection": False,
    "cement_allergy": False,
    "pregnant": False,
    "mscc_signs": False,
}


def assessment(cancer_type="breast", *, lesions=(), prior=(), **fields):
    """Return a valid contract dict: bone metastases confirmed and every safety input known."""
    data = {"cancer_type": cancer_type, **SAFE}
    if cancer_type != "none":
        data["bone_metastases"] = True
    if cancer_type == "prostate":
        data["prostate_hormone_status"] = "hormone_relapsed"
    if cancer_type == "myeloma":
        data["myeloma_needs_treatment"] = True
    data["lesions"] = list(lesions)
    data["prior_treatments"] = list(prior)
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def spine(level="T8", **findings):
    """Return a spinal lesion: painful lytic, no collapse, stable unless overridden."""
    lesion = {"site": "spine", "level": level, "lesion_type": "lytic", "pain": "moderate",
              "collapse": "none", "alignment": "normal", "posterolateral": "none",
              "retropulsion": False}
    return {**lesion, **findings}


def long_bone(site="upper_limb", **findings):
    """Return a long-bone lesion: moderate pain, lytic, under a third of the cortex."""
    lesion = {"site": site, "lesion_type": "lytic", "pain": "moderate",
              "cortical_involvement": "under_third", "fracture": False}
    return {**lesion, **findings}


def flat(site="pelvis", **findings):
    """Return a non-spinal, non-long-bone lesion (pelvis, sacrum, other)."""
    return {"site": site, "lesion_type": "lytic", "pain": "moderate", **findings}


def prior(treatment, response, weeks_ago=None):
    item = {"treatment": treatment, "response": response}
    if weeks_ago is not None:
        item["weeks_ago"] = weeks_ago
    return item


ANALGESIA_FAILED = prior("opioid", "inadequate")
RADIOTHERAPY_FAILED = prior("radiotherapy", "inadequate", 4)


def scenario_files():
    """Return the shared scenario files, sorted by name."""
    directory = Path(settings.BONECARE_SCENARIOS_DIR)
    return sorted(directory.glob("*.json"))


def threshold_scenario_files():
    """Return the project's own scenarios either side of each safety threshold, by name."""
    return sorted(threshold_scenarios_dir().glob("*.json"))


def scenario(path):
    return json.loads(Path(path).read_text())
