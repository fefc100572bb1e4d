"""Our packages import each other without a cycle (module-level imports, read with ast)."""

import ast

from .imports import import_targets, module_level, our_modules


def import_graph():
    """Return {module: set of our modules it imports at module level}."""
    modules = our_modules()
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        is_package = path.name == "__init__.py"
        graph[name] = {target for node in module_level(tree)
                       for target in import_targets(node, name, is_package, modules)
                       if target in modules and target != name}
    return graph


def find_cycles(graph):
    """Return the cycles a depth-first walk closes, each a list of modules, first repeated last."""
    state, path, cycles = {}, [], []

    def visit(node):
        state[node] = "open"
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                cycles.append([*path[path.index(target):], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def test_find_cycles_names_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c", "a"]]


def test_the_graph_sees_relative_and_absolute_imports():
    graph = import_graph()
    assert "guidance.engine_rules" in graph["guidance.models.core"]  # relative, two dots
    assert "options.consultation.services" in graph["options.api.views"]


def test_our_packages_import_each_other_without_a_cycle():
    cycles = find_cycles(import_graph())
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)
