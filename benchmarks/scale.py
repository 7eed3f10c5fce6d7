"""Scale benchmark: the same real sector at several `population.scale` values; prints JSON.

    uv run python benchmarks/scale.py                       # scales 1 and 4, 10 seeds each
    uv run python benchmarks/scale.py --scales 0.5 1 4 --seeds 20

For each scale: the mean and 95% CI over paired seeds of the real members, the workforce effect
and the net public cost (they should agree within noise: the scale sets precision, not the
scenario), and the wall time per paired run. Times are measured in one process, one scale after
the other, so their ratios compare on a shared machine; absolute times do not.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np

from sim import run_model
from sim.study.stats import mean_ci

KEYS = ("policy.alliance_members", "effect.active_workforce", "effect.experienced_workforce",
        "effect.public_cost_m")


def measure(scale: float, seeds: int, overrides: dict) -> dict:
    run_model(seed=10_000, **{"population.scale": scale, "horizon_years": 1, "burn_in_years": 1})
    t0 = time.perf_counter()
    runs = [run_model(seed=s, **{"population.scale": scale, **overrides}) for s in range(seeds)]
    seconds = (time.perf_counter() - t0) / seeds
    out = {"scale": scale, "seconds_per_paired_run": round(seconds, 3)}
    for key in KEYS:
        mean, lo, hi, _ = mean_ci(np.array([r[key] for r in runs]))
        out[key] = [round(mean, 2), round(lo, 2), round(hi, 2)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 4.0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--override", nargs="*", default=[], help="key=value")
    args = parser.parse_args()
    overrides = dict(item.split("=", 1) for item in args.override)
    rows = [measure(scale, args.seeds, overrides) for scale in args.scales]
    base = rows[0]["seconds_per_paired_run"]
    for row in rows:
        row["time_ratio_to_first"] = round(row["seconds_per_paired_run"] / base, 3)
    print(json.dumps({"machine": platform.processor() or platform.machine(),
                      "seeds": args.seeds, "overrides": overrides}))
    for row in rows:  # one line per scale: mean [95% CI] of each quantity
        print(json.dumps(row))


if __name__ == "__main__":
    main()
