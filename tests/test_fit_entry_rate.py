"""scripts/fit-entry-rate: the fixed-point search for each sector's entry rate."""

import importlib.util
from importlib.machinery import SourceFileLoader
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "fit-entry-rate"


@pytest.fixture
def script():
    """The script as a module (it has no .py suffix, so with an explicit loader)."""
    loader = SourceFileLoader("fit_entry_rate", str(SCRIPT))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


@pytest.mark.parametrize("elasticity", [0.4, 0.7])
def test_the_fit_approaches_the_real_size_from_one_side(script, monkeypatch, elasticity):
    """A pool that answers entry with the given elasticity (the measured 0.4-0.7): the steps never
    overshoot, and the rate returned is one that was evaluated and is within the tolerance."""
    target = 0.2  # the rate at which the pool equals its real size
    seen = []

    def pool_ratio(overrides, seeds):
        seen.append(overrides["population.entry_rate"])
        return (overrides["population.entry_rate"] / target) ** elasticity

    monkeypatch.setattr(script, "pool_ratio", pool_ratio)
    rate = script.fit("dance", "sweden", seeds=1, tolerance=0.01, rounds=12)
    assert rate in seen and abs((rate / target) ** elasticity - 1) <= 0.01
    start = seen[0]
    assert all((r - target) * (start - target) >= 0 for r in seen)  # never crosses the target


def test_a_fit_that_runs_out_of_rounds_keeps_the_last_rate_it_evaluated(script, monkeypatch, capsys):
    seen = []

    def pool_ratio(overrides, seeds):
        seen.append(overrides["population.entry_rate"])
        return 1.5

    monkeypatch.setattr(script, "pool_ratio", pool_ratio)
    rate = script.fit("dance", "sweden", seeds=1, tolerance=0.01, rounds=2)
    assert rate == seen[-1] and len(seen) == 2
    assert "NOT CONVERGED" in capsys.readouterr().out


def test_the_fit_is_for_the_world_named_on_the_command_line(script, monkeypatch):
    """A researcher's swapped rule is part of the world the entry rate is fitted for."""
    seen = []

    def pool_ratio(overrides, seeds):
        seen.append(overrides)
        return 1.0

    monkeypatch.setattr(script, "pool_ratio", pool_ratio)
    extra = script.parse_overrides(["exit=constant", "exit.monthly_hazard=0.02"])
    assert extra == {"exit": "constant", "exit.monthly_hazard": 0.02}
    script.fit("theatre", "sweden", 1, 0.01, 2, extra)
    assert seen[0]["exit"] == "constant" and seen[0]["exit.monthly_hazard"] == 0.02
    assert seen[0]["sector"] == "theatre"
