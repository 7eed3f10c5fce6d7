"""Charts of a comparison (matplotlib, headless). Called by the CLI after the runs.

Colours are the Okabe-Ito colour-blind-safe palette; bands are 95% t intervals over seeds.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.model.core.ledger import FLOWS  # noqa: E402
from sim.report.i18n import N_, _, localise_axes, million  # noqa: E402
from sim.run.io import atomic_write  # noqa: E402
from sim.study.stats import mean_ci  # noqa: E402

ARM_COLOURS = {"baseline": "#0072B2", "policy": "#D55E00"}
EFFECT_COLOUR = "#009E73"  # paired effects (alliance minus baseline), a colour of neither arm
PART_COLOURS = ["#E69F00", "#882255", "#56B4E9", "#009E73", "#CC79A7", "#F0E442", "#0072B2", "#999999",
                "#44AA99"]


# A brief prints on A4 with 16 mm margins left and right (sim/report/document.py): a chart is
# scaled to the 7.0 in between them, so a chart this wide prints its text at the size it sets.
PRINT_WIDTH_IN = 6.9
A4_TEXT_WIDTH_IN = 7.0
MIN_PRINT_PT = 8.0


def wrapped(text: str, width: int) -> str:
    """``text`` in lines of at most ``width`` characters for a chart's title, never breaking a
    number from its per cent sign ("95 %" in Swedish and Norwegian)."""
    return textwrap.fill(text.replace(" %", "\u00a0%"), width)


def printed_sizes(fig) -> tuple[float, float]:
    """(width of the saved chart in inches, its smallest font size in points), as saved with
    ``bbox_inches="tight"``; printed on A4 a font prints at ``size * 7.0 / width`` points when the
    chart is wider than the page's text."""
    from matplotlib.text import Text

    if not hasattr(fig.canvas, "get_renderer"):  # a closed figure
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    fig.canvas.draw()
    width = fig.get_tightbbox(fig.canvas.get_renderer()).width
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return width, min(sizes, default=math.inf)


def smallest_printed_pt(fig) -> float:
    """The size in points at which the smallest text of ``fig`` prints on A4: saved at 120 dpi,
    a chart inch is 1.25 in on the page until the chart fills the 7.0 in of text width."""
    width, smallest = printed_sizes(fig)
    return smallest * min(1.25, A4_TEXT_WIDTH_IN / width)


def readable_in_print(fig) -> None:
    """Every text of ``fig`` large enough to print at 8 pt or more on A4 (``MIN_PRINT_PT``).
    Only for a chart laid out for the page's width (``PRINT_WIDTH_IN``): larger text in a wider
    chart would crowd its panels, so such a chart is left as it is."""
    from matplotlib.text import Text

    if fig.get_size_inches()[0] > PRINT_WIDTH_IN + 0.05:
        return

    width, _smallest = printed_sizes(fig)
    floor = MIN_PRINT_PT * max(width, A4_TEXT_WIDTH_IN) / A4_TEXT_WIDTH_IN * 1.04
    for ax in fig.axes:
        ax.tick_params(labelsize=max(floor, ax.xaxis.get_ticklabels()[0].get_fontsize()
                                     if ax.xaxis.get_ticklabels() else floor))
    for text in fig.findobj(Text):
        if text.get_fontsize() < floor:
            text.set_fontsize(floor)


def _save(fig, path: Path) -> Path:
    localise_axes(fig)
    atomic_write(path, lambda p: fig.savefig(p, dpi=120, bbox_inches="tight", format="png"))
    plt.close(fig)
    return path


def bands(df: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """Mean and 95% t interval of ``y`` over seeds, per value of ``x``."""
    rows = []
    for key, group in df.groupby(x):
        mean, lo, hi, _n = mean_ci(group[y].to_numpy())
        rows.append((key, mean, lo, hi))
    return pd.DataFrame(rows, columns=[x, "mean", "lo", "hi"])


def paired_bands(df: pd.DataFrame, x: str, y: str = "value") -> pd.DataFrame:
    """Mean and 95% t interval over seeds of the paired difference alliance minus baseline of
    ``y`` per value of ``x`` (the same seed in both arms: common random numbers)."""
    wide = df.pivot_table(index=["seed", x], columns="arm", values=y).reset_index()
    if not {"policy", "baseline"} <= set(wide.columns):
        return pd.DataFrame(columns=[x, "mean", "lo", "hi"])
    wide["d"] = wide["policy"] - wide["baseline"]
    return bands(wide.dropna(subset=["d"]), x, "d")


def survival_chart(survival: pd.DataFrame, path: Path, note: str, policy: dict | None = None,
                   title: str | None = None) -> Path:
    """Cohort survival by arm (left) and its paired difference with a 95% CI (right): the arms'
    curves nearly coincide, so the difference gets its own axis. ``policy``: its description
    (``sim.report.description``), which names it; ``title``: the brief's headline on ten-year
    retention (``sim.report.run_brief.run_chart_titles``; None: what the chart shows)."""
    from sim.report.description import EMPTY, named

    who = named(policy or EMPTY)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
    data = survival.dropna(subset=["share_active"])
    for arm, colour in ARM_COLOURS.items():
        band = bands(data[data["arm"] == arm], "years_since_entry", "share_active")
        ax1.plot(band["years_since_entry"], band["mean"] * 100, color=colour,
                 label=(_("with {policy}") if arm == "policy" else _("without {policy}")).format(**who))
    ax1.set(xlabel=_("years since entry"), ylabel=_("entrants still in the profession (%)"),
            ylim=(0, 100), title=_("Share of each entry cohort still working"))
    ax1.legend(frameon=False)
    diff = paired_bands(data, "years_since_entry", "share_active")
    ax2.plot(diff["years_since_entry"], diff["mean"] * 100, color=EFFECT_COLOUR)
    ax2.fill_between(diff["years_since_entry"], diff["lo"] * 100, diff["hi"] * 100,
                     color=EFFECT_COLOUR, alpha=0.25, linewidth=0)
    ax2.axhline(0, color="grey", linewidth=0.8)
    ax2.set(xlabel=_("years since entry"), ylabel=_("difference (percentage points)"),
            title=_("With {policy} minus without (95% CI)").format(**who))
    fig.suptitle(wrapped(title, 100) if title else _("Share of each entry cohort still in the "
                                                      "profession"))
    fig.text(0.01, -0.02, note, fontsize=7, ha="left", va="top", wrap=True)
    return _save(fig, path)


COST_PARTS = {  # chart label (a message, translated when drawn) -> ledger flows; every flow once
    N_("grant (net of returns)"): ("grant", "grant_returned"),
    N_("fees from public budgets for added work"): ("public_fees",),
    N_("income tax"): ("income_tax",),
    N_("contributions"): ("contributions",),
    N_("leavers' taxes outside the sector"): ("leavers_tax",),
    N_("VAT on consumption"): ("vat",),
    "{unemployment}": ("unemployment_benefit", "leavers_benefit"),  # the country's benefit
    "{parental}": ("parental_benefit",),
    N_("{sickness}, care, pensions"): ("sickness_benefit", "health_care",
                                       "benefit_pension_contributions", "pension_rights"),
}


def part_label(label: str, country: str | None) -> str:
    """A part of the public ledger in words, its benefits named as ``country`` names them."""
    from sim.report.words import benefits

    placeholder = label.startswith("{") and label.endswith("}") and label.count("{") == 1
    return (label if placeholder else _(label)).format(**benefits(country))


def public_cost_chart(timeseries: pd.DataFrame, path: Path, currency: str, note: str,
                      country: str | None = None, policy: dict | None = None,
                      title: str | None = None) -> Path:
    """Yearly change in net public cost (policy minus baseline), split into its parts;
    ``country`` names the benefits (None: the currency's country); ``policy``: its description,
    which names it; ``title``: the brief's headline on public finances
    (``sim.report.run_brief.run_chart_titles``; None: what the chart shows)."""
    from sim.report.description import EMPTY, named
    from sim.report.words import COUNTRY_OF_CURRENCY

    who = named(policy or EMPTY)
    country = country or COUNTRY_OF_CURRENCY.get(str(currency).upper())
    yearly = timeseries.groupby(["seed", "arm", "year", "variable"], as_index=False)["value"].sum()
    wide = yearly.pivot_table(index=["seed", "year", "variable"], columns="arm",
                              values="value").reset_index()
    wide["diff"] = wide["policy"] - wide["baseline"]
    diff = wide.groupby(["year", "variable"])["diff"].mean().unstack("variable") / 1e6
    years = diff.index.to_numpy()
    fig, ax = plt.subplots(figsize=(10, 4.6), layout="constrained")
    pos, neg = np.zeros(len(years)), np.zeros(len(years))
    for (label, flows), colour in zip(COST_PARTS.items(), PART_COLOURS, strict=True):
        values = sum(FLOWS[f][0] * diff[f"ledger_{f}"].to_numpy() for f in flows)
        bottom = np.where(values >= 0, pos, neg)
        ax.bar(years, values, bottom=bottom, color=colour, label=part_label(label, country),
               width=0.85)
        pos += np.maximum(values, 0)
        neg += np.minimum(values, 0)
    net = bands(wide[wide["variable"] == "ledger_net_cost"].assign(d=lambda d: d["diff"] / 1e6),
                 "year", "d")
    ax.plot(net["year"], net["mean"], color="black", marker=".",
            label=_("net public cost (grey: 95% CI)"))
    ax.fill_between(net["year"], net["lo"], net["hi"], color="black", alpha=0.15, linewidth=0)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set(xlabel=_("years from today"),
           ylabel=_("{million} a year\n(with {policy} minus without)").format(
               million=million(currency, prose=True), **who))
    ax.set_title(wrapped(title, 95) if title else _("Yearly change in net public cost, by part"),
                 fontsize=10.5)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=7)
    fig.text(0.01, -0.02, note, fontsize=7, ha="left", va="top", wrap=True)
    return _save(fig, path)


def run_note(policy: dict, sector_label: str, country_name: str, funding_m: float,
             seeds: int) -> str:
    """The footnote of a single run's charts, in the current language (``policy``: the policy's
    description, ``sim.report.description``)."""
    from sim.report.description import title_words
    from sim.report.words import _g

    alliance, currency = title_words(policy), policy["currency"]
    return _("{alliance}: {sector}, {country}; grant {funding} {million}/year; {n} paired seeds, "
             "95% bands. Assumptions: docs/model.md; sources: docs/sources.md.").format(
        alliance=alliance, sector=_(sector_label), country=_(country_name.title()),
        funding=_g(funding_m), million=million(currency), n=seeds)


AGE_SERIES = {"hired": N_("at hire"), "december_member": N_("members (December)")}


def member_age_shares(long: pd.DataFrame) -> pd.DataFrame | None:
    """Members' ages in 5-year bands, at hire and in stock, from a run's or a job's long series
    (columns ``arm``, ``variable``, ``value``; the alliance's ``hired_age_<lo>`` and
    ``december_member_age_<lo>`` series, summed over seeds and time): one row per band (``lo``)
    with each distribution's share. None without the series or without a hire."""
    rows = long[(long["arm"] == "policy") & long["variable"].str.contains(r"_age_\d+$")]
    if rows.empty:
        return None
    sums = rows.groupby("variable")["value"].sum()
    out = {}
    for what in AGE_SERIES:
        counts = sums[sums.index.str.startswith(f"{what}_age_")]
        if counts.sum() <= 0:
            return None
        lo = counts.index.str.rsplit("_", n=1).str[1].astype(int)
        out[what] = pd.Series(counts.to_numpy() / counts.sum(), index=lo)
    return pd.DataFrame(out).sort_index().rename_axis("lo").reset_index()


def member_age_chart(panels: list[tuple[str, pd.DataFrame]], path: Path) -> Path | None:
    """``member_age_figure`` saved at ``path`` (a run folder's PNG); None without hires."""
    fig = member_age_figure(panels)
    return None if fig is None else _save(fig, path)


def member_age_figure(panels: list[tuple[str, pd.DataFrame]]):
    """Bars of members' ages by 5-year band, at hire and in the alliance, one panel per
    ``(title, long series)``; None when no panel has hires."""
    shares = [(title, member_age_shares(df)) for title, df in panels]
    shares = [(title, s) for title, s in shares if s is not None]
    if not shares:
        return None

    cols = min(len(shares), 2)
    rows = math.ceil(len(shares) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(PRINT_WIDTH_IN, 3.0 * rows + 0.8), sharey=True,
                             squeeze=False, layout="constrained")
    colours = dict(zip(AGE_SERIES, ("#E69F00", "#0072B2"), strict=True))
    for ax, (title, s) in zip(axes.flat, shares, strict=False):
        x = np.arange(len(s))
        means = {}
        for k, (what, label) in enumerate(AGE_SERIES.items()):
            means[what] = float((s["lo"] + 2.5) @ s[what])
            ax.bar(x + (k - 0.5) * 0.4, s[what] * 100, width=0.4, color=colours[what],
                   label=_(label))
        ticks = [f"{lo}–{lo + 4}" for lo in s["lo"]]
        ticks[0], ticks[-1] = f"<{int(s['lo'].iloc[1])}", f"{int(s['lo'].iloc[-1])}+"
        ax.set_xticks(x, ticks, fontsize=8, rotation=45 if cols > 1 else 0)
        wide = 80 if cols == 1 else 40
        ax.set_title(wrapped(title, wide) + "\n" + wrapped(_(
            "mean age {hired} at hire, {members} in the alliance").format(
                hired=f"{means['hired']:.0f}", members=f"{means['december_member']:.0f}"), wide),
            fontsize=9)
        ax.set_xlabel(_("age (5-year bands)"), fontsize=9)
    for ax in axes[:, 0]:
        ax.set_ylabel(_("share of people (%)"), fontsize=9)
    for ax in list(axes.flat)[len(shares):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2, frameon=False, fontsize=9)
    fig.suptitle(_("Members' ages at hire and in the alliance"), fontsize=10)
    readable_in_print(fig)
    return fig
