"""Plain-function entry points: one paired run, many seeds. Called by the CLI, notebooks,
EMA Workbench and SALib alike.

Where it sits: above the model. ``run_pair`` simulates the shared burn-in once, forks the state
into the two arms and runs the horizon in each; ``paired_months`` does the same one month at a
time (the interactive app watches it); ``run_model`` composes a config from keyword overrides
and returns the flat outcome dict.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.model.core import params
from sim.model.core.columns import AgentColumns, exact_array
from sim.model.core.ledger import Ledger
from sim.model.core.params import ConfigError
from sim.model.core.recorder import Recorder
from sim.model.freelance import ArmModel, RunView
from sim.model.outcomes import arm_outcomes, paired_outcomes, real_series, survival_curve
from sim.model.spec import ModelSpec
from sim.model.tables import stocks as stock_series
from sim.run.cache import BaselineCache, world_key
from sim.run.config import RunSettings, build_spec, compose_config


@dataclass
class PairResult:
    seed: int
    baseline: ArmModel | RunView  # a run of a batch: RunView (what the outcomes read)
    policy: ArmModel | RunView
    agent_months: int

    def outcomes(self) -> dict[str, float]:
        out = paired_outcomes(arm_outcomes(self.baseline), arm_outcomes(self.policy))
        out["agent_months"] = float(self.agent_months)
        return out

    def arms(self):
        return (("baseline", self.baseline), ("policy", self.policy))

    def timeseries(self) -> pd.DataFrame:
        """Monthly series of both arms over the horizon, long format."""
        frames = []
        for arm, model in self.arms():
            h0, end = model.spec.burn_in_months, model.spec.total_months
            series = real_series(model)
            months = np.arange(end - h0)
            for name, values in series.items():
                frames.append(pd.DataFrame({"seed": self.seed, "arm": arm, "month": months,
                                            "year": months // 12, "variable": name,
                                            "value": values[h0:end]}))
        return pd.concat(frames, ignore_index=True)

    def yearly(self) -> pd.DataFrame:
        """Yearly series of both arms (levels averaged, flows summed), long format."""
        monthly = self.timeseries()
        is_stock = monthly["variable"].isin(stock_series(self.baseline.spec))
        keys = ["seed", "arm", "year", "variable"]
        stocks = monthly[is_stock].groupby(keys, as_index=False)["value"].mean()
        flows = monthly[~is_stock].groupby(keys, as_index=False)["value"].sum()
        return pd.concat([stocks, flows], ignore_index=True)

    def survival(self) -> pd.DataFrame:
        rows = []
        for arm, model in self.arms():
            years, share = survival_curve(model.pop.registry, model.spec.burn_in_months,
                                          model.spec.total_months)
            rows.append(pd.DataFrame({"seed": self.seed, "arm": arm, "years_since_entry": years,
                                      "share_active": share}))
        return pd.concat(rows, ignore_index=True)


def _baseline_states(spec: ModelSpec | list[ModelSpec], seed: int | list[int],
                     progress=None) -> dict:
    baseline = ArmModel(spec, seed, "baseline")
    _run(baseline, progress, baseline.spec.burn_in_months)
    burn_in = baseline.fork("baseline").state()
    _run(baseline, progress)
    return {"burn_in": burn_in, "final": baseline.state()}


def _states_to_arrays(states: dict) -> dict[str, np.ndarray]:
    """The baseline states as named arrays, for the cache's data-only file."""
    out = {}
    for when, state in states.items():
        out.update(state["pop"].to_arrays(f"{when}.pop."))
        out.update(state["ledger"].to_arrays(f"{when}.ledger."))
        out.update(state["recorder"].to_arrays(f"{when}.recorder."))
        for name in ("month", "agent_months"):
            out[f"{when}.{name}"] = np.array(state[name], dtype=np.int64)
    return out


def _states_from_arrays(arrays) -> dict:
    """The inverse of ``_states_to_arrays``; KeyError or ValueError if anything is off."""
    return {when: {"pop": AgentColumns.from_arrays(arrays, f"{when}.pop."),
                   "ledger": Ledger.from_arrays(arrays, f"{when}.ledger."),
                   "recorder": Recorder.from_arrays(arrays, f"{when}.recorder."),
                   **{name: int(exact_array(arrays, f"{when}.{name}", np.int64, 0))
                      for name in ("month", "agent_months")}}
            for when in ("burn_in", "final")}


def run_pair(spec: ModelSpec, seed: int, cache: BaselineCache | None = None) -> PairResult:
    """Baseline and policy arms from one seed, sharing the burn-in and every random stream.

    With a ``cache`` (sweeps), the baseline of this seed is computed once and reused by every
    alliance variant; results are identical with or without it. A ``spec`` that is not a
    ``ModelSpec``, a seed that is not a whole number in [0, 2,147,483,647] or a ``cache`` that
    is not a ``BaselineCache`` raises ``ConfigError`` naming the argument before anything is
    simulated.
    """
    spec, seed = check_spec(spec), check_seed(seed)
    if cache is not None and not isinstance(cache, BaselineCache):
        raise ConfigError("cache", _kind(cache), "None or a sim.run.cache.BaselineCache")
    states = (_baseline_states(spec, seed) if cache is None
              else cache.get_or_compute(spec, seed, lambda: _states_to_arrays(_baseline_states(spec, seed)),
                                        _states_from_arrays))
    baseline = ArmModel.from_state(spec, seed, "baseline", states["final"])
    policy = ArmModel.from_state(spec, seed, "policy", states["burn_in"]).run()
    # agent-months simulated for this pair: the shared burn-in once, each horizon once
    agent_months = baseline.agent_months + policy.agent_months - states["burn_in"]["agent_months"]
    return PairResult(seed=seed, baseline=baseline, policy=policy, agent_months=agent_months)


def _per_seed(spec: ModelSpec | Sequence[ModelSpec], seeds: list[int]) -> list[ModelSpec]:
    """One spec per seed: ``spec`` for every seed, or the list given (one per seed)."""
    specs = list(spec) if isinstance(spec, list | tuple) else [spec] * len(seeds)
    if len(specs) != len(seeds):
        raise ValueError(f"{len(specs)} specs for {len(seeds)} seeds: give one spec per seed")
    return specs


def baseline_batch(spec: ModelSpec | Sequence[ModelSpec], seeds: list[int], progress=None) -> dict:
    """The baseline arm of ``seeds`` as one batch: its state after the burn-in (where the
    policy arms start) and at the end, with the seeds and the worlds it was made for.
    ``spec``: one for every seed, or a list with one per seed whose worlds differ only in
    per-run parameters (``sim/model/core/per_run.py``)."""
    seeds = [int(s) for s in seeds]
    specs = _per_seed(spec, seeds)
    return {**_baseline_states(specs, seeds, progress), "seeds": seeds,
            "worlds": [world_key(s) for s in specs]}


def split_states(states: dict, g: int) -> dict:
    """Run ``g`` of a baseline batch's states as a single run's (for the disk cache)."""
    return {when: {"pop": state["pop"].split(g), "ledger": state["ledger"].rows(g),
                   "recorder": state["recorder"].rows(g), "month": state["month"],
                   "agent_months": int(np.asarray(state["agent_months"]).reshape(-1)[g])}
            for when, state in states.items() if when in ("burn_in", "final")}


def merge_states(spec: ModelSpec | Sequence[ModelSpec], seeds: list[int], runs: list[dict]) -> dict:
    """Single runs' baseline states (one per seed, ``split_states`` or ``run_pair``'s) as one
    baseline batch for ``run_pairs`` (``spec``: as for ``baseline_batch``)."""
    merged = {when: {"pop": AgentColumns.merge([run[when]["pop"] for run in runs]),
                     "ledger": Ledger.stack([run[when]["ledger"] for run in runs]),
                     "recorder": Recorder.stack([run[when]["recorder"] for run in runs]),
                     "month": runs[0][when]["month"],
                     "agent_months": np.array([run[when]["agent_months"] for run in runs])}
              for when in ("burn_in", "final")}
    seeds = [int(s) for s in seeds]
    return {**merged, "seeds": seeds, "worlds": [world_key(s) for s in _per_seed(spec, seeds)]}


def cached_baseline_batch(spec: ModelSpec, seeds: list[int], cache: BaselineCache) -> dict:
    """``baseline_batch(spec, seeds)`` with each seed's states kept in ``cache`` (sweeps): the
    seeds not cached yet are simulated as one batch and stored one entry per seed."""
    seeds = [int(s) for s in seeds]

    def compute(missing: list[int]) -> dict:
        batch = baseline_batch(spec, missing)
        return {seed: _states_to_arrays(split_states(batch, g)) for g, seed in enumerate(missing)}

    states = cache.get_or_compute_many(spec, seeds, compute, _states_from_arrays)
    return merge_states(spec, seeds, [states[seed] for seed in seeds])


def run_pairs(spec: ModelSpec | Sequence[ModelSpec], seeds: list[int], baseline: dict | None = None,
              progress=None) -> list[PairResult]:
    """``run_pair`` for each of ``seeds``, simulated as one batch (a group of rows per seed,
    ``sim/model/core/loop.py``): one pass over all rows each month serves every run. ``spec``
    is one spec for every seed, or a list of one spec per seed that differ only in per-run
    parameters (``sim/model/core/per_run.py``: a Sobol design's samples). Each result equals
    ``run_pair(spec_of_its_seed, seed)`` exactly (``tests/test_batch.py``). ``baseline``:
    ``baseline_batch(spec, seeds)``, when several alliance variants share it; ``progress``: a
    callable given the number of months simulated since the last call."""
    seeds = [int(s) for s in seeds]
    specs = _per_seed(spec, seeds)
    states = baseline_batch(specs, seeds, progress) if baseline is None else baseline
    if states["seeds"] != seeds or states["worlds"] != [world_key(s) for s in specs]:
        raise ValueError(f"the baseline batch was made for seeds {states['seeds']} of other "
                         f"worlds or in another order, not for seeds {seeds} of these specs")
    base = ArmModel.from_state(specs, seeds, "baseline", states["final"])
    policy = ArmModel.from_state(specs, seeds, "policy", states["burn_in"])
    _run(policy, progress)
    shared = np.asarray(states["burn_in"]["agent_months"])  # the burn-in, counted once
    results = []
    for g, seed in enumerate(seeds):
        agent_months = int(base.run_agent_months[g] + policy.run_agent_months[g]
                           - shared.reshape(-1)[g])
        results.append(PairResult(seed=seed, baseline=base.run_result(g),
                                  policy=policy.run_result(g), agent_months=agent_months))
    return results


def _run(model: ArmModel, progress, months: int | None = None) -> ArmModel:
    """``model.run(months)``, telling ``progress`` about each simulated year."""
    end = model.spec.total_months if months is None else min(model.month + months,
                                                             model.spec.total_months)
    while model.month < end:
        chunk = min(12, end - model.month)
        model.run(chunk)
        if progress is not None:
            progress(chunk)
    return model


def paired_months(spec: ModelSpec, seed: int) -> Iterator[PairResult]:
    """``run_pair`` one month at a time, for watching a run (``sim.app``): the baseline arm runs
    the burn-in, the policy arm is forked from it, then both arms step month by month on the
    same random streams. Yields the pair after the burn-in and after every horizon month (the
    models are live: read them before advancing); the last yield equals ``run_pair(spec, seed)``.
    """
    baseline = ArmModel(spec, seed, "baseline").run(spec.burn_in_months)
    shared = baseline.agent_months  # the burn-in, counted once
    policy = baseline.fork("policy")
    while True:
        yield PairResult(seed=seed, baseline=baseline, policy=policy,
                         agent_months=baseline.agent_months + policy.agent_months - shared)
        if baseline.month >= spec.total_months:
            return
        baseline.step()
        policy.step()


def check_seed(seed: Any, key: str = "seed") -> int:
    """A seed as the command line accepts it: a whole number in [0, 2,147,483,647] (numpy
    integers too); anything else raises ``ConfigError`` naming ``key``."""
    meta = next(f.metadata for f in dataclasses.fields(RunSettings) if f.name == "seed")
    return params.check_seed(seed, key, meta)


def check_spec(spec: Any, key: str = "spec") -> ModelSpec:
    """``spec`` if it is a built ``ModelSpec``, else ``ConfigError`` naming ``key``."""
    if not isinstance(spec, ModelSpec):
        raise ConfigError(key, _kind(spec), "a ModelSpec, as sim.build_spec(sim.compose_config("
                          "{...}))[0] returns (or run_model(seed=..., **overrides))")
    return spec


def _kind(value: Any) -> str:
    """A value for a message about its type: short values as they are, others by type."""
    text = repr(value)
    return value if len(text) <= 60 and not hasattr(value, "__dict__") else \
        f"<{type(value).__name__}>"


def run_model(*, seed: int, **overrides: Any) -> dict[str, float]:
    """One paired run. Overrides are command-line style: ``{"policy.funding_m": 40}``,
    ``sector="dance"``; numpy values are accepted. Returns ``baseline.<outcome>``,
    ``policy.<outcome>``, ``effect.<outcome>`` and ``agent_months``. Bad input raises
    ``ConfigError`` before anything is simulated."""
    seed = check_seed(seed)
    bad = [k for k in overrides if not isinstance(k, str) or not k]
    if bad:
        raise ConfigError("overrides", bad[0], "config keys as strings, e.g. policy.funding_m")
    spec, _ = build_spec(compose_config(overrides))
    return run_pair(spec, seed).outcomes()

