"""Every public function and method of the rules engine, the services, identity, the web
pages and the machine doors (the REST API, CDS Hooks and their base, options.http) has full
type hints.

Read with ast, so nothing is imported: each parameter but self/cls (positional-only,
keyword-only, *args and **kwargs too) and the return, for module-level functions and the
methods (properties included) of public classes.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Folders of options/ whose every file is hinted (ruff's ANN rules hold them too: pyproject.toml).
HINTED_FOLDERS = ("identity", "web", "api", "cds_hooks", "http")
FILES = (sorted((ROOT / "options" / "rules").glob("*.py"))
         + [ROOT / "options" / "consultation" / "services.py", ROOT / "guidance" / "services.py"]
         + sorted(path for folder in HINTED_FOLDERS
                  for path in (ROOT / "options" / folder).rglob("*.py")
                  if "migrations" not in path.parts))
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _public_functions(tree):
    for node in tree.body:
        if isinstance(node, FUNCTIONS):
            yield node
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            yield from (n for n in node.body if isinstance(n, FUNCTIONS))


def _lacking_hints(fn):
    args = fn.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs,
              *(a for a in (args.vararg, args.kwarg) if a is not None)]
    return fn.returns is None or any(
        a.annotation is None for a in params if a.arg not in ("self", "cls"))


def functions_without_hints(files=FILES, root=ROOT):
    """Return "path:line name" for each public function or method lacking a hint."""
    found = []
    for path in files:
        tree = ast.parse(path.read_text(), filename=str(path))
        found += [f"{path.relative_to(root)}:{fn.lineno} {fn.name}"
                  for fn in _public_functions(tree)
                  if not fn.name.startswith("_") and _lacking_hints(fn)]
    return found


def test_files_exist():
    assert all(path.is_file() for path in FILES)
    assert len(FILES) > 10


def test_public_functions_have_type_hints():
    missing = functions_without_hints()
    assert not missing, "public functions without complete type hints:\n" + "\n".join(missing)


def test_the_check_sees_a_missing_hint(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text("def a(x: int, /, y: int, *, z: int) -> int: ...\n"
                      "def b(x) -> int: ...\n"
                      "def c(x: int): ...\n"
                      "def d(*args, **kwargs: int) -> None: ...\n"
                      "def e(x, /) -> None: ...\n"
                      "def _private(x): ...\n"
                      "class C:\n"
                      "    def m(self, y: int) -> None: ...\n"
                      "    @classmethod\n"
                      "    def k(cls) -> None: ...\n"
                      "    @property\n"
                      "    def p(self): ...\n"
                      "class _Hidden:\n"
                      "    def m(self, y): ...\n")
    found = [line.split()[-1] for line in functions_without_hints([source], tmp_path)]
    assert found == ["b", "c", "d", "e", "p"]
