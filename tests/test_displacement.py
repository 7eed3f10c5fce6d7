"""demand.displacement: the share of the work gained by people a policy keeps in the profession
that is taken from others (issue 22, step 1). 1 is the fixed pool of roles (demand=market as it
always was); 0 lets the pool of engagement-months grow with the people active."""

from __future__ import annotations

import numpy as np
import pytest

from sim import ConfigError, build_spec, compose_config, run_many, run_model
from sim.model.core.loop import make_context, market_pools
from sim.model.freelance import ArmModel
from tests.conftest import TINY, spec_for


def test_the_default_is_the_evidence_and_one_is_the_fixed_pool():
    assert spec_for().demand.displacement == 0.65  # about two thirds (sources.md#displacement)
    spec = spec_for(**{"demand.displacement": 1.0})
    model = ArmModel(spec, 0).run(20)
    ctx = make_context(model)
    expected = round(spec.demand.engaged_share * spec.population.agents * ctx.demand)
    assert market_pools(model, ctx).tolist() == [expected]


def test_at_one_a_run_books_no_public_fees_and_equals_the_fixed_pool_bit_for_bit():
    """d = 1 is demand=market as it was: its tables are those of the fixed pool (no public
    fees for added work, which a fixed pool never has)."""
    fixed = run_model(seed=2, **TINY, **{"demand.displacement": 1.0})
    again = run_model(seed=2, **TINY, **{"demand.displacement": 1})
    assert all(np.array_equal(fixed[k], again[k], equal_nan=True) for k in fixed)
    below = run_model(seed=2, **TINY, **{"demand.displacement": 0.65})
    assert below["effect.active_workforce"] != fixed["effect.active_workforce"]


@pytest.mark.parametrize("displacement", [0.0, 0.3])
def test_below_one_the_pool_follows_the_people_active(displacement):
    spec = spec_for(**{"demand.displacement": displacement, "demand.shock_depth": 0.5,
                       "demand.shock_start_year": 0})
    model = ArmModel(spec, 1).run(spec.burn_in_months + 3)  # inside the shock
    ctx = make_context(model)
    active = int(np.count_nonzero(model.pop.active))
    size = displacement * spec.population.agents + (1 - displacement) * active
    assert ctx.demand == pytest.approx(0.5)
    assert market_pools(model, ctx).tolist() == [round(spec.demand.engaged_share * size * ctx.demand)]
    if displacement == 0.0:  # exactly the headcount's share of work
        assert market_pools(model, ctx)[0] == round(0.6 * active * 0.5)


def test_steady_demand_has_no_pool():
    spec = spec_for(demand="steady")
    model = ArmModel(spec, 0).run(2)
    assert market_pools(model, make_context(model)) is None


def test_the_effect_on_the_workforce_does_not_grow_with_displacement():
    """Fixed seeds, paired: the more of the kept people's work is taken from others, the fewer
    people the policy keeps working (means over 4 seeds; the differences are 3-4 standard errors
    at this size)."""
    runs = [{"seed": s, "demand.displacement": d, "population.size": 1000, "burn_in_years": 10,
             "horizon_years": 15} for d in (0.0, 0.5, 1.0) for s in range(4)]
    effect = run_many(runs).groupby("demand.displacement")["effect.active_workforce"].mean()
    assert effect[0.0] > effect[0.5] > effect[1.0] > 0


def test_a_batch_of_mixed_displacements_equals_its_runs_alone():
    runs = [{"seed": 0, "demand.displacement": d, **TINY} for d in (0.0, 0.4, 1.0)]
    table = run_many(runs)
    for i, run in enumerate(runs):
        alone = run_model(**run)
        for key in ("effect.active_workforce", "baseline.engagements_per_year",
                    "policy.public_cost_m"):
            assert table[key].iloc[i] == alone[key], (run, key)


@pytest.mark.parametrize("value", [-0.1, 1.5, "half"])
def test_displacement_is_a_share(value):
    with pytest.raises(ConfigError, match=r"demand\.displacement"):
        build_spec(compose_config({"demand.displacement": value}))
