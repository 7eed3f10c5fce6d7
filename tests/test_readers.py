"""The readers know the policy only through its description (issue 21 step 1).

The command line, the terminal table, the briefs, the chart footnotes, the app and the EMA adapter
read ``Policy.describe`` (``sim/report/description.py``) and nothing else of the policy: no reader
module names a policy class or chooses a preset by name, and a policy that describes itself
differently is shown as it describes itself.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from sim.model.policy.base import Assumption, Description

ROOT = Path(__file__).resolve().parent.parent
READERS = [*(path for layer in ("run", "study", "report", "cli", "app")
             for path in sorted((ROOT / "sim" / layer).rglob("*.py"))), ROOT / "sim" / "ema.py"]
# tools whose job is to go through the presets by name, not readers of a policy: sim.validate
# runs every preset in its own world, sim.paramdoc documents the preset files' parameters
TOOLS = {ROOT / "sim" / "study" / "validate.py", ROOT / "sim" / "report" / "paramdoc.py"}
PRESETS = {p.stem.lower() for p in (ROOT / "configs" / "policy").glob("*.yaml")}


def policy_classes() -> set[str]:
    """The classes of the policy layer that are policies (subclasses of ``Policy``, found in
    the syntax tree so that a design being written cannot break this test by not importing)."""
    bases: dict[str, set[str]] = {}
    for path in (ROOT / "sim" / "model" / "policy").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
    found, grew = {"Policy"}, True
    while grew:
        new = {name for name, parents in bases.items() if parents & found} - found
        found |= new
        grew = bool(new)
    return found - {"Policy"}


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                out.add(id(first.value))
    return out


def naming(source: str, name: str, classes: set[str]) -> list[str]:
    """Where the code ``source`` of module ``name`` (comments and docstrings aside) names a
    policy class, or chooses a preset by name: a string that is a preset's name or its config
    file. A sentence that mentions a preset (a source's name, an example) is not code."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    names = "|".join(map(re.escape, sorted(PRESETS)))
    preset_file = re.compile(rf"(^|/)({names})\.yaml$")
    found = []
    for node in ast.walk(tree):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Name) and node.id in classes:
            found.append(f"{where} names {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in classes:
            found.append(f"{where} names {node.attr}")
        elif isinstance(node, ast.ImportFrom | ast.Import):
            found += [f"{where} imports {a.name}" for a in node.names
                      if a.name.split(".")[-1] in classes]
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and id(node) not in docs):
            text = node.value.strip().lower()
            if text in PRESETS or preset_file.search(text):
                found.append(f"{where} names the preset {node.value!r}")
    return found


def test_the_scan_sees_what_it_looks_for():
    classes = policy_classes()
    assert "Alliance" in classes and {"teateralliansen", "generic"} <= PRESETS
    sample = ('"""Alliance and teateralliansen in a docstring are fine."""\n'
              "from sim.model.policy.alliance import Alliance  # a comment: teateralliansen\n"
              "x = Alliance\nchoice = 'teateralliansen'\npath = 'alliance/generic.yaml'\n"
              "text = 'TeaterAlliansen-type alliance, in a sentence'\n")
    found = naming(sample, "sample.py", classes)
    assert len(found) == 4, found  # the import, the name, the preset and its file


def test_no_reader_names_a_policy_class_or_a_preset():
    classes = policy_classes()
    found = [hit for path in READERS if path not in TOOLS
             for hit in naming(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)), classes)]
    assert not found, "readers read Policy.describe, nothing else of the policy:\n" + "\n".join(found)


# ---------------------------------------------------------------- a policy that says otherwise
OTHER = Description(title="Working grants (a test)", label="Test grants", kind="a test",
                    currency="NOK",
                    assumptions=(Assumption("policy.salary", 20000.0, "currency/month", "pay"),),
                    leaves_out=("Nothing is left out of this test.",))


@pytest.fixture
def described_otherwise(monkeypatch):
    """Every policy describes itself as ``OTHER``."""
    from sim.model.policy.base import Policy

    classes = [Policy]
    while classes:
        cls = classes.pop()
        if "describe" in vars(cls) or cls is Policy:
            monkeypatch.setattr(cls, "describe", lambda self, spec, notes=None: OTHER)
        classes += cls.__subclasses__()
    return OTHER


def test_the_command_line_and_its_brief_show_the_description(described_otherwise, tmp_path):
    from sim.cli.main import _run_and_write, format_table, table_header
    from sim.run.config import compose_config

    cfg = compose_config(["seeds=1", "population.size=300", "burn_in_years=1", "horizon_years=2",
                          "output.quiet=true"])
    summary = _run_and_write(cfg, tmp_path)
    assert table_header(summary, cfg).startswith("Working grants (a test), ")
    table = format_table(summary, summary.attrs["policy"]["currency"])
    assert "NOK" in table and "SEK" not in table
    md = (tmp_path / "brief.md").read_text(encoding="utf-8")
    assert md.splitlines()[0] == "# What 40 million NOK a year buys: Working grants (a test)", md[:200]
    assert "Working grants (a test); " in md  # what it represents: the title, as said
    assert "Nothing is left out of this test." in md
    provenance = json.loads((tmp_path / "provenance.json").read_text())
    assert provenance["policy"]["title"] == "Working grants (a test)"


def test_a_sweep_brief_shows_the_description_its_markers_carry(tmp_path):
    from sim.report.briefs import write_report
    from sim.report.description import as_data
    from sim.study.aggregate import load
    from tests.test_brief import _config, _job

    config = _config()
    for num, level in enumerate((0.0, 40.0)):
        _job(tmp_path / "sweep", level, config, num, policy=as_data(OTHER))
    out = tmp_path / "report"
    out.mkdir()
    write_report(load(tmp_path / "sweep"), out)
    md = (out / "brief.md").read_text(encoding="utf-8")
    assert md.splitlines()[0].startswith("# What Working grants (a test) buys: "), md[:200]
    assert "Working grants (a test); " in md
    assert "as it runs today" not in md and "NOK a month" in md  # its title and its currency


def test_a_marker_with_a_damaged_description_is_refused(tmp_path):
    from sim.report.description import as_data, problem

    good = as_data(OTHER)
    assert problem(good) is None
    assert "policy.title" in problem({**good, "title": 3})
    assert "policy.assumptions.0.key" in problem({**good, "assumptions": [{"key": 1}]})
    assert "policy.leaves_out" in problem({**good, "leaves_out": "x"})
    assert problem("Alliance") is not None
