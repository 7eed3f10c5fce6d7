"""Worked example with SALib: Morris screening of what drives the alliance's net public cost.

    uv run python -m examples.salib_morris                              # 4 trajectories, ~40 s
    uv run python -m examples.salib_morris --trajectories 20 --scale 2 --outcome effect.active_workforce

Question: which assumptions and design choices move the alliance's effect on the net public
cost the most? Method: the real-valued uncertainties and levers of ``sim.ema.describe()`` (their
ranges, units and sources are listed there; integer-valued parameters are left out, since a
Morris design puts them between whole numbers) form the SALib problem; ``morris.sample`` draws
the design and each row goes **as it is** (numpy floats, no casting) into ``sim.run_model``,
one paired run with common random numbers (the same seed for every row); ``morris.analyze``
gives mu* (mean absolute elementary effect) and sigma. The default size is small (a tenth of the
sector's agents, 5 + 10 years) so it runs in under a minute; the full, parallel and resumable
study is ``study=sensitivity`` (python -m sim). Output: ``results/studies/salib_morris/
indices.csv`` (parameter, mu_star, mu_star_conf, sigma), written atomically.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from SALib.analyze import morris as analyze
from SALib.sample import morris as sample

import sim.ema
from sim import run_model
from sim.run.io import write_table


def problem(**fixed) -> dict:
    """The SALib problem: every real-valued uncertainty and lever with its range (dotted keys)."""
    table = sim.ema.describe(**fixed)
    real = table[table["type"] == "real"]
    return {"num_vars": len(real), "names": list(real["parameter"]),
            "bounds": real[["low", "high"]].to_numpy().tolist()}


def run(trajectories: int, outcome: str, fixed: dict, seed: int = 0) -> pd.DataFrame:
    spec = problem(**fixed)
    X = sample.sample(spec, trajectories, num_levels=4, seed=seed)
    Y = np.array([run_model(seed=seed, **dict(zip(spec["names"], row, strict=True)), **fixed)[outcome]
                  for row in X])
    indices = analyze.analyze(spec, X, Y, num_levels=4, seed=seed)
    return (pd.DataFrame({"parameter": spec["names"], "mu_star": indices["mu_star"],
                          "mu_star_conf": indices["mu_star_conf"], "sigma": indices["sigma"]})
            .sort_values("mu_star", ascending=False, ignore_index=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, default=4)
    parser.add_argument("--outcome", default="effect.public_cost_m")
    parser.add_argument("--scale", type=float, default=10.0,
                        help="population.scale: real people per simulated agent (precision)")
    parser.add_argument("--burn-in", type=int, default=5, help="burn_in_years")
    parser.add_argument("--horizon", type=int, default=10, help="horizon_years")
    parser.add_argument("--out", type=Path, default=Path("results/studies/salib_morris"))
    args = parser.parse_args()
    fixed = {"population.scale": args.scale, "burn_in_years": args.burn_in,
             "horizon_years": args.horizon}
    indices = run(args.trajectories, args.outcome, fixed)
    write_table(indices, args.out / "indices")
    print(f"Morris screening of {args.outcome} ({args.trajectories} trajectories):")
    print(indices.round(3).to_string(index=False))
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
