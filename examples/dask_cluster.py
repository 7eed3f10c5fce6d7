"""Worked example: paired runs on a Dask cluster, for sites with no SLURM.

    uv sync --extra dask                                           # once: dask[distributed]
    uv run python -m examples.dask_cluster                         # a local cluster, 2 workers
    uv run python -m examples.dask_cluster --levels 0 40 80 --seeds 10 --workers 4
    uv run python -m examples.dask_cluster --scheduler tcp://head-node:8786   # an existing cluster

Question: the same as ``examples.funding_levels`` (what does each funding level buy?), run on a
Dask cluster. Method: every (level, seed) pair is one task, ``sim.run_model`` itself, mapped with
``Client.map``; the results are the same numbers as direct calls (draws depend only on the seed
and the config, never on the process, so the worker and the order do not matter). On a real
cluster the workers need the same environment (``uv sync --extra dask`` on a shared path, or the
same container image) and, for speed, ``NUMBA_CACHE_DIR`` on a fast local disk. This example does
not cache baselines or resume; the resumable, cached sweep is ``python -m sim -m study=...``.
Output: ``results/studies/dask_cluster/effects.csv`` (level, seed, outcome, value).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from sim import run_model
from sim.run.io import write_table

OUTCOMES = ("experienced_workforce", "active_workforce", "public_cost_m", "births_per_year")


def tasks(levels, seeds, overrides) -> list[dict]:
    """One ``run_model`` keyword set per (level, seed)."""
    return [{"seed": seed, "policy.funding_m": level, **overrides}
            for level in levels for seed in range(seeds)]


def call(kwargs: dict) -> dict:
    """``run_model(**kwargs)``: a plain top-level function, so Dask can send it to any worker."""
    return run_model(**kwargs)


def run_on(client, task_list: list[dict]) -> list[dict]:
    """Run every task on the cluster of ``client``; results in the order of ``task_list``."""
    # pure=False: each task runs even if two have equal arguments (they never do here)
    futures = client.map(call, task_list, pure=False)
    return client.gather(futures)


def effects_table(task_list: list[dict], results: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{"funding_m": t["policy.funding_m"], "seed": t["seed"], "outcome": name,
                          "value": out[f"effect.{name}"]}
                         for t, out in zip(task_list, results, strict=True) for name in OUTCOMES])


def main() -> None:
    from dask.distributed import Client, LocalCluster

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=float, nargs="+", default=[0, 40])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--scale", type=float, default=20,
                        help="population.scale: real people per simulated agent (precision)")
    parser.add_argument("--workers", type=int, default=2, help="workers of the local cluster")
    parser.add_argument("--scheduler", default=None, help="address of a running Dask scheduler")
    parser.add_argument("--out", type=Path, default=Path("results/studies/dask_cluster"))
    args = parser.parse_args()
    task_list = tasks(args.levels, args.seeds, {"population.scale": args.scale})
    if args.scheduler:
        with Client(args.scheduler) as client:
            results = run_on(client, task_list)
    else:  # one thread per worker process: the model is single-threaded numpy/numba
        with LocalCluster(n_workers=args.workers, threads_per_worker=1) as cluster, \
                Client(cluster) as client:
            results = run_on(client, task_list)
    effects = effects_table(task_list, results)
    write_table(effects, args.out / "effects")
    print(effects.groupby(["funding_m", "outcome"])["value"].mean().unstack().round(3).to_string())
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
