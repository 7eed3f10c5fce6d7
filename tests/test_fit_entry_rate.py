"""The entry-rate fit (sim/study/entry_fit.py), used by scripts/fit-entry-rate for the presets
and by the uncertainty study for every drawn world."""

import importlib.util
from importlib.machinery import SourceFileLoader
from pathlib import Path

import pytest

from sim.study import entry_fit

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "fit-entry-rate"


@pytest.fixture
def script():
    """The script as a module (it has no .py suffix, so with an explicit loader)."""
    loader = SourceFileLoader("fit_entry_rate", str(SCRIPT))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


def pool_of(elasticity: float, target: float, seen: list):
    """A pool that answers entry with the given elasticity, at its real size at ``target``;
    the 'spec' of a rate is the rate itself."""
    def pool_ratio(spec, seeds):
        seen.append(spec)
        return (spec / target) ** elasticity
    return pool_ratio


@pytest.mark.parametrize("elasticity", [0.4, 0.7, 1.2])
def test_the_fit_reaches_the_real_size_in_a_few_steps(monkeypatch, elasticity):
    """The measured elasticity is 0.4-0.7: the first step (assuming 0.75) never overshoots such
    a pool, and the secant steps then converge within a few pilots; the rate returned was
    evaluated and is within the tolerance."""
    seen = []
    monkeypatch.setattr(entry_fit, "pool_ratio", pool_of(elasticity, 0.2, seen))
    fit = entry_fit.fit_entry_rate(lambda rate: rate, 0.35, [0], rounds=6, tolerance=0.01)
    assert fit.converged and fit.rate in seen and abs((fit.rate / 0.2) ** elasticity - 1) <= 0.01
    assert fit.evaluations == len(seen) <= 4
    if elasticity < entry_fit.ELASTICITY:
        assert (seen[1] - 0.2) * (seen[0] - 0.2) >= 0  # the first step stays on its side


def test_a_fit_that_runs_out_of_rounds_returns_the_next_step(monkeypatch, script, capsys):
    seen = []
    monkeypatch.setattr(entry_fit, "pool_ratio", lambda spec, seeds: seen.append(spec) or 1.5)
    fit = entry_fit.fit_entry_rate(lambda rate: rate, 0.2, [0], rounds=2, tolerance=0.01)
    assert not fit.converged and fit.evaluations == 2 and fit.ratio == 1.5
    # the pool did not answer at all: the measured elasticity is kept within its range
    assert fit.rate == pytest.approx(seen[-1] * 1.5 ** (-1 / entry_fit.ELASTICITY_RANGE[0]))
    monkeypatch.setattr(script, "fit_entry_rate", lambda spec_at, rate, seeds, rounds, tol, report:
                        entry_fit.EntryFit(0.1, 1.5, rounds, False))
    script.fit("dance", "sweden", seeds=1, tolerance=0.01, rounds=2)
    assert "NOT CONVERGED" in capsys.readouterr().out


def test_the_fit_is_for_the_world_named_on_the_command_line(script, monkeypatch):
    """A researcher's swapped rule is part of the world the entry rate is fitted for."""
    specs = []

    def fake_fit(spec_at, rate, seeds, rounds, tolerance, report):
        specs.append(spec_at(0.1))
        return entry_fit.EntryFit(0.1, 1.0, 1, True)

    monkeypatch.setattr(script, "fit_entry_rate", fake_fit)
    extra = script.parse_overrides(["exit=constant", "exit.monthly_hazard=0.02"])
    assert extra == {"exit": "constant", "exit.monthly_hazard": 0.02}
    assert script.fit("theatre", "sweden", 1, 0.01, 2, extra) == 0.1
    spec = specs[0]
    assert type(spec.rules.exit).__name__ == "ConstantHazardExit"
    assert spec.rules.exit.monthly_hazard == 0.02 and spec.sector.name == "theatre"
    assert spec.population.entry_rate == 0.1
