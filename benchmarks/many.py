"""run_many against a loop of run_model, and small runs against one large run; prints JSON.

    uv run python benchmarks/many.py [--levels 0 20 40 80] [--seeds 4] [--agents 500 2000 10000]
                                     [--big 64000] [--sobol-agents 2000] [--sobol-runs 40]
                                     [--workers 2] [--repeats 3]

1. For each population (agents = 2,500 Swedish actors / population.scale), the same runs (every
   level x every seed) through ``run_model`` one by one and through ``run_many``, in one process;
   seconds per run and the ratio. ``run_many`` composes the config once, simulates each level's
   seeds as one batch (groups of rows of one population) and each batch's baseline arm once for
   all levels.
2. Throughput of many 2,000-agent runs through ``run_many`` against one paired run at ``--big``
   agents, in agent-months per second simulated (the burn-in once, each arm's horizon), measured
   in the same process, for replications (``--small-runs`` seeds of one world) and for a Sobol
   design (the first ``--sobol-runs`` samples of SALib's Sobol design over the 13 parameters
   of the shipped sensitivity study, ``configs/study/sensitivity.yaml``; they share batches, as
   the parameters are all per-run ones, ``sim/model/core/per_run.py``), twice: each sample with a
   seed of its own (every run its own world and seed: the efficiency of batching alone) and
   every sample with the same seed, as the study runs them (samples that change only alliance
   parameters then share their baseline arm, so fewer agent-months are simulated than the
   table's ``agent_months`` adds up: an *effective* rate). Each design and the big run are
   measured ``--repeats`` times, interleaved, since the shared machine's speed drifts by tens of
   percent within minutes: seconds are medians, and each ratio is the median of the ratios to
   the big run measured right after (with their range).
3. The projected time of a Sobol study of 20 parameters with N = 1,024 at ``--sobol-agents`` on
   ``--workers`` cores (joblib, one chunk per core, assuming perfect scaling): with first-order
   and total indices only, as ``study=sensitivity`` samples (``calc_second_order=False``:
   N x (D + 2) = 22,528 paired runs), and with second-order indices too (N x (2D + 2) = 43,008,
   the count the issue uses), from the time per run of the study's own design (one seed, or
   ``seeds=2``).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
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
    parser.add_argument("--sobol-runs", type=int, default=40)
    parser.add_argument("--small-runs", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    results = []
    run_model(seed=99, **{"population.scale": 25, "horizon_years": 1, "burn_in_years": 1})  # compile
    for agents in args.agents:
        scale = REAL_SIZE / agents
        runs = [{"seed": s, "population.scale": scale, "policy.funding_m": level}
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


def _rate(runs: list[dict]) -> tuple[float, float]:
    """(seconds per paired run, agent-months per second) of ``runs`` through run_many."""
    t0 = time.perf_counter()
    table = run_many(runs)
    seconds = time.perf_counter() - t0
    return seconds / len(runs), table["agent_months"].sum() / seconds


def sobol_samples(runs: int, scale: float) -> list[dict]:
    """The first ``runs`` samples of the Sobol design of ``study=sensitivity`` (its parameters
    and bounds, SALib's sampler, integers rounded as the study rounds them)."""
    from SALib.sample import sobol

    from sim.run.config import compose_config
    from sim.study.sensitivity import coerce, model_config

    cfg = compose_config(["study=sensitivity"])
    bounds = {name: [float(b) for b in pair] for name, pair in cfg.sensitivity.parameters.items()}
    problem = {"num_vars": len(bounds), "names": list(bounds), "bounds": list(bounds.values())}
    base = 2 ** max(1, (runs // (len(bounds) + 2)).bit_length())  # enough rows, a power of two
    design = sobol.sample(problem, base, calc_second_order=False, seed=20261126)[:runs]
    plain = model_config(cfg, "sensitivity")
    return [{"population.scale": scale,
             **{name: coerce(plain, name, value) for name, value in zip(bounds, row, strict=True)}}
            for row in design]


def _big_rate(agents: int) -> tuple[float, float]:
    """(seconds, agent-months per second) of one paired run of ``agents`` agents."""
    t0 = time.perf_counter()
    big = run_model(seed=2000, **{"population.scale": REAL_SIZE / agents})
    seconds = time.perf_counter() - t0
    return seconds, big["agent_months"] / seconds


def small_against_big(args) -> dict:
    """Agent-months/s of many small runs (run_many) against one big run, and the Sobol study's
    projected time. Every measurement is repeated ``--repeats`` times, interleaved (the machine's
    speed drifts by tens of percent within minutes); each ratio is the median over the repeats
    of the ratio to the big run measured next to it, each time the median."""
    scale = REAL_SIZE / args.sobol_agents
    replications = [{"seed": 1000 + s, "population.scale": scale} for s in range(args.small_runs)]
    # the shipped sensitivity study's Sobol design: each sample with a seed of its own; then
    # every sample with one seed, and two seeds of each, as the study (seeds=1, seeds=2) runs it
    samples = sobol_samples(args.sobol_runs, scale)
    designs = {
        "replication": replications,
        "sobol_distinct_seeds": [{"seed": 1000 + s, **sample} for s, sample in enumerate(samples)],
        "sobol_study_seeds": [{"seed": 1000, **sample} for sample in samples],
        "two_seeds": [{"seed": 1000 + seed, **sample}
                      for sample in samples[: args.sobol_runs // 2] for seed in range(2)]}
    seconds = {name: [] for name in (*designs, "big")}
    rates = {name: [] for name in (*designs, "big")}
    ratios = {name: [] for name in designs}
    for _ in range(args.repeats):
        for name, runs in designs.items():
            per_run, rate = _rate(runs)
            seconds[name].append(per_run)
            rates[name].append(rate)
        big_s, big_rate = _big_rate(args.big)
        seconds["big"].append(big_s)
        rates["big"].append(big_rate)
        for name in designs:
            ratios[name].append(rates[name][-1] / big_rate)
    median = {name: statistics.median(values) for name, values in seconds.items()}
    first_and_total, with_second_order = 1024 * (20 + 2), 1024 * (2 * 20 + 2)

    def hours(runs: int, per_run: float) -> float:
        return round(runs * per_run / args.workers / 3600, 2)

    out = {"small_agents": args.sobol_agents, "small_runs": args.small_runs,
           "sobol_runs": args.sobol_runs, "repeats": args.repeats,
           "big_agents": args.big, "big_s": round(median["big"], 2),
           "big_agent_months_per_s": round(statistics.median(rates["big"]))}
    for name in designs:
        rate = ("effective_agent_months_per_s" if name in ("sobol_study_seeds", "two_seeds")
                else "agent_months_per_s")
        out[f"{name}_s_per_run"] = round(median[name], 3)
        out[f"{name}_{rate}"] = round(statistics.median(rates[name]))
        out[f"ratio_{name}_to_big"] = round(statistics.median(ratios[name]), 3)
        out[f"ratio_{name}_to_big_range"] = [round(min(ratios[name]), 3), round(max(ratios[name]), 3)]
    sobol_s, two_seeds_s = median["sobol_study_seeds"], median["two_seeds"]
    designs_of_study = (("first_and_total", first_and_total), ("with_second_order", with_second_order))
    return out | {
        "workers": args.workers,
        **{f"sobol_{name}_paired_runs": runs for name, runs in designs_of_study},
        **{f"sobol_{name}_projected_hours": hours(runs, sobol_s) for name, runs in designs_of_study},
        **{f"sobol_{name}_seeds_2_projected_hours": hours(2 * runs, two_seeds_s)
           for name, runs in designs_of_study},
        "sobol_with_second_order_hours_at_big_run_speed": hours(
            with_second_order, args.sobol_agents * median["big"] / args.big)}


if __name__ == "__main__":
    main()
