"""Charts of the interactive app: a live paired run (four panels) and the finished sweeps of a world
(effect against funding with its 95% CI). Every title and legend names the policy as its
description does (``sim.report.description.named``: ``{policy}``, ``{Policy}``).

Where it sits: the top layer, drawn by ``page.py`` from ``view.LiveState`` and the sweep tables
of ``view.py``. Figures are built with ``matplotlib.figure.Figure`` (no pyplot state), so the run's
thread and the page never share a figure; the colours are the reports' (``sim.report.charts``).
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.app.view import SWEEP_OUTCOMES, LiveState
from sim.report.charts import ARM_COLOURS
from sim.report.description import EMPTY, named
from sim.report.i18n import N_, _, localise_axes, localise_number, million

LABELS = {"baseline": N_("without {policy}"), "policy": N_("with {policy}")}  # messages
TITLE_WIDTH = 52  # [characters] a live panel's title wraps beyond this
WIDTHS = {"baseline": 2.6, "policy": 1.3}  # the baseline drawn wider, so it shows where they meet


def live_figure(state: LiveState) -> Figure:
    """The people the policy supports (its description's ``reach``), active workforce, cohort
    survival and the public ledger of both arms so far."""
    fig = Figure(figsize=(11, 6.4), layout="constrained")
    axes = fig.subplots(2, 2)
    years = np.arange(1, state.month + 1) / 12  # each month at its end
    base, pol = state.series.get("baseline", {}), state.series.get("policy", {})
    d = state.policy or EMPTY
    cur, who = state.currency, named(d)

    ax = axes[0, 0]
    reach = pol.get("reach")
    if reach is not None:
        ax.plot(years, reach, color=ARM_COLOURS["policy"])
    if reach is not None and state.month and d.get("reach_words"):
        ax.set_title(_("{Policy} {reach}").format(
            reach=_(d["reach_words"]).format(n=localise_number(f"{reach[-1]:,.0f}")), **who))
    elif pol and reach is None:  # a description that names no count of the people supported
        ax.set_title(_("{Policy} names no count of the people it supports").format(**who))
    else:
        ax.set_title(_("People {policy} supports").format(**who))
    ax.set(xlabel=_("years into the horizon"), ylabel=_("people"))
    ax.set_ylim(0, 1.15 * max(1.0, float(reach.max())) if reach is not None and state.month
                else 1)

    ax = axes[0, 1]  # all entrants arrive in January: the monthly count steps up each year, so
    # the month-by-month values are thin and faint, their mean of the last 12 months the lines
    for arm, values in (("baseline", base), ("policy", pol)):
        if values:
            ax.plot(years, values["active"], color=ARM_COLOURS[arm], linewidth=0.7, alpha=0.35)
            ax.plot(years, values["active_mean"], color=ARM_COLOURS[arm],
                    label=_(LABELS[arm]).format(**who), linewidth=WIDTHS[arm])
    if base and state.month:
        gap = pol["active_mean"][-1] - base["active_mean"][-1]
        ax.set_title(_("Active freelancers, mean of the last 12 months (with {policy} {gap} "
                       "now)").format(gap=localise_number(f"{gap:+,.0f}"), **who))
    else:
        ax.set_title(_("Active freelancers, mean of the last 12 months"))
    ax.set(xlabel=_("years into the horizon"), ylabel=_("people"))
    if base:  # one legend for both arms, above the panels
        fig.legend(*ax.get_legend_handles_labels(), loc="outside upper center", ncols=2,
                   frameon=False)

    ax = axes[1, 0]
    for arm in ("baseline", "policy"):
        if arm in state.survival:
            k, share = state.survival[arm]
            ok = ~np.isnan(share)
            if ok.any():
                ax.plot(k[ok], share[ok], marker="o", color=ARM_COLOURS[arm],
                        linewidth=WIDTHS[arm], markersize=2.5 * WIDTHS[arm])
    ax.set(xlabel=_("years since entry"), ylabel=_("share still active"), ylim=(0, 1.02),
           title=_("Cohort survival: entrants of the horizon still in the profession"))

    ax = axes[1, 1]
    if base and state.month:
        extra = pol["net_cost_cum_m"] - base["net_cost_cum_m"]
        ax.plot(years, pol["spend_cum_m"], color=ARM_COLOURS["policy"], linestyle="--",
                label=_("spending by {policy}").format(**who))
        ax.plot(years, extra, color="black",
                label=_("extra net public cost (with {policy} − without)").format(**who))
        ax.axhline(0, color="grey", linewidth=0.8)
        ax.legend(frameon=False, loc="best", fontsize="small")
        ax.set_title(_("Public ledger, cumulative: extra net cost {cost} {million}").format(
            cost=localise_number(f"{extra[-1]:,.0f}"), million=million(cur)))
    else:
        ax.set_title(_("Public ledger, cumulative"))
    ax.set(xlabel=_("years into the horizon"), ylabel=million(cur))
    for ax in axes.flat:  # a long title (Swedish, Norwegian) takes two lines, not its neighbour's
        ax.set_title(textwrap.fill(ax.get_title(), TITLE_WIDTH), fontsize=10.5)
    localise_axes(fig)
    return fig


def sweep_figure(effects: pd.DataFrame, funding_m: float, currency: str, title: str) -> Figure:
    """Effect against funding for each outcome of ``SWEEP_OUTCOMES`` with its 95% CI; a dotted
    line marks the funding chosen on the page."""
    fig = Figure(figsize=(11, 3.2), layout="constrained")
    axes = fig.subplots(1, len(SWEEP_OUTCOMES))
    for ax, (outcome, label) in zip(axes, SWEEP_OUTCOMES.items(), strict=True):
        rows = effects[effects["outcome"] == outcome]
        x = rows["policy.funding_m"].astype(float)
        ax.plot(x, rows["effect"], marker="o", color=ARM_COLOURS["policy"])
        ax.fill_between(x, rows["effect_ci_low"], rows["effect_ci_high"],
                        color=ARM_COLOURS["policy"], alpha=0.25, linewidth=0)
        ax.axhline(0, color="grey", linewidth=0.8)
        ax.axvline(funding_m, color="black", linestyle=":", linewidth=1)
        ax.set(xlabel=_("funding, {million}/year").format(million=million(currency)),
               title=_(label).format(million=million(currency)))
    fig.suptitle(title, fontsize=10)
    localise_axes(fig)
    return fig
