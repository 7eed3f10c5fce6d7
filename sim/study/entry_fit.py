"""The entry rate that keeps the baseline pool at the sector's real size: one implementation.

Where it sits: a study helper (under ``scripts/fit-entry-rate``, which fits the sector presets,
and the uncertainty study, which refits every drawn world before judging it against the data).
The number of freelancers is an outcome: with a fixed yearly cohort the pool settles where
entrants equal leavers, so a world whose careers are longer or shorter than the default's holds
a larger or smaller pool at the same entry rate. ``fit_entry_rate`` moves the rate until the
baseline pool's mean over the horizon is at ``population.size``:

* the first step assumes an elasticity of the pool to the entry rate of 0.75 (``ELASTICITY``);
  under market demand it is 0.4-0.7, since a larger pool shares the same work and more leave,
  so this step never overshoots;
* each later step takes the elasticity measured between the last two rates (a secant in logs),
  kept within ``ELASTICITY_RANGE`` so one noisy pilot cannot throw the rate far.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.model.freelance import ArmModel
from sim.model.outcomes import real_series
from sim.model.spec import ModelSpec

ELASTICITY = 0.75  # d log(pool) / d log(entry rate) assumed by the first step (measured: 0.4-0.7)
ELASTICITY_RANGE = (0.2, 1.5)  # a measured elasticity outside this is taken as noise


def pool_ratio(spec: ModelSpec, seeds: list[int]) -> float:
    """The baseline pool's mean over the horizon over ``population.size`` (seeds' mean)."""
    start, end = spec.burn_in_months, spec.total_months
    means = [real_series(ArmModel(spec, seed, "baseline").run())["active"][start:end].mean()
             for seed in seeds]
    return float(np.mean(means)) / spec.population.size


def next_rate(rate: float, ratio: float, previous: tuple[float, float] | None = None) -> float:
    """The entry rate expected to bring a pool at ``ratio`` x its size (at ``rate``) to 1:
    ``rate x ratio ** (-1 / e)``, with e the elasticity measured from ``previous`` (an earlier
    (rate, ratio)) or ``ELASTICITY``; within (0, 1]."""
    elasticity = ELASTICITY
    if previous is not None and previous[0] != rate and previous[1] > 0 and ratio > 0:
        measured = math.log(ratio / previous[1]) / math.log(rate / previous[0])
        if math.isfinite(measured):
            elasticity = min(max(measured, ELASTICITY_RANGE[0]), ELASTICITY_RANGE[1])
    if ratio <= 0:  # nobody stayed: as many entrants as allowed
        return 1.0
    return min(1.0, rate * ratio ** (-1.0 / elasticity))


@dataclass(frozen=True)
class EntryFit:
    rate: float        # the fitted rate (the last one evaluated within tolerance, else the next)
    ratio: float       # the pool over its size at the last rate evaluated
    evaluations: int   # pilot runs made (each of every seed)
    converged: bool    # the last rate evaluated was within tolerance


def fit_entry_rate(spec_at: Callable[[float], ModelSpec], rate: float, seeds: list[int],
                   rounds: int, tolerance: float,
                   report: Callable[[float, float], None] | None = None) -> EntryFit:
    """Fit the entry rate of the world ``spec_at(rate)`` builds, starting from ``rate``.

    Stops at the first rate whose pool is within ``tolerance`` of its size; otherwise, after
    ``rounds`` evaluations, returns the rate the last step points to (not evaluated: the main
    runs measure it). ``report(rate, ratio)`` is told each evaluation."""
    previous = None
    ratio = math.nan
    for n in range(1, rounds + 1):
        ratio = pool_ratio(spec_at(rate), seeds)
        if report is not None:
            report(rate, ratio)
        if abs(ratio - 1.0) <= tolerance:
            return EntryFit(rate, ratio, n, True)
        rate, previous = next_rate(rate, ratio, previous), (rate, ratio)
    return EntryFit(rate, ratio, rounds, False)
