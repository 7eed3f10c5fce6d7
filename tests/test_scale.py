"""Population scale: each agent stands for ``population.scale`` people; totals are real.

Two kinds of checks: an exact identity (the same simulated agents reported at two scales give
totals in the ratio of the scales and identical rates), and the statistical claim the README
makes (scale 1 and scale 4 estimate the same real members, workforce effect and net cost).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import run_model
from sim.model.outcomes import REAL_TOTALS, UNITS
from tests.conftest import spec_for


def test_agents_are_the_real_size_over_the_scale():
    spec = spec_for(**{"population.size": 2500, "population.scale": 4})
    assert spec.population.agents == 625
    assert spec_for(**{"population.size": 3, "population.scale": 10}).population.agents == 1


def test_the_real_size_comes_from_the_sector_preset_for_the_country():
    from sim import compose_config

    cfg = compose_config({"sector": "dance", "country": "norway", "policy": "skuda"})
    assert cfg.population.size == cfg.sector.freelancers.norway == 530
    assert compose_config().population.size == compose_config().sector.freelancers.sweden


def test_totals_scale_and_rates_do_not():
    """4x the people and 4x the grant at scale 4 simulate exactly the agents of scale 1."""
    small = {"population.size": 600, "burn_in_years": 3, "horizon_years": 8,
             "policy.funding_m": 10, "policy.min_vacancies": 4}
    big = {**small, "population.size": 2400, "population.scale": 4,
           "policy.funding_m": 40, "policy.min_vacancies": 16}
    one, four = run_model(seed=3, **small), run_model(seed=3, **big)
    assert one["policy.alliance_members"] > 0
    for key, value in one.items():
        name = key.split(".", 1)[-1]
        expected = value * 4 if name in REAL_TOTALS else value
        np.testing.assert_allclose(four[key], expected, rtol=1e-9, err_msg=key, equal_nan=True)


def test_real_totals_are_the_counts_and_money():
    assert {"active_workforce", "alliance_members", "births_per_year", "public_cost_m",
            "new_members_per_year"} <= REAL_TOTALS
    assert not REAL_TOTALS & {"retention_10y", "cost_per_member_k", "member_mean_age",
                              "hiring_rounds_per_year", "births_per_1000_person_years"}
    assert all(UNITS[name] != "agents" for name in UNITS)


@pytest.mark.slow
def test_scale_one_and_four_estimate_the_same_real_numbers():
    """The README's claim: scale sets precision, not the scenario (statistical, fixed seeds)."""
    keys = ("policy.alliance_members", "effect.active_workforce", "effect.public_cost_m")
    runs = {scale: [run_model(seed=s, **{"population.scale": scale, "horizon_years": 20})
                    for s in range(8)] for scale in (1, 4)}
    for key in keys:
        a = np.array([r[key] for r in runs[1]])
        b = np.array([r[key] for r in runs[4]])
        se = np.hypot(a.std(ddof=1) / np.sqrt(a.size), b.std(ddof=1) / np.sqrt(b.size))
        assert abs(a.mean() - b.mean()) < 3.5 * se + 0.02 * abs(a.mean()), (key, a.mean(), b.mean(), se)
