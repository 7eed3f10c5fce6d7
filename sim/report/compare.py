"""The brief of a sweep that compares instruments: the same money spent through each policy.

Where it sits: ``sim.report.briefs.write_report`` hands a sweep over the ``policy`` group (e.g.
``python -m sim -m policy=teateralliansen,stipends`` or ``experiment=funding_sweep
policy=teateralliansen,stipends``) to ``write_comparison``. Each instrument is one view of the
sweep (``split_by``); every instrument is asked the same questions on the same axes: what it
buys in people and experienced people, births, the net public cost a year and per extra
person-year, with the 95% CIs over paired seeds. Each instrument's words come from its own
description (``sim.report.description``); nothing here names a preset or a policy class.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt

from sim.report.brief import (
    assumptions,
    headline_job,
    left_out_blocks,
    report_spec,
    split_by,
    sweep_calibration_blocks,
)
from sim.report.description import title_words
from sim.report.document import appendix_blocks, front_matter, source_blocks, write_brief
from sim.report.format import (
    country_name,
    effect_of,
    grant_level,
    save_chart,
    summary_rows,
    sweep_world,
)
from sim.report.i18n import N_, _, million, thousand
from sim.report.sentences import grant_headlines
from sim.report.words import interval

KEY = "policy.name"  # the column of the instrument each job runs (the policy group's option)

COLOURS = ("#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#0072B2")  # colour-blind safe
# what the side-by-side table compares: (outcome, its row in words)
ROWS = (("active_workforce", N_("extra people working in the profession")),
        ("experienced_workforce", N_("extra people with ten or more years of experience")),
        ("births_per_year", N_("extra births a year")),
        ("public_cost_m", N_("net public cost ({million} a year)")),
        ("cost_per_retained_worker_year_k",
         N_("net public cost per extra person-year in the profession ({thousand})")))


def compares_instruments(sweep) -> bool:
    """Whether ``sweep`` runs more than one instrument."""
    return KEY in sweep.swept and sweep.jobs[KEY].nunique() > 1


def _level_job(view, x_key: str | None, level: float | None) -> str:
    """The job of ``view`` at the funding ``level`` (its only job when the grant is not swept)."""
    if x_key is None or level is None or x_key not in view.jobs:
        return view.jobs["job"].iloc[0]
    levels = view.jobs[x_key].astype(float)
    return view.jobs.iloc[(levels - level).abs().argmin()]["job"]


def write_comparison(sweep, out: Path) -> Path:
    """Charts and brief of a sweep over instruments (``compares_instruments``), in the current
    language."""
    views = split_by(sweep, KEY)  # in the command's order (Hydra's job numbers)
    views.sort(key=lambda view: min(m.get("job_num", 0) for m in view[1].markers))
    spec = report_spec(sweep)
    x_key = spec["x"] if spec["x"] in sweep.swept and sweep.jobs[spec["x"]].nunique() > 1 else None
    first = views[0][1]
    _d, sector, country = sweep_world(first)
    cur = sweep.currency
    if x_key is not None:
        job = headline_job(first)
        level = float(first.jobs.set_index("job").loc[job, x_key]) if job is not None else None
    else:
        level = float(((first.markers[0].get("config") or {}).get("policy") or {}).get("funding_m",
                                                                                  math.nan))
    described = [(sweep_world(view)[0], view) for _name, view in views]
    titles = [title_words(d) for d, _v in described]
    n = len(sweep.markers[0]["seeds"])
    title = _("The same money, {n} ways: {instruments}").format(
        n=len(views), instruments=_(", ").join(titles))
    where = _("{sector} in {country}").format(sector=_(str(sector.get("label", "the sector"))).lower(),
                                             country=country_name(country))
    blocks = front_matter(title, where, _(
        "{n} simulated runs of each instrument with and without it under identical conditions "
        "(common random numbers: every instrument meets the same simulated people and luck); "
        "reproduce with `{command}`").format(n=n, command=sweep.command))
    blocks += sweep_calibration_blocks(first, sector, country)
    at = (_("At {level} {million} a year each").format(level=grant_level(level), million=million(cur))
          if level is not None and math.isfinite(level) else _("At each instrument's grant"))
    blocks += [("p", at + _(": the effect of each instrument against none, with 95% confidence "
                            "intervals over the simulated runs (simulation noise, not the "
                            "uncertainty of the assumptions)."))]
    header = [_("outcome")] + titles
    rows = []
    for outcome, words in ROWS:
        row = [_(words).format(million=million(cur), thousand=thousand(cur))]
        for _d2, view in described:
            job = _level_job(view, x_key, level)
            has = (view.summary["outcome"] == outcome).any()
            row.append(interval(*effect_of(view, outcome, job)) if has else _("n/a"))
        rows.append(row)
    blocks += [("h2", _("Side by side")), ("table", header, rows)]
    for d, view in described:
        job = _level_job(view, x_key, level)
        lines = grant_headlines(lambda outcome, arm="effect", v=view, j=job: effect_of(v, outcome, j, arm),
                                level if level is not None else math.nan, cur, d)
        blocks += [("h3", title_words(d)), ("ul", lines)]
    blocks += [("h2", _("Why they differ")),
               ("ul", [_("{title}: {kind}.").format(title=title_words(d), kind=_(d.get("kind", "")))
                       for d, _v in described])]
    charts = comparison_charts(described, out, cur, x_key, level)
    blocks += [("h2", _("Charts"))] + [("img", caption, path) for caption, path in charts]
    cited_all: list[str] = []
    appendix_all: list[list[str]] = []
    for d, view in described:
        words, appendix, cited = assumptions(view)
        cited_all += [c for c in cited if c not in cited_all]
        appendix_all += [r for r in appendix if r not in appendix_all]
        blocks += [("h2", _("The assumptions that drive the result: {title}").format(
            title=title_words(d))), ("table", [_("assumption"), _("value"), _("source")], words)]
    leaves = [item for d, _v in described for item in d.get("leaves_out", [])]
    blocks += left_out_blocks(spec, {"leaves_out": leaves})
    blocks += source_blocks(cited_all) + appendix_blocks(appendix_all)
    return write_brief(out, blocks, title)


def comparison_charts(described, out: Path, cur: str, x_key: str | None,
                      level: float | None) -> list[tuple[str, Path]]:
    """Each instrument on the same axes: what it keeps and what it costs, against the grant
    (one line each) when the grant is swept, else one bar each at its grant."""
    panels = (("experienced_workforce", _("extra experienced freelancers\n(with minus without)")),
              ("public_cost_m", _("change in net public cost\n({million} a year)").format(
                  million=million(cur, prose=True))),
              ("cost_per_retained_worker_year_k", _("net public cost per extra\nperson-year "
                                                    "({thousand})").format(thousand=thousand(cur))))
    fig, axes = plt.subplots(1, 3, figsize=(12, 4.2), layout="constrained")
    for i, (d, view) in enumerate(described):
        colour = COLOURS[i % len(COLOURS)]
        for ax, (outcome, ylabel) in zip(axes, panels, strict=True):
            r = summary_rows(view, outcome)
            if x_key is not None:
                r = r[r[x_key].astype(float) > 0].sort_values(x_key)
                x = r[x_key].astype(float).to_numpy()
                ax.plot(x, r["mean"], marker="o", color=colour, label=title_words(d))
                ax.fill_between(x, r["lo"], r["hi"], color=colour, alpha=0.2, lw=0)
                ax.set_xlabel(_("grant ({million} a year)").format(million=million(cur, prose=True)))
            elif len(r):
                m, lo, hi = (float(r[c].iloc[0]) for c in ("mean", "lo", "hi"))
                ax.bar(i, m, color=colour, label=title_words(d))
                ax.errorbar(i, m, yerr=[[m - lo], [hi - m]], color="black", capsize=4)
                ax.set_xticks(range(len(described)), [title_words(x) for x, _v in described],
                              rotation=15, ha="right", fontsize=8)
            ax.set_ylabel(ylabel)
            ax.axhline(0, color="grey", lw=0.8)
    axes[0].legend(frameon=False, fontsize=8)
    where = (_("at {level} {million} a year each").format(level=grant_level(level), million=million(cur))
             if x_key is None and level is not None and math.isfinite(level) else "")
    fig.suptitle(_("The same money through each instrument: what it keeps and what it costs "
                   "(paired effects, 95% CI)") + (f", {where}" if where else ""))
    view = described[0][1]
    _d, sector, country = sweep_world(view)
    fig.text(0.01, -0.01, _("{sector}, {country}; {n} paired seeds per instrument, bars and bands "
                            "are 95% CIs. Each instrument's assumptions: the brief; sources: "
                            "docs/sources.md.").format(
        sector=_(str(sector.get("label", "the sector"))), country=country_name(country),
        n=len(view.markers[0]["seeds"])), fontsize=8.5, ha="left", va="top", wrap=True)
    return [(_("What each instrument keeps and costs"), save_chart(fig, out, "instruments_compared"))]

