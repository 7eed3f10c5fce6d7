"""EMA Workbench adapter: names EMA accepts, ranges from the declarations, numpy values straight
into run_model, replications, and the worked example at a tiny size."""

import math
import sys

import numpy as np
import pandas as pd
import pytest

import sim.ema
from sim import ConfigError, run_model

ema = pytest.importorskip("ema_workbench", reason="the optional extra 'ema' is not installed "
                                                  "(uv sync --extra ema; the dev group includes it)")

TINY = {"population.scale": 50, "burn_in_years": 1, "horizon_years": 2}


def same(a, b) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def test_the_model_declares_identifiers_types_and_ranges_from_the_parameters():
    model = sim.ema.model(**TINY)
    assert isinstance(model, ema.Model) and model.name.isidentifier()
    names = [p.name for p in model.uncertainties] + [p.name for p in model.levers]
    names += [o.name for o in model.outcomes] + [c.name for c in model.constants]
    assert all(n.isidentifier() for n in names)
    levers = {p.name: p for p in model.levers}
    assert set(levers) == {sim.ema.identifier(k) for k in sim.ema.LEVERS}
    assert isinstance(levers["policy__work_requirement_months"], ema.IntegerParameter)
    assert isinstance(levers["policy__funding_m"], ema.RealParameter)
    assert (levers["policy__funding_m"].lower_bound, levers["policy__funding_m"].upper_bound) == (0, 80)
    uncertainties = {p.name for p in model.uncertainties}
    assert "exit__beta_buffer" in uncertainties and "policy__salary" not in uncertainties
    assert {o.name for o in model.outcomes} >= {"effect__public_cost_m", "baseline__active_workforce",
                                                "effect__cost_per_retained_worker_year_k"}
    table = sim.ema.describe(**TINY)
    assert set(table["name"]) == set(levers) | uncertainties
    assert table.set_index("parameter").loc["policy.funding_m", "unit"] == "million currency/year"
    # a fixed value is a constant, not a lever any more
    fixed = sim.ema.model(policy__salary=30_000, **TINY)
    assert "policy__salary" not in {p.name for p in fixed.levers}
    assert {c.name: c.value for c in fixed.constants}["policy__salary"] == 30_000


def test_bad_input_raises_before_any_run():
    with pytest.raises(ConfigError, match="policy.funding_m"):
        sim.ema.model(**{**TINY, "policy.funding_m": -1})
    with pytest.raises(ConfigError, match="policy.member_exit_hr"):  # outside its declared range
        sim.ema.model(uncertainties={"policy.member_exit_hr": (0.5, 20)}, **TINY)
    with pytest.raises(ConfigError, match="policy.nope"):
        sim.ema.model(levers={"policy.nope": (0, 1)}, **TINY)
    with pytest.raises(ValueError, match="unknown outcomes"):
        sim.ema.model(outcomes=["effect.nope"], **TINY)


def test_missing_extra_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "ema_workbench", None)
    with pytest.raises(ImportError, match="uv sync --extra ema"):
        sim.ema.model(**TINY)


def test_numpy_values_go_straight_in_and_names_map_back():
    values = {"policy__funding_m": np.float64(55.5), "admission__long_min_engaged": np.int64(40),
              "exit__beta_buffer": np.float32(-0.25)}
    out = sim.ema.run(seed=np.int64(3), **values, **{k.replace(".", "__"): v for k, v in TINY.items()})
    direct = run_model(seed=3, **{"policy.funding_m": 55.5, "admission.long_min_engaged": 40,
                                  "exit.beta_buffer": float(np.float32(-0.25))}, **TINY)
    assert set(out) == {k.replace(".", "__") for k in direct}
    assert all(same(out[k.replace(".", "__")], v) for k, v in direct.items())


def test_replications_report_the_mean_over_seeds():
    model = sim.ema.model(outcomes=["effect.public_cost_m"], replications=2,
                          uncertainties={}, levers={"policy.funding_m": (10, 60)}, **TINY)
    assert isinstance(model, ema.ReplicatorModel)
    experiments, outcomes = ema.perform_experiments(model, scenarios=1, policies=1, log_progress=True)
    level = experiments["policy__funding_m"].iloc[0]
    runs = [run_model(seed=s, **{**TINY, "policy.funding_m": level})["effect.public_cost_m"]
            for s in (0, 1)]
    assert outcomes["effect__public_cost_m"][0] == pytest.approx(np.mean(runs), rel=1e-12)


def test_the_worked_example_runs_tiny(tmp_path, monkeypatch):
    from examples import ema_scenarios_policies as example

    monkeypatch.setattr("sys.argv", ["ema", "--scenarios", "3", "--policies", "2", "--scale", "50",
                                     "--burn-in", "1", "--horizon", "2", "--out", str(tmp_path)])
    example.main()
    table = pd.read_csv(tmp_path / "experiments.csv")
    assert len(table) == 6 and {"effect__public_cost_m", "policy__funding_m"} <= set(table.columns)
    row = table.iloc[0]
    names = list(sim.ema.describe(**TINY)["parameter"])
    again = run_model(seed=0, **TINY, **{k: row[sim.ema.identifier(k)].item() for k in names})
    assert row["effect__public_cost_m"] == pytest.approx(again["effect.public_cost_m"], rel=1e-9)


def test_prim_finds_the_box_of_the_cases():
    from examples.ema_scenarios_policies import discover

    grid = np.linspace(0, 1, 200)
    x = pd.DataFrame({"a": grid, "b": np.resize([0.1, 0.9], 200)})  # b is noise
    box, limits = discover(x, x["a"].to_numpy() < 0.3)
    assert list(limits.index) == ["a"] and 0.3 <= limits.loc["a", "high"] < 0.4
    assert box.stats["density"] >= 0.8
    assert discover(x, np.zeros(200, dtype=bool))[0] is None
