"""Throughput and memory benchmark; prints JSON.

    uv run python benchmarks/throughput.py                 # default: 1k, 10k, 100k agents
    uv run python benchmarks/throughput.py --sizes 1000000 --years 40 --memory

Throughput is agent-months per second of one model arm stepping the default rules on one core
(burn-in included), after a warm-up year (which also compiles the kernels). Each size is run
``--repeats`` times: shared machines are noisy, so the JSON gives the best run (the usual
``timeit`` convention: slower runs measure other tenants, not the code) and the median.
Ratios between sizes show whether cost is linear in agents. ``--memory`` reports the peak
resident set size of the process.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import time

from sim import build_spec, compose_config
from sim.model.freelance import ArmModel


def measure(size: int, years: int, repeats: int, seed: int = 0) -> dict:
    spec, _ = build_spec(compose_config({"population.size": size, "burn_in_years": 0,
                                         "horizon_years": years}))
    rates, seconds, done, state_bytes = [], [], 0, 0
    for _ in range(repeats):
        model = ArmModel(spec, seed, "policy")
        model.run(12)  # warm-up year, not timed
        start_months = model.agent_months
        t0 = time.perf_counter()
        model.run()
        seconds.append(time.perf_counter() - t0)
        done = model.agent_months - start_months
        rates.append(done / seconds[-1])
        state_bytes = model.pop.nbytes()
    return {"agents": size, "years": years, "agent_months": done, "repeats": repeats,
            "seconds_best": round(min(seconds), 3),
            "agent_months_per_second": round(max(rates)),
            "agent_months_per_second_median": round(statistics.median(rates)),
            "state_bytes": state_bytes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5, help="runs per size (best and median)")
    parser.add_argument("--memory", action="store_true", help="report peak RSS")
    args = parser.parse_args()
    results = [measure(n, args.years, args.repeats) for n in args.sizes]
    base = results[0]["agent_months_per_second"]
    for r in results:
        r["throughput_ratio_to_first"] = round(r["agent_months_per_second"] / base, 3)
    out = {"machine": {"python": platform.python_version(), "cpu": platform.processor() or
                       platform.machine(), "system": platform.platform()},
           "results": results}
    if args.memory:
        out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
