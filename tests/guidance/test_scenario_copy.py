"""The project carries its own copy of the shared scenarios; updates arrive deliberately.

Beside the copy it has scenarios of its own (thresholds/, either side of each safety
threshold): those are allowed, but never under a shared scenario's name or id.
"""

import filecmp
import json

import pytest
from django.conf import settings

from tests.builders import scenario_files, threshold_scenario_files

SHARED = settings.BONECARE_SHARED_DIR / "clinical" / "scenarios"


def test_the_project_carries_its_own_scenarios():
    assert len(scenario_files()) >= 16
    assert len(threshold_scenario_files()) >= 2


@pytest.mark.skipif(not SHARED.is_dir(), reason="no ../shared beside the repository")
def test_the_copy_matches_the_shared_scenarios_file_by_file():
    ours = {p.name for p in scenario_files()}
    theirs = {p.name for p in SHARED.glob("*.json")}
    differing = sorted(name for name in ours & theirs if not filecmp.cmp(
        settings.BONECARE_SCENARIOS_DIR / name, SHARED / name, shallow=False))
    assert (sorted(theirs - ours), differing) == ([], []), (
        "copy the new or changed scenarios into guidance/data/scenarios/ deliberately")


def _ids(paths):
    return {json.loads(path.read_text())["id"] for path in paths}


def test_project_scenarios_are_named_by_their_id_and_never_as_a_shared_one():
    shared = {p.name for p in scenario_files()} | _ids(scenario_files())
    if SHARED.is_dir():
        shared |= {p.name for p in SHARED.glob("*.json")} | _ids(SHARED.glob("*.json"))
    ours = threshold_scenario_files()
    assert [p.name for p in ours if json.loads(p.read_text())["id"] != p.stem] == []
    assert [p.stem for p in ours if not p.stem.startswith("TH-")] == []
    assert sorted({p.name for p in ours} & shared) == []
    assert sorted(_ids(ours) & shared) == []
