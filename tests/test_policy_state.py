"""The policy owns its state, its accounts and its description (issue 21, step 1).

Only the policy arm's population holds the policy's columns (the baseline arm's, and the cached
baseline, hold the core's alone); both arms' recorders, ledgers and outcome tables are the
core's tables plus the policy's declarations; ``sim/model/core/`` names no alliance concept;
``describe`` tells readers what a preset is.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from sim.model import tables
from sim.model.catalogue import CORE_OUTCOMES, OUTCOMES
from sim.model.core.columns import COLUMNS, AgentColumns
from sim.model.core.recorder import SERIES
from sim.model.freelance import ArmModel
from sim.model.outcomes import arm_outcomes
from sim.model.policy.alliance import Alliance
from sim.model.policy.base import Description, Policy
from sim.run import paired
from sim.run.cache import BaselineCache
from tests.conftest import spec_for

CORE = Path(__file__).resolve().parents[1] / "sim" / "model" / "core"
PRESETS = sorted(p.stem for p in (CORE.parents[2] / "configs" / "policy").glob("*.yaml"))


@pytest.fixture(scope="module")
def pair():
    return paired.run_pair(spec_for(), 1)


def test_only_the_policy_arm_holds_the_policys_columns(pair):
    assert set(Alliance.COLUMNS) == {"member", "member_since", "paid_months", "trained_month",
                                     "restart_until"}
    assert pair.baseline.pop.columns == COLUMNS
    assert pair.policy.pop.columns == {**COLUMNS, **Alliance.COLUMNS}
    for name in Alliance.COLUMNS:
        assert not hasattr(pair.baseline.pop, name)
        assert getattr(pair.policy.pop, name).size == len(pair.policy.pop)
    assert not set(COLUMNS) & set(Alliance.COLUMNS)  # the core declares none of them


def test_the_policy_arm_forks_from_a_baseline_state_without_policy_columns():
    spec = spec_for()
    states = paired._baseline_states(spec, 3)
    for when in ("burn_in", "final"):
        assert states[when]["pop"].columns == COLUMNS
    model = ArmModel.from_state(spec, 3, "policy", states["burn_in"])
    pop = model.pop
    assert pop.columns == {**COLUMNS, **Alliance.COLUMNS}
    # at the fork nobody is a member yet: every agent at the column's fill value
    for name, (dtype, fill, _) in Alliance.COLUMNS.items():
        values = getattr(pop, name)
        assert values.dtype == np.dtype(dtype) and (values == fill).all(), name
    # the baseline state itself is untouched
    assert states["burn_in"]["pop"].columns == COLUMNS
    with pytest.raises(ValueError, match="member"):  # a policy state is no baseline
        ArmModel.from_state(spec, 3, "baseline", model.state())


def test_the_cached_baseline_holds_no_policy_columns(tmp_path):
    spec = spec_for()
    cache = BaselineCache(tmp_path / "cache")
    first = paired.run_pair(spec, 2, cache=cache)
    files = list((tmp_path / "cache").glob("*.npz"))
    assert len(files) == 1
    with np.load(files[0]) as arrays:
        columns = {key.split(".col.", 1)[1] for key in arrays.files if ".pop.col." in key}
    assert columns == set(COLUMNS)
    again = paired.run_pair(spec, 2, cache=cache)  # read back from the cache: the same results
    assert again.baseline.pop.columns == COLUMNS
    assert again.policy.pop.columns == {**COLUMNS, **Alliance.COLUMNS}
    a, b = first.outcomes(), again.outcomes()
    assert a.keys() == b.keys()
    assert all(a[k] == b[k] or (np.isnan(a[k]) and np.isnan(b[k])) for k in a)


def test_a_baseline_batch_holds_no_policy_columns():
    states = paired.baseline_batch(spec_for(), [1, 2])
    assert states["burn_in"]["pop"].columns == COLUMNS
    assert states["burn_in"]["pop"].split(1).columns == COLUMNS
    merged = AgentColumns.merge([states["final"]["pop"].split(g) for g in (0, 1)])
    assert merged.columns == COLUMNS


def test_each_arms_tables_are_the_cores_plus_the_policys(pair):
    series = [*SERIES, *Alliance.SERIES]
    outcomes = [*CORE_OUTCOMES, *Alliance.OUTCOMES]
    for _, model in pair.arms():
        assert list(model.recorder.series) == series
        assert list(model.ledger.spending) == list(Alliance.SPENDING)
        assert list(arm_outcomes(model)) == outcomes
    assert list(tables.outcome_table(pair.policy.spec)) == outcomes
    assert not set(SERIES) & set(Alliance.SERIES)
    assert not set(CORE_OUTCOMES) & set(Alliance.OUTCOMES)
    # the shipped table readers list (help, EMA) is the same set of names
    assert set(OUTCOMES) == set(outcomes)
    # the policy's series and spending stay zero in the baseline arm
    for name in Alliance.SERIES:
        assert not pair.baseline.recorder.series[name].any(), name
    assert not pair.baseline.ledger.policy_spend().any()
    assert pair.policy.recorder.series["members"].any()
    assert pair.policy.ledger.policy_spend().any()


def test_a_policy_without_declarations_adds_nothing():
    class Nothing(Policy):  # the interface's defaults: no columns, series, lines or outcomes
        title = "nothing"

        def new_state(self): return None
        def open_year(self, *a): pass
        def admit(self, *a): pass
        def write_modifiers(self, *a): pass
        def pay(self, state, pop, *a): return np.zeros(len(pop))
        def review(self, *a): pass
        def close_year(self, *a): pass

    assert tables.columns(Nothing()) == COLUMNS
    assert (Nothing.SERIES, Nothing.SPENDING, Nothing.OUTCOMES) == ({}, {}, {})


def test_births_to_members_are_counted_by_the_policy():
    pop = AgentColumns(columns=tables.columns(Alliance))
    pop.add(4, active=np.array([True, True, True, False]), member=np.array([True, False, True, True]),
            female=np.array([True, True, False, True]),
            age_months=np.array([32 * 12, 27 * 12 + 11, 30 * 12, 31 * 12]))
    rec = type("Rec", (), {})()
    got = {}
    rec.set = lambda name, month, value: got.__setitem__((name, month), value)
    ctx = type("Ctx", (), {"month": 7})()
    spec = spec_for()
    running = spec.policy.new_state()
    running.grant = 1.0
    # born: rows 0 (a member, a woman of 32), 1 (not a member, a woman of 27) and 3 (a member,
    # but no longer active: not counted)
    spec.policy.on_births([running], pop, ctx, np.array([True, True, False, True]), [rec])
    assert {k: v for k, v in got.items() if v} == {
        ("member_births", 7): 1, ("member_births_women_30", 7): 1,
        ("other_births_women_25", 7): 1}
    got.clear()
    spec.policy.on_births([spec.policy.new_state()], pop, ctx, np.ones(4, bool), [rec])
    assert got == {}  # an arm without money (the baseline's twin) counts nothing


def _names_outside_comments(path: Path) -> list[str]:
    """Identifiers and string literals of a module, leaving out comments and docstrings."""
    tree = ast.parse(path.read_text())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.append(node.id)
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
        elif isinstance(node, ast.arg) or isinstance(node, ast.keyword) and node.arg:
            names.append(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.alias):
            names.append(node.asname or node.name)
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and id(node) not in docstrings):
            names.append(node.value)
    return names


def test_the_core_names_no_alliance_concept():
    hits = []
    for path in sorted(CORE.glob("*.py")):
        for name in _names_outside_comments(path):
            text = name.lower().replace("alliance-sim", "")  # the project's name (cache folders)
            if "member" in text or "alliance" in text:
                hits.append(f"{path.name}: {name!r}")
    assert not hits, hits


def test_the_scan_of_the_core_would_see_a_member_column():
    path = CORE.parent / "policy" / "alliance.py"
    assert "member" in _names_outside_comments(path)  # the check is not vacuous


@pytest.mark.parametrize("preset", PRESETS)
def test_describe_gives_each_presets_title_label_and_currency(preset):
    spec = spec_for(policy=preset)
    policy = spec.policy
    described = policy.describe(spec)
    assert isinstance(described, Description)
    assert described.label == policy.label and described.label not in ("", "-")
    assert described.title and described.title not in ("", "-")
    assert described.currency == spec.country.currency in ("SEK", "NOK")
    assert described.leaves_out and described.kind and described.assumptions
    first = described.assumptions[0].key
    noted = policy.describe(spec, notes={first: "a source"})
    assert noted.assumptions[0].source == "a source"
    with pytest.raises(AttributeError):  # frozen
        described.title = "x"
    if not isinstance(policy, Alliance):  # another instrument (tests/test_stipends.py)
        return
    assert described.title == policy.title and described.title.startswith(policy.label)
    assert [a.key for a in described.assumptions] == list(Alliance.ASSUMPTIONS)
    salary = next(a for a in described.assumptions if a.key == "policy.salary")
    assert salary.value == policy.salary and salary.unit == "currency/month"
    noted = policy.describe(spec, notes={"policy.salary": "a source"})
    assert next(a for a in noted.assumptions if a.key == "policy.salary").source == "a source"


def test_known_presets_describe_themselves():
    d = spec_for().policy.describe(spec_for())
    assert (d.title, d.label, d.currency) == ("TeaterAlliansen", "TeaterAlliansen", "SEK")
    spec = spec_for(policy="skuda")
    assert spec.policy.describe(spec).currency == "NOK"
