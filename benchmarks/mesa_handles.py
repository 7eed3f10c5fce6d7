"""What Mesa's conveniences cost per month: the DataCollector and the agent handles; prints JSON.

    uv run python benchmarks/mesa_handles.py                  # 2,500 and 10,000 agents
    uv run python benchmarks/mesa_handles.py --sizes 2500 --years 5 --repeats 5

For each size, one policy arm runs a warm-up year (untimed), then ``--years`` timed years,
four ways: the model-layer ``sim.model.freelance.ArmModel`` (no DataCollector, no
handles); ``sim.FreelanceModel`` (DataCollector every month, handles never read);
``sim.FreelanceModel`` reading ``len(model.agents)`` after every month (handles of entrants
registered and of leavers removed each month, as an app inspecting agents would); and the same
once after the last month (all handles at once). Best of ``--repeats`` (shared machines only
ever slow code down), in milliseconds per month, with ratios to the model layer.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

from sim import FreelanceModel, build_spec, compose_config
from sim.model import freelance


def _timed(model, months: int, read_agents: bool) -> float:
    t0 = time.perf_counter()
    for _ in range(months):
        model.step()
        if read_agents:
            len(model.agents)
    return (time.perf_counter() - t0) / months * 1e3


def measure(size: int, years: int, repeats: int, seed: int = 0) -> dict:
    overrides = {"population.size": size, "burn_in_years": 0, "horizon_years": years + 1}
    spec, _ = build_spec(compose_config(overrides))
    months = 12 * years
    runs: dict[str, list[float]] = {"model_layer": [], "mesa_model": [], "mesa_model_agents_read": []}
    first_read, handles = [], 0
    for _ in range(repeats):
        plain = freelance.ArmModel(spec, seed, "policy").run(12)
        runs["model_layer"].append(_timed(plain, months, False))
        for name, read in (("mesa_model", False), ("mesa_model_agents_read", True)):
            model = FreelanceModel(seed=seed, **overrides)
            model.run(12)
            len(model.agents) if read else None  # the warm-up's handles are not timed
            runs[name].append(_timed(model, months, read))
            if not read:  # every handle at once, after the run
                t0 = time.perf_counter()
                handles = len(model.agents)
                first_read.append((time.perf_counter() - t0) * 1e3)
    best = {name: min(values) for name, values in runs.items()}
    return {"agents": size, "years": years, "repeats": repeats,
            **{f"ms_per_month_{name}": round(value, 3) for name, value in best.items()},
            **{f"ms_per_month_{name}_median": round(statistics.median(values), 3)
               for name, values in runs.items()},
            "ratio_mesa_model": round(best["mesa_model"] / best["model_layer"], 3),
            "ratio_mesa_model_agents_read": round(best["mesa_model_agents_read"]
                                                  / best["model_layer"], 3),
            "handles_at_end": handles, "ms_first_read_of_agents": round(min(first_read), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2500, 10_000])
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    out = {"machine": {"python": platform.python_version(), "system": platform.platform()},
           "results": [measure(n, args.years, args.repeats) for n in args.sizes]}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
