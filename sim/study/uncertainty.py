"""Probabilistic sensitivity analysis (PSA): the alliance's effects over plausible worlds.

Where it sits: an experiment (``experiment=uncertainty``) built like ``experiment=sensitivity``. Each
assumption gets a distribution with its source (``uncertainty.parameters``); a Latin hypercube
draws ``draws`` worlds from them, the same design in every job. The design is split into
``chunks`` jobs (``uncertainty.chunk`` is swept); a job runs, for each of its draws, a paired
comparison (common random numbers, the same seeds for every draw) at every funding level of
``uncertainty.levels`` against no alliance, and writes ``samples.parquet`` then its completion
marker. The aggregation (``sim.study.aggregate``) turns all chunks into the tables below and
``sim.report.uncertainty_brief`` into a chart and a brief:

* ``uncertainty``: one row per draw and level, every parameter value and every outcome
  (seed means; the cost per retained worker-year is the ratio of the seed-mean effects);
* ``acceptability``: the cost-effectiveness acceptability curve, P(cost per retained
  worker-year <= threshold) per level; a draw with no extra workers has no defined cost per
  worker-year and counts as not acceptable at any threshold, so the curve is a monotone
  probability (the net-benefit form would count such a draw as acceptable at low thresholds
  when it saves money);
* ``summary``: per level, the probability that the alliance pays for itself (net public cost
  effect <= 0) and the share of the spread across worlds that is simulation noise;
* ``intervals``, ``drivers`` (rank correlations), ``scenarios`` (PRIM boxes, sim/study/prim.py).

    uv run python -m sim -m experiment=uncertainty
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.model.core.params import ConfigError, check_params, param
from sim.model.outcomes import EFFECT_ONLY, OUTCOMES, RATIO_EFFECTS
from sim.study.sensitivity import apply, coerce, model_config

DISTRIBUTIONS = ("uniform", "triangular", "normal", "lognormal")
Z95 = 1.959963984540054  # normal quantile of 0.975: low and high of normal/lognormal are 95% limits


@dataclass(frozen=True)
class Distribution:
    """One uncertain parameter: its distribution and where the range comes from.

    ``uniform`` and ``triangular`` have support [low, high] (``triangular`` peaks at ``mode``);
    ``normal`` and ``lognormal`` put 95% of their mass between low and high (a published 95%
    confidence interval can be entered as it is)."""

    dist: str = param("-", choices=DISTRIBUTIONS, doc="shape of the distribution")
    low: float = param("value", doc="lower end (uniform, triangular) or 2.5% quantile")
    high: float = param("value", doc="upper end (uniform, triangular) or 97.5% quantile")
    mode: float | None = param("value", doc="most likely value (triangular only)")
    basis: str = param("-", choices=("sourced", "assumption"),
                       doc="whether the range comes from a source or is an assumption")
    source: str = param("-", doc="where the range comes from, or why it was assumed")
    label: str | None = param("-", doc="the parameter in plain words, for the brief (null: its "
                                       "declared meaning)")

    def check(self, path: str) -> None:
        if not self.low < self.high:
            raise ConfigError(f"{path}.high", self.high, f"a number above low ({self.low:g})")
        if self.dist == "triangular":
            if self.mode is None or not self.low <= self.mode <= self.high:
                raise ConfigError(f"{path}.mode", self.mode,
                                  f"a number in [low, high] = [{self.low:g}, {self.high:g}] "
                                  "(a triangular distribution needs its most likely value)")
        elif self.mode is not None:
            raise ConfigError(f"{path}.mode", self.mode, f"null: only a triangular distribution "
                              f"has a mode, this one is {self.dist}")
        if self.dist == "lognormal" and self.low <= 0:
            raise ConfigError(f"{path}.low", self.low, "a number above 0 (log-normal)")
        if not self.source.strip():
            raise ConfigError(f"{path}.source", self.source, "a source, or why it is assumed")

    def frozen(self):
        """The distribution as a frozen ``scipy.stats`` object."""
        from scipy import stats

        width = self.high - self.low
        if self.dist == "uniform":
            return stats.uniform(loc=self.low, scale=width)
        if self.dist == "triangular":
            return stats.triang(c=(self.mode - self.low) / width, loc=self.low, scale=width)
        if self.dist == "normal":
            return stats.norm(loc=(self.low + self.high) / 2, scale=width / (2 * Z95))
        lo, hi = math.log(self.low), math.log(self.high)
        return stats.lognorm(s=(hi - lo) / (2 * Z95), scale=math.exp((lo + hi) / 2))

    def describe(self) -> str:
        if self.dist == "uniform":
            return f"uniform, {self.low:g} to {self.high:g}"
        if self.dist == "triangular":
            return f"triangular, {self.low:g} to {self.high:g}, most likely {self.mode:g}"
        return f"{self.dist.replace('lognormal', 'log-normal')}, 95% between {self.low:g} and {self.high:g}"


def _outcome_ok(name) -> bool:
    arm, _, outcome = str(name).partition(".")
    return (arm in ("baseline", "policy", "effect") and outcome in OUTCOMES) or (
        arm == "effect" and outcome in EFFECT_ONLY)


@dataclass(frozen=True)
class Uncertainty:
    draws: int = param("worlds", 2, 100_000, "parameter sets drawn by Latin hypercube")
    chunks: int = param("jobs", 1, 100_000, "jobs the design is split into")
    chunk: int = param("-", 0, 100_000, "this job's chunk (swept)")
    sample_seed: int = param("-", 0, 2**31 - 1, "seed of the Latin hypercube")
    level_key: str = param("-", doc="the key each level sets (e.g. policy.funding_m)")
    levels: list = param("-", doc="levels studied, each against no alliance")
    level_label: str = param("-", doc="a level in words: a format string with {level} and {currency}")
    outcomes: list = param("-", doc="outcomes recorded, e.g. effect.experienced_workforce")
    net_cost: str = param("-", doc="effect whose value <= 0 means the alliance pays for itself")
    cost_effectiveness: str = param("-", doc="a ratio effect (cost per unit gained) for the "
                                             "acceptability curve")
    threshold_max: float | None = param("thousand currency/worker-year", 0, None,
                                        "highest threshold (null: the largest cost over the "
                                        "worlds, rounded up to a step)", lo_open=True)
    threshold_step: float = param("thousand currency/worker-year", 0, None,
                                  "spacing of the thresholds", lo_open=True)
    interval: float = param("share", 0, 1, "central share of worlds an interval covers",
                            lo_open=True, hi_open=True)
    prim_alpha: float = param("share", 0, 0.5, "PRIM: share of the box peeled per step",
                              lo_open=True, hi_open=True)
    prim_min_mass: float = param("share", 0, 1, "PRIM: smallest box, as a share of the draws",
                                 lo_open=True, hi_open=True)
    prim_min_coverage: float = param("share", 0, 1, "PRIM: the box kept holds at least this "
                                                    "share of the worlds that pay for themselves")
    prim_prune: float = param("share", 0, 1, "PRIM: a restriction that adds less density than "
                                             "this is dropped from the box kept")
    parameters: dict = param("-", doc="dotted key -> {dist, low, high, mode, basis, source}")
    structural: list = param("-", doc="parameters that are structural choices of the model: the "
                                      "brief shows the answer at each end of their range")
    # every world is calibrated, then judged against the data, before it counts (issue 22)
    refit_entry: bool = param("-", doc="refit population.entry_rate in every world so its "
                                       "baseline pool holds population.size (sim/study/entry_fit.py)")
    pilot_rounds: int = param("runs", 1, 10, "pilot runs (the baseline arm, one seed) per world "
                                             "for the refit, at most")
    pilot_scale: float = param("x population.scale", 1, 1000, "the pilots' precision: people "
                                                              "per agent, as a multiple of the study's")
    pilot_tolerance: float = param("share", 0, 1, "the refit stops at a pilot pool within this "
                                                  "share of population.size")
    targets: str = param("-", doc="the targets (configs/targets/) the worlds are judged against")
    facts: list = param("-", doc="facts of the targets that judge every world (baseline arm, "
                                 "no scenario of their own); the pool fact is always judged")
    pool_tolerance: float = param("share", 0, 1, "the pool fact's range: the baseline pool "
                                                 "within this share of population.size",
                                  lo_open=True, hi_open=True)
    cutoff: float | None = param("-", 0, None, "a world whose implausibility (the largest over "
                                               "the facts, in standard deviations) exceeds this "
                                               "is rejected (null: every world counts)",
                                 lo_open=True)

    def check(self, path: str) -> None:
        if self.chunk >= self.chunks:
            raise ConfigError(f"{path}.chunk", self.chunk, f"below {path}.chunks ({self.chunks})")
        levels = self.levels
        if (not isinstance(levels, list | tuple) or not levels
                or not all(isinstance(v, int | float) and not isinstance(v, bool)
                           and math.isfinite(v) and v > 0 for v in levels)
                or len(set(levels)) != len(levels)):
            raise ConfigError(f"{path}.levels", levels, "a list of distinct numbers above 0 "
                              "(each level is compared with no alliance)")
        try:
            self.level_label.format(level=1.0, currency="SEK")
        except (KeyError, IndexError, ValueError) as err:
            raise ConfigError(f"{path}.level_label", self.level_label,
                              f"a format string using only {{level}} and {{currency}} ({err})") from None
        if not isinstance(self.outcomes, list | tuple) or not self.outcomes:
            raise ConfigError(f"{path}.outcomes", self.outcomes, "a list of outcome names")
        for name in self.outcomes:
            if not _outcome_ok(name):
                raise ConfigError(f"{path}.outcomes", name, "baseline.<outcome>, alliance.<outcome> "
                                  "or effect.<outcome> of sim.model.outcomes")
        if not _outcome_ok(self.net_cost) or not self.net_cost.startswith("effect."):
            raise ConfigError(f"{path}.net_cost", self.net_cost, "effect.<outcome>, e.g. "
                              "effect.public_cost_m")
        ratio = self.cost_effectiveness.removeprefix("effect.")
        if not self.cost_effectiveness.startswith("effect.") or ratio not in RATIO_EFFECTS:
            raise ConfigError(f"{path}.cost_effectiveness", self.cost_effectiveness, "one of "
                              + ", ".join(f"effect.{r}" for r in RATIO_EFFECTS))
        if self.threshold_max is not None and self.threshold_step > self.threshold_max:
            raise ConfigError(f"{path}.threshold_step", self.threshold_step,
                              f"at most {path}.threshold_max ({self.threshold_max:g})")
        if not isinstance(self.parameters, dict) or not self.parameters:
            raise ConfigError(f"{path}.parameters", self.parameters,
                              "a mapping: dotted key -> {dist, low, high, mode, basis, source}")
        for key in self.parameters:
            distribution(self, key, path)
        if not isinstance(self.structural, list | tuple):
            raise ConfigError(f"{path}.structural", self.structural, "a list of parameter keys")
        for key in self.structural:
            if key not in self.parameters:
                raise ConfigError(f"{path}.structural", key, "a key of uncertainty.parameters: "
                                  + ", ".join(self.parameters))

    @property
    def names(self) -> list[str]:
        return list(self.parameters)

    @property
    def ratios(self) -> list[str]:
        """Ratio effects reported, computed per draw from the seed-mean effects."""
        wanted = [*self.outcomes, self.cost_effectiveness]
        return list(dict.fromkeys(o for o in wanted
                                  if o.startswith("effect.") and o[7:] in RATIO_EFFECTS))

    @functools.cached_property
    def evaluated(self) -> list[str]:
        """Outcomes recorded per run: the outcomes, the net cost, each ratio's two parts and the
        baseline outcomes the worlds are judged by."""
        parts = [f"effect.{p}" for r in self.ratios for p in RATIO_EFFECTS[r[7:]][:2]]
        return list(dict.fromkeys(o for o in [*self.outcomes, self.net_cost, *parts,
                                              *matched_outcomes(self)]
                                  if o not in self.ratios))

    @property
    def recorded(self) -> list[str]:
        """Rows of each run in a chunk's samples: the outcomes evaluated, then the refit's."""
        return [*self.evaluated, *(FIT if self.refit_entry else ())]

    def thresholds(self, ratios=()) -> np.ndarray:
        """0 .. ``threshold_max`` in steps; with ``threshold_max`` null, up to the largest finite
        ratio among ``ratios`` (the worlds' costs), rounded up to a step."""
        top = self.threshold_max
        if top is None:
            r = np.asarray(ratios, dtype=float)
            r = r[np.isfinite(r)]
            top = max(float(r.max()) if r.size else 0.0, self.threshold_step)
        n = int(math.ceil(top / self.threshold_step - 1e-9))
        return np.arange(n + 1) * self.threshold_step


FIT = ("fit.entry_rate", "fit.pilot_pool_ratio", "fit.pilots")  # each world's refit, per run


def matched_outcomes(s: Uncertainty) -> list[str]:
    """The baseline outcomes of the pool fact and of every fact named in ``facts`` (those
    that cannot judge a case are recorded all the same: a few numbers per run)."""
    from sim.study.validate import load_targets

    if s.cutoff is None:
        return []
    try:
        facts, _ = load_targets(s.targets)
    except ConfigError as err:
        raise ConfigError("uncertainty.targets", s.targets, err.allowed) from None
    if not isinstance(s.facts, list | tuple):
        raise ConfigError("uncertainty.facts", s.facts, "a list of facts of the targets")
    names = [f"baseline.{facts[f]['outcome']}" for f in s.facts if f in facts]
    return list(dict.fromkeys(["baseline.active_workforce", *names]))


def judged(s: Uncertainty, plain: DictConfig):
    """(facts that judge the worlds, facts named that cannot judge this case with the reason);
    nothing with ``cutoff`` null."""
    from sim.study.plausible import judged_facts

    if s.cutoff is None:
        return [], {}
    return judged_facts(s.targets, list(s.facts), s.pool_tolerance, plain)


def distribution(s: Uncertainty, key: str, path: str = "uncertainty") -> Distribution:
    where = f"{path}.parameters.{key}"
    entry = s.parameters[key]
    if not isinstance(entry, dict):
        raise ConfigError(where, entry, "a mapping {dist, low, high, mode, basis, source, label}")
    return check_params(Distribution, {"mode": None, "label": None, **entry}, where)


def settings(cfg: DictConfig) -> Uncertainty:
    values = OmegaConf.to_container(cfg.uncertainty, resolve=True)
    if not isinstance(values, dict):
        raise ConfigError("uncertainty", values, "a block of settings (experiment=uncertainty)")
    return check_params(Uncertainty, values, "uncertainty")


def unit_design(s: Uncertainty) -> np.ndarray:
    """The Latin hypercube on [0, 1): draws x parameters, one draw per stratum of width 1/draws
    in every column; identical in every job (it depends only on the settings)."""
    from scipy.stats import qmc

    return qmc.LatinHypercube(d=len(s.names), rng=s.sample_seed).random(s.draws)


def design(s: Uncertainty) -> np.ndarray:
    """Parameter values of every draw: the hypercube through each distribution's inverse CDF."""
    u = unit_design(s)
    return np.column_stack([distribution(s, key).frozen().ppf(u[:, j])
                            for j, key in enumerate(s.names)])


def check_design(cfg: DictConfig) -> Uncertainty:
    """Every setting, and every value the design will set: the lowest and the highest draw of
    each parameter (and level) must give a valid model config. Raises one ConfigError naming
    ``uncertainty.parameters.<key>`` (or ``uncertainty.levels``)."""
    from sim.run.config import build_spec

    s = settings(cfg)
    plain = model_config(cfg, "uncertainty")
    judged(s, plain)  # the targets and facts, before anything runs
    if s.refit_entry and "population.entry_rate" in s.names:
        raise ConfigError("uncertainty.parameters.population.entry_rate", "drawn",
                          "not drawn while uncertainty.refit_entry is true (the refit sets it)")
    X = design(s)
    for end, row, level in (("lowest", X.min(axis=0), min(s.levels)),
                            ("highest", X.max(axis=0), max(s.levels))):
        values = apply(apply(plain, s.names, row, "uncertainty.parameters"), [s.level_key],
                       [level], "uncertainty.level_key")
        try:
            build_spec(values)
        except ConfigError as err:
            if err.key in s.names:
                raise ConfigError(f"uncertainty.parameters.{err.key}", err.value,
                                  f"a distribution whose draws stay within {err.allowed} (the "
                                  f"{end} of the {s.draws} draws is {err.value})") from None
            if err.key == s.level_key:
                raise ConfigError("uncertainty.levels", level, err.allowed) from None
            raise ConfigError("uncertainty.parameters", None, f"draws that give a valid model "
                              f"config (with every parameter at its {end} draw: {err})") from None
    return s


def run_chunk(cfg: DictConfig) -> pd.DataFrame:
    """Evaluate this job's draws: one row per (draw, level, seed, outcome)."""
    from sim.run.batch import run_specs
    from sim.run.paired import PairResult
    from sim.run.variants import SpecVariants

    s = settings(cfg)
    plain = model_config(cfg, "uncertainty")
    variants = SpecVariants(plain)  # built once; each draw's values set on the built spec
    run = variants.run
    X = design(s)
    mine = np.array_split(np.arange(s.draws), s.chunks)[s.chunk]
    worlds = {int(d): {name: coerce(plain, name, value, "uncertainty.parameters")
                       for name, value in zip(s.names, X[d], strict=True)} for d in mine}
    for world in worlds.values():  # every world builds before the first run
        variants.with_values(world)
    fits = {d: refit(s, variants, world, run.seed) for d, world in worlds.items()} \
        if s.refit_entry else {}
    # every (draw, level, seed) of the chunk, checked before the first run; a draw's seeds are
    # simulated as one batch, and its baseline batch serves all its levels (sim/run/batch.py)
    keys, items = [], []
    for d, world in worlds.items():
        if d in fits:
            world = world | {"population.entry_rate": fits[d].rate}
        specs = [variants.with_values(
            world | {s.level_key: coerce(plain, s.level_key, level, "uncertainty.level_key")})
            for level in s.levels]
        for seed in range(run.seed, run.seed + run.seeds):
            for level, spec in zip(s.levels, specs, strict=True):
                keys.append((int(d), float(level), seed))
                items.append((spec, seed))
    evaluated = s.evaluated
    records = [{"draw": d, "level": level, "seed": seed, "outcome": name, "value": float(out[name])}
               for (d, level, seed), out in zip(keys, run_specs(items, PairResult.outcomes), strict=True)
               for name in evaluated]
    records += [{"draw": d, "level": level, "seed": seed, "outcome": name, "value": float(value)}
                for d, level, seed in keys if d in fits
                for name, value in zip(FIT, (fits[d].rate, fits[d].ratio, fits[d].evaluations),
                                       strict=True)]
    return pd.DataFrame(records, columns=["draw", "level", "seed", "outcome", "value"])


def refit(s: Uncertainty, variants, world: dict, seed: int):
    """The entry rate that keeps this world's baseline pool at ``population.size``: pilot runs
    of the baseline arm (seed ``seed``) at ``pilot_scale`` times the study's people per agent,
    from the study's rate (``sim.study.entry_fit``). The pilots only place the rate; the main
    runs measure the pool, and the pool fact judges it (``sim.study.plausible``)."""
    from sim.study.entry_fit import fit_entry_rate

    scale = variants.spec.population.scale * s.pilot_scale
    start = float(variants.spec.population.entry_rate)

    def spec_at(rate: float):
        return variants.with_values(world | {"population.entry_rate": rate,
                                             "population.scale": scale})

    return fit_entry_rate(spec_at, start, [seed], s.pilot_rounds, s.pilot_tolerance)


def world(config: dict) -> dict:
    """What two studies must share to describe the same world (a funding brief quotes an
    uncertainty study only then): the alliance, sector, country, labour market, every
    population key (size, and whatever else sizes the pool) and the horizon."""
    def block(name):
        return config.get(name) or {}

    return {"policy": block("policy").get("label"), "sector": block("sector").get("name"),
            "country": block("country").get("name"), "demand": block("demand").get("model"),
            **{f"population.{k}": v for k, v in sorted(block("population").items())},
            "burn_in_years": config.get("burn_in_years"), "horizon_years": config.get("horizon_years")}


# ---------------------------------------------------------------- analysis (after all chunks)
def parameter_values(s: Uncertainty, plain: DictConfig) -> pd.DataFrame:
    """The value every draw set, as the model saw it (integers rounded): draw + one column per key."""
    X = design(s)
    table = pd.DataFrame({key: [coerce(plain, key, v, "uncertainty.parameters") for v in X[:, j]]
                          for j, key in enumerate(s.names)})
    table.insert(0, "draw", np.arange(s.draws))
    return table


def describe_parameters(s: Uncertainty, plain: DictConfig) -> pd.DataFrame:
    """Each uncertain parameter with its meaning and unit (from its declaration), default,
    distribution and source."""
    from sim.model.spec import WORLD_BLOCKS
    from sim.run.config import preset_classes

    rows = []
    for key in s.names:
        block, _, leaf = key.rpartition(".")
        cls = WORLD_BLOCKS.get(block)
        target = OmegaConf.select(plain, f"{block}._target_")
        if cls is None and isinstance(target, str):  # text from a marker: looked up, never imported
            cls = preset_classes().get(target)
        meta = next((f.metadata for f in dataclasses.fields(cls) if f.name == leaf), {}) \
            if dataclasses.is_dataclass(cls) else {}
        d = distribution(s, key)
        rows.append({"parameter": key, "meaning": d.label or meta.get("doc", ""),
                     "unit": meta.get("unit", ""),
                     "default": OmegaConf.select(plain, key), "dist": d.dist, "low": d.low,
                     "high": d.high, "mode": d.mode, "distribution": d.describe(),
                     "basis": d.basis, "source": d.source})
    return pd.DataFrame(rows)


def acceptability(ratio, thresholds) -> np.ndarray:
    """P(ratio <= threshold) over the draws, for each threshold. A draw whose ratio is undefined
    (NaN: no extra workers) counts as not acceptable at any threshold; so the curve never falls
    and stays in [0, 1]."""
    r = np.asarray(ratio, dtype=float)
    if r.size == 0:
        raise ValueError("no draws")
    defined = np.sort(r[~np.isnan(r)])
    counts = np.searchsorted(defined, np.asarray(thresholds, dtype=float), side="right")
    return counts / r.size


def pays_for_itself(net_cost) -> float:
    """Share of draws whose net public cost effect is <= 0 (a missing value does not pay)."""
    c = np.asarray(net_cost, dtype=float)
    return float(np.mean(np.nan_to_num(c, nan=np.inf) <= 0))


def ratio_of_means(num: np.ndarray, den: np.ndarray, scale: float) -> np.ndarray:
    """``scale * num / den``, NaN where ``den <= 0`` (no extra workers: undefined)."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    out = np.full(num.shape, np.nan)
    ok = den > 0
    out[ok] = scale * num[ok] / den[ok]
    return out


def draws_table(s: Uncertainty, samples: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """One row per draw and level: parameter values, seed-mean outcomes, each ratio effect as the
    ratio of the seed-mean effects, and whether the alliance pays for itself."""
    means = (samples.groupby(["draw", "level", "outcome"])["value"].mean()
             .unstack("outcome").reset_index())
    means.columns.name = None
    seeds = samples.groupby(["draw", "level"])["seed"].nunique().rename("n_seeds").reset_index()
    table = values.merge(means, on="draw").merge(seeds, on=["draw", "level"])
    for name in s.ratios:
        num, den, scale = RATIO_EFFECTS[name[7:]]
        table[name] = ratio_of_means(table[f"effect.{num}"], table[f"effect.{den}"], scale)
    table["pays_for_itself"] = np.nan_to_num(table[s.net_cost].to_numpy(float), nan=np.inf) <= 0
    outcomes = [o for o in [*s.outcomes, s.net_cost, *s.evaluated, *s.ratios] if o in table]
    fit = [o for o in FIT if o in table]
    order = ["draw", "level", *s.names, *dict.fromkeys(outcomes), *fit, "pays_for_itself",
             "n_seeds"]
    return table[order].sort_values(["level", "draw"]).reset_index(drop=True)


def acceptability_table(s: Uncertainty, table: pd.DataFrame, every=None) -> pd.DataFrame:
    """The curve over the worlds of ``table`` (the plausible ones), at thresholds up to the
    costliest of ``every`` world drawn (default: ``table``'s), so curves of studies that keep
    different worlds share their axis."""
    t = s.thresholds(table[s.cost_effectiveness] if every is None else every)
    if table.empty:  # no plausible world: no curve
        return pd.DataFrame(columns=["level", "threshold", "probability"])
    return pd.concat([pd.DataFrame({"level": level, "threshold": t,
                                    "probability": acceptability(g[s.cost_effectiveness], t)})
                      for level, g in table.groupby("level")], ignore_index=True)


def quantiles(values, interval: float) -> tuple[float, float, float]:
    """Median and central ``interval`` of the draws (empirical quantiles, no interpolation, so
    an undefined ratio, counted as +inf, is never averaged with a number)."""
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=np.inf)
    lo, mid, hi = np.quantile(v, [(1 - interval) / 2, 0.5, (1 + interval) / 2],
                              method="inverted_cdf")
    return float(mid), float(lo), float(hi)


def noise_share(samples: pd.DataFrame) -> float:
    """Share of the variance of the draw means that is simulation noise: the mean within-draw
    variance over seeds / seeds, over the variance across draws (NaN with one seed)."""
    by_draw = samples.groupby("draw")["value"]
    n = int(by_draw.size().min())
    total = by_draw.mean().var(ddof=1)
    if n < 2 or not total > 0:
        return math.nan
    return float(min(1.0, by_draw.var(ddof=1).mean() / n / total))


def summary_table(s: Uncertainty, table: pd.DataFrame, samples: pd.DataFrame) -> pd.DataFrame:
    """Per level: worlds drawn and plausible, and over the plausible ones the probability that
    the policy pays for itself, the share with no defined cost per worker-year and the noise
    share of the net cost's spread (NaN where no world is plausible)."""
    rows = []
    for level, every in table.groupby("level"):
        g = every[every["plausible"]]
        ratio = g[s.cost_effectiveness].to_numpy(float)
        cost = samples[(samples["level"] == level) & (samples["outcome"] == s.net_cost)
                       & samples["draw"].isin(g["draw"])]
        rows.append({"level": level, "draws": len(every), "draws_plausible": len(g),
                     "seeds_per_draw": int(every["n_seeds"].min()),
                     "p_pays_for_itself": pays_for_itself(g[s.net_cost]) if len(g) else math.nan,
                     "draws_paying": int(g["pays_for_itself"].sum()),
                     "p_cost_effectiveness_undefined": (float(np.mean(np.isnan(ratio)))
                                                        if len(g) else math.nan),
                     "noise_share_net_cost": noise_share(cost) if len(g) > 1 else math.nan})
    return pd.DataFrame(rows)


def intervals_table(s: Uncertainty, table: pd.DataFrame) -> pd.DataFrame:
    """Median and central interval of each outcome over the worlds given (the plausible ones)."""
    rows = []
    outcomes = [c for c in dict.fromkeys([*s.outcomes, s.net_cost, *s.ratios]) if c in table]
    for level, g in table.groupby("level"):
        for name in outcomes:
            mid, lo, hi = quantiles(g[name], s.interval)
            rows.append({"level": level, "outcome": name, "median": mid, "low": lo, "high": hi,
                         "interval": s.interval, "mean": float(g[name].mean())})
    return pd.DataFrame(rows, columns=["level", "outcome", "median", "low", "high", "interval",
                                       "mean"])


def rank_correlation(x, y) -> float:
    """Spearman's rho (Pearson correlation of average ranks); NaN when either side is constant."""
    from scipy.stats import rankdata

    rx, ry = rankdata(x), rankdata(y)
    if np.ptp(rx) == 0 or np.ptp(ry) == 0:
        return math.nan
    return float(np.corrcoef(rx, ry)[0, 1])


def drivers_table(s: Uncertainty, table: pd.DataFrame) -> pd.DataFrame:
    """Spearman rank correlation of each parameter with each outcome, per level (the Latin
    hypercube keeps the parameters nearly uncorrelated, so each is read on its own); ``rank`` 1
    is the parameter with the largest absolute correlation."""
    rows = []
    outcomes = [c for c in dict.fromkeys([s.net_cost, *s.outcomes, *s.ratios]) if c in table]
    for level, g in table.groupby("level"):
        for name in outcomes:
            y = np.nan_to_num(g[name].to_numpy(float), nan=np.inf)  # undefined ratio: worst rank
            rows += [{"level": level, "outcome": name, "parameter": key,
                      "spearman": rank_correlation(g[key].to_numpy(float), y)} for key in s.names]
    out = pd.DataFrame(rows, columns=["level", "outcome", "parameter", "spearman"])
    out["rank"] = (out["spearman"].abs().groupby([out["level"], out["outcome"]])
                   .rank(ascending=False, method="first"))
    return out


def structural_table(s: Uncertainty, table: pd.DataFrame) -> pd.DataFrame:
    """How much each structural choice weighs: per level and structural parameter, the worlds
    (given: the plausible ones) in the lowest and the highest third of its draws, with the
    parameter's range there and the medians of the outcomes in each third."""
    rows = []
    outcomes = [c for c in dict.fromkeys([*s.outcomes, s.net_cost, *s.ratios]) if c in table]
    for level, g in table.groupby("level"):
        for key in s.structural:
            x = g[key].to_numpy(float)
            if x.size < 3:
                continue
            low, high = np.quantile(x, [1 / 3, 2 / 3])
            for end, part in (("low", g[x <= low]), ("high", g[x >= high])):
                row = {"level": level, "parameter": key, "end": end, "worlds": len(part),
                       "from": float(part[key].min()), "to": float(part[key].max())}
                for name in outcomes:
                    values = np.nan_to_num(part[name].to_numpy(float), nan=np.inf)
                    row[name] = float(np.quantile(values, 0.5, method="inverted_cdf"))
                rows.append(row)
    return pd.DataFrame(rows, columns=["level", "parameter", "end", "worlds", "from", "to",
                                       *outcomes])


def scenarios_table(s: Uncertainty, table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """PRIM per level on "pays for itself": the box's limits on each parameter it restricts
    (with the draws' full range) and its coverage, density and mass; and the peeling trajectory."""
    from sim.study.prim import find_box

    boxes, paths = [], []
    for level, g in table.groupby("level"):
        y = g["pays_for_itself"].to_numpy(bool)
        X = g[s.names].reset_index(drop=True)
        base = float(y.mean())
        if y.all() or not y.any():
            boxes.append({"level": level, "parameter": "", "low": math.nan, "high": math.nan,
                          "range_low": math.nan, "range_high": math.nan, "coverage": math.nan,
                          "density": math.nan, "mass": math.nan, "base_rate": base,
                          "note": "every world pays for itself" if y.all() else
                          "no world pays for itself"})
            continue
        box, trajectory = find_box(X, y, alpha=s.prim_alpha, min_mass=s.prim_min_mass,
                                   min_coverage=s.prim_min_coverage, tolerance=s.prim_prune)
        paths.append(trajectory.assign(level=level))
        limits = box.restricted(X)
        for key, (lo, hi) in limits.items() or {"": (math.nan, math.nan)}.items():
            boxes.append({"level": level, "parameter": key, "low": lo, "high": hi,
                          "range_low": float(X[key].min()) if key else math.nan,
                          "range_high": float(X[key].max()) if key else math.nan,
                          "coverage": box.coverage, "density": box.density, "mass": box.mass,
                          "base_rate": base, "note": "" if limits else "no restriction helps"})
    trajectory = (pd.concat(paths, ignore_index=True) if paths else
                  pd.DataFrame(columns=["level", "step", "coverage", "density", "mass", "restricted"]))
    return pd.DataFrame(boxes, columns=["level", "parameter", "low", "high", "range_low",
                                        "range_high", "coverage", "density", "mass", "base_rate",
                                        "note"]), trajectory


def analyse(s: Uncertainty, samples: pd.DataFrame, plain: DictConfig) -> dict[str, pd.DataFrame]:
    """Every table of the study from all chunks' samples. Each world is judged against the data
    first (``sim.study.plausible``); the acceptability curve, intervals, drivers and scenarios
    are over the plausible worlds only, ``uncertainty`` keeps every world with its verdict."""
    from sim.study.plausible import match_table, rejections_table

    facts, skipped = judged(s, plain)
    table = draws_table(s, samples, parameter_values(s, plain))
    if facts:
        match = match_table(facts, samples, s.cutoff)
    else:  # cutoff null: every world counts
        match = pd.DataFrame({"draw": np.sort(table["draw"].unique()), "implausibility": 0.0,
                              "plausible": True, "rejected_by": ""})
    table = table.merge(match, on="draw", how="left").sort_values(["level", "draw"])
    table = table.reset_index(drop=True)
    kept = table[table["plausible"]]
    scenarios, trajectory = scenarios_table(s, kept)
    rejections = (rejections_table(facts, skipped, match, s.cutoff) if facts else
                  pd.DataFrame(columns=["fact", "judged", "rejected", "rejected_alone"]))
    return {"uncertainty": table, "acceptability": acceptability_table(s, kept, table[s.cost_effectiveness]),
            "summary": summary_table(s, table, samples), "intervals": intervals_table(s, kept),
            "drivers": drivers_table(s, kept), "scenarios": scenarios,
            "prim_trajectory": trajectory, "rejections": rejections,
            "structural": structural_table(s, kept),
            "parameters": describe_parameters(s, plain)}
