"""sim.FreelanceModel as Mesa users expect it: keyword overrides, mesa.batch_run, a DataCollector,
step() = one month, agents to inspect, and the same numbers as the paired run (CRN)."""

import math

import mesa
import numpy as np
import pandas as pd
import pytest

from sim import ConfigError, FreelanceModel, run_model
from sim.model.freelance import Freelancer
from sim.model.outcomes import OUTCOMES
from sim.run.mesa_model import REPORTERS

# 50 agents (2,500 people, 50 per agent), 1 year of burn-in and 2 measured years: 36 months
TINY = {"population.scale": 50, "burn_in_years": 1, "horizon_years": 2}


def same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def test_batch_run_with_dotted_parameters_returns_the_collected_data():
    rows = mesa.batch_run(FreelanceModel, parameters={"policy.funding_m": [0, 40],
                                                      "seed": [0, 1], **TINY},
                          data_collection_period=1, display_progress=False)
    data = pd.DataFrame(rows)
    assert len(data) == 4 * 36  # 2 x 2 runs, one row per month
    runs = set(zip(data["seed"], data["policy.funding_m"], strict=True))
    assert runs == {(0, 0), (0, 40), (1, 0), (1, 40)}
    last = data[data["Step"] == 36].set_index(["seed", "policy.funding_m"])
    assert len(last) == 4
    assert (last.loc[(slice(None), 0), "alliance_members"] == 0).all()
    assert (last.loc[(slice(None), 40), "alliance_members"] > 0).all()
    assert last["active_workforce"].gt(0).all()
    first = data[data["Step"] == 1]
    assert first["active_workforce"].isna().all() and first["active"].gt(0).all()
    # the seeds were used: two seeds, two different worlds
    assert last.loc[(0, 40), "public_cost_m"] != last.loc[(1, 40), "public_cost_m"]


def test_step_is_one_month_and_the_model_stops_at_the_end_of_the_horizon():
    model = FreelanceModel(seed=3, **TINY)
    assert isinstance(model, mesa.Model) and model.running and model.month == 0
    model.step()
    assert (model.steps, model.month) == (1, 1)
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 1 and frame["horizon_month"].iloc[0] == -12
    model.run_model()
    assert not model.running and model.steps == model.month == 36
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 36 and frame["horizon_month"].iloc[-1] == 23
    assert frame["reached"].iloc[:12].eq(0).all() and frame["reached"].iloc[-1] > 0
    assert set(frame.columns) == set(REPORTERS) and set(OUTCOMES) <= set(REPORTERS)
    with pytest.raises(RuntimeError, match="no months left"):
        model.step()


def test_agents_are_the_active_freelancers_and_the_step_creates_none():
    model = FreelanceModel(seed=2, **TINY)
    for _ in range(20):
        model.step()
    assert not model._registered  # the monthly step made no handles
    active = model.pop.uid[model.pop.active]
    assert len(model.agents) == active.size
    assert {a.uid for a in model.agents} == set(active.tolist())
    agent = model.freelancer(int(active[0]))
    assert isinstance(agent, Freelancer) and agent in model.agents
    row = model.pop.row(agent.uid)
    assert agent.age_months == model.pop.age_months[row] and agent.member == model.pop.member[row]
    model.run_model()
    assert len(model.agents) == np.count_nonzero(model.pop.active)
    assert {a.uid for a in model.agents} == set(model.pop.uid[model.pop.active].tolist())
    left = int(np.flatnonzero(model.pop.registry["exit_month"] >= 0)[0])
    gone = model.freelancer(left)
    assert gone.active is False and gone not in model.agents and gone.exit_month >= 0
    assert len(model.agents_by_type[Freelancer]) == len(model.agents)


@pytest.mark.parametrize("arm", ["policy", "baseline"])
def test_outcomes_are_those_of_the_paired_run(arm):
    overrides = {**TINY, "policy.funding_m": 60}
    model = FreelanceModel(seed=4, arm=arm, **overrides)
    model.run_model()
    paired = run_model(seed=4, **overrides)
    assert all(same(value, paired[f"{arm}.{name}"]) for name, value in model.outcomes().items())
    last = model.datacollector.get_model_vars_dataframe().iloc[-1]
    assert all(same(last[name], paired[f"{arm}.{name}"]) for name in OUTCOMES)


def test_batch_run_over_arms_gives_the_paired_effects():
    rows = mesa.batch_run(FreelanceModel, parameters={"arm": ["baseline", "policy"], "seed": 5,
                                                      **TINY}, display_progress=False)
    by_arm = pd.DataFrame(rows).set_index("arm")
    paired = run_model(seed=5, **TINY)
    effect = by_arm.loc["policy", "public_cost_m"] - by_arm.loc["baseline", "public_cost_m"]
    assert effect == paired["effect.public_cost_m"]


def test_keywords_seeds_and_bad_input():
    dotted = FreelanceModel(seed=1, **{**TINY, "policy.funding_m": 12})
    spelled = FreelanceModel(rng=np.int64(1), policy__funding_m=np.float64(12),
                             population__scale=50, burn_in_years=1, horizon_years=2)
    assert dotted.spec == spelled.spec and dotted.seed == spelled.seed == 1
    assert spelled.overrides["policy.funding_m"] == 12
    assert 0 <= FreelanceModel(**TINY).seed < 2**31  # no seed: drawn from OS entropy, as Mesa does
    generator = FreelanceModel(rng=np.random.default_rng(7), **TINY)
    assert generator.seed == FreelanceModel(rng=np.random.default_rng(7), **TINY).seed
    with pytest.raises(ValueError, match="either seed or rng"):
        FreelanceModel(seed=1, rng=1, **TINY)
    with pytest.raises(ValueError, match="twice"):
        FreelanceModel(seed=1, policy__funding_m=1, **{"policy.funding_m": 2, **TINY})
    with pytest.raises(ConfigError, match="policy.funding_m"):
        FreelanceModel(seed=1, **{**TINY, "policy.funding_m": -5})
    with pytest.raises(ConfigError, match="seed"):
        FreelanceModel(seed=-1, **TINY)
    with pytest.raises(ValueError, match="arm"):
        FreelanceModel(seed=1, arm="both", **TINY)


def test_a_model_pickles_midway_and_continues_identically():
    import pickle

    model = FreelanceModel(seed=6, **TINY)
    for _ in range(14):
        model.step()
    copy = pickle.loads(pickle.dumps(model))
    model.run_model()
    copy.run_model()
    assert all(same(copy.outcomes()[k], v) for k, v in model.outcomes().items())
