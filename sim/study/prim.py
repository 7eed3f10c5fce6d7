"""Scenario discovery with PRIM (the Patient Rule Induction Method, Friedman & Fisher 1999).

Where it sits: called by the uncertainty study's analysis (``sim.study.uncertainty``) after all
draws have run, to say which parameter ranges make the alliance pay for itself. It is the
peeling half of PRIM as EMA Workbench's ``prim`` does it (box peeling by quantiles, a minimum
box mass, coverage and density along the trajectory), written here because EMA Workbench would
add scikit-learn, statsmodels, seaborn and six more packages to the locked environment for one
function. Pasting and EMA's resampling statistics are left out; instead, restrictions that add
almost no density are dropped from the chosen box, so it names few parameters.

Terms: a *box* holds, for each parameter, an inclusive range [low, high]. Its *mass* is the
share of all draws inside it, its *density* the share of the draws inside it that are cases of
interest (here: the alliance pays for itself), its *coverage* the share of all cases of interest
that fall inside it.

    box, trajectory = find_box(X, y, alpha=0.05, min_mass=0.05, min_coverage=0.5)
    box.restricted(X)   # {"sector.outside_wage": (27400.0, 32000.0), ...}
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Box:
    limits: dict[str, tuple[float, float]]  # parameter -> inclusive [low, high]
    mass: float
    coverage: float
    density: float

    def contains(self, X: pd.DataFrame) -> np.ndarray:
        inside = np.ones(len(X), dtype=bool)
        for key, (lo, hi) in self.limits.items():
            x = X[key].to_numpy(float)
            inside &= (x >= lo) & (x <= hi)
        return inside

    def restricted(self, X: pd.DataFrame) -> dict[str, tuple[float, float]]:
        """The limits narrower than the draws' own range (the parameters the box is about)."""
        return {key: (lo, hi) for key, (lo, hi) in self.limits.items()
                if lo > X[key].min() or hi < X[key].max()}


def make_box(X: pd.DataFrame, y: np.ndarray, limits: dict[str, tuple[float, float]]) -> Box:
    """A box with its mass, coverage and density on the draws ``X`` with cases ``y``."""
    box = Box(dict(limits), 0.0, 0.0, 0.0)
    inside = box.contains(X)
    n_in, cases = int(inside.sum()), int(y.sum())
    return Box(dict(limits), mass=n_in / len(y), coverage=float(y[inside].sum() / cases) if cases else 0.0,
               density=float(y[inside].mean()) if n_in else 0.0)


def full_box(X: pd.DataFrame, y: np.ndarray) -> Box:
    return make_box(X, y, {key: (float(X[key].min()), float(X[key].max())) for key in X.columns})


def peel(X: pd.DataFrame, y, alpha: float = 0.05, min_mass: float = 0.05) -> list[Box]:
    """The peeling trajectory: from the box holding every draw, repeatedly cut the ``alpha``
    share of the box's draws (at least one) off the low or the high end of one parameter,
    choosing the cut that leaves the highest density (ties: the larger box, then the first
    parameter); stop before a box would hold fewer than ``min_mass`` of the draws, or once
    every draw in the box is a case. Values tied at a cut go together."""
    y = np.asarray(y, dtype=bool)
    if len(X) != len(y) or len(y) == 0:
        raise ValueError("X and y need the same, non-zero number of rows")
    values = {key: X[key].to_numpy(float) for key in X.columns}
    box = full_box(X, y)
    inside = np.ones(len(y), dtype=bool)
    trajectory = [box]
    smallest = min_mass * len(y)
    while box.density < 1.0:
        n_in = int(inside.sum())
        k = max(1, int(alpha * n_in))
        best = None  # (density, size, -order), key, end, keep
        for order, key in enumerate(X.columns):
            v = np.sort(values[key][inside])
            for end, keep in (("low", inside & (values[key] > v[k - 1])),
                              ("high", inside & (values[key] < v[n_in - k]))):
                size = int(keep.sum())
                if size < smallest or size == n_in or size == 0:
                    continue
                score = (float(y[keep].mean()), size, -order)
                if best is None or score > best[0]:
                    best = (score, key, end, keep)
        if best is None:
            break
        _, key, end, keep = best
        lo, hi = box.limits[key]
        kept = values[key][keep]
        limits = {**box.limits, key: (float(kept.min()), hi) if end == "low" else (lo, float(kept.max()))}
        inside = keep
        box = make_box(X, y, limits)
        trajectory.append(box)
    return trajectory


def select(trajectory: list[Box], min_coverage: float = 0.5) -> Box:
    """The densest box on the trajectory that still covers ``min_coverage`` of the cases (ties:
    the larger box). The first box covers every case, so there is always one."""
    ok = [b for b in trajectory if b.coverage >= min_coverage - 1e-12] or trajectory[:1]
    return max(ok, key=lambda b: (b.density, b.coverage))


def prune(X: pd.DataFrame, y, box: Box, tolerance: float = 0.02) -> Box:
    """Drop, one at a time, the restriction whose removal costs the least density, while that
    loss is at most ``tolerance``: a box that names fewer parameters is easier to read and
    less likely to describe noise."""
    y = np.asarray(y, dtype=bool)
    full = full_box(X, y).limits
    while True:
        options = [make_box(X, y, {**box.limits, key: full[key]}) for key in box.restricted(X)]
        if not options:
            return box
        best = max(options, key=lambda b: (b.density, b.coverage))
        if best.density < box.density - tolerance:
            return box
        box = best


def find_box(X: pd.DataFrame, y, alpha: float = 0.05, min_mass: float = 0.05,
             min_coverage: float = 0.5, tolerance: float = 0.02) -> tuple[Box, pd.DataFrame]:
    """Peel, select and prune one box; returns it and the trajectory (step, coverage, density,
    mass, number of parameters restricted)."""
    y = np.asarray(y, dtype=bool)
    if not y.any():
        raise ValueError("no case of interest: nothing to discover")
    trajectory = peel(X, y, alpha, min_mass)
    box = prune(X, y, select(trajectory, min_coverage), tolerance)
    path = pd.DataFrame([{"step": i, "coverage": b.coverage, "density": b.density, "mass": b.mass,
                          "restricted": len(b.restricted(X))} for i, b in enumerate(trajectory)])
    return box, path
