"""What the uncertainty study's per-world calibration costs: one chunk with and without the refit.

    uv run python benchmarks/refit_cost.py [--draws 32] [--chunks 8] [--rounds 2]

Runs chunk 1 of a default ``study=uncertainty`` design (``draws / chunks`` worlds, 4 seeds, 3
grants, the real sector size) with ``uncertainty.refit_entry`` false and true, alternating,
``--rounds`` times, and prints the best wall time of each, their ratio and the time the pilot
runs took (``sim.study.entry_fit.pool_ratio``). Ratios within one run: the machine is shared.
"""

from __future__ import annotations

import argparse
import time

from sim import compose_config
from sim.study import entry_fit
from sim.study import uncertainty as unc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=32)
    parser.add_argument("--chunks", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    pilots = {"runs": 0, "seconds": 0.0}
    measure = entry_fit.pool_ratio

    def timed(spec, seeds):
        start = time.perf_counter()
        try:
            return measure(spec, seeds)
        finally:
            pilots["seconds"] += time.perf_counter() - start
            pilots["runs"] += 1

    entry_fit.pool_ratio = timed
    best = {False: float("inf"), True: float("inf")}
    for _ in range(args.rounds):
        for refit in (False, True):
            cfg = compose_config(["study=uncertainty", f"uncertainty.draws={args.draws}",
                                  f"uncertainty.chunks={args.chunks}", "uncertainty.chunk=1",
                                  f"uncertainty.refit_entry={str(refit).lower()}"])
            start = time.perf_counter()
            unc.run_chunk(cfg)
            best[refit] = min(best[refit], time.perf_counter() - start)
    worlds = args.draws // args.chunks
    print(f"{worlds} worlds: without refit {best[False]:.1f} s, with {best[True]:.1f} s, ratio "
          f"{best[True] / best[False]:.2f}; pilots {pilots['runs'] / args.rounds / worlds:.2f} per "
          f"world, {pilots['seconds'] / args.rounds:.1f} s per chunk")


if __name__ == "__main__":
    main()
