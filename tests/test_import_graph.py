"""The package's import graph: no cycle, and no stage importing from a stage above it.

Every import counts, including those inside functions (a lazy import that closes a cycle is
still a cycle, only a hidden one). The layers, lowest first, are the flow of the work:
foundation (errors, paths, configuration, target profiles, the bundle type) -> models and
data -> OCR -> metrics -> compress -> convert -> device -> runner -> verify -> bench -> cli.
``verify`` sits above the device and runner layers because it runs bundles on an (emulated)
ARM device through a runner, and below ``bench``, which reports its agreement figures.
"""

from __future__ import annotations

import ast
from pathlib import Path

import edgeocr

PACKAGE = Path(edgeocr.__file__).parent
#: top-level part of the package -> layer; a part may import from its own layer and below
LAYERS = {
    **dict.fromkeys(["", "errors", "paths", "utils", "resources", "config", "targets", "bundle"], 0),
    "models": 1, "data": 1, "ocr": 2, "metrics": 3, "compress": 4, "convert": 5, "device": 6, "runner": 7,
    "verify": 8, "bench": 9, "cli": 10,
}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ["edgeocr", *path.relative_to(PACKAGE).with_suffix("").parts]
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def import_graph() -> dict[str, set[str]]:
    """module -> the edgeocr modules it imports (``from pkg import mod`` counts as ``pkg.mod``)."""
    mods = modules()

    def owner(name: str) -> str:
        while name not in mods:
            name = name.rpartition(".")[0]
        return name

    graph: dict[str, set[str]] = {m: set() for m in mods}
    for module, path in mods.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], *filter(None, [base])])
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            else:
                continue
            graph[module] |= {owner(t) for t in targets if t.split(".")[0] == "edgeocr"} - {module}
    return graph


def layer(module: str) -> int:
    part = module.split(".")[1] if "." in module else ""
    assert part in LAYERS, f"{module}: top-level part {part!r} has no layer; add it to LAYERS"
    return LAYERS[part]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_is_read_right() -> None:
    graph = import_graph()
    assert "edgeocr.bundle" in graph["edgeocr.ocr.backends.lite"]  # a top-level import
    assert "edgeocr.models.export" in graph["edgeocr.models.modelset"]  # an import inside a function
    assert "edgeocr.ocr.system" in graph["edgeocr.runner.measure"]


def test_no_import_cycle() -> None:
    assert cycles(import_graph()) == []


def test_cycles_are_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_stage_imports_from_a_stage_above_it() -> None:
    upward = sorted(f"{a} -> {b}" for a, targets in import_graph().items() for b in targets if layer(b) > layer(a))
    assert upward == []
