"""Structure rules that check themselves: no import cycles between ``app`` modules.

The graph is built from the source with ``ast``: every import counts, at module level, inside
functions and under ``if TYPE_CHECKING:`` (a function-local import that dodges a loop is still a
loop in the design).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(APP.rglob("*.py"))}


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The app module ``name`` refers to: itself, or its closest enclosing app module."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """App modules that ``module`` imports anywhere in its source."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from pkg import mod`` imports the module pkg.mod; ``from mod import name`` mod
            full = [f"{base}.{alias.name}" for alias in node.names]
            names = [n if n in modules else base for n in full]
        for name in names:
            target = _resolve(name, modules) if name.startswith("app") else None
            if target is not None and target != module:
                found.add(target)
    return found


def import_graph(prefix: str = "app") -> dict[str, set[str]]:
    """Edges between the app modules whose name starts with ``prefix``."""
    modules = app_modules()
    inside = {m for m in modules if m == prefix or m.startswith(prefix + ".")}
    return {m: imports_of(m, modules[m], modules) & inside for m in sorted(inside)}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (each one holds a cycle)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_the_graph_sees_every_kind_of_import(tmp_path: Path) -> None:
    modules = {"app": tmp_path, "app.a": tmp_path, "app.b": tmp_path, "app.pkg.c": tmp_path}
    source = tmp_path / "a.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from app.b import Thing\n"
        "def f():\n    from app.pkg import c\n    import app.pkg.c.inner\n"
    )
    assert imports_of("app.a", source, modules) == {"app.b", "app.pkg.c"}
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_in_engine() -> None:
    graph = import_graph("app.engine")
    assert "app.engine.runner" in graph and "app.engine.model.granite" in graph
    assert find_cycles(graph) == []


def test_engine_stages_never_call_back_into_the_runner() -> None:
    graph = import_graph("app.engine")
    for module, targets in graph.items():
        if module.startswith("app.engine.model"):
            assert "app.engine.runner" not in targets, module


@pytest.mark.parametrize("module", ["app.engine.runner", "app.engine.model.batch"])
def test_engine_modules_import_their_stages(module: str) -> None:
    """Guards the graph itself: a known forward edge is seen."""
    assert "app.engine.model.granite" in import_graph("app.engine")[module]
