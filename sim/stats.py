"""Summaries over seeds: means and 95% confidence intervals (Student t, paired by seed).

Where it sits: after all runs. Paired effects come from the same seed in both arms, so the CI
of an effect is the t interval of the per-seed differences (common random numbers make these
differences far less noisy than the arms themselves).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float, int]:
    """Mean, lower, upper bound of the t interval, and the number of finite values."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = x.size
    if n == 0:
        return math.nan, math.nan, math.nan, 0
    mean = float(x.mean())
    if n == 1:
        return mean, math.nan, math.nan, 1
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return mean, mean - half, mean + half, n


def summarise(metrics: pd.DataFrame, units: dict[str, str]) -> pd.DataFrame:
    """One row per outcome: mean and CI per arm and of the paired effect."""
    rows = []
    for outcome, group in metrics.groupby("outcome", sort=False):
        row = {"outcome": outcome, "unit": units.get(outcome, "")}
        for arm in ("baseline", "alliance", "effect"):
            values = group.loc[group["arm"] == arm, "value"].to_numpy()
            mean, lo, hi, n = mean_ci(values)
            row.update({arm: mean, f"{arm}_ci_low": lo, f"{arm}_ci_high": hi})
        row["n_seeds"] = n
        rows.append(row)
    return pd.DataFrame(rows)
