"""One engine: advice comes from the closure-compiling interpreter alone, never from Python
source written at run time (which a clinical safety officer could not review)."""

import ast
from pathlib import Path

RULES = Path(__file__).resolve().parents[2] / "options" / "rules"
WRITES_CODE = {"exec", "eval", "compile", "__import__"}


def test_the_engine_never_runs_code_it_writes():
    found = []
    for path in sorted(RULES.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in WRITES_CODE):
                found.append(f"{path.name}:{node.lineno} {node.func.id}()")
    assert found == []


def test_evaluate_is_the_only_evaluation():
    from options import rules

    assert [name for name in dir(rules.engine) if name.startswith("evaluate")] == ["evaluate"]
