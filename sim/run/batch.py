"""Many paired runs of built specs, simulated in batches: ``run_specs([(spec, seed), ...])``.

Where it sits: under ``sim.run_many`` and the studies that evaluate the model many times
(calibration, sensitivity, uncertainty, the command line's seeds). A batch is a group of runs
that differ only in their seed and their per-run parameters (``sim/model/core/per_run.py``: the
parameters a Sobol or uncertainty design varies); it is simulated as one population with a
group of rows per run (``sim/model/core/loop.py``), so every month's fixed cost (Python calls,
kernel dispatch) is paid once for the batch. Each world and seed has one baseline arm: it is
simulated once and every alliance variant of that world and seed starts from its state after
the burn-in.

Every result equals ``run_pair(spec, seed)`` exactly (``tests/test_batch.py``): each run keeps
its own random streams, parameters, market, alliance, ledger and recorder, and sums its own
rows in the order a single run would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sim.model.core.per_run import structure_key, world_structure_key
from sim.model.spec import ModelSpec
from sim.run.cache import world_key
from sim.run.paired import PairResult, baseline_batch, merge_states, run_pairs, split_states

# A batch holds at most this many simulated agents (rows at the start) and runs. Throughput per
# agent peaks at about 16,000 rows (8 runs of 2,000 agents: 0.91 of one 64,000-agent run) and
# falls beyond, as the columns outgrow the processor's caches (docs/benchmarks.md).
MAX_BATCH_AGENTS = 20_000
MAX_BATCH_RUNS = 32


def batch_size(spec: ModelSpec) -> int:
    """Runs of ``spec`` simulated together, at most."""
    return max(1, min(MAX_BATCH_RUNS, MAX_BATCH_AGENTS // max(1, spec.population.agents)))


def batches[T](spec: ModelSpec, seeds: list[T]) -> list[list[T]]:
    """``seeds`` (or any runs of ``spec``'s size) in as few batches as ``batch_size`` allows, of
    sizes as equal as can be (10 seeds at most 8 a batch: 5 and 5, not 8 and 2)."""
    return _parts(list(seeds), batch_size(spec))


def run_specs[T](items: Sequence[tuple[ModelSpec, int]],
                 collect: Callable[[PairResult], T] = lambda result: result,
                 progress: Callable[[int], None] | None = None) -> list[T]:
    """``collect(result)`` of the ``PairResult`` of each ``(spec, seed)`` of ``items``, in their
    order, computed in batches. ``collect`` is applied as each batch ends, so only what it keeps
    stays in memory (``PairResult.outcomes`` for a table; the default keeps the results).
    ``progress`` is told each simulated year (in months).

    The plan: runs whose worlds share their structure (they differ at most in per-run
    parameters, ``sim/model/core/per_run.py``) are taken together; their baseline arms, one per
    distinct world and seed, are simulated in batches; then the policy arms that start from a
    baseline batch, in batches of runs that share their whole structure. A duplicate item is
    run once."""
    items = [(spec, int(seed)) for spec, seed in items]
    positions: dict[tuple[str, int], list[int]] = {}  # distinct run -> its places in items
    for i, (spec, seed) in enumerate(items):
        positions.setdefault((repr(spec), seed), []).append(i)
    # world structure -> its distinct runs, each with its world and whole structure
    by_world: dict[str, list[tuple[ModelSpec, int, tuple[str, int], str]]] = {}
    for places in positions.values():
        spec, seed = items[places[0]]
        by_world.setdefault(world_structure_key(spec), []).append(
            (spec, seed, (world_key(spec), seed), structure_key(spec)))
    results: list = [None] * len(items)
    for runs in by_world.values():
        # the baselines: one per distinct (world, seed), in the order the runs need them
        worlds: dict[tuple[str, int], ModelSpec] = {}
        users: dict[tuple[str, int], list] = {}  # world and seed -> the runs that start from it
        for run in runs:
            worlds.setdefault(run[2], run[0])
            users.setdefault(run[2], []).append(run)
        size = batch_size(runs[0][0])
        for chunk in batches(runs[0][0], list(worlds)):
            baseline = baseline_batch([worlds[k] for k in chunk], [k[1] for k in chunk], progress)
            index = {k: g for g, k in enumerate(chunk)}
            by_structure: dict[str, list] = {}
            for world in chunk:
                for run in users[world]:
                    by_structure.setdefault(run[3], []).append(run)
            for group in by_structure.values():
                for part in _parts(group, size):
                    specs, seeds = [run[0] for run in part], [run[1] for run in part]
                    needed = [run[2] for run in part]
                    states = (baseline if needed == chunk else
                              merge_states(specs, seeds,
                                           [split_states(baseline, index[k]) for k in needed]))
                    for run, result in zip(part, run_pairs(specs, seeds, states, progress),
                                           strict=True):
                        value = collect(result)
                        for i in positions[(repr(run[0]), run[1])]:
                            results[i] = value
    return results


def _parts(runs: list, size: int) -> list[list]:
    """``runs`` in as few parts of at most ``size`` as can be, of sizes as equal as can be."""
    count = -(-len(runs) // size)
    small, extra = divmod(len(runs), max(count, 1))
    out, start = [], 0
    for i in range(count):
        end = start + small + (i < extra)
        out.append(runs[start:end])
        start = end
    return out
