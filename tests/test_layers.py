"""The package's layers: the model imports neither the study nor the report layer, nor Hydra,
OmegaConf or matplotlib; the report layer never runs the model; nothing imports the app."""

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parent.parent / "sim"
FORBIDDEN = {
    "model": ("sim.study", "sim.report", "sim.app", "hydra", "omegaconf", "matplotlib"),
    "study": ("sim.app",),
    "report": ("sim.study.paired", "sim.study.sweep", "sim.study.cli", "sim.app", "hydra"),
}


def imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative imports would hide a crossing; the package uses none
                names.append("." * node.level + (node.module or ""))
            else:
                names.append(node.module or "")
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_from_the_layers_above_it(layer):
    crossings = [f"{path.relative_to(SIM)}: {name}" for path in sorted((SIM / layer).rglob("*.py"))
                 for name in imports(path)
                 if name.startswith(".") or any(name == f or name.startswith(f"{f}.")
                                                for f in FORBIDDEN[layer])]
    assert crossings == []


def test_the_check_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import hydra\nfrom sim.study.config import compose_config\n")
    assert imports(bad) == ["hydra", "sim.study.config"]
