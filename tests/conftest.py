"""Shared fixtures: small configs composed exactly as the command line composes them."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from sim import build_spec, compose_config

TINY = {"population.size": 400, "burn_in_years": 3, "horizon_years": 6}


def spec_for(**overrides):
    spec, _ = build_spec(compose_config({**TINY, **overrides}))
    return spec


@pytest.fixture
def tiny_spec():
    return spec_for()


JOB_TABLES = ("metrics.parquet", "yearly.parquet", "survival.parquet")


def write_job_tables(job: Path, outcomes: dict, yearly_base: float) -> list:
    """The tables of a finished sweep job, for tests of aggregation and briefs: seeds 0-2, each
    outcome's baseline value and effect per seed (``outcomes``: name -> (baseline, [effect of
    seed 0, 1, 2])), yearly ``active`` and ``experienced`` of ``yearly_base + seed + year`` and a
    one-row survival table. Returns the files' entries for the job's completion marker."""
    import pandas as pd

    from sim.run.io import file_digest

    rows = []
    for seed in range(3):
        for outcome, (base, effects) in outcomes.items():
            effect = effects[seed]
            rows += [{"seed": seed, "arm": "baseline", "outcome": outcome, "value": base},
                     {"seed": seed, "arm": "policy", "outcome": outcome, "value": base + effect},
                     {"seed": seed, "arm": "effect", "outcome": outcome, "value": effect}]
    pd.DataFrame(rows).to_parquet(job / "metrics.parquet")
    pd.DataFrame([{"seed": seed, "arm": arm, "year": year, "variable": var,
                   "value": yearly_base + seed + year}
                  for seed in range(3) for arm in ("baseline", "policy") for year in range(3)
                  for var in ("active", "experienced")]).to_parquet(job / "yearly.parquet")
    pd.DataFrame({"seed": [0], "arm": ["baseline"], "years_since_entry": [0],
                  "share_active": [1.0]}).to_parquet(job / "survival.parquet")
    return [file_digest(job / name) for name in JOB_TABLES]


class Simulated(AssertionError):
    """Raised by the patched simulation: bad input reached it."""


@contextlib.contextmanager
def simulation_forbidden(root: Path):
    """Work in ``root`` with every way into the simulation (a run, a pair, a batch, the model's
    month loop) patched to raise ``Simulated``: for tests that bad input stops before it."""
    import sim
    import sim.cli.main
    import sim.run.batch
    import sim.run.many
    import sim.run.paired
    import sim.study.sweep
    from sim.model.freelance import ArmModel

    def forbidden(*args, **kwargs):
        raise Simulated("bad input reached the simulation")

    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        for module in (sim, sim.run.paired):
            mp.setattr(module, "run_pair", forbidden)
        mp.setattr(sim.study.sweep, "run_pairs", forbidden)
        for module in (sim.cli.main, sim.run.many, sim.run.batch):
            mp.setattr(module, "run_specs", forbidden)
        mp.setattr(ArmModel, "step", forbidden)
        mp.setattr(ArmModel, "run", forbidden)
        yield root
