"""The package's layers and its import graph.

Layers, lowest first: ``sim.model`` <- ``sim.run`` <- ``sim.study`` <- ``sim.report`` <-
``sim.cli`` and ``sim.app`` (and the entry modules directly in ``sim/``). A module imports only
from its own layer and the layers below, at the top of the file or inside a function alike; the
model imports neither Hydra, OmegaConf nor matplotlib; nothing imports the app. No two modules
import each other, directly or around a circle, except under ``TYPE_CHECKING``.
"""

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parent.parent / "sim"
LAYERS = ("model", "run", "study", "report", "cli", "app")
RANK = {layer: i for i, layer in enumerate(LAYERS)}
TOP = RANK["cli"]  # sim/__init__.py, sim/__main__.py and the python -m shims sit with the cli
EXTERNAL = {"model": ("hydra", "omegaconf", "matplotlib"), "run": ("matplotlib",)}


def module_name(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    parts = module.split(".")
    if len(parts) > 2 or (len(parts) == 2 and parts[1] in RANK):
        return RANK[parts[1]]
    return TOP


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports(path: Path) -> list[str]:
    """Every module ``path`` imports, at any depth, except under ``if TYPE_CHECKING:``; a name
    imported from a package (``from sim.run import config``) counts as that module."""
    names: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative imports would hide a crossing; the package uses none
                names.append("." * node.level + (node.module or ""))
            else:
                names.append(node.module or "")
                names.extend(f"{node.module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(), str(path)))
    return names


def graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports (names that are not modules are dropped)."""
    paths = {module_name(p): p for p in sorted(SIM.rglob("*.py"))}
    edges = {}
    for name, path in paths.items():
        edges[name] = {i for i in imports(path) if i in paths and i != name
                       and not name.startswith(f"{i}.")}  # a package's own __init__
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            connect(v)
    return found


def test_every_folder_of_the_package_is_a_known_layer():
    folders = {p.name for p in SIM.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(LAYERS)


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_imports_only_itself_and_the_layers_below(layer):
    crossings = []
    for path in sorted((SIM / layer).rglob("*.py")):
        for name in imports(path):
            if name.startswith("."):
                crossings.append(f"{path.relative_to(SIM)}: relative import {name}")
            elif name.startswith("sim.") and layer_of(name) > RANK[layer]:
                crossings.append(f"{path.relative_to(SIM)}: {name}")
            elif any(name == e or name.startswith(f"{e}.") for e in EXTERNAL.get(layer, ())):
                crossings.append(f"{path.relative_to(SIM)}: {name} (not in this layer)")
    assert crossings == []


def test_nothing_imports_the_app():
    importers = [m for m, targets in graph().items()
                 if not m.startswith("sim.app") and any(t.startswith("sim.app") for t in targets)]
    assert importers == []


def test_no_two_modules_import_each_other():
    assert cycles(graph()) == []


def test_the_checks_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import hydra\nfrom sim.run.config import compose_config\n"
                   "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import sim.app\n"
                   "def f():\n    from sim.report import brief\n")
    assert imports(bad) == ["hydra", "sim.run.config", "sim.run.config.compose_config", "typing",
                            "typing.TYPE_CHECKING", "sim.report", "sim.report.brief"]
    assert layer_of("sim.report.brief") > layer_of("sim.study.sweep") > layer_of("sim.run.io")
    assert layer_of("sim.validate") == TOP
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def entry_points() -> set[str]:
    """The ``python -m sim.<name>`` commands (``sim/<name>.py``), named for what they do: the
    command ``python -m sim.aggregate`` runs ``sim.study.aggregate`` through the command layer."""
    return {module_name(p) for p in SIM.glob("*.py")
            if 'if __name__ == "__main__":' in p.read_text(encoding="utf-8")}


def same_names_across_layers(edges: dict[str, set[str]], commands: set[str] = frozenset()
                             ) -> list[tuple[str, str]]:
    """Pairs of modules in different layers that share a file name (``x.py``) while neither
    imports the other (a re-export imports what it stands for); ``commands`` are exempt."""
    by_name: dict[str, list[str]] = {}
    for module in edges:
        leaf = module.rsplit(".", 1)[-1]
        if (leaf not in ("__main__", "sim") and module.count(".") and module not in RANK_PACKAGES
                and module not in commands):
            by_name.setdefault(leaf, []).append(module)
    pairs = []
    for modules in by_name.values():
        for i, a in enumerate(modules):
            for b in modules[i + 1:]:
                if layer_of(a) != layer_of(b) and b not in edges[a] and a not in edges[b]:
                    pairs.append((a, b))
    return pairs


RANK_PACKAGES = {f"sim.{layer}" for layer in LAYERS}


def test_no_two_modules_in_different_layers_share_a_name_unless_one_re_exports_the_other():
    """Issue 24 item 2: one name, one thing (``sim/app/world.py`` beside ``sim/model/world.py``
    was two things)."""
    assert same_names_across_layers(graph(), entry_points()) == []
    planted = {"sim.model.world": set(), "sim.app.world": set(), "sim.study.description": set(),
               "sim.report.description": {"sim.study.description"}}
    assert same_names_across_layers(planted) == [("sim.model.world", "sim.app.world")]  # can fail
