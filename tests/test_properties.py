"""Invariants over random configurations (hypothesis)."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import run_pair
from sim.model.freelance import ArmModel
from sim.model.rules.base import window_counts
from tests.conftest import spec_for

configs = st.fixed_dictionaries({
    "policy.funding_m": st.floats(0, 60),
    "policy.salary": st.floats(5000, 40000),
    "policy.planned_salary_share": st.floats(0.05, 1.0),
    "policy.fee_offset": st.floats(0, 1),
    "policy.cut_share": st.floats(0, 1),
    "policy.cut_year": st.integers(0, 3),
    "population.size": st.integers(50, 300),
    "seed": st.integers(0, 10_000),
})


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs)
def test_invariants_hold_every_month(params):
    seed = params.pop("seed")
    spec = spec_for(burn_in_years=1, horizon_years=4, **params)
    model = ArmModel(spec, seed, "baseline").run(spec.burn_in_months).fork("policy")
    while model.month < spec.total_months:
        model.step()
        pop = model.pop
        assert not np.any(pop.member & ~pop.active), "members are always active"
        for name in ("children", "tenure_months", "qualifying_months", "paid_months"):
            assert getattr(pop, name).min(initial=0) >= 0, name
        assert pop.network.min(initial=0) >= 0
        # the precarity column is the definition applied to this month's state
        living = spec.sector.living_cost * spec.country.wage_scale
        expected = (window_counts(pop, (12,))[:, 0] < 6) | (pop.buffer < living)
        assert np.array_equal(pop.precarious, expected)
    led = model.ledger
    # the alliance never spends more than its grant, year by year
    spend = led.policy_spend().reshape(-1, 12).sum(axis=1)
    grant = led.flows["grant"].reshape(-1, 12).sum(axis=1)
    assert np.all(spend <= grant * (1 + 1e-9) + 1e-6)
    # unspent money goes back: grant - returned == spend, every year
    returned = led.flows["grant_returned"].reshape(-1, 12).sum(axis=1)
    assert np.allclose(grant - returned, spend, rtol=1e-9, atol=1e-3)
    # the ledger balances: the alliance's spending plus what it returns is the grant it got
    assert np.isclose(led.flows["grant"].sum(), spend.sum() + returned.sum())
    for series in model.recorder.series.values():
        assert series.min() >= 0


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 1000))
def test_counts_add_up(seed):
    pair = run_pair(spec_for(**{"population.size": 200}), seed)
    for model in (pair.baseline, pair.policy):
        s = model.recorder.series
        # active(t) = active(t-1) + entrants(t) - exits(t)
        assert np.array_equal(s["active"][1:], s["active"][:-1] + s["entrants"][1:] - s["exits"][1:])
        reg = model.pop.registry
        assert np.count_nonzero(reg["exit_month"] < 0) == s["active"][-1]
