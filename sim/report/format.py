"""Helpers every report shares: numbers and intervals in words, a sweep's rows and world, and
saving a chart the way briefs embed it.

Where it sits: the report layer (``sim/report/``), below the briefs that use it
(``brief.py``, ``compare.py``, ``uncertainty.py``); it imports the report's words and i18n and
the study layer's I/O only, so no brief imports another's private helpers.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sim.report.charts import readable_in_print  # noqa: E402
from sim.report.description import of_marker  # noqa: E402
from sim.report.document import tagged  # noqa: E402
from sim.report.i18n import _, localise_axes, number  # noqa: E402
from sim.report.words import includes_zero, interval, rounded  # noqa: E402
from sim.run.io import atomic_write  # noqa: E402


def save_chart(fig, out: Path, stem: str) -> Path:
    """Save ``fig`` as ``out/<stem>[.<lang>].png`` and ``.svg`` (each language's charts beside
    the others', ``sim.report.document.tagged``), localised and readable in print; the PNG's
    path."""
    localise_axes(fig)
    readable_in_print(fig)
    for fmt in ("png", "svg"):
        atomic_write(out / tagged(f"{stem}.{fmt}"),
                     lambda p, f=fmt: fig.savefig(p, dpi=120, bbox_inches="tight", format=f))
    plt.close(fig)
    return out / tagged(f"{stem}.png")


def sweep_world(sweep) -> tuple[dict, dict, dict]:
    """The policy's description (``sim.report.description``) and the sector and country blocks
    of the first job's marker (world parameters; a report never reads a rule's parameters, which
    depend on the rule chosen, nor the policy's but through its description)."""
    cfg = sweep.markers[0].get("config") or {}
    return (of_marker(sweep.markers[0]), *(cfg.get(block) or {} for block in ("sector", "country")))


def country_name(country: dict) -> str:
    """The country's name in the brief's language (``sweden`` -> Sweden / Sverige / Sverige)."""
    return _(str(country.get("name", "its country")).title())


def summary_rows(sweep, outcome: str, arm: str = "effect") -> pd.DataFrame:
    """A sweep's summary rows of ``outcome``, with ``mean``, ``lo`` and ``hi`` of ``arm``."""
    rows = sweep.summary[sweep.summary["outcome"] == outcome]
    return rows.assign(mean=rows[arm], lo=rows[f"{arm}_ci_low"], hi=rows[f"{arm}_ci_high"])


def effect_of(sweep, outcome, job=None, arm="effect") -> tuple[float, float, float]:
    """(mean, 95% CI low, high) of ``outcome`` in ``job``; NaNs where the job has no such
    outcome (a policy's own outcome in another policy's job)."""
    r = summary_rows(sweep, outcome, arm)
    r = r if job is None else r[r["job"] == job]
    if r.empty:
        return math.nan, math.nan, math.nan
    return float(r["mean"].iloc[0]), float(r["lo"].iloc[0]), float(r["hi"].iloc[0])


def readable_number(x: float, digits: int = 2) -> str:
    """A number for a reader: two significant figures (three from 100), separators."""
    if x is None or not math.isfinite(x):
        return _("n/a")
    return rounded(x, 3 if abs(x) >= 100 else digits)


def ci_words(mean: float, lo: float, hi: float, scale: float = 1.0, unit: str = "") -> str:
    """Mean and 95% CI rounded alike, to the interval's width (sim/report/words.py)."""
    return interval(mean * scale, lo * scale, hi * scale, unit)


def zero_note(lo: float, hi: float) -> str:
    """The words a headline or title adds when its 95% CI includes zero."""
    return _("; the 95% CI includes zero") if includes_zero(lo, hi) else ""


def grant_level(level: float) -> str:
    """A funding level (``40``, ``12.5``) in the current language's notation."""
    return number(level, 0 if float(level).is_integer() else 1)
