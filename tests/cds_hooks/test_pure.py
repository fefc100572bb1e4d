"""The mapping and card modules are plain Python: no Django, so they run anywhere."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PURE = ("hooks", "fhir", "mapping", "observations", "cards", "orders", "order_cards", "trust")


def test_mapping_and_cards_import_no_django():
    modules = ", ".join(["guidance.codes", *(f"options.cds_hooks.{name}" for name in PURE)])
    code = (f"import sys, {modules}; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))")
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.strip()
    assert output == "[]"
