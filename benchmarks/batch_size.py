"""Throughput of batches of small runs by batch size, against one large run; prints a table.

    uv run python benchmarks/batch_size.py [--agents 2000] [--big 64000] [--sizes 1 2 4 8 16 24 32]

Each batch is ``run_pairs`` on ``size`` seeds of the default world at ``--agents`` agents (a
batch: one population with a group of rows per run, sim/run/batch.py); the reference is one
``run_pair`` at ``--big`` agents, in the same process. Agent-months per second count the shared
burn-in once and each arm's horizon. The batch limit ``MAX_BATCH_AGENTS`` comes from this table.
"""

from __future__ import annotations

import argparse
import time

from sim.run.config import build_spec, compose_config
from sim.run.paired import run_pair, run_pairs

REAL_SIZE = 2500  # Swedish freelance actors, the default sector


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=2000)
    parser.add_argument("--big", type=int, default=64_000)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 2, 4, 8, 16, 24, 32])
    args = parser.parse_args()
    small = build_spec(compose_config({"population.scale": REAL_SIZE / args.agents}))[0]
    big = build_spec(compose_config({"population.scale": REAL_SIZE / args.big}))[0]
    run_pairs(small, [0, 1])  # compile
    rows = []
    for size in args.sizes:
        t0 = time.perf_counter()
        results = run_pairs(small, list(range(100, 100 + size)))
        seconds = time.perf_counter() - t0
        rows.append((size, seconds / size, sum(r.agent_months for r in results) / seconds))
    t0 = time.perf_counter()
    reference = run_pair(big, 7)
    big_s = time.perf_counter() - t0
    big_rate = reference.agent_months / big_s
    print(f"one run of {args.big:,} agents: {big_s:.2f} s, {big_rate / 1e6:.2f} M agent-months/s")
    print("runs  s/run  M agent-months/s  ratio")
    for size, per_run, rate in rows:
        print(f"{size:4d}  {per_run:5.3f}  {rate / 1e6:16.2f}  {rate / big_rate:5.2f}")


if __name__ == "__main__":
    main()
