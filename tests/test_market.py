"""demand=market: a fixed pool of engagement-months shared out by engagement propensity."""

from __future__ import annotations

import numpy as np
import pytest

from sim import run_model
from sim.model.core import decisions
from sim.model.freelance import ArmModel
from tests.conftest import spec_for

MARKET = {"demand": "market", "demand.displacement": 1.0}  # a fixed pool of roles


def test_the_pool_is_filled_exactly_every_month():
    """Conservation: each month exactly min(pool, those who can work) are engaged."""
    spec = spec_for(**MARKET, **{"demand.shock_depth": 0.5, "demand.shock_start_year": 1})
    model = ArmModel(spec, 5, "policy")
    model.run()
    rec = model.recorder.series
    pool = np.array([spec.demand.pool(m - spec.burn_in_months, spec.population.agents)
                     for m in range(spec.total_months)])
    assert np.array_equal(rec["engagement_pool"], pool)
    assert pool.min() < pool.max()  # the shock moved it
    # the pool is below the number who can work in every month of this run, so it binds
    assert np.array_equal(rec["engagements"], pool)
    assert (rec["engaged"] <= pool).all()  # at month end: without this month's leavers


def test_the_allocation_favours_higher_odds_and_keeps_common_random_numbers():
    spec = spec_for(**MARKET)
    model = ArmModel(spec, 1, "baseline")
    model.run(13)
    from sim.model.core.loop import make_context

    ctx = make_context(model)
    pop = model.pop
    n = len(pop)
    log_odds = np.zeros(n)
    log_odds[: n // 2] = 2.0  # the first half is much more likely to be chosen
    ctx.pool = np.array([n // 4])  # the one run's pool
    first = decisions.engagements(pop, ctx, log_odds, "test")
    again = decisions.engagements(pop, ctx, log_odds, "test")
    assert np.array_equal(first, again)  # keyed draws: the same luck
    can_work = (pop.sick_months_left == 0) & (pop.parental_months_left == 0) & pop.active
    assert first.sum() == min(ctx.pool[0], can_work.sum())
    assert not (first & ~can_work).any()
    assert first[: n // 2].mean() > 3 * first[n // 2:].mean()
    # one common shift clears the market: everyone engaged has a lower logit(u) - log-odds than
    # everyone who could work and is not (steady demand's rule is logit(u) - log-odds < 0)
    u = ctx.uniform("engagement")
    margin = np.log(u) - np.log1p(-u) - (log_odds + pop.engagement_boost)
    assert margin[first].max() <= margin[can_work & ~first].min()


@pytest.mark.slow
def test_the_alliance_cannot_change_the_work_the_sector_offers():
    for seed in range(3):
        out = run_model(seed=seed, **MARKET)
        base = out["baseline.engagements_per_year"]
        assert abs(out["effect.engagements_per_year"]) <= 0.01 * base
        # members' extra engagements are taken from others: their share of work rises
        assert out["policy.member_outside_work_share"] > 0


def test_steady_demand_has_no_pool():
    spec = spec_for(**{"demand": "steady"})
    assert spec.demand.pool(0, 100) is None


@pytest.mark.parametrize("model", ["market", "steady"])
def test_both_demand_models_need_an_engaged_share(model):
    """market: the pool's size; steady: the reference of the public fees for added work."""
    from sim.model.core.params import ConfigError

    with pytest.raises(ConfigError, match="demand.engaged_share"):
        spec_for(**{"demand": model, "demand.engaged_share": None})


@pytest.mark.parametrize("ties", [False, True])
def test_the_smallest_keys_are_those_argpartition_picks(ties):
    """The pool goes to the rows ``argpartition`` picks, ties at the cut included."""
    rng = np.random.default_rng(7)
    keys = rng.random(500)
    keys[rng.random(500) < 0.2] = np.inf
    if ties:
        keys[::3] = 0.5
    for k in (1, 37, 250, 399):
        expected = np.zeros(keys.size, dtype=bool)
        expected[keys.argpartition(k - 1)[:k]] = True
        got = decisions._smallest(keys, k, np.empty(keys.size, dtype=bool))
        assert np.array_equal(got, expected) and got.sum() == k
