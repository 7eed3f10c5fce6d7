"""run_many against a loop of run_model: time per paired run for a funding-sweep-like design.

    uv run python benchmarks/many.py [--levels 0 20 40 80] [--seeds 4] [--agents 500 2000]

For each population (agents = 2,500 Swedish actors / population.scale), the same runs (every
level x every seed) through ``run_model`` one by one and through ``run_many``, in one process,
alternating; prints JSON with seconds per run and the ratio. ``run_many`` composes the config
once and simulates each seed's baseline arm once for all levels.
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
    parser.add_argument("--agents", type=int, nargs="+", default=[500, 2000])
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
                      "levels": args.levels, "seeds": args.seeds, "results": results}, indent=1))


if __name__ == "__main__":
    main()
