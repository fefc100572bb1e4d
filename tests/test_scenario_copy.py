"""The project carries its own copy of the shared scenarios; updates arrive deliberately."""

import filecmp

import pytest
from django.conf import settings

SHARED = settings.BONECARE_SHARED_DIR / "clinical" / "scenarios"


def test_the_project_carries_its_own_scenarios():
    assert len(list(settings.BONECARE_SCENARIOS_DIR.glob("*.json"))) >= 16


@pytest.mark.skipif(not SHARED.is_dir(), reason="no ../shared beside the repository")
def test_the_copy_matches_the_shared_scenarios_file_by_file():
    ours = {p.name for p in settings.BONECARE_SCENARIOS_DIR.glob("*.json")}
    theirs = {p.name for p in SHARED.glob("*.json")}
    differing = sorted(name for name in ours & theirs if not filecmp.cmp(
        settings.BONECARE_SCENARIOS_DIR / name, SHARED / name, shallow=False))
    assert (sorted(theirs - ours), differing) == ([], []), (
        "copy the new or changed scenarios into guidance/data/scenarios/ deliberately")
