"""The import graph of tsclust has no cycle, function-level imports included."""

from __future__ import annotations

import ast
from pathlib import Path

import tsclust

PACKAGE = Path(tsclust.__file__).parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    """Absolute name of ``from <level dots><target> import ...`` inside ``module``."""
    if level == 0:
        return target or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def import_graph() -> dict[str, set[str]]:
    """Module -> tsclust modules it imports anywhere in its body (parents of a target included)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for mod, path in modules.items():
        is_pkg = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(mod, is_pkg, node.level, node.module)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                           for a in node.names]
            for t in targets:
                if not t.startswith("tsclust"):
                    continue
                while t and t not in modules:  # "pkg.func" -> "pkg"
                    t = t.rpartition(".")[0]
                parts = t.split(".")
                # importing a.b.c runs a/__init__ and a.b/__init__ first
                for i in range(1, len(parts) + 1):
                    dep = ".".join(parts[:i])
                    if dep in modules and dep != mod and not mod.startswith(dep + "."):
                        graph[mod].add(dep)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of modules (first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return stack[stack.index(dep):] + [dep]
            if dep not in state and (found := visit(dep)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_find_cycle_finds_a_planted_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_graph_sees_relative_and_function_level_imports():
    graph = import_graph()
    assert "tsclust._validation" in graph["tsclust.clustering._heads"] or any(
        "tsclust.training" in d for d in graph["tsclust.clustering._heads"]
    )
    assert "tsclust.distributed.collectives" in graph["tsclust.distributed.launch"]


def test_no_import_cycle_inside_tsclust():
    cycle = find_cycle(import_graph())
    assert cycle is None, " -> ".join(cycle)


def test_collectives_import_nothing_else_from_tsclust():
    assert import_graph()["tsclust.distributed.collectives"] <= {"tsclust", "tsclust.distributed"}


def test_distributed_imports_nothing_above_it():
    graph = import_graph()
    above = {"tsclust.cli", "tsclust.clustering", "tsclust.compare", "tsclust.bench",
             "tsclust.baselines"}
    for mod, deps in graph.items():
        if mod.startswith("tsclust.distributed"):
            upward = {d for d in deps if any(d == a or d.startswith(a + ".") for a in above)}
            assert not upward, (mod, upward)
