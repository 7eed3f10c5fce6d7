"""run_many: each row equals run_model for the same seed and overrides; bad input stops first."""

from __future__ import annotations

import numpy as np
import pytest

import sim.run.many as many
from sim import run_many, run_model
from sim.model.core.params import ConfigError

SMALL = {"population.scale": 20, "burn_in_years": 2, "horizon_years": 6}
RUNS = [
    {"seed": 0, **SMALL, "policy.funding_m": 40},
    {"seed": 1, **SMALL, "policy.funding_m": np.float64(20.0)},  # numpy values, as SALib passes
    {"seed": 0, **SMALL, "policy.funding_m": 0},
    {"seed": np.int64(0), **SMALL, "policy.funding_m": 80, "demand": "steady"},
    {"seed": 2, **SMALL, "sector": "dance", "policy": "dansalliansen"},
]


def test_every_row_equals_run_model():
    table = run_many(RUNS)
    assert list(table["run"]) == list(range(len(RUNS)))
    for i, run in enumerate(RUNS):
        expected = run_model(**run)
        row = table.iloc[i]
        for key, value in expected.items():
            np.testing.assert_equal(row[key], value, err_msg=f"run {i}: {key}")
    assert table.loc[2, "effect.active_workforce"] == 0  # no grant, no effect (CRN)


def test_batch_and_one_by_one_agree():
    a, b = run_many(RUNS[:3]), run_many(RUNS[:3], batch=False)
    assert a.drop(columns=[]).equals(b)


def test_a_bad_run_stops_the_call_before_anything_runs(monkeypatch):
    def no_simulation(*args, **kwargs):
        raise AssertionError("simulated before checking every run")

    monkeypatch.setattr(many, "run_pair", no_simulation)
    monkeypatch.setattr(many, "run_specs", no_simulation)
    with pytest.raises(ConfigError, match="policy.funding_m"):
        run_many([*RUNS[:2], {"seed": 3, "policy.funding_m": -5}])
    with pytest.raises(ConfigError, match="policy.fundng_m"):
        run_many([{"seed": 0, "policy.fundng_m": 5}])
    with pytest.raises(ConfigError, match=r"runs\[0\]"):
        run_many([{"policy.funding_m": 5}])
