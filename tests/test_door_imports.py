"""Doors stand side by side, never on each other (STYLE.md): the REST API and CDS Hooks
build on options.http and import nothing of each other; nothing in an app imports
`bonecare` (wiring only); the web pages reach CDS Hooks only through its drafts service;
and options.http, the base both doors stand on, imports neither door.

Every import counts here, at module level or inside a function: a function-level import
hides a dependency, it does not remove it.
"""

import ast

import pytest

from .imports import ROOT, import_targets, module_name

APPS = ("options", "guidance")
API, CDS, HTTP, WEB = "options.api", "options.cds_hooks", "options.http", "options.web"
# The one CDS Hooks module the web pages may use: "Open in BoneCare" opens a draft.
WEB_MAY_USE_OF_CDS = {"options.cds_hooks.drafts"}


def _all_modules():
    return {module_name(path): path for package in (*APPS, "bonecare")
            for path in sorted((ROOT / package).rglob("*.py"))}


def imports_of(name, path, modules):
    """Every module `name` imports, anywhere in it (ours by full name; others as written)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.update(import_targets(node, name, is_package, modules))
    return found


def _within(module, package):
    return module == package or module.startswith(package + ".")


def broken_rules(graph):
    """Return "importer -> imported: why" for every import that breaks a rule."""
    rules = [
        (API, CDS, "a door imports another door"),
        (CDS, API, "a door imports another door"),
        (HTTP, API, "the doors' base imports a door"),
        (HTTP, CDS, "the doors' base imports a door"),
        ("options", "bonecare", "an app imports the wiring"),
        ("guidance", "bonecare", "an app imports the wiring"),
    ]
    broken = []
    for importer, imported in sorted(graph.items()):
        for target in sorted(imported):
            broken.extend(f"{importer} -> {target}: {why}" for source, forbidden, why in rules
                          if _within(importer, source) and _within(target, forbidden))
            if (_within(importer, WEB) and _within(target, CDS)
                    and target not in WEB_MAY_USE_OF_CDS):
                broken.append(f"{importer} -> {target}: the web pages use CDS Hooks "
                              f"only through {', '.join(sorted(WEB_MAY_USE_OF_CDS))}")
    return broken


@pytest.fixture(scope="module")
def graph():
    modules = _all_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()
            if not name.startswith("bonecare")}


def test_the_rules_name_a_door_importing_another():
    graph = {"options.api.views": {"options.cds_hooks.selectors"},
             "options.web.views": {"options.cds_hooks.drafts", "options.cds_hooks.models"},
             "guidance.x": {"bonecare.settings"}, "options.http.views": {"options.api.base"}}
    assert broken_rules(graph) == [
        "guidance.x -> bonecare.settings: an app imports the wiring",
        "options.api.views -> options.cds_hooks.selectors: a door imports another door",
        "options.http.views -> options.api.base: the doors' base imports a door",
        "options.web.views -> options.cds_hooks.models: the web pages use CDS Hooks only "
        "through options.cds_hooks.drafts",
    ]


def test_the_graph_sees_imports_inside_functions(graph):
    assert "options.http.views" in graph["options.api.base"]
    assert "options.cds_hooks.drafts" in graph["options.web.views.consultations"]


def test_doors_stand_side_by_side(graph):
    broken = broken_rules(graph)
    assert not broken, "imports that break the rules:\n" + "\n".join(broken)
