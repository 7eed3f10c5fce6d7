"""Many paired runs of built specs, simulated in batches: ``run_specs([(spec, seed), ...])``.

Where it sits: under ``sim.run_many`` and the studies that evaluate the model many times
(calibration, sensitivity, uncertainty, the command line's seeds). A batch is a group of runs
that differ only in their seed; it is simulated as one population with a group of rows per
run (``sim/model/core/loop.py``), so every month's fixed cost (Python calls, kernel dispatch)
is paid once for the batch. Runs of the same world (everything but the alliance) and the same
seeds share one baseline batch: it is simulated once and every alliance variant starts from its
state after the burn-in.

Every result equals ``run_pair(spec, seed)`` exactly (``tests/test_batch.py``): each run keeps
its own random streams, market, alliance, ledger and recorder, and sums its own rows in the
order a single run would.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence

from sim.model.spec import ModelSpec
from sim.study.paired import PairResult, baseline_batch, run_pairs, world_key

# A batch holds at most this many simulated agents (rows at the start) and runs. Throughput per
# agent peaks at about 16,000 rows (8 runs of 2,000 agents: 0.91 of one 64,000-agent run) and
# falls beyond, as the columns outgrow the processor's caches (docs/benchmarks.md).
MAX_BATCH_AGENTS = 20_000
MAX_BATCH_RUNS = 32
_KEEP_BASELINES = 2  # baseline batches kept in memory for the next alliance variant


def batch_size(spec: ModelSpec) -> int:
    """Runs of ``spec`` simulated together, at most."""
    return max(1, min(MAX_BATCH_RUNS, MAX_BATCH_AGENTS // max(1, spec.population.agents)))


def batches(spec: ModelSpec, seeds: list[int]) -> list[list[int]]:
    """``seeds`` in as few batches as ``batch_size`` allows, of sizes as equal as can be (10
    seeds at most 8 a batch: 5 and 5, not 8 and 2)."""
    count = -(-len(seeds) // batch_size(spec))
    size, extra = divmod(len(seeds), max(count, 1))
    out, start = [], 0
    for i in range(count):
        end = start + size + (i < extra)
        out.append(list(seeds[start:end]))
        start = end
    return out


def run_specs[T](items: Sequence[tuple[ModelSpec, int]],
                 collect: Callable[[PairResult], T] = lambda result: result,
                 progress: Callable[[int], None] | None = None) -> list[T]:
    """``collect(result)`` of the ``PairResult`` of each ``(spec, seed)`` of ``items``, in their
    order, computed in batches of runs that share a spec. ``collect`` is applied as each batch
    ends, so only what it keeps stays in memory (``PairResult.outcomes`` for a table; the
    default keeps the results). ``progress`` is told each simulated year (in months)."""
    items = [(spec, int(seed)) for spec, seed in items]
    plans: dict[str, dict[str, list[int]]] = {}  # world -> spec -> positions in items
    for i, (spec, _) in enumerate(items):
        plans.setdefault(world_key(spec), {}).setdefault(repr(spec), []).append(i)
    results: list = [None] * len(items)
    baselines: OrderedDict[tuple, dict] = OrderedDict()
    for variants in plans.values():
        for positions in variants.values():
            spec = items[positions[0]][0]
            # each seed once, in order, so variants with the same seeds share their batches
            seeds = sorted({items[i][1] for i in positions})
            for chunk in map(tuple, batches(spec, seeds)):
                key = (world_key(spec), chunk)
                baseline = baselines.pop(key, None)
                if baseline is None:
                    baseline = baseline_batch(spec, list(chunk), progress)
                baselines[key] = baseline  # most recently used last
                while len(baselines) > _KEEP_BASELINES:
                    baselines.popitem(last=False)
                by_seed = {r.seed: collect(r)
                           for r in run_pairs(spec, list(chunk), baseline, progress)}
                for i in positions:
                    if items[i][1] in by_seed:
                        results[i] = by_seed[items[i][1]]
    return results
