"""The default baseline reproduces the stylised facts of behaviour.md Part C.

Fixed seeds, default population and horizon; tolerances are the Part C ranges applied to the
mean over seeds, which is tighter than any single seed.
"""

import numpy as np
import pytest

from sim import build_spec, compose_config, run_pair


@pytest.fixture(scope="module")
def baseline_outcomes():
    spec, _ = build_spec(compose_config({"population.size": 3000, "policy.funding_m": 0}))
    runs = [run_pair(spec, seed).outcomes() for seed in (101, 102, 103)]
    return {k: float(np.mean([r[f"baseline.{k}"] for r in runs]))
            for k in ("retention_10y", "retention_5y", "income_cv_monthly", "idle_share",
                      "active_workforce")}


def test_ten_year_survival_is_18_to_25_percent(baseline_outcomes):
    assert 0.18 <= baseline_outcomes["retention_10y"] <= 0.25


def test_attrition_is_front_loaded(baseline_outcomes):
    # more than half of the 10-year loss happens in the first five years
    assert 1 - baseline_outcomes["retention_5y"] > 0.5 * (1 - baseline_outcomes["retention_10y"])


def test_monthly_income_cv_is_0_6_to_1(baseline_outcomes):
    assert 0.6 <= baseline_outcomes["income_cv_monthly"] <= 1.0


def test_idle_share_is_20_to_45_percent(baseline_outcomes):
    assert 0.20 <= baseline_outcomes["idle_share"] <= 0.45


def test_pool_stays_near_its_size(baseline_outcomes):
    assert 0.8 * 3000 <= baseline_outcomes["active_workforce"] <= 1.2 * 3000
