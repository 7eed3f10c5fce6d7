"""Which drawn worlds match what we observe: history matching of the uncertainty study.

Where it sits: called by the uncertainty study (``sim.study.uncertainty``) after all chunks.
A drawn world counts only if, without the policy, it reproduces the stylised facts the default
is calibrated to (``configs/targets/<uncertainty.targets>.yaml``, the facts named in
``uncertainty.facts``) and holds the sector's real number of freelancers (the pool fact; the
chunk refits each world's entry rate for it before its runs, ``sim/study/entry_fit.py``).

Each world is judged as in history matching of large simulators (Vernon, Goldstein & Bower
2010, Bayesian Analysis 5(4); Craig et al. 1997). For fact k with target range [low, high]:

    I_k = |f_k - z_k| / sqrt(V_k + s_k^2 / n)

* f_k: the world's baseline outcome, the mean over its n seeds; s_k^2 / n: the simulation
  noise of that mean (the variance over seeds, over n);
* z_k: the middle of the range; V_k = ((high - low) / 6)^2: the range is read as three standard
  deviations either side of the observation, observation error and model discrepancy together
  (with no noise a world is plausible exactly when it is inside the range, as in
  ``python -m sim.validate``).

A world's implausibility is the largest I_k, and it is rejected when that exceeds
``uncertainty.cutoff`` (3: Pukelsheim's three-sigma rule, which holds for any unimodal
distribution, as Vernon et al. use it). Every fact above the cutoff is recorded as a reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.model.core.params import ConfigError

POOL = "pool_size"  # the built-in fact: the baseline pool over population.size


@dataclass(frozen=True)
class Fact:
    name: str
    outcome: str      # a baseline outcome (sim.model.outcomes)
    low: float        # target range, in the outcome's unit
    high: float
    unit: str
    source: str
    relative_to: float = 1.0  # the outcome is divided by this first (the pool: its real size)

    @property
    def centre(self) -> float:
        return (self.low + self.high) / 2

    @property
    def sd(self) -> float:
        """Observation error and model discrepancy together: the range is +-3 of them."""
        return (self.high - self.low) / 6


def case_of(plain) -> str:
    """The validation case a study's world is: its alliance preset when it runs in that
    preset's own sector, else its sector (targets' ``cases`` and known failures use it)."""
    from sim.run.config import compose_config
    from sim.study.validate import options

    policy = str(plain.policy.get("name", "")) if plain.get("policy") is not None else ""
    sector = str(plain.sector.name)
    if policy in options("policy") and str(compose_config({"policy": policy}).sector.name) == sector:
        return policy
    return sector


def judged_facts(targets: str, names: list[str], pool_tolerance: float, plain,
                 path: str = "uncertainty") -> tuple[list[Fact], dict[str, str]]:
    """The facts that judge the worlds, and the named facts that cannot judge this case, each
    with the reason (the fact is for other cases, or the case is known to miss it). A fact that
    needs its own scenario or the policy arm is refused, naming it."""
    from sim.study.validate import load_targets

    try:
        facts, known = load_targets(targets)
    except ConfigError as err:
        raise ConfigError(f"{path}.targets", targets, err.allowed) from None
    if not isinstance(names, list | tuple):
        raise ConfigError(f"{path}.facts", names, "a list of facts of the targets")
    case = case_of(plain)
    size = float(plain.population.size)
    judged = [Fact(POOL, "active_workforce", 1 - pool_tolerance, 1 + pool_tolerance,
                   "x population.size", "the sector's real number of freelancers "
                   "(sector.freelancers); each world's entry rate is refitted to it", size)]
    skipped = {}
    for name in names:
        t = facts.get(name)
        if t is None:
            raise ConfigError(f"{path}.facts", name, "a fact of configs/targets/" + targets
                              + ": " + ", ".join(facts))
        if t["arm"] != "baseline" or t.get("overrides"):
            raise ConfigError(f"{path}.facts", name, "a fact of the baseline arm with no scenario "
                              "of its own (a world is judged without the policy, from its runs)")
        if t.get("cases") and case not in t["cases"]:
            skipped[name] = f"for {', '.join(t['cases'])} only"
            continue
        if known.get(f"{case}.{name}"):
            skipped[name] = f"{case} is known to miss it: {known[f'{case}.{name}']}"
            continue
        scale = float(plain.country.wage_scale) if t.get("money") else 1.0
        judged.append(Fact(name, t["outcome"], float(t["low"]), float(t["high"]),
                           str(t["unit"]), str(t["source"]), scale))
    return judged, skipped


def implausibility(mean, noise_var, fact: Fact) -> np.ndarray:
    """I = |f - z| / sqrt(V + noise) for each world (NaN outcome: infinitely implausible)."""
    f = np.asarray(mean, dtype=float) / fact.relative_to
    noise = np.nan_to_num(np.asarray(noise_var, dtype=float), nan=0.0) / fact.relative_to**2
    out = np.abs(f - fact.centre) / np.sqrt(fact.sd**2 + noise)
    return np.where(np.isnan(out), np.inf, out)


def match_table(facts: list[Fact], samples: pd.DataFrame, cutoff: float) -> pd.DataFrame:
    """One row per draw: each fact's simulated level and implausibility, the largest
    (``implausibility``), ``plausible`` and ``rejected_by`` (the facts above the cutoff, the
    most implausible first). ``samples``: (draw, level, seed, outcome, value) with
    ``baseline.<outcome>`` rows; the baseline is the same at every level, so the first level's
    seeds are read."""
    first = samples[samples["level"] == samples["level"].min()]
    draws = np.sort(samples["draw"].unique())
    out = pd.DataFrame({"draw": draws})
    scores = []
    for fact in facts:
        rows = first[first["outcome"] == f"baseline.{fact.outcome}"]
        by_draw = rows.groupby("draw")["value"]
        mean = by_draw.mean().reindex(draws)
        n = by_draw.size().reindex(draws)
        var = (by_draw.var(ddof=1).reindex(draws) / n).fillna(0.0)
        out[f"baseline.{fact.name}"] = mean.to_numpy() / fact.relative_to
        score = implausibility(mean.to_numpy(), var.to_numpy(), fact)
        out[f"implausibility.{fact.name}"] = score
        scores.append(score)
    matrix = np.column_stack(scores) if scores else np.zeros((len(draws), 0))
    out["implausibility"] = matrix.max(axis=1) if scores else 0.0
    out["plausible"] = out["implausibility"] <= cutoff
    names = [f.name for f in facts]
    out["rejected_by"] = ["; ".join(f"{names[j]} ({row[j]:.1f})"
                                    for j in np.argsort(-row) if row[j] > cutoff)
                          for row in matrix]
    return out


def rejections_table(facts: list[Fact], skipped: dict[str, str], match: pd.DataFrame,
                     cutoff: float) -> pd.DataFrame:
    """One row per fact: its target, how many worlds it rejects (alone or with others), and
    the level it has over all worlds and over the plausible ones; facts that cannot judge this
    case are listed with the reason."""
    rows = []
    plausible = match["plausible"].to_numpy(bool)
    over = {f.name: match[f"implausibility.{f.name}"].to_numpy(float) > cutoff for f in facts}
    for fact in facts:
        level = match[f"baseline.{fact.name}"].to_numpy(float)
        others = np.zeros(len(match), dtype=bool)
        for name, rejected in over.items():
            if name != fact.name:
                others |= rejected
        rows.append({"fact": fact.name, "outcome": fact.outcome, "low": fact.low,
                     "high": fact.high, "unit": fact.unit, "judged": True, "note": "",
                     "worlds": len(match), "rejected": int(over[fact.name].sum()),
                     "rejected_alone": int((over[fact.name] & ~others).sum()),
                     "median_all": _median(level), "median_plausible": _median(level[plausible]),
                     "source": fact.source})
    for name, reason in skipped.items():
        rows.append({"fact": name, "outcome": "", "low": math.nan, "high": math.nan, "unit": "",
                     "judged": False, "note": reason, "worlds": len(match), "rejected": 0,
                     "rejected_alone": 0, "median_all": math.nan, "median_plausible": math.nan,
                     "source": ""})
    return pd.DataFrame(rows)


def _median(values: np.ndarray) -> float:
    v = values[np.isfinite(values)]
    return float(np.median(v)) if v.size else math.nan
