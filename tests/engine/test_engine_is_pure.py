"""The engine stays pure Python: nothing under options/rules/ imports Django."""

import ast
import subprocess
import sys
from pathlib import Path

import options.rules

RULES_DIR = Path(options.rules.__file__).parent


def imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module


def test_no_module_under_rules_imports_django_or_a_third_party_package():
    stdlib = sys.stdlib_module_names
    offenders = {
        f"{path.name}: {name}"
        for path in RULES_DIR.glob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] not in stdlib
    }
    assert offenders == set()


def test_importing_the_engine_loads_no_django():
    code = "import sys, options.rules; print(any(m.startswith('django') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=RULES_DIR.parent.parent, check=True)
    assert out.stdout.strip() == "False"
