"""The layout the architecture promises (ARCHITECTURE.md): imports point one
way, model → properties → checker → reports → cli; an engine's internals are
reached only through its package's `__init__`; no import circle."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"model": 0, "properties": 1, "checker": 2, "reports": 3, "cli": 4}
ENGINES = {"explicit", "symbolic", "unbounded", "replay"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    if parts[0] == "cli":
        parts.pop(0)
    return ".".join(["contcheck", *parts])


def _imports(path: Path) -> set[str]:
    """Modules `path` imports, for type checking too: for `from A import b`,
    A (b may be a name or a module; A is what is reached)."""
    tree = ast.parse(path.read_text())
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
    return {name for name in found if name.startswith("contcheck")}


def _sources() -> dict[str, Path]:
    return {_module_name(path): path for folder in LAYERS for path in (ROOT / folder).rglob("*.py")}


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.get(parts[1], LAYERS["cli"]) if len(parts) > 1 else LAYERS["cli"]


def _engine(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) > 2 and parts[1] == "checker" and parts[2] in ENGINES:
        return parts[2]
    return None


def test_imports_point_one_way() -> None:
    """A module imports only from its own layer or the layers before it."""
    backwards = [
        f"{module} imports {target}"
        for module, path in _sources().items()
        for target in _imports(path)
        if _layer(target) > _layer(module)
    ]
    assert backwards == []


def test_engines_meet_only_through_their_packages() -> None:
    """Outside an engine's folder, only `contcheck.checker.<engine>` itself is
    imported, never one of its modules."""
    reached_inside = [
        f"{module} imports {target}"
        for module, path in _sources().items()
        for target in _imports(path)
        if _engine(target) not in (None, _engine(module))
        and target != f"contcheck.checker.{_engine(target)}"
    ]
    assert reached_inside == []


def test_no_import_circle() -> None:
    """Module imports, those for type checking included, form no cycle: a
    package's `__init__` imports what it re-exports, not the other way round."""
    sources = _sources()
    graph = nx.DiGraph()
    for module, path in sources.items():
        for target in _imports(path):
            while target not in sources and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in sources and target != module and not module.startswith(target + "."):
                graph.add_edge(module, target)
    assert list(nx.simple_cycles(graph)) == []
