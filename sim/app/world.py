"""What the interactive app shows, without the user interface: the choices offered, the spec of a
live run, a live paired run's state as plain arrays, and the finished sweeps of a world.

Where it sits: the top layer (``sim/app/``), under ``page.py``. It reads the configs through
``sim.study.config`` and runs the model through ``sim.study.paired.paired_months``; nothing here
imports Solara, so it is tested without a browser.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.model.outcomes import real_series, survival_curve
from sim.model.spec import ModelSpec
from sim.report.i18n import N_
from sim.study.config import build_spec, compose_config, group_options, matching_alliances
from sim.study.paired import PairResult

AGENTS = 800  # [agents] about this many per arm in a live run: a coarse scale, for speed
HORIZONS = (1, 5, 10, 20, 30)  # [years] horizons offered for a live run
LIVE_SERIES = ("members", "active", "experienced")
SWEEP_OUTCOMES = {  # outcome -> label of the finished-sweeps chart (a message: translate with _()
    # and fill in {million}, e.g. "M SEK")
    "active_workforce": N_("extra active freelancers"),
    "experienced_workforce": N_("extra experienced freelancers"),
    "public_cost_m": N_("extra net public cost, {million}/year"),
}


@dataclass(frozen=True)
class World:
    """What the user chose: the sector, country, alliance preset and labour market."""

    sector: str = "theatre"
    country: str = "sweden"
    alliance: str = "teateralliansen"
    demand: str = "market"


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


def alliances(sector: str, country: str) -> list[str]:
    """The alliance presets that fit a sector and country: the real ones first, then ``generic``
    (a hypothetical TeaterAlliansen-type alliance, which fits anywhere)."""
    return [*matching_alliances(country, sector), "generic"]


def default_funding(world: World) -> float:
    """The preset's grant (M of the country's currency per year)."""
    return float(compose_config(_world_overrides(world)).alliance.funding_m)


def _world_overrides(world: World) -> dict:
    return {"sector": world.sector, "country": world.country, "alliance": world.alliance,
            "demand": world.demand}


def app_scale(size: float) -> float:
    """People per agent so that a live run has about ``AGENTS`` agents (never below 1)."""
    return float(max(1, round(size / AGENTS)))


def live_spec(world: World, funding_m: float, horizon_years: int) -> ModelSpec:
    """The spec of a live run: the world at a coarse scale (about ``AGENTS`` agents).
    Raises ``ConfigError`` (naming the key) for a bad choice."""
    overrides = {**_world_overrides(world), "alliance.funding_m": float(funding_m),
                 "horizon_years": int(horizon_years)}
    size = float(compose_config(overrides).population.size)
    overrides["population.scale"] = app_scale(size)
    spec, _ = build_spec(compose_config(overrides))
    return spec


@dataclass
class LiveState:
    """A live paired run as the page draws it: plain arrays, copied from the models."""

    phase: str = "idle"  # idle, burn-in, running, done, stopped, error
    month: int = 0  # horizon months simulated so far
    months: int = 0  # horizon months in all
    currency: str = ""
    alliance_label: str = ""
    scale: float = 1.0
    agents: int = 0  # active agents in the baseline arm now
    series: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # arm -> name -> values
    survival: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    message: str = ""
    describes: str = ""  # the world, grant and seed of this run (the controls may have moved on)

    @property
    def progress(self) -> float:
        return 100.0 * self.month / self.months if self.months else 0.0


def snapshot(pair: PairResult, phase: str) -> LiveState:
    """The state of a live pair after its latest month (totals in real people and currency)."""
    spec = pair.baseline.spec
    h0, now = spec.burn_in_months, pair.baseline.month
    series, survival = {}, {}
    for arm, model in pair.arms():
        real = real_series(model)
        arm_series = {name: real[name][h0:now].copy() for name in LIVE_SERIES}
        arm_series["net_cost_cum_m"] = np.cumsum(real["ledger_net_cost"][h0:now]) / 1e6
        arm_series["spend_cum_m"] = np.cumsum(model.ledger.alliance_spend()[h0:now]
                                              * spec.population.scale) / 1e6
        series[arm] = arm_series
        survival[arm] = survival_curve(model.pop.registry, h0, now)
    return LiveState(phase=phase, month=now - h0, months=12 * spec.horizon_years,
                     currency=spec.country.currency, alliance_label=spec.alliance.label,
                     scale=spec.population.scale,
                     agents=int(np.count_nonzero(pair.baseline.pop.active)),
                     series=series, survival=survival,
                     describes=(f"{spec.alliance.label} · {spec.sector.label}, {spec.country.name} · "
                                f"demand={spec.demand.model} · {spec.alliance.funding_m:g} M "
                                f"{spec.country.currency}/year · seed {pair.seed}"))


# ------------------------------------------------------------------------ finished sweeps
def _job_world(job_dir: Path) -> World | None:
    """The world a finished sweep job simulated, from its ``COMPLETE.json``."""
    try:
        config = json.loads((job_dir / "COMPLETE.json").read_text())["config"]
        return World(sector=config["sector"]["name"], country=config["country"]["name"],
                     alliance=config["alliance"]["name"], demand=config["demand"]["model"])
    except (OSError, KeyError, TypeError, ValueError):
        return None


def finished_sweeps(root: Path, world: World) -> list[tuple[str, pd.DataFrame]]:
    """Each aggregated sweep under ``root`` (``results/sweeps``) with its rows for ``world``:
    (folder name, summary rows of the jobs that simulated this world). Sweeps without such a job
    are left out; a folder that cannot be read is skipped."""
    out = []
    for path in sorted(Path(root).glob("*/aggregate/summary.parquet")):
        folder = path.parent.parent
        try:
            summary = pd.read_parquet(path)
        except (OSError, ValueError):
            continue
        jobs = [job for job in summary["job"].unique() if _job_world(folder / job) == world]
        rows = summary[summary["job"].isin(jobs)]
        if not rows.empty:
            out.append((folder.name, rows.reset_index(drop=True)))
    return out


def funding_effects(rows: pd.DataFrame) -> pd.DataFrame | None:
    """Effect against funding (with the 95% CI) for the chart's outcomes, or None if funding
    was not swept (fewer than two levels)."""
    if "alliance.funding_m" not in rows or rows["alliance.funding_m"].nunique() < 2:
        return None
    keep = rows[rows["outcome"].isin(SWEEP_OUTCOMES)]
    cols = ["alliance.funding_m", "outcome", "effect", "effect_ci_low", "effect_ci_high", "n_seeds"]
    return keep[cols].sort_values(["outcome", "alliance.funding_m"]).reset_index(drop=True)


def nearest_level(rows: pd.DataFrame, funding_m: float) -> pd.DataFrame:
    """The headline effects of the job nearest to ``funding_m`` (the whole sweep if funding was
    not swept), one row per job and outcome."""
    if "alliance.funding_m" in rows and rows["alliance.funding_m"].notna().all():
        levels = rows["alliance.funding_m"].astype(float)
        nearest = levels.iloc[int(np.argmin(np.abs(levels.to_numpy() - funding_m)))]
        rows = rows[levels == nearest]
    return rows[rows["outcome"].isin(SWEEP_OUTCOMES)].reset_index(drop=True)


def level_name(rows: pd.DataFrame) -> str:
    """A sweep job by its swept keys (``alliance.funding_m=40, demand=market``): the summary's
    columns between ``job`` and ``outcome``."""
    cols = list(rows.columns)
    swept = [c for c in cols[:cols.index("outcome")] if c not in ("job", "study", "represents")]
    values = {key: rows[key].iloc[0] for key in swept}
    return ", ".join(f"{key}={fmt(v) if isinstance(v, float) else v}" for key, v in values.items())


def fmt(value: float, digits: int = 3) -> str:
    """A number for the page: three significant digits, thousands separated."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"

