"""run_many against a loop of run_model, and small runs against one large run; prints JSON.

    uv run python benchmarks/many.py [--levels 0 20 40 80] [--seeds 4] [--agents 500 2000 10000]
                                     [--big 64000] [--sobol-agents 2000] [--sobol-runs 8]
                                     [--workers 2]

1. For each population (agents = 2,500 Swedish actors / population.scale), the same runs (every
   level x every seed) through ``run_model`` one by one and through ``run_many``, in one process;
   seconds per run and the ratio. ``run_many`` composes the config once and simulates each
   seed's baseline arm once for all levels.
2. Throughput of a Sobol-like design (every run its own world: distinct seeds, nothing shared)
   through ``run_many`` at ``--sobol-agents``, against one paired run at ``--big`` agents, in
   agent-months per second simulated (the burn-in once, each arm's horizon), measured in the same
   process; and the projected time of a Sobol study of 20 parameters with N = 1,024 on
   ``--workers`` cores (joblib, one run per core, assuming perfect scaling): with first-order and
   total indices only, as ``study=sensitivity`` samples (``calc_second_order=False``: N x (D + 2)
   = 22,528 paired runs), and with second-order indices too (N x (2D + 2) = 43,008, the count the
   issue uses).
"""

from __future__ import annotations

import argparse
import json
import platform
import time

from sim import run_many, run_model

REAL_SIZE = 2500  # Swedish freelance actors, the default sector


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=float, nargs="+", default=[0, 20, 40, 80])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--agents", type=int, nargs="+", default=[500, 2000, 10_000])
    parser.add_argument("--big", type=int, default=64_000)
    parser.add_argument("--sobol-agents", type=int, default=2000)
    parser.add_argument("--sobol-runs", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    results = []
    run_model(seed=99, **{"population.scale": 25, "horizon_years": 1, "burn_in_years": 1})  # compile
    for agents in args.agents:
        scale = REAL_SIZE / agents
        runs = [{"seed": s, "population.scale": scale, "alliance.funding_m": level}
                for level in args.levels for s in range(args.seeds)]
        t0 = time.perf_counter()
        for run in runs:
            run_model(**run)
        loop = (time.perf_counter() - t0) / len(runs)
        t0 = time.perf_counter()
        run_many(runs)
        batched = (time.perf_counter() - t0) / len(runs)
        results.append({"agents": agents, "runs": len(runs), "run_model_s_per_run": round(loop, 3),
                        "run_many_s_per_run": round(batched, 3),
                        "speed_up": round(loop / batched, 2)})
    print(json.dumps({"machine": platform.processor() or platform.machine(),
                      "levels": args.levels, "seeds": args.seeds, "results": results,
                      "small_against_big": small_against_big(args)}, indent=1))


def small_against_big(args) -> dict:
    """Agent-months/s of many small independent runs (run_many) against one big run."""
    runs = [{"seed": 1000 + s, "population.scale": REAL_SIZE / args.sobol_agents}
            for s in range(args.sobol_runs)]
    t0 = time.perf_counter()
    table = run_many(runs)
    small_s = time.perf_counter() - t0
    small_rate = table["agent_months"].sum() / small_s
    t0 = time.perf_counter()
    big = run_model(seed=2000, **{"population.scale": REAL_SIZE / args.big})
    big_s = time.perf_counter() - t0
    big_rate = big["agent_months"] / big_s
    per_run = small_s / len(runs)
    first_and_total, with_second_order = 1024 * (20 + 2), 1024 * (2 * 20 + 2)
    return {"small_agents": args.sobol_agents, "small_runs": len(runs),
            "small_s_per_run": round(per_run, 3), "small_agent_months_per_s": round(small_rate),
            "big_agents": args.big, "big_s": round(big_s, 2),
            "big_agent_months_per_s": round(big_rate),
            "ratio_small_to_big": round(small_rate / big_rate, 3),
            "workers": args.workers,
            **{f"sobol_{name}_paired_runs": runs for name, runs in
               (("first_and_total", first_and_total), ("with_second_order", with_second_order))},
            **{f"sobol_{name}_projected_hours": round(runs * per_run / args.workers / 3600, 2)
               for name, runs in (("first_and_total", first_and_total),
                                  ("with_second_order", with_second_order))}}


if __name__ == "__main__":
    main()
