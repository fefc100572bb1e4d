"""An engine of an earlier revision, taken from git, beside the current one.

The comparison test and the engine benchmark both load a baseline this way: its engine,
validator and default ruleset are extracted with `git archive` into a folder and imported
under a package name of their own, so that the two engines never share a module.
"""

import importlib.util
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULESET = Path("guidance/data/default_ruleset.json")
SCENARIOS = ROOT / "guidance" / "data" / "scenarios"
ENGINE_PATHS = ("options/__init__.py", "options/rules", "options/validation.py", str(RULESET))
# The engine of 2026-11-26 (the contract and ruleset of that day), and the engine after the
# contract of 2026-11-27 but before the speed work (same contract and ruleset).
FILED, SAME_CONTRACT = "47b9e0e", "4dce0a9"


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


def scenarios():
    """Return the shared scenarios' assessments, in file order."""
    found = [json.loads(p.read_text())["assessment"] for p in sorted(SCENARIOS.glob("*.json"))]
    if not found:
        sys.exit(f"no scenarios found in {SCENARIOS}")
    return found
