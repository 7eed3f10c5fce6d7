"""Worked example with EMA Workbench: scenarios x policies, then PRIM on "the alliance pays for
itself".

    uv run python -m examples.ema_scenarios_policies                   # 16 x 8 runs, ~1 min
    uv run python -m examples.ema_scenarios_policies --scenarios 200 --policies 8 --scale 2

Question: in which worlds, and with which alliance designs, does the alliance pay for itself
(the net public cost of the alliance arm is at most that of no alliance)?
Method: ``sim.ema.model`` declares the uncertainties (the uncertainty study's assumptions over
their plausible ranges) and the levers (grant, salary, work requirement, open training);
EMA Workbench samples ``--scenarios`` worlds and ``--policies`` designs by Latin hypercube and
runs every pair (full factorial), each a paired comparison through ``sim.run_model`` with
common random numbers; PRIM (``ema_workbench.analysis.prim``) then looks for the box of
parameter ranges where ``effect__public_cost_m <= 0``. The default size is small (a tenth of the
sector's agents, 5 + 10 years, one seed per experiment) so it runs in about a minute: at that
size one run's net cost varies by several million from seed to seed, so PRIM partly fits
noise; raise ``--scale`` towards 1, the years and ``--replications`` for a real answer (the
study ``study=uncertainty`` does this at full size with 4 seeds per world).
Output: ``results/studies/ema/experiments.csv`` (one row per experiment: every parameter and
the outcomes below) and ``prim_box.csv`` (the box's limits), written atomically.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

import sim.ema
from sim.run.io import write_table

OUTCOMES = ("effect.public_cost_m", "effect.active_workforce", "effect.experienced_workforce",
            "policy.alliance_members", "effect.births_per_year")


def run(scenarios: int, policies: int, fixed: dict, replications: int = 1, seed: int = 0):
    """The experiments (one row per scenario x policy) and outcomes (name -> array)."""
    model = sim.ema.model(outcomes=OUTCOMES, replications=replications, **fixed)
    from ema_workbench import SequentialEvaluator  # after sim.ema.model: installed, no warning

    with SequentialEvaluator(model) as evaluator:  # MultiprocessingEvaluator on more cores
        return evaluator.perform_experiments(scenarios=scenarios, policies=policies,
                                             uncertainty_sampling_kwargs={"rng": seed},
                                             lever_sampling_kwargs={"rng": seed + 1},
                                             log_progress=True)  # to EMA's logger, no bar


def discover(x: pd.DataFrame, y: np.ndarray) -> tuple[object, pd.DataFrame]:
    """PRIM over the parameters ``x`` for the cases ``y`` (here: the alliance pays for itself):
    the chosen box and the limits of the parameters it restricts (None and an empty table if
    every case or none is of interest)."""
    from ema_workbench.analysis import prim

    if not y.any() or y.all():
        return None, pd.DataFrame()
    box = prim.Prim(x, y, peel_alpha=0.1, mass_min=0.05).find_box()
    # the box covering most cases among those where at least 80% of experiments pay (or the densest)
    trajectory = box.peeling_trajectory
    dense = trajectory[trajectory["density"] >= 0.8]
    box.select(int(dense["coverage"].idxmax() if len(dense) else trajectory["density"].idxmax()))
    limits = box.box_lim
    restricted = [name for name in x.columns
                  if limits.at[0, name] > x[name].min() or limits.at[1, name] < x[name].max()]
    return box, limits[restricted].T.rename(columns={0: "low", 1: "high"}).rename_axis("parameter")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=16)
    parser.add_argument("--policies", type=int, default=8)
    parser.add_argument("--scale", type=float, default=10.0,
                        help="population.scale: real people per simulated agent (precision)")
    parser.add_argument("--burn-in", type=int, default=5, help="burn_in_years")
    parser.add_argument("--horizon", type=int, default=10, help="horizon_years")
    parser.add_argument("--replications", type=int, default=1, help="seeds per experiment")
    parser.add_argument("--out", type=Path, default=Path("results/studies/ema"))
    args = parser.parse_args()
    fixed = {"population.scale": args.scale, "burn_in_years": args.burn_in,
             "horizon_years": args.horizon}
    t0 = time.perf_counter()
    experiments, outcomes = run(args.scenarios, args.policies, fixed, args.replications)
    table = experiments.drop(columns=["model"], errors="ignore").assign(**outcomes)
    write_table(table, args.out / "experiments")
    pays = outcomes["effect__public_cost_m"] <= 0
    print(f"{len(experiments)} experiments in {time.perf_counter() - t0:.0f} s; the alliance "
          f"pays for itself in {pays.sum()} ({pays.mean():.0%})")
    names = list(sim.ema.describe(**fixed)["name"])  # the uncertainties and levers
    box, limits = discover(experiments[names], pays)
    if box is None:
        print("PRIM: nothing to discover (every experiment, or none, pays for itself)")
        return
    write_table(limits.reset_index(), args.out / "prim_box")
    stats = box.stats
    print(f"PRIM box: coverage {stats['coverage']:.2f}, density {stats['density']:.2f}, "
          f"mass {stats['mass']:.2f}; restricted parameters:")
    print(limits.to_string())
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
