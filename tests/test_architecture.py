"""The house rules of the package, checked on its source: imports only go down a floor, and no import circle.

Floors (README "Layout"): ``_validation``, ``errors``, ``_progress``, ``_plotting`` < ``games`` < ``solvers`` < ``neural``,
``highway`` < ``analysis`` < ``figures`` < ``cli``. Every import of a ``stackelberg`` module counts for the floors,
also one inside a function (a lazy import is still a dependency); module-level imports must form no cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "stackelberg"
FLOORS = {"_validation": 0, "errors": 0, "_progress": 0, "_plotting": 0, "games": 1, "solvers": 2, "neural": 3, "highway": 3,
          "analysis": 4, "figures": 5, "cli": 6}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path):
    """(imported module, at module level?) for every import of a stackelberg module in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    top_level = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [target] + [f"{target}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            if name == "stackelberg" or name.startswith("stackelberg."):
                yield name, id(node) in top_level


def floor(module: str) -> int | None:
    parts = module.split(".")
    return FLOORS.get(parts[1]) if len(parts) > 1 else None


SOURCES = sorted(PACKAGE.rglob("*.py"))
MODULES = {module_name(path) for path in SOURCES}


def resolve(name: str) -> str | None:
    """The module ``name`` refers to (``from pkg import name`` may name a module or an attribute)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


@pytest.mark.parametrize("path", [p for p in SOURCES if p.parent != PACKAGE or p.name != "__init__.py"],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_only_go_down_a_floor(path):
    own = floor(module_name(path))
    assert own is not None, f"{path} is on no floor: add its folder to FLOORS and to the README"
    for name, _ in imports(path):
        target = resolve(name)
        if target is None or target == "stackelberg":
            continue
        assert floor(target) is not None and floor(target) <= own, f"{module_name(path)} imports {target}"


def test_no_import_circle():
    graph = nx.DiGraph()
    for path in SOURCES:
        source = module_name(path)
        graph.add_node(source)
        for name, top in imports(path):
            target = resolve(name)
            if top and target and target != source and not source.startswith(target + "."):
                graph.add_edge(source, target)  # a package's __init__ importing its parent is the parent's business
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, f"import circles: {cycles[:5]}"
