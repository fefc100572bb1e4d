"""The folders name the concepts, and the layers import downwards only.

Every import is read with ast (those inside functions too): the domain (the engine, a
consultation, identity, the guidance) never imports a door (the web pages, the REST API, CDS
Hooks); the engine imports nothing of Django or of the rest of BoneCare; a consultation's
modules live in its package, as do identity's.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOORS = ("options.web", "options.api", "options.cds_hooks")


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path, name=None):
    """Return every module name an app module imports, resolved (relative ones included)."""
    name = name or _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(max(node.level - 1, 0)):
                base = base.rpartition(".")[0]
            source = ".".join(p for p in (base if node.level else "", node.module or "") if p)
            found |= {source} | {f"{source}.{alias.name}" for alias in node.names}
    return found


def modules_under(*folders):
    return {_module_name(p): p for folder in folders
            for p in sorted((ROOT / folder).rglob("*.py")) if "migrations" not in p.parts}


def _within(name, prefixes):
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def violations(modules, forbidden):
    return sorted(f"{name} imports {target}" for name, path in modules.items()
                  for target in imports_of(path, name) if _within(target, forbidden))


def test_the_domain_never_imports_a_door():
    domain = modules_under("options/consultation", "options/identity", "options/rules",
                           "guidance")
    assert violations(domain, DOORS) == []


def test_the_engine_imports_nothing_of_django_or_of_the_rest_of_bonecare():
    engine = modules_under("options/rules")
    assert violations(engine, ("django", "rest_framework", "guidance", "bonecare",
                               "options.consultation", "options.identity", *DOORS)) == []


def test_a_consultation_and_identity_live_in_their_packages():
    loose = {p.stem for p in (ROOT / "options").glob("*.py")}
    assert loose <= {"__init__", "admin", "apps", "models", "vocab", "choices", "validation",
                     "json_input", "failure"}, sorted(loose)
    # options/models.py only re-exports the consultation's models for Django's app registry.
    tree = ast.parse((ROOT / "options" / "models.py").read_text())
    assert not [node for node in tree.body if isinstance(node, ast.ClassDef)]


def test_the_rules_console_and_the_scenarios_are_packages_of_their_own():
    loose = {p.stem for p in (ROOT / "guidance").glob("*.py")}
    assert not {"admin_views", "admin_governance", "admin_review", "admin_history", "forms",
                "chart", "regression", "expectations", "impact", "diff", "thresholds",
                "scenarios"} & loose
    assert (ROOT / "guidance" / "console" / "admin.py").exists()
    assert (ROOT / "guidance" / "scenarios" / "regression.py").exists()


def test_the_rules_find_a_door_imported_by_the_domain(tmp_path):
    """The check itself: a relative import of a door from inside the domain is seen."""
    probe = tmp_path / "probe.py"
    probe.write_text("def later():\n    from ..web import presenters\n")
    found = violations({"options.consultation._probe_import_rules": probe}, DOORS)
    assert found == ["options.consultation._probe_import_rules imports options.web",
                     "options.consultation._probe_import_rules imports options.web.presenters"]
