"""Batches of runs (issue 12): G runs of one spec as groups of rows of one population.

What must hold: every run of a batch is exactly the run of its seed alone (every outcome, every
monthly series, the survival curve), whatever else is in the batch; each group draws its own
seed's random numbers; the population keeps each group's rows together and in a single run's
order; a policy without batch methods of its own gets the same results through the
interface's run-by-run defaults; and runs whose specs differ in per-run parameters (a Sobol
design's samples) share a batch and still equal their runs alone.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim.run.batch as batch
import sim.run.paired as paired
from sim.model import tables
from sim.model.core.columns import AgentColumns
from sim.model.core.per_run import SLOTS, batch_spec, per_run_fields
from sim.model.core.rng import Streams, counters
from sim.model.freelance import ArmModel
from sim.model.policy.alliance import Alliance
from sim.model.policy.base import Policy
from sim.run.batch import run_specs
from sim.run.cache import BaselineCache
from sim.run.paired import run_pair, run_pairs
from sim.study.sensitivity import model_config
from tests.conftest import spec_for


def assert_same_run(batched, alone) -> None:
    """Every outcome, monthly series and survival curve equal (NaN where both are NaN)."""
    a, b = batched.outcomes(), alone.outcomes()
    assert a.keys() == b.keys()
    for key, value in b.items():
        assert a[key] == value or (math.isnan(a[key]) and math.isnan(value)), key
    assert batched.timeseries().equals(alone.timeseries())
    assert batched.survival().equals(alone.survival())


# ---------------------------------------------------------------- random streams
@settings(max_examples=40, deadline=None)
@given(seeds=st.lists(st.integers(0, 2**31 - 1), min_size=1, max_size=6, unique=True),
       local=st.lists(st.integers(0, 10**6), min_size=1, max_size=20),
       month=st.integers(0, 2000), decision=st.sampled_from(["exit", "birth", "init_age"]))
def test_each_group_draws_what_its_seed_draws_alone(seeds, local, month, decision):
    streams = Streams(seeds)
    local = np.array(local, dtype=np.int64)
    for g, seed in enumerate(seeds):
        uids = local * len(seeds) + g  # the uid of local agent k in group g
        alone = Streams(seed)
        np.testing.assert_array_equal(streams.uniform(decision, uids, month),
                                      alone.uniform(decision, local, month))
        np.testing.assert_array_equal(streams.normal(decision, uids, month),
                                      alone.normal(decision, local, month))


def test_a_batch_of_one_uses_the_plain_counters():
    uids = np.arange(50)
    np.testing.assert_array_equal(Streams([9]).counters(uids, 7), counters(uids, 7))
    np.testing.assert_array_equal(Streams([9]).uniform("exit", uids, 7),
                                  Streams(9).uniform("exit", uids, 7))


# ---------------------------------------------------------------- the population's layout
def test_groups_stay_together_in_a_single_runs_order():
    pop = AgentColumns(groups=3)
    rows = pop.add(4, age_months=np.arange(12, dtype=np.int32))
    assert pop.group.tolist() == [0] * 4 + [1] * 4 + [2] * 4
    assert pop.uid.tolist() == [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11]  # local k -> k x 3 + g
    assert pop.age_months[rows].tolist() == list(range(12))  # values given group by group
    pop.active[[1, 5]] = False
    pop.compact(min_inactive_share=0.0)
    rows = pop.add(2)  # a second cohort joins each group after its earlier rows
    assert pop.group.tolist() == [0] * 5 + [1] * 5 + [2] * 6
    assert pop.bounds.tolist() == [0, 5, 10, 16]
    assert pop.uid[rows].tolist() == [12, 15, 13, 16, 14, 17]
    for g in range(3):  # within a group, uids ascend: the order a single run keeps
        local = pop.uid[pop.bounds[g]:pop.bounds[g + 1]] // 3
        assert np.all(np.diff(local) > 0)
    assert np.array_equal(pop.row_of_uid[pop.uid], np.arange(len(pop)))
    assert pop.n_ever == 18
    reg = pop.group_registry(1)
    assert reg["entry_month"].size == 6  # local uids 0..5 of group 1


def test_a_runs_rows_are_views():
    pop = AgentColumns(groups=2, columns=tables.columns(Alliance))
    pop.add(3)
    rows = pop.rows_of(1)
    rows.member[1] = True
    assert pop.member.tolist() == [False, False, False, False, True, False]
    assert len(rows) == 3 and rows.start == 3 and rows.bounds.tolist() == [0, 3]


# ---------------------------------------------------------------- whole runs
CASES = {
    "market": {},
    "steady demand": {"demand": "steady"},
    "time account, Norwegian dancers": {"policy": "skuda", "country": "norway",
                                        "sector": "dance"},
    "a grant cut to nothing": {"policy.cut_year": 3, "policy.cut_share": 1.0},
    "a crisis": {"demand.shock_depth": 0.4, "demand.shock_start_year": 2, "policy.crisis_topup_m": 20,
                 "policy.crisis_measure": "topup"},
}


@pytest.mark.parametrize("case", CASES)
def test_every_run_of_a_batch_equals_the_run_alone(case):
    spec = spec_for(**CASES[case])
    seeds = [4, 0, 17]
    for batched, seed in zip(run_pairs(spec, seeds), seeds, strict=True):
        assert batched.seed == seed
        assert_same_run(batched, run_pair(spec, seed))


def test_a_run_does_not_depend_on_the_rest_of_its_batch():
    spec = spec_for()
    alone = run_pairs(spec, [5])[0]
    for seeds in ([5, 6], [1, 2, 5], [5, 5 + 2**20]):
        assert_same_run(run_pairs(spec, seeds)[seeds.index(5)], alone)


class RunByRun(Alliance):
    """The alliance through the policy interface's run-by-run defaults (a design that does not
    write batch methods of its own)."""

    write_modifiers_runs = Policy.write_modifiers_runs
    pay_runs = Policy.pay_runs
    review_runs = Policy.review_runs

    def pay(self, state, pop, ctx, engaged, ledger, recorder):  # one run, on its rows
        return Alliance.pay_runs(self, [state], pop, ctx, engaged, [ledger], [recorder])


def run_by_run(spec):
    """``spec`` with its alliance as a ``RunByRun`` design of the same values."""
    fields = {f.name: getattr(spec.policy, f.name) for f in dataclasses.fields(Alliance)}
    return dataclasses.replace(spec, policy=RunByRun(**fields))


def test_a_policy_without_batch_methods_gets_the_same_results():
    spec = spec_for(policy="skuda", country="norway", sector="dance")
    for fast, by_run in zip(run_pairs(spec, [1, 2]), run_pairs(run_by_run(spec), [1, 2]),
                            strict=True):
        assert_same_run(by_run, fast)


def test_the_run_by_run_defaults_give_each_run_its_own_per_run_values():
    # run 1 differs in every per-run value of the alliance: the defaults must call run 1's
    # policy, and its pay must read run 1's salary and overhead, not run 0's
    other = {k: v for k, v in OTHER_VALUES.items() if k.startswith("policy.")}
    specs = [run_by_run(spec_for()), run_by_run(spec_for(**other))]
    results = run_pairs(specs, [3, 3])
    for result, spec in zip(results, specs, strict=True):
        assert_same_run(result, run_pair(spec, 3))
    spend = [r.outcomes()["policy.alliance_spend_m"] for r in results]
    assert spend[0] != spend[1]


def test_run_specs_keeps_the_order_and_shares_baselines(monkeypatch):
    spec = spec_for()
    other = spec.with_policy(funding_m=80.0)
    calls = []
    real = batch.baseline_batch
    monkeypatch.setattr(batch, "baseline_batch",
                        lambda spec, seeds, progress=None: calls.append(seeds) or real(spec, seeds))
    items = [(other, 3), (spec, 1), (spec, 3), (other, 1), (spec, 1)]
    results = run_specs(items)
    assert [r.seed for r in results] == [3, 1, 3, 1, 1]
    assert calls == [[3, 1]]  # one baseline batch for both grants, seeds as first asked
    assert results[1] is results[4]  # the same run asked twice is simulated once
    assert_same_run(results[0], run_pair(other, 3))
    assert_same_run(results[1], run_pair(spec, 1))


def test_batches_are_bounded(monkeypatch):
    monkeypatch.setattr(batch, "MAX_BATCH_AGENTS", 2 * spec_for().population.agents)
    calls = []
    real = batch.run_pairs
    monkeypatch.setattr(batch, "run_pairs",
                        lambda spec, seeds, *a: calls.append(list(seeds)) or real(spec, seeds, *a))
    run_specs([(spec_for(), s) for s in range(5)], collect=lambda r: r.seed)
    assert calls == [[0, 1], [2, 3], [4]]


# ---------------------------------------------------------------- batches and the disk cache
def test_a_batch_splits_into_single_runs_and_merges_back():
    spec = spec_for()
    batch_states = paired.baseline_batch(spec, [2, 5])
    alone = paired._baseline_states(spec, 5)
    single = paired.split_states(batch_states, 1)
    for when in ("burn_in", "final"):
        got, want = single[when], alone[when]
        keep, keep_alone = got["pop"].active, want["pop"].active
        for name in ("uid", "age_months", "buffer", "engaged_bits", "insured", "log_fee"):
            np.testing.assert_array_equal(getattr(got["pop"], name)[keep],
                                          getattr(want["pop"], name)[keep_alone], err_msg=name)
        for name, values in want["pop"].registry.items():
            np.testing.assert_array_equal(got["pop"].registry[name], values, err_msg=name)
        for name, values in want["ledger"].flows.items():
            np.testing.assert_array_equal(got["ledger"].flows[name], values, err_msg=name)
        for name, values in want["recorder"].series.items():
            np.testing.assert_array_equal(got["recorder"].series[name], values, err_msg=name)
        assert got["agent_months"] == want["agent_months"]
    # single runs merged into a batch give every run's results, in any grouping
    merged = paired.merge_states(spec, [5, 2], [single, paired.split_states(batch_states, 0)])
    for result, seed in zip(run_pairs(spec, [5, 2], merged), [5, 2], strict=True):
        assert_same_run(result, run_pair(spec, seed))


def test_a_baseline_batch_is_checked_against_its_seeds_and_world():
    spec = spec_for()
    states = paired.baseline_batch(spec, [1, 2])
    with pytest.raises(ValueError, match="seeds"):
        run_pairs(spec, [3, 4], states)
    with pytest.raises(ValueError, match="seeds"):
        run_pairs(spec_for(**{"exit.beta_buffer": -0.3}), [1, 2], states)


def test_sweep_jobs_keep_one_cache_entry_per_seed(tmp_path, monkeypatch):
    spec = spec_for()
    cache = BaselineCache(tmp_path)
    run_pair(spec, 1, cache)  # a single run's entry, as an older job may have left
    simulated = []
    real = paired.baseline_batch
    monkeypatch.setattr(paired, "baseline_batch",
                        lambda spec, seeds, progress=None: simulated.append(seeds) or real(spec, seeds))
    first = run_pairs(spec, [1, 2, 3], paired.cached_baseline_batch(spec, [1, 2, 3], cache))
    assert simulated == [[2, 3]]  # seed 1 came from the cache
    again = run_pairs(spec.with_policy(funding_m=80.0), [1, 2, 3],
                      paired.cached_baseline_batch(spec, [1, 2, 3], cache))
    assert simulated == [[2, 3]]  # all three from the cache now
    for result, seed in zip(first, [1, 2, 3], strict=True):
        assert_same_run(result, run_pair(spec, seed))
    assert_same_run(again[2], run_pair(spec.with_policy(funding_m=80.0), 3))


def test_seeds_are_shared_out_over_as_few_and_as_equal_batches_as_allowed(monkeypatch):
    spec = spec_for()
    monkeypatch.setattr(batch, "MAX_BATCH_AGENTS", 8 * spec.population.agents)
    assert batch.batches(spec, list(range(10))) == [list(range(5)), list(range(5, 10))]
    assert batch.batches(spec, list(range(17))) == [list(range(6)), list(range(6, 12)),
                                                     list(range(12, 17))]
    assert batch.batches(spec, [3]) == [[3]] and batch.batches(spec, []) == []
    monkeypatch.setattr(batch, "MAX_BATCH_AGENTS", 1)  # runs larger than a batch: one at a time
    assert batch.batches(spec, [1, 2]) == [[1], [2]]


# ---------------------------------------------------------------- per-run parameters
# a value for every per-run parameter of the default world, away from its default and such
# that it changes the runs of the tiny world
OTHER_VALUES = {
    "sector.outside_wage": 32000.0, "sector.fee_tail_max": 20.0, "country.benefit_takeup": 0.3,
    "country.outside_unemployment": 0.15, "sector.public_fee_share": 0.9, "policy.wage_share": 0.3,
    "income.beta_skill": 0.4, "exit.beta_buffer": -1.0, "exit.beta_outside": 0.6,
    "fertility.insecurity_hr": 0.7,
    "health.insecurity_or": 1.6, "health.long_share": 0.6, "demand.displacement": 0.3,
    "policy.funding_m": 80.0,
    "policy.salary": 31000.0,
    "policy.overhead_share": 0.2, "policy.member_engagement_boost": 0.3,
    "policy.member_exit_hr": 0.5, "policy.precarious_member_birth_hr": 1.25,
    "policy.member_insecurity_share": 0.9,
    "admission.recent_window_months": 30, "admission.recent_min_engaged": 20,
    "admission.long_window_months": 100, "admission.long_min_engaged": 50,
    "admission.rank_window_months": 12, "admission.leave_extension_months": 24,
    "admission.max_age": 35.0, "admission.reserved_share": 0.5, "admission.reserved_max_age": 40.0,
    "admission.reserved_long_min_engaged": 6, "admission.qualifying_share": 0.8,
    "admission.qualifying_concentration": 5.0, "admission.apply_base": 1.0,
    "admission.apply_idle": 0.5, "sector.age_slope_women": -0.6, "sector.age_slope_men": -0.1,
}


def per_run_keys(spec) -> list[str]:
    return [f"{slot}.{name}" for slot, get in SLOTS.items() for name in per_run_fields(get(spec))]


def test_every_per_run_parameter_has_a_value_to_test():
    assert sorted(per_run_keys(spec_for())) == sorted(OTHER_VALUES)


def test_runs_that_differ_in_per_run_parameters_share_a_batch_and_equal_their_runs_alone():
    keys = per_run_keys(spec_for())
    # run 0 the defaults, run 1 every other value, runs 2 and 3 half of them each (in turn)
    specs = [spec_for(), spec_for(**OTHER_VALUES),
             spec_for(**{k: OTHER_VALUES[k] for k in keys[::2]}),
             spec_for(**{k: OTHER_VALUES[k] for k in keys[1::2]})]
    seeds = [3, 3, 3, 8]
    results = run_pairs(specs, seeds)
    for result, spec, seed in zip(results, specs, seeds, strict=True):
        assert_same_run(result, run_pair(spec, seed))
    assert not results[0].timeseries().equals(results[1].timeseries())


def test_a_batch_spec_blanks_the_values_that_differ():
    a, b = spec_for(), spec_for(**{"exit.beta_buffer": -0.9, "policy.salary": 30000.0})
    spec = batch_spec([a, b])
    assert spec.rules.exit.beta_buffer is None and spec.policy.salary is None
    assert spec.rules.exit.beta_outside == a.rules.exit.beta_outside  # the same in both: kept
    model = ArmModel([a, b], [1, 2], "policy")
    assert model.spec.policy.salary is None and model.policies[1].salary == 30000.0
    assert model.run_result(1).spec is b


def test_runs_that_differ_elsewhere_are_not_batched_together(monkeypatch):
    a, b = spec_for(), spec_for(**{"exit.base_late": 0.006})  # not a per-run parameter
    with pytest.raises(ValueError, match="per-run"):
        batch_spec([a, b])
    # the baseline arm has no alliance: its runs may differ in the alliance's structure
    ArmModel([a, spec_for(policy="generic")], [1, 2], "baseline")
    calls = []
    real = batch.run_pairs
    monkeypatch.setattr(batch, "run_pairs",
                        lambda specs, seeds, *a: calls.append(list(seeds)) or real(specs, seeds, *a))
    results = run_specs([(a, 1), (b, 1), (a, 2)])
    assert sorted(calls) == [[1], [1, 2]]
    assert_same_run(results[1], run_pair(b, 1))


@pytest.mark.parametrize("study", ["sensitivity", "uncertainty"])
def test_the_shipped_studies_vary_only_per_run_parameters(study):
    """So each Sobol, Morris or uncertainty sample shares its batch with others."""
    from sim.run.config import compose_config

    cfg = compose_config([f"experiment={study}"])
    names = list(cfg[study].parameters)
    keys = set(per_run_keys(spec_for()))
    assert names and set(names) <= keys, sorted(set(names) - keys)
    assert model_config(cfg, study)  # the study's model config composes
