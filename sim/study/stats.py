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

DRIFT_TOLERANCE = 0.05  # a baseline pool this far from population.size is not the calibrated sector


def pool_drift(baseline_active: float, size: float) -> float:
    """How far the baseline's mean pool over the horizon is from the sector's size, as a share
    (0.176: 17.6% larger). The entry rates are fitted so that it is near 0 for the shipped rules
    (scripts/fit-entry-rate); a swapped rule or parameter can move it."""
    return float(baseline_active) / float(size) - 1.0


def refit_command(sector: str, country: str, overrides: list[str]) -> str:
    """``scripts/fit-entry-rate`` for a world: its sector, country and the overrides that shape
    its baseline (the alliance, the seeds and presentation keys do not), quoted for a shell."""
    import shlex

    skip = ("policy", "seed", "seeds", "output", "report", "hydra", "experiment", "sector", "country")
    keys = [o.lstrip("+~").split("=")[0] for o in overrides]
    world = [o for o, key in zip(overrides, keys, strict=True)
             if key.split(".")[0] not in skip and key != "population.entry_rate"]
    return " ".join(["uv run python scripts/fit-entry-rate", *(shlex.quote(o) for o in world),
                     f"--sectors {sector}", f"--countries {country}"])


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


def fieller(num: np.ndarray, den: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Ratio of means mean(num) / mean(den) with Fieller's confidence interval (paired samples).

    The interval is NaN when the denominator's mean is not significantly different from zero
    (the interval is then unbounded)."""
    ok = np.isfinite(num) & np.isfinite(den)
    num, den = np.asarray(num, float)[ok], np.asarray(den, float)[ok]
    n = num.size
    if n < 2 or den.mean() == 0:
        return (math.nan, math.nan, math.nan)
    a, b = num.mean(), den.mean()
    cov = np.cov(num, den, ddof=1) / n  # covariance matrix of the two means
    t2 = float(stats.t.ppf(0.5 + level / 2, n - 1)) ** 2
    qa = b * b - t2 * cov[1, 1]
    qb = a * b - t2 * cov[0, 1]
    qc = a * a - t2 * cov[0, 0]
    disc = qb * qb - qa * qc
    if qa <= 0 or disc < 0:
        return (a / b, math.nan, math.nan)
    root = math.sqrt(disc)
    return (a / b, (qb - root) / qa, (qb + root) / qa)


def summarise(metrics: pd.DataFrame, units: dict[str, str]) -> pd.DataFrame:
    """One row per outcome: mean and CI per arm and of the paired effect (ratio effects:
    ratio of mean effects with Fieller's interval, see ``sim.model.outcomes.RATIO_EFFECTS``)."""
    from sim.model.outcomes import RATIO_EFFECTS

    effects = metrics[metrics["arm"] == "effect"].pivot_table(index="seed", columns="outcome",
                                                               values="value", dropna=False)
    rows = []
    for outcome, group in metrics.groupby("outcome", sort=False):
        row = {"outcome": outcome, "unit": units.get(outcome, "")}
        for arm in ("baseline", "policy", "effect"):
            values = group.loc[group["arm"] == arm, "value"].to_numpy()
            mean, lo, hi, n = mean_ci(values)
            row.update({arm: mean, f"{arm}_ci_low": lo, f"{arm}_ci_high": hi})
        row["n_seeds"] = n
        if outcome in RATIO_EFFECTS and {*RATIO_EFFECTS[outcome][:2]} <= set(effects.columns):
            num, den, scale = RATIO_EFFECTS[outcome]
            ratio, lo, hi = fieller(scale * effects[num].to_numpy(), effects[den].to_numpy())
            row.update({"effect": ratio, "effect_ci_low": lo, "effect_ci_high": hi})
        rows.append(row)
    return pd.DataFrame(rows)
