"""Charts of a comparison (matplotlib, headless). Called by the CLI after the runs.

Colours are the Okabe-Ito colour-blind-safe palette; bands are 95% t intervals over seeds.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.model.core.ledger import FLOWS  # noqa: E402
from sim.study.io import atomic_write  # noqa: E402
from sim.study.stats import mean_ci  # noqa: E402

ARM_COLOURS = {"baseline": "#0072B2", "alliance": "#D55E00"}
PART_COLOURS = ["#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#F0E442", "#0072B2", "#999999"]


def _save(fig, path: Path) -> Path:
    atomic_write(path, lambda p: fig.savefig(p, dpi=120, bbox_inches="tight", format="png"))
    plt.close(fig)
    return path


def bands(df: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """Mean and 95% t interval of ``y`` over seeds, per value of ``x``."""
    rows = []
    for key, group in df.groupby(x):
        mean, lo, hi, _ = mean_ci(group[y].to_numpy())
        rows.append((key, mean, lo, hi))
    return pd.DataFrame(rows, columns=[x, "mean", "lo", "hi"])


def survival_chart(survival: pd.DataFrame, path: Path, note: str) -> Path:
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for arm, colour in ARM_COLOURS.items():
        band = bands(survival[survival["arm"] == arm].dropna(), "years_since_entry",
                      "share_active")
        ax.plot(band["years_since_entry"], band["mean"], color=colour, label=arm)
        ax.fill_between(band["years_since_entry"], band["lo"], band["hi"], color=colour,
                        alpha=0.25, linewidth=0)
    at10 = survival[survival["years_since_entry"] == 10].groupby("arm")["share_active"].mean()
    title = "Share of each entry cohort still in the profession"
    if {"baseline", "alliance"} <= set(at10.index):
        title = (f"After 10 years {at10['alliance']:.1%} of entrants remain with the alliance, "
                 f"{at10['baseline']:.1%} without")
    ax.set(xlabel="years since entry", ylabel="share of entrants still active", title=title,
           ylim=(0, 1))
    ax.legend(frameon=False)
    fig.text(0.01, -0.04, note, fontsize=7, ha="left", va="top")
    return _save(fig, path)


COST_PARTS = {  # chart label -> ledger flows; every flow of FLOWS exactly once
    "grant (net of returns)": ("grant", "grant_returned"),
    "income tax": ("income_tax",),
    "contributions": ("contributions",),
    "leavers' taxes outside the sector": ("leavers_tax",),
    "unemployment benefit": ("unemployment_benefit",),
    "parental benefit": ("parental_benefit",),
    "sickness benefit, care, pension fees on benefits": ("sickness_benefit", "health_care",
                                                         "benefit_pension_contributions"),
}


def public_cost_chart(timeseries: pd.DataFrame, path: Path, currency: str, note: str) -> Path:
    """Yearly change in net public cost (alliance minus baseline), split into its parts."""
    yearly = timeseries.groupby(["seed", "arm", "year", "variable"], as_index=False)["value"].sum()
    wide = yearly.pivot_table(index=["seed", "year", "variable"], columns="arm",
                              values="value").reset_index()
    wide["diff"] = wide["alliance"] - wide["baseline"]
    diff = wide.groupby(["year", "variable"])["diff"].mean().unstack("variable") / 1e6
    years = diff.index.to_numpy()
    fig, ax = plt.subplots(figsize=(7.5, 4.4))
    pos, neg = np.zeros(len(years)), np.zeros(len(years))
    for (label, flows), colour in zip(COST_PARTS.items(), PART_COLOURS, strict=True):
        values = sum(FLOWS[f][0] * diff[f"ledger_{f}"].to_numpy() for f in flows)
        bottom = np.where(values >= 0, pos, neg)
        ax.bar(years, values, bottom=bottom, color=colour, label=label, width=0.85)
        pos += np.maximum(values, 0)
        neg += np.minimum(values, 0)
    net = bands(wide[wide["variable"] == "ledger_net_cost"].assign(d=lambda d: d["diff"] / 1e6),
                 "year", "d")
    ax.plot(net["year"], net["mean"], color="black", marker=".", label="net public cost")
    ax.fill_between(net["year"], net["lo"], net["hi"], color="black", alpha=0.15, linewidth=0)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set(xlabel="year of the horizon", ylabel=f"million {currency} per year (alliance - baseline)",
           title=f"Net public cost of the alliance: {net['mean'].mean():+.1f} M {currency}/year "
                 "on average, after what flows back")
    ax.legend(frameon=False, fontsize=7, ncol=2)
    fig.text(0.01, -0.04, note, fontsize=7, ha="left", va="top")
    return _save(fig, path)
