"""What the interactive app shows, without the user interface: the choices offered, the spec of a
live run, a live paired run's state as plain arrays, and the finished sweeps of a world.

Where it sits: the top layer (``sim/app/``), under ``page.py``. It reads the configs through
``sim.run.config`` and runs the model through ``sim.run.paired.paired_months``; nothing here
imports Solara, so it is tested without a browser.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.model import tables
from sim.model.core.params import ConfigError
from sim.model.core.recorder import SERIES as CORE_SERIES
from sim.model.outcomes import real_series, survival_curve
from sim.model.spec import ModelSpec
from sim.report.description import label_words, title_words
from sim.report.i18n import N_, _
from sim.report.words import ASSUMPTION_WORDS, SCENARIO_WORDS, demand_words, scenario_words
from sim.run.config import alliance_homes, build_spec, group_options
from sim.run.config import compose_config as _compose_config
from sim.run.paired import PairResult

log = logging.getLogger("sim.app")
_HYDRA = threading.RLock()  # Hydra's composition is global state: one at a time (the pages and
# the live runs of every browser session compose from their own threads)


def compose_config(overrides):
    """``sim.run.config.compose_config``, one call at a time."""
    with _HYDRA:
        return _compose_config(overrides)

AGENTS = 800  # [agents] about this many per arm in a live run: a coarse scale, for speed
HORIZONS = (1, 5, 10, 20, 30)  # [years] horizons offered for a live run
LIVE_SERIES = ("active", "experienced")  # the core's; with the policy's reach series (``reach``)
SMOOTH_MONTHS = 12  # [months] the live chart's active freelancers: mean of the last 12 months,
# so the yearly entry cohort (all entrants arrive in January) is no step
SWEEP_OUTCOMES = {  # outcome -> label of the finished-sweeps chart (a message: translate with _()
    # and fill in {million}, e.g. "M SEK")
    "active_workforce": N_("extra active freelancers"),
    "experienced_workforce": N_("extra experienced freelancers"),
    "public_cost_m": N_("extra net public cost, {million}/year"),
}


@dataclass(frozen=True)
class World:
    """What the user chose: the sector, country, policy preset and labour market."""

    sector: str = "theatre"
    country: str = "sweden"
    policy: str = field(default_factory=lambda: default_option("policy"))  # config.yaml's
    demand: str = "market"


def default_option(group: str) -> str:
    """The option ``configs/config.yaml`` chooses for a config group."""
    from sim.report.brief import default_option as chosen

    return str(chosen(group))


def sectors() -> list[str]:
    return group_options("sector") or []


def countries() -> list[str]:
    return group_options("country") or []


def demands() -> list[str]:
    return group_options("demand") or []


@functools.cache
def currency(country: str) -> str:
    """The country preset's currency (SEK, NOK)."""
    return str(compose_config({"country": country}).country.currency)


# The choices in words, in the current language (``sim.report.i18n.language``): the labels the
# configs give (``sector.label``, ``policy.label``, the country's name) and the briefs' words
# for the labour market. The controls keep the config values; users see these.
@functools.cache
def _labels(group: str, name: str, context: tuple = ()) -> str:
    cfg = compose_config({**dict(context), group: name})
    return str(cfg[group].get("label") or name)


def sector_label(sector: str) -> str:
    return _(_labels("sector", sector))


def country_label(country: str) -> str:
    return _(country.title())  # as the briefs name it (sim.report.format.country_name)


@functools.cache
def description(policy: str, sector: str, country: str) -> dict | None:
    """What the policy preset ``policy`` says of itself in that world (``Policy.describe``, as
    data: ``sim.report.description``); None when it cannot run there (its ``check_world``, or
    any other check of the config, refuses the world)."""
    from sim.report.description import as_data

    try:
        with _HYDRA:
            spec, _run = build_spec(compose_config({"sector": sector, "country": country,
                                                    "policy": policy}))
    except ConfigError as err:
        if err.key not in ("sector", "country"):  # not a world it does not belong to: say why
            log.warning("the policy preset %s is not offered for %s in %s: %s", policy, sector,
                        country, err)
        return None
    return as_data(spec.policy.describe(spec))


def policy_label(policy: str, sector: str, country: str) -> str:
    """The short name the preset describes itself by, in the current language; its config
    name when it cannot run in that world."""
    described = description(policy, sector, country)
    return label_words(described) if described else policy


def policy_help(policy: str, sector: str, country: str) -> str:
    """What the preset is, as its description says, in the current language: its title when
    that says more than its label (``Working grants (Konstnärsnämnden)``, ``... (hypothetical
    grant)``), then its kind of instrument."""
    d = description(policy, sector, country)
    if not d:
        return ""
    kind = _(d["kind"]) if d.get("kind") else ""
    title = title_words(d)
    if title and title != label_words(d):
        return _("{title}: {kind}").format(title=title, kind=kind) if kind else title
    return kind[:1].upper() + kind[1:]


def demand_label(demand: str) -> str:
    return demand_words(demand)


def policies(sector: str, country: str) -> list[str]:
    """The policy presets that can run in a sector and country, from the config files: each
    preset whose config declares a country and sectors that include this world (the real
    alliances), then those that declare fewer (none: they run anywhere), each in name order;
    a preset is offered only when the world passes its checks (``Policy.check_world``, e.g. a
    preset with rules per country needs this country's)."""
    fits = []
    for name, (home, home_sectors) in _homes():
        if home is not None and home != country:
            continue
        if home_sectors is not None and sector not in home_sectors:
            continue
        declared = (home is not None) + (home_sectors is not None)
        fits.append((-declared, name))
    return [name for _declared, name in sorted(fits)
            if description(name, sector, country) is not None]


@functools.cache
def _homes() -> tuple[tuple[str, tuple[str | None, tuple[str, ...] | None]], ...]:
    """Each policy preset's country and sectors as its config file declares them (None: any),
    read once per server (``sim.run.config.alliance_homes`` composes every preset)."""
    with _HYDRA:
        return tuple(alliance_homes().items())


def default_funding(world: World) -> float:
    """The preset's grant (M of the country's currency per year)."""
    return float(compose_config(_world_overrides(world)).policy.funding_m)


def _world_overrides(world: World) -> dict:
    return {"sector": world.sector, "country": world.country, "policy": world.policy,
            "demand": world.demand}


def app_scale(size: float) -> float:
    """People per agent so that a live run has about ``AGENTS`` agents (never below 1)."""
    return float(max(1, round(size / AGENTS)))


def typed(text) -> int | float | str:
    """What the command line makes of ``key=<text>`` for a number typed into a field: an integer
    or a decimal number as Hydra reads it, anything else a string (which the config's checks then
    refuse, naming the key, the value and what is allowed)."""
    text = str(text).strip()
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?", text):
        return float(text)
    return text


def live_spec(world: World, funding_m, horizon_years, seed=0) -> tuple[ModelSpec, int]:
    """The spec and first seed of a live run: the world at a coarse scale (about ``AGENTS``
    agents). Every value, the typed seed included, goes through the checks the command line
    uses (``compose_config`` and ``build_spec``); a bad one raises their ``ConfigError``,
    naming the key, the value and what is allowed."""
    overrides = {**_world_overrides(world), "policy.funding_m": typed(funding_m),
                 "horizon_years": typed(horizon_years), "seed": typed(seed)}
    size = float(compose_config(overrides).population.size)
    overrides["population.scale"] = app_scale(size)
    spec, run = build_spec(compose_config(overrides))
    return spec, run.seed


@dataclass
class LiveState:
    """A live paired run as the page draws it: plain arrays, copied from the models."""

    phase: str = "idle"  # idle, preparing, burn-in, running, done, stopped, error
    month: int = 0  # horizon months simulated so far
    months: int = 0  # horizon months in all
    currency: str = ""
    policy: dict = field(default_factory=dict)  # the policy's description (as data)
    scale: float = 1.0
    agents: int = 0  # active agents in the baseline arm now
    series: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # arm -> name -> values
    survival: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    message: str = ""
    world: World | None = None  # what this run simulates (the controls may have moved on)
    funding_m: float = 0.0
    seed: int = 0

    @property
    def progress(self) -> float:
        return 100.0 * self.month / self.months if self.months else 0.0

    def describes(self) -> str:
        """The world, grant and seed of this run in words, in the current language."""
        if self.world is None:
            return ""
        w = self.world
        return (f"{label_words(self.policy)} · {sector_label(w.sector)}, "
                f"{country_label(w.country)} · {demand_label(w.demand)} · "
                f"{scenario_words('policy.funding_m', self.funding_m, self.currency)} · "
                f"{_('Seed')} {self.seed}")


def smoothed(values: np.ndarray, months: int = SMOOTH_MONTHS) -> np.ndarray:
    """The mean of the last ``months`` values at each month (of fewer at the start)."""
    total = np.cumsum(np.asarray(values, dtype=float))
    before = np.concatenate([np.zeros(months), total[:-months]])[:total.size]
    count = np.minimum(np.arange(1, total.size + 1), months)
    return (total - before) / count


def reach_series(reach: str, spec: ModelSpec) -> str | None:
    """The recorder's monthly series that counts the people a policy supports, picked by its
    description's ``reach`` outcome (whose horizon mean it is): among the policy's own level
    series (``sim.model.tables``: the recorder's series beyond the core's, that are stocks), the
    one named as the outcome (``grant_holders``), else the longest that ends the outcome's
    name after an underscore (the alliance's ``alliance_members`` is the mean of its
    ``members``). None when the description names no reach or no series fits."""
    if not reach:
        return None
    own = [name for name in tables.series(spec)
           if name not in CORE_SERIES and name in tables.stocks(spec)]
    if reach in own:
        return reach
    fits = [name for name in own if reach.endswith("_" + name)]
    return max(fits, key=len) if fits else None


def snapshot(pair: PairResult, phase: str, world: World | None = None) -> LiveState:
    """The state of a live pair of ``world`` after its latest month (totals in real people and
    currency); what it knows of the policy is the policy's description (its ``reach`` picks the
    series of the people it supports, ``reach_series``)."""
    from sim.report.description import as_data

    spec = pair.baseline.spec
    policy = as_data(spec.policy.describe(spec))
    reach = reach_series(policy["reach"], spec)
    h0, now = spec.burn_in_months, pair.baseline.month
    lead = min(h0, SMOOTH_MONTHS - 1)  # burn-in months the first means reach back to
    series, survival = {}, {}
    for arm, model in pair.arms():
        real = real_series(model)
        arm_series = {name: real[name][h0:now].copy() for name in LIVE_SERIES}
        if reach is not None:
            arm_series["reach"] = real[reach][h0:now].copy()
        arm_series["active_mean"] = smoothed(real["active"][h0 - lead:now])[lead:]
        arm_series["net_cost_cum_m"] = np.cumsum(real["ledger_net_cost"][h0:now]) / 1e6
        arm_series["spend_cum_m"] = np.cumsum(model.ledger.policy_spend()[h0:now]
                                              * spec.population.scale) / 1e6
        series[arm] = arm_series
        survival[arm] = survival_curve(model.pop.registry, h0, now)
    return LiveState(phase=phase, month=now - h0, months=12 * spec.horizon_years,
                     currency=policy["currency"], policy=policy,
                     scale=spec.population.scale,
                     agents=int(np.count_nonzero(pair.baseline.pop.active)),
                     series=series, survival=survival, world=world,
                     funding_m=float(spec.policy.funding_m),  # the key policy.funding_m
                     seed=int(pair.seed))


# ------------------------------------------------------------------------ finished sweeps
def _job_world(job_dir: Path) -> World | None:
    """The world a finished sweep job simulated, from its ``COMPLETE.json``."""
    try:
        config = json.loads((job_dir / "COMPLETE.json").read_text())["config"]
        return World(sector=config["sector"]["name"], country=config["country"]["name"],
                     policy=config["policy"]["name"], demand=config["demand"]["model"])
    except (OSError, KeyError, TypeError, ValueError):
        return None


SUMMARY_COLUMNS = ("job", "outcome", "effect", "effect_ci_low", "effect_ci_high", "n_seeds")


class SweepUnreadable(ValueError):
    """A sweep's ``aggregate/summary.parquet`` is not the table ``aggregate`` writes."""


def _summary(path: Path) -> pd.DataFrame:
    """A sweep's summary table, checked to be what ``python -m sim.aggregate`` writes: the
    columns the page reads, numbers where it draws numbers, job names that are folder names."""
    summary = pd.read_parquet(path)
    missing = [c for c in SUMMARY_COLUMNS if c not in summary.columns]
    if missing:
        raise SweepUnreadable(f"columns missing: {', '.join(missing)}")
    numbers = [c for c in (*SUMMARY_COLUMNS[2:], "policy.funding_m") if c in summary.columns]
    for column in numbers:
        summary[column] = pd.to_numeric(summary[column], errors="raise")
    cols = list(summary.columns)
    if "outcome" in cols[:cols.index("job")]:
        raise SweepUnreadable("the column outcome comes before job")
    for job in summary["job"].unique():
        if not isinstance(job, str) or not job or job in (".", "..") or "/" in job or "\\" in job:
            raise SweepUnreadable(f"job {job!r} is not the name of a folder of the sweep")
    return summary


def read_sweeps(root: Path, world: World) -> tuple[list[tuple[str, pd.DataFrame]], list[str]]:
    """Each aggregated sweep under ``root`` (``results/sweeps``) with its rows for ``world``:
    (folder name, summary rows of the jobs that simulated this world); sweeps without such a
    job are left out. Second: the names of sweeps whose summary cannot be read, whatever their
    world; why is logged to the server's log (the page says only which)."""
    found, broken = [], []
    for path in sorted(Path(root).glob("*/aggregate/summary.parquet")):
        folder = path.parent.parent
        try:
            summary = _summary(path)
            jobs = [job for job in summary["job"].unique() if _job_world(folder / job) == world]
        except Exception:  # noqa: BLE001 - any broken file: one line on the page, all in the log
            log.warning("the finished sweep %s cannot be shown: %s cannot be read", folder.name,
                        path, exc_info=True)
            broken.append(folder.name)
            continue
        rows = summary[summary["job"].isin(jobs)]
        if not rows.empty:
            found.append((folder.name, rows.reset_index(drop=True)))
    return found, broken


def finished_sweeps(root: Path, world: World) -> list[tuple[str, pd.DataFrame]]:
    """The sweeps of ``read_sweeps`` that can be read."""
    return read_sweeps(root, world)[0]


def funding_effects(rows: pd.DataFrame) -> pd.DataFrame | None:
    """Effect against funding (with the 95% CI) for the chart's outcomes, or None if funding
    was not swept (fewer than two levels)."""
    if "policy.funding_m" not in rows or rows["policy.funding_m"].nunique() < 2:
        return None
    keep = rows[rows["outcome"].isin(SWEEP_OUTCOMES)]
    cols = ["policy.funding_m", "outcome", "effect", "effect_ci_low", "effect_ci_high", "n_seeds"]
    return keep[cols].sort_values(["outcome", "policy.funding_m"]).reset_index(drop=True)


def nearest_level(rows: pd.DataFrame, funding_m: float) -> pd.DataFrame:
    """The headline effects of the job nearest to ``funding_m`` (the whole sweep if funding was
    not swept), one row per job and outcome."""
    if "policy.funding_m" in rows and rows["policy.funding_m"].notna().all():
        levels = rows["policy.funding_m"].astype(float)
        nearest = levels.iloc[int(np.argmin(np.abs(levels.to_numpy() - funding_m)))]
        rows = rows[levels == nearest]
    return rows[rows["outcome"].isin(SWEEP_OUTCOMES)].reset_index(drop=True)


def level_name(rows: pd.DataFrame, currency: str = "") -> str:
    """A sweep job by its swept keys in words, in the current language (``a grant of 40 million
    SEK a year, a shared pool of roles``; a key without words as ``key = value``): the summary's
    columns between ``job`` and ``outcome``."""
    cols = list(rows.columns)
    swept = [c for c in cols[:cols.index("outcome")] if c not in ("job", "experiment", "represents")]
    values = {key: rows[key].iloc[0] for key in swept}
    worded = set(SCENARIO_WORDS) | set(ASSUMPTION_WORDS)  # these format their numbers
    return ", ".join(scenario_words(key, v if key in worded or not isinstance(v, float)
                                    else fmt(v), currency) for key, v in values.items())


def fmt(value: float, digits: int = 3) -> str:
    """A number for the page: three significant digits, thousands separated."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"

