"""Present values at the country's appraisal rate (issue 22, ledger part: discounting)."""

from __future__ import annotations

import numpy as np
import pytest

from sim import ConfigError, build_spec, compose_config, run_model
from sim.model.freelance import ArmModel
from sim.model.outcomes import arm_outcomes, real_series
from tests.conftest import TINY, spec_for


def test_at_a_rate_of_zero_the_present_value_is_the_yearly_mean_times_the_years():
    out = run_model(seed=1, **TINY, **{"country.discount_rate": 0.0})
    years = TINY["horizon_years"]
    for arm in ("baseline", "policy", "effect"):
        assert out[f"{arm}.public_cost_pv_m"] == pytest.approx(out[f"{arm}.public_cost_m"] * years,
                                                               rel=1e-12, abs=1e-9)
        assert out[f"{arm}.active_person_years_pv"] == pytest.approx(
            out[f"{arm}.active_workforce"] * years, rel=1e-12)
    assert out["effect.cost_per_retained_worker_year_pv_k"] == pytest.approx(
        out["effect.cost_per_retained_worker_year_k"], rel=1e-9)


@pytest.mark.parametrize("country, rate", [("sweden", 0.035), ("norway", 0.04)])
def test_each_month_is_discounted_to_the_horizons_start_at_the_countrys_rate(country, rate):
    spec = spec_for(country=country, policy="generic")
    assert spec.country.discount_rate == rate
    model = ArmModel(spec, 2, "policy").run()
    h0, end = spec.burn_in_months, spec.total_months
    series = real_series(model)
    t = np.arange(end - h0) / 12  # years since the horizon started, month by month
    by_hand = sum(cost / (1 + rate) ** year
                  for cost, year in zip(series["ledger_net_cost"][h0:end], t, strict=True)) / 1e6
    people = sum(n / 12 / (1 + rate) ** year
                 for n, year in zip(series["active"][h0:end], t, strict=True))
    out = arm_outcomes(model)
    assert out["public_cost_pv_m"] == pytest.approx(by_hand, rel=1e-9)
    assert out["active_person_years_pv"] == pytest.approx(people, rel=1e-9)
    undiscounted = out["public_cost_m"] * spec.horizon_years
    assert abs(out["public_cost_pv_m"]) < abs(undiscounted) or np.isclose(undiscounted, 0)


@pytest.mark.parametrize("value", [-0.01, 0.5, "x"])
def test_the_rate_is_checked(value):
    with pytest.raises(ConfigError, match=r"country\.discount_rate"):
        build_spec(compose_config({"country.discount_rate": value}))
