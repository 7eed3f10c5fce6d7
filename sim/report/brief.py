"""Charts and the funding brief of an aggregated sweep (PNG + SVG, brief.md + brief.html).

Where it sits: last, called by ``sim.study.aggregate``. Charts state their finding in the title,
carry units, 95% bands (t intervals over paired seeds) and a footnote with key assumptions;
colours are Okabe-Ito (colour-blind safe). The brief is written for a reader who is not a
modeller: title, date, model version and the real alliance and sector it stands for; three to
five headline numbers in words, rounded to their 95% CI and saying when a CI includes zero; the
charts (paired effects on their own axis); the assumptions in plain words with links to their
sources (docs/sources.md); what the model leaves out; config keys only in an appendix for
researchers. Rendering (Markdown, print-friendly HTML) is ``sim/report/document.py``; the
single-run brief is ``sim/report/run_brief.py``.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.report.charts import (  # noqa: E402
    EFFECT_COLOUR,
    PART_COLOURS,
    PRINT_WIDTH_IN,
    member_age_figure,
    paired_bands,
    wrapped,
)
from sim.report.description import (  # noqa: E402
    assumption_keys,
    assumption_value,
    assumptions_listed,
    label_words,
    named,
    of_marker,
    title_words,
)
from sim.report.document import (  # noqa: E402
    appendix_blocks,
    assumption_tables,
    calibration_blocks,
    front_matter,
    source_blocks,
    write_brief,
)
from sim.report.format import (  # noqa: E402
    ci_words,
    country_name,
    effect_of,
    readable_number,
    save_chart,
    summary_rows,
    sweep_world,
    zero_note,
)
from sim.report.i18n import (  # noqa: E402
    N_,
    _,
    currency,
    language,
    million,
    number,
    thousand,
)
from sim.report.sentences import (  # noqa: E402
    births_change,
    funding_slope,
    grant_headlines,
    pays_for_itself,
    public_finance,
    represents,
    scenario_effect,
    workforce_sentence,
)
from sim.report.words import (  # noqa: E402
    ASSUMPTION_WORDS,
    assumption_words,
    benefit,
    demand_words,
    includes_zero,
    scenario_words,
)
from sim.run.notes import config_notes
from sim.study.stats import mean_ci  # noqa: E402

FUNDING_STUDY = "funding_sweep"  # the study whose brief every sweep over the grant gets
AGE_PANELS = 6  # the members' age chart of the appendix shows at most this many settings
TIMELINE_MAX = 3  # a sweep over the grant keeps the timeline chart up to this many funded levels


def funding_study_report() -> dict:
    """``report:`` of the funding study (experiments/funding_sweep.yaml)."""
    import yaml

    from sim.run.config import EXPERIMENTS_DIR

    path = EXPERIMENTS_DIR / f"{FUNDING_STUDY}.yaml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("report") or {}


def sweeps_the_grant(sweep, spec: dict) -> bool:
    """Whether the sweep runs more than one level of the report's x key (the grant)."""
    x = spec.get("x")
    return (x is not None and x in sweep.swept and sweep.jobs[x].nunique() > 1
            and pd.api.types.is_numeric_dtype(sweep.jobs[x]))


def report_spec(sweep) -> dict:
    """The study's report spec (``report:`` of its config, sim/run/report_settings.py). A sweep over the
    grant (``report.x``, policy.funding_m by default) gets the funding study's brief: its
    charts against the grant, and its title and headline level where the study sets none (an
    ad-hoc ``python -m sim -m policy.funding_m=0,40,80`` reads like ``experiment=funding_sweep``);
    the workforce over time stays when the study asked for no charts and few levels ran."""
    spec = sweep.markers[0].get("report") or {}
    spec = {"title": None, "charts": [], "x": None, "headline_level": None, "assumptions": None,
            "left_out": [], "language": "en", **spec}
    if "funding" not in spec["charts"] and sweeps_the_grant(sweep, spec):
        funding = funding_study_report()
        funded = (sweep.jobs[spec["x"]] > 0).sum()
        kept = list(spec["charts"]) or (["timeline"] if funded <= TIMELINE_MAX else [])
        spec = {**spec, "charts": ["funding", *kept]}
        for key in ("title", "headline_level"):
            if spec[key] is None:
                spec[key] = funding.get(key)
    return spec


# ---------------------------------------------------------------- helpers
# the assumptions a chart's footnote names, by config key: (words, its value is money a month)
FOOTNOTE_WORDS = {"policy.salary": N_("salary {amount} {cur}/month in idle months"),
                  "sector.outside_wage": N_("leavers earn {amount} {cur}/month outside")}


def _footnote(fig, sweep, first: str = "") -> None:
    a, s, c = sweep_world(sweep)
    scale, cur = c.get("wage_scale", 1.0), a.get("currency") or c.get("currency", sweep.currency)
    values = {k: assumption_value(a, k) for k in assumption_keys(a)}
    if "outside_wage" in s:
        values["sector.outside_wage"] = s["outside_wage"]
    assumed = [_(words).format(amount=number(values[key] * scale), cur=currency(cur))
               for key, words in FOOTNOTE_WORDS.items()
               if isinstance(values.get(key), int | float) and not isinstance(values[key], bool)]
    alliance = title_words(a)
    sector = _("each sector") if "sector" in sweep.swept else _(s.get("label", "sector"))
    n = len(sweep.markers[0]["seeds"])
    text = (first + " " if first else "") + (_(
        "{alliance}: {sector}, {country}; {n} paired seeds, bands and bars are 95% CIs.").format(
        alliance=alliance, sector=sector, country=country_name(c), n=n) + " "
            + (_("Assumptions: {list}.").format(list="; ".join(assumed)) + " " if assumed else "")
            + _("Sources: docs/sources.md."))
    fig.text(0.01, -0.01, text.replace(" %", "\u00a0%"), fontsize=8.5, ha="left", va="top",
             wrap=True)  # a number stays with its per cent sign


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 2 or np.ptp(x[ok]) == 0:
        return math.nan
    return float(np.polyfit(x[ok], y[ok], 1)[0])


# ---------------------------------------------------------------- funding charts
def _effect_band(ax, r, x_key, scale=1.0, label=None):
    """A paired effect (alliance minus baseline) with its 95% CI band and a zero line."""
    ax.plot(r[x_key], r["mean"] * scale, color=EFFECT_COLOUR, marker="o", label=label)
    ax.fill_between(r[x_key], r["lo"] * scale, r["hi"] * scale, color=EFFECT_COLOUR, alpha=0.25, lw=0)
    ax.axhline(0, color="grey", lw=0.8)


def _at(rows, x_key, level):
    return rows.iloc[(rows[x_key] - level).abs().argmin()]


def paying_levels(sweep) -> tuple[list[float], int]:
    """The funded levels at which the grant pays for itself (net public cost's 95% CI below
    zero), and how many funded levels ran."""
    x_key = report_spec(sweep)["x"]
    net = summary_rows(sweep, "public_cost_m")
    funded = net[net[x_key] > 0]
    return [float(v) for v in funded.loc[funded["hi"] < 0, x_key]], len(funded)


def funding_charts(sweep, out: Path, cur: str) -> list[tuple[str, Path]]:
    x_key = report_spec(sweep)["x"]  # the swept key
    job = headline_job(sweep)
    level = float(sweep.jobs.set_index("job").loc[job, x_key]) if job is not None else None
    grant = _("grant ({million} a year)").format(million=million(cur, prose=True))
    who = named(sweep_world(sweep)[0])
    charts = []
    exp = summary_rows(sweep, "experienced_workforce")
    slope = _slope(exp[x_key].to_numpy(), exp["mean"].to_numpy()) * 10
    ret = summary_rows(sweep, "retention_10y")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.3), layout="constrained")
    _effect_band(ax1, exp, x_key)
    ax1.set(xlabel=grant,
            ylabel=_("extra experienced freelancers\n(with {policy} minus without)").format(**who),
            title=_("Experienced freelancers kept (10+ years)"))
    _effect_band(ax2, ret, x_key, scale=100)
    funded = ret[ret[x_key] > 0]
    zero = all(includes_zero(lo, hi) for lo, hi in zip(funded["lo"], funded["hi"], strict=True))
    ax2.set(xlabel=grant, ylabel=_("change in newcomers still working after\n10 years (percentage "
                                   "points)"),
            title=_("Newcomers' 10-year retention") + (_(": the 95% CI includes zero") if zero else ""))
    fig.suptitle(wrapped(funding_slope(slope, cur), 100))  # the headline's own sentence
    _footnote(fig, sweep)
    charts.append((_("Talent retained against funding"), save_chart(fig, out, "talent_vs_funding")))

    fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
    # every flow of the ledger in one part, each with its sign in the net cost: the parts add
    # up to the net public cost (tests/test_brief.py holds it)
    parts = {_("grant (net of what it pays back): paid"): (("grant_net_m", +1),),
             _("taxes and contributions: flow back"): (("taxes_returned_m", -1),),
             _("VAT on consumption: flows back"): (("vat_m", -1),),
             _("benefits, {parental} and health care: paid").format(
                 parental=benefit("parental", sweep_world(sweep)[2].get("name"))): (
                 ("benefits_m", +1), ("health_care_m", +1), ("parental_benefit_m", +1)),
             _("pension rights and contributions on benefits: owed"): (("pensions_m", +1),),
             _("fees from public budgets for added work: paid"): (("public_fees_m", +1),)}
    net = summary_rows(sweep, "public_cost_m")
    funded = net[net[x_key] > 0]
    x = funded[x_key].to_numpy()
    step = np.min(np.diff(np.unique(x))) if len(np.unique(x)) > 1 else max(x.max(), 1)
    width = 0.35 * step
    pos, neg = np.zeros(len(x)), np.zeros(len(x))
    for (label, flows), colour in zip(parts.items(), PART_COLOURS, strict=False):
        values = sum(sign * summary_rows(sweep, outcome).set_index(x_key).loc[x, "mean"].to_numpy()
                     for outcome, sign in flows if (sweep.summary["outcome"] == outcome).any())
        values = np.asarray(values, dtype=float) * np.ones(len(x))
        ax.bar(x, values, bottom=np.where(values >= 0, pos, neg), width=width, color=colour,
               label=label)
        pos += np.maximum(values, 0)
        neg += np.minimum(values, 0)
    ax.errorbar(funded[x_key], funded["mean"], yerr=np.abs(np.vstack(
        [funded["mean"] - funded["lo"], funded["hi"] - funded["mean"]])), color="black", marker="o",
        capsize=4, lw=1.5, label=_("net public cost (95% CI)"))
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xlim(0, x.max() + step * 0.6)
    ax.set_xticks(x)
    title = _("Net public cost by grant")
    if level is not None:  # the headline's own sentence
        top = _at(funded, x_key, level)
        title = wrapped(public_finance(level, (top["mean"], top["lo"], top["hi"]), cur,
                                             sweep_world(sweep)[0]), 80)
    ax.set(xlabel=grant, ylabel=_("change in public cost ({million} a year)").format(
        million=million(cur, prose=True)))
    ax.set_title(title, fontsize=10)
    ax.legend(loc="upper left", fontsize=8, framealpha=0.95)  # the grant rises to the right
    _footnote(fig, sweep)
    charts.append((_("Net public cost against funding"), save_chart(fig, out, "public_cost_vs_funding")))

    fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
    c = summary_rows(sweep, "cost_per_retained_worker_year_k")
    c = c[c[x_key] > 0]
    ax.plot(c[x_key], c["mean"], color=EFFECT_COLOUR, marker="o")
    ax.fill_between(c[x_key], c["lo"], c["hi"], color=EFFECT_COLOUR, alpha=0.25, lw=0)
    ax.axhline(0, color="black", lw=0.8)
    ax.axhspan(min(ax.get_ylim()[0], -1), 0, color="#009E73", alpha=0.08)
    ax.text(0.99, 0.02, _("below zero: {policy} pays for itself").format(**who), transform=ax.transAxes,
            ha="right", fontsize=8, color="#009E73")
    ax.set(xlabel=grant,
           ylabel=_("net public cost per extra\nfreelancer-year ({thousand})").format(
               thousand=thousand(cur)),
           title=wrapped(pays_for_itself(*paying_levels(sweep), cur, sweep_world(sweep)[0]), 80))
    _footnote(fig, sweep)
    charts.append((_("Cost per retained worker-year"), save_chart(fig, out, "cost_per_worker_year")))

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
    births = summary_rows(sweep, "births_per_year")
    _effect_band(ax1, births, x_key)
    ax1.set(xlabel=grant, ylabel=_("extra births per year\n(with {policy} minus without)").format(**who),
            title=_("Births per year"))
    rate = summary_rows(sweep, "births_per_1000_person_years")
    _effect_band(ax2, rate, x_key)
    ax2.set(xlabel=grant, ylabel=_("change in births per {n} person-years").format(n=number(1000)),
            title=_("Birth rate"))
    title = _("Births with and without {policy}").format(**who)
    if level is not None:  # the headline's own sentence
        b, r = _at(births, x_key, level), _at(rate, x_key, level)
        title = wrapped(births_change(level, (b["mean"], b["lo"], b["hi"]),
                                            (r["mean"], r["lo"], r["hi"]), cur), 100)
    fig.suptitle(title)
    _footnote(fig, sweep)
    charts.append((_("Births against funding"), save_chart(fig, out, "births_vs_funding")))
    return charts


# ---------------------------------------------------------------- time and sector charts
def _job_words(sweep, job_row) -> str:
    """A scenario's name in words (its swept levels), for panel titles and headlines."""
    config = next((m.get("config") or {} for m in sweep.markers
                   if Path(str(m.get("dir", ""))).name == job_row["job"]), {})
    words = [_(str((config.get("sector") or {}).get("label", job_row[k]))).lower() if k == "sector"
             else scenario_words(k, job_row[k], sweep.currency) for k in sweep.swept]
    return "; ".join(w for w in words if w) or _("the study's setting")


def _events(sweep, job: str) -> list[tuple[float, float, str, float]]:
    """What a job's timeline should mark, as (start, end, label, shade) in horizon years: a
    demand shock and its recovery, a funding cut (a line: start == end)."""
    marker = next((m for m in sweep.markers if Path(str(m.get("dir", ""))).name == job), None)
    config = (marker or {}).get("config") or {}
    demand, policy = config.get("demand") or {}, config.get("policy") or {}
    events = []
    if demand.get("shock_depth"):
        start = float(demand.get("shock_start_year", 0))
        fall = start + float(demand.get("shock_months", 0)) / 12
        events += [(start, fall, _("demand shock"), 0.25),
                   (fall, fall + float(demand.get("recovery_months", 0)) / 12, _("recovery"), 0.10)]
    if policy.get("cut_share") and policy.get("cut_year") is not None:
        year = float(policy["cut_year"])
        events.append((year, year, _("grant cut"), 1.0))
    return events


def shown_jobs(sweep) -> pd.DataFrame:
    """The settings a chart or headline shows: all but a grant of zero, whose effect is zero by
    construction (no alliance in either arm); all when the sweep has nothing else."""
    jobs = sweep.jobs.reset_index(drop=True)
    if "policy.funding_m" in jobs:
        funded = jobs[jobs["policy.funding_m"].astype(float) > 0].reset_index(drop=True)
        return funded if len(funded) else jobs
    return jobs


def timeline_chart(sweep, out: Path) -> list[tuple[str, Path]]:
    """Year by year, what the alliance changes in each setting: the extra experienced
    freelancers (the main panel) and the extra people working, each with alliance minus baseline
    of the same seed and its 95% band. The title states the headline's number (the mean over the
    horizon); each panel marks that mean and names its peak as a peak."""
    yearly = sweep.yearly[sweep.yearly["variable"].isin(["active", "experienced"])]
    jobs = shown_jobs(sweep)
    cols = min(len(jobs), 3)
    blocks = math.ceil(len(jobs) / cols)
    fig = plt.figure(figsize=(PRINT_WIDTH_IN, 4.6 * blocks), layout="constrained")
    grid = fig.add_gridspec(2 * blocks, cols, height_ratios=[1.5, 1] * blocks)
    axes = [[None] * len(jobs), [None] * len(jobs)]
    for j in range(len(jobs)):
        r, c = divmod(j, cols)
        axes[0][j] = fig.add_subplot(grid[2 * r, c], sharey=axes[0][0])
        axes[1][j] = fig.add_subplot(grid[2 * r + 1, c], sharex=axes[0][j], sharey=axes[1][0])
    rows = (("experienced", _("extra experienced\nfreelancers")),
            ("active", _("extra people\nworking")))
    for j, job_row in jobs.iterrows():
        job = job_row["job"]
        sub = yearly[yearly["job"] == job]
        for row, (variable, ylabel) in enumerate(rows):
            ax = axes[row][j]
            band = paired_bands(sub[sub["variable"] == variable], "year")
            ax.fill_between(band["year"], band["lo"], band["hi"], color=EFFECT_COLOUR, alpha=0.25,
                            lw=0)
            ax.plot(band["year"], band["mean"], color=EFFECT_COLOUR)
            ax.axhline(0, color="grey", lw=0.8)
            ax.set_ylabel(ylabel if j % cols == 0 else None, fontsize=9)
            ax.tick_params(labelsize=9)
            if row == 1:
                ax.set_xlabel(_("years from today"), fontsize=9)
            else:
                plt.setp(ax.get_xticklabels(), visible=False)
                mean = effect_of(sweep, "experienced_workforce", job)
                ax.axhline(mean[0], color="black", lw=1, ls=":")
                if len(band):
                    peak = band.loc[band["mean"].idxmax()]
                    ax.annotate(_("peak {n}").format(n=readable_number(peak["mean"])),
                                (peak["year"], peak["mean"]), xytext=(0, 4),
                                textcoords="offset points", ha="center", va="bottom", fontsize=9)
                wide = {1: 80, 2: 42}.get(cols, 28)
                ax.set_title(wrapped(_job_words(sweep, job_row), wide) + "\n" + wrapped(
                    _("on average {exp}").format(exp=ci_words(*mean)), wide), fontsize=9)
            for start, end, what, shade in _events(sweep, job):
                if end > start:
                    ax.axvspan(start, end, color="#CC79A7", alpha=shade, lw=0, label=what)
                else:
                    ax.axvline(start, color="#CC79A7", lw=1.5, ls="--", label=what)
    handles = {}
    for ax in axes[0]:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(lab, h)
    events = {lab: h for lab, h in handles.items() if lab in {e[2] for job in jobs["job"]
                                                              for e in _events(sweep, job)}}
    if events:
        axes[0][0].legend(events.values(), events.keys(), loc="upper left", fontsize=8.5,
                          framealpha=0.95)
    # the title states a headline's number: the level the headlines describe in a sweep over
    # the grant, else the last setting
    stated = headline_job(sweep) if "funding" in report_spec(sweep)["charts"] else None
    last = jobs[jobs["job"] == stated].iloc[0] if stated in set(jobs["job"]) else jobs.iloc[-1]
    who = named(sweep_world(sweep)[0])
    fig.suptitle(wrapped(job_headline(sweep, last), 90), fontsize=10)  # the headline's own
    _footnote(fig, sweep, _("Lines: with {policy} minus without, in the same simulated "
                            "world; dotted: the mean over the years shown, as in the "
                            "headlines.").format(**who))
    return [(_("Active and experienced workforce over time"), save_chart(fig, out, "workforce_over_time"))]


def sector_labels(sweep) -> dict[str, str]:
    """Each swept sector's label in the current language (``dance`` -> Frilansande dansare)."""
    names = {}
    for marker in sweep.markers:
        block = (marker.get("config") or {}).get("sector") or {}
        if "name" in block:
            names[block["name"]] = _(str(block.get("label", block["name"])))
    return names


def sector_chart(sweep, out: Path) -> list[tuple[str, Path]]:
    cur = sweep.currency
    shown = {"retention_10y": (_("change in 10-year retention\n(percentage points)"), 100),
             "experienced_workforce": (_("extra experienced freelancers"), 1),
             "births_per_year": (_("extra births per year"), 1),
             "cost_per_retained_worker_year_k": (
                 _("net cost per extra freelancer-year\n({thousand})").format(thousand=thousand(cur)),
                 1)}
    fig, axes = plt.subplots(1, len(shown), figsize=(3.4 * len(shown), 3.8), layout="constrained")
    sectors = list(sweep.jobs["sector"])
    names = sector_labels(sweep)
    colours = [PART_COLOURS[i % len(PART_COLOURS)] for i in range(len(sectors))]
    for ax, (outcome, (label, scale)) in zip(axes, shown.items(), strict=True):
        r = summary_rows(sweep, outcome)
        means = r["mean"].to_numpy() * scale
        err = np.abs(np.vstack([means - r["lo"].to_numpy() * scale, r["hi"].to_numpy() * scale - means]))
        ax.bar([names.get(k, k) for k in r["sector"]], means, color=colours,
               yerr=np.nan_to_num(err), capsize=3)
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_title(label, fontsize=9)
        ax.tick_params(axis="x", rotation=30)
    exp = summary_rows(sweep, "experienced_workforce")
    top = exp.loc[exp["mean"].idxmax()]
    overlap = (exp.drop(index=top.name)["hi"] >= top["lo"]).any()
    fig.suptitle(_("The same design in every sector: {policy} keeps the most experienced "
                   "people among {sector}").format(**named(sweep_world(sweep)[0]),
                                                   sector=names.get(top["sector"], top["sector"]).lower())
                 + (_(", though the 95% CIs overlap") if overlap else "")
                 + "\n" + _("(bars: paired effects, whiskers: 95% CI)"))
    _footnote(fig, sweep)
    return [(_("Effects by sector"), save_chart(fig, out, "effects_by_sector"))]


# ---------------------------------------------------------------- brief


def crisis_effect(sweep, job: str):
    """((first year, last year), (mean, 95% CI)) of the policy's effect on the experienced
    workforce over the horizon years a job's demand shock and recovery touch, paired by seed;
    None for a job without a shock."""
    shocks = [(start, end) for start, end, _what, shade in _events(sweep, job) if end > start]
    if not shocks:
        return None
    first, last = int(math.floor(shocks[0][0])), int(math.ceil(shocks[-1][1])) - 1
    yearly = sweep.yearly
    rows = yearly[(yearly["job"] == job) & (yearly["variable"] == "experienced")
                  & yearly["year"].between(first, last)]
    wide = rows.groupby(["seed", "arm"])["value"].mean().unstack("arm")
    if not {"policy", "baseline"} <= set(wide.columns):
        return None
    mean, lo, hi, _n = mean_ci((wide["policy"] - wide["baseline"]).dropna().to_numpy())
    return (first, last), (mean, lo, hi)


def headline_job(sweep) -> str | None:
    """The job a funding study's headlines describe: the funded level nearest the report spec's
    ``headline_level`` (null: the middle funded level); None when no funded level ran."""
    spec = report_spec(sweep)
    x_key = spec["x"]
    levels = sweep.jobs[sweep.jobs[x_key] > 0]
    if not len(levels):
        return None
    target = spec["headline_level"]
    if target is None:
        target = float(levels[x_key].median())
    return levels.iloc[(levels[x_key] - target).abs().argmin()]["job"]


def job_headline(sweep, job_row) -> str:
    """The headline sentence of one job: in a funding study whom its grant reaches and keeps,
    else the policy's effect in that scenario. The briefs' lines and the title of the chart of
    the workforce over time both come from here."""
    job, cur, d = job_row["job"], sweep.currency, sweep_world(sweep)[0]
    x_key = report_spec(sweep)["x"]
    if "funding" in report_spec(sweep)["charts"] and x_key in sweep.swept:
        return workforce_sentence(lambda outcome, arm="effect": effect_of(sweep, outcome, job, arm),
                                  float(job_row[x_key]), cur, d)
    return scenario_effect(_job_words(sweep, job_row), effect_of(sweep, "experienced_workforce", job),
                           effect_of(sweep, "public_cost_m", job), cur, d)


def headlines(sweep, cur: str) -> list[str]:
    lines = []
    spec = report_spec(sweep)
    x_key = spec["x"]  # the swept key
    if "funding" in spec["charts"] and x_key in sweep.swept:
        job = headline_job(sweep)
        if job is None:
            return [_("No funded level was run.")]
        level = float(sweep.jobs.set_index("job").loc[job, x_key])
        lines = grant_headlines(lambda outcome, arm="effect": effect_of(sweep, outcome, job, arm),
                                level, cur, sweep_world(sweep)[0])
        exp_all = summary_rows(sweep, "experienced_workforce")
        slope = _slope(exp_all[x_key].to_numpy(), exp_all["mean"].to_numpy())
        lines.append(funding_slope(slope * 10, cur))
        lines.append(pays_for_itself(*paying_levels(sweep), cur, sweep_world(sweep)[0]))
        return lines
    # other studies: the policy's effect in each scenario, then how that effect changes
    who = named(sweep_world(sweep)[0])
    for _i, job_row in shown_jobs(sweep).iterrows():
        job = job_row["job"]
        lines.append(job_headline(sweep, job_row))
        crisis = crisis_effect(sweep, job)
        if crisis is not None:
            (start, end), during = crisis
            lines[-1] += " " + _("During the shock and its recovery (years {start} to {end}) it "
                                 "keeps {exp} more{zero}.").format(
                start=readable_number(start), end=readable_number(end), exp=ci_words(*during),
                zero=zero_note(during[1], during[2]))
    if not sweep.contrast.empty:
        eff = sweep.contrast[sweep.contrast["arm"] == "effect"].set_index(["job", "outcome"])
        ref_name = _job_words(sweep, sweep.jobs.iloc[0])
        for _i, job_row in sweep.jobs.iloc[1:].iterrows():
            name = _job_words(sweep, job_row)
            r = eff.loc[(job_row["job"], "experienced_workforce")]
            change = ci_words(r["difference"], r["ci_low"], r["ci_high"])
            lines.append(_("Compared with the setting '{reference}', under '{setting}' the effect of "
                           "{policy} on the experienced workforce changes by {change}{zero}.").format(
                **who, reference=ref_name, setting=name, change=change,
                zero=zero_note(r["ci_low"], r["ci_high"])))
    return lines[:5]


def _flat_config(sweep) -> dict:
    flat = {}
    for block, values in (sweep.markers[0].get("config") or {}).items():
        if isinstance(values, dict):
            flat.update({f"{block}.{k}": v for k, v in values.items()})
    return flat


def assumptions(sweep) -> tuple[list[list[str]], list[list[str]], list[str]]:
    """(rows in words, appendix rows with config keys, cited source anchors)."""
    policy, _, country = sweep_world(sweep)
    return assumption_tables(_flat_config(sweep), config_notes(sweep.markers[0].get("choices")),
                             assumptions_listed(report_spec(sweep)["assumptions"], policy),
                             policy.get("currency") or country.get("currency", sweep.currency),
                             country.get("wage_scale", 1.0), policy.get("assumptions", ()))


def left_out_blocks(spec, policy: dict | None = None) -> list:
    """What the model leaves out: each item of ``report.left_out``, then what the policy's
    description says its model leaves out (``leaves_out``), each once; each is a message of the
    catalogue (its English text is the msgid; tests/test_i18n.py checks every item of the
    config's list has a translation)."""
    items = list(dict.fromkeys([*spec["left_out"], *(policy or {}).get("leaves_out", [])]))
    return [("h2", _("What the model leaves out")), ("ul", [_(item) for item in items])]


# A swept key whose levels the brief reports side by side rather than as a scenario axis: the
# first level (the config's default) drives the charts and headlines, the others get their own
# headline paragraph.
SIDE_BY_SIDE = "demand"

DEMAND_DIFFERENCE = N_("Why they differ: with a shared pool of roles, most of the engagements the "
                       "people it supports gain are taken from other freelancers, so fewer "
                       "newcomers stay; with steady demand that work is added to the sector, "
                       "where its pay is taxed and public budgets pay their share of its fees.")


def default_option(group: str) -> str | None:
    """The option ``configs/config.yaml`` chooses for a config group."""
    import yaml

    from sim.report.paramdoc import CONFIG_DIR

    for entry in yaml.safe_load((CONFIG_DIR / "config.yaml").read_text()).get("defaults", []):
        if isinstance(entry, dict) and group in entry:
            return entry[group]
    return None


def split_by(sweep, key: str):
    """One view of ``sweep`` per level of ``key`` (in the sweep's order), each with ``key``
    removed from the swept keys; the contrast between levels is dropped."""
    import dataclasses

    views = []
    for level in dict.fromkeys(sweep.jobs[key]):
        jobs = sweep.jobs[sweep.jobs[key] == level].drop(columns=key).reset_index(drop=True)
        keep = set(jobs["job"])

        def only(df, keep=keep):
            return df[df["job"].isin(keep)]
        views.append((level, dataclasses.replace(
            sweep, swept=[k for k in sweep.swept if k != key], jobs=jobs,
            results=only(sweep.results), summary=only(sweep.summary).drop(columns=key, errors="ignore"),
            contrast=sweep.contrast.iloc[0:0], yearly=only(sweep.yearly),
            survival=only(sweep.survival), markers=[m for m in sweep.markers
                                                    if m["dir"].name in keep])))
    return views




def sweep_calibration_blocks(sweep, sector: dict, country: dict) -> list:
    """The calibration warning of a sweep (``calibration_blocks``), from its first job's baseline
    pool: every job of a sweep over the grant shares the baseline."""
    from sim.study.stats import refit_command

    base = summary_rows(sweep, "active_workforce", "baseline")
    size = ((sweep.markers[0].get("config") or {}).get("population") or {}).get("size")
    if base.empty or not size:
        return []
    return calibration_blocks(float(base["mean"].iloc[0]), float(size), refit_command(
        sector.get("name", ""), country.get("name", ""), list(sweep.markers[0]["overrides"])))


def write_sweep_brief(sweep, out: Path) -> Path:
    """The charts and brief of a sweep that does not compare instruments (those are
    ``sim.report.compare``; ``sim.report.briefs.write_report`` chooses), in the current language."""
    others = []
    if SIDE_BY_SIDE in sweep.swept and sweep.jobs[SIDE_BY_SIDE].nunique() > 1:
        views = split_by(sweep, SIDE_BY_SIDE)
        default = default_option(SIDE_BY_SIDE)
        views.sort(key=lambda view: view[0] != default)  # the config's default first
        (primary_level, sweep), others = views[0], views[1:]
    cur = sweep.currency
    charts: list[tuple[str, Path]] = []
    spec = report_spec(sweep)
    wanted = list(spec["charts"]) or ["timeline"]
    if "funding" in wanted and spec["x"] in sweep.swept and sweep.jobs[spec["x"]].nunique() > 1:
        charts += funding_charts(sweep, out, cur)
    if "sectors" in wanted and "sector" in sweep.swept:
        charts += sector_chart(sweep, out)
    if "timeline" in wanted or not charts:
        charts += timeline_chart(sweep, out)
    alliance, sector, country = sweep_world(sweep)
    where = _("{sector} in {country}").format(sector=_(sector.get("label", "The sector")),
                                             country=country_name(country))
    label = label_words(alliance)
    lines = headlines(sweep, cur)
    plausible = []  # from a sibling uncertainty study: intervals over plausible worlds
    if "funding" in wanted and spec["x"] in sweep.swept and headline_job(sweep) is not None:
        from sim.report.uncertainty_brief import funding_brief_lines

        level = float(sweep.jobs.set_index("job").loc[headline_job(sweep), spec["x"]])
        plausible = funding_brief_lines(sweep, level, cur)
    n = len(sweep.markers[0]["seeds"])
    english = alliance.get("label", "")  # "A TeaterAlliansen-type alliance": lower case mid-sentence
    who = label[0].lower() + label[1:] if english.startswith("A ") else title_words(alliance)
    question = (_(spec["title"]) if spec["title"] else _("its effect in each setting studied")
                if sweep.experiment == "comparison" else sweep.experiment.replace("_", " "))  # ad hoc
    title = _("What {alliance} buys: {question}").format(alliance=who, question=question)
    blocks = front_matter(title, represents(alliance, sector, country),
                          _("{n} simulated runs of each setting with and without {policy} "
                            "under identical conditions (common random numbers); reproduce with "
                            "`{command}`").format(n=n, command=sweep.command, **named(alliance)))
    blocks += sweep_calibration_blocks(sweep, sector, country)
    blocks += [("p", _("{where}, simulated {n} times with and without {policy} under identical "
                       "conditions. Ranges are 95% confidence intervals over those runs: they measure "
                       "simulation noise, not the uncertainty of the assumptions below").format(
                           where=where, n=n, **named(alliance))
                     + (_("; the lines on plausible worlds include that uncertainty too (the "
                          "uncertainty study).") if any(_("plausible worlds") in line
                                                        for line in plausible)
                        else ".")),
               ("h2", _("Headline numbers")), ("ul", lines + plausible)]
    if others:
        blocks[-1:-1] = [("p", _("Under {demand}:").format(demand=demand_words(primary_level)))]
        for level, view in others:
            blocks += [("p", _("Under {demand}:").format(demand=demand_words(level))),
                       ("ul", headlines(view, cur)[:4])]
        blocks += [("p", _(DEMAND_DIFFERENCE) + " " + _("The charts show the first."))]
    blocks += [("h2", _("Charts"))]
    blocks += [("img", title, path) for title, path in charts]
    words, appendix, cited = assumptions(sweep)
    top = sensitivity_top(sweep.folder)
    if top:
        top_names = [assumption_words(p, None, cur, country=country.get("name"))[0] for p in top]
        blocks += [("h2", _("The three most influential assumptions")),
                   ("p", _("From the sensitivity study: {names}. Results move most when these "
                           "change; see that study's brief.").format(names="; ".join(top_names)))]
    blocks += [("h2", _("The assumptions that drive the result")),
               ("table", [_("assumption"), _("value"), _("source")], words)]
    blocks += left_out_blocks(spec, alliance)
    blocks += source_blocks(cited)
    blocks += appendix_blocks(appendix)
    ages = member_age_figure([(_job_words(sweep, row), sweep.yearly[sweep.yearly["job"] == row["job"]])
                              for _i, row in shown_jobs(sweep).head(AGE_PANELS).iterrows()])
    if ages is not None:
        blocks += [("img", _("Members' ages at hire and in the alliance"),
                    save_chart(ages, out, "member_ages"))]
    return write_brief(out, blocks, title)


# ---------------------------------------------------------------- sensitivity
SENSITIVITY_OUTCOMES = {  # outcome of a sensitivity study -> its panel title (a message)
    "effect.retention_10y": N_("effect on retention after 10 years"),
    "effect.experienced_workforce": N_("effect on experienced workforce"),
    "effect.active_workforce": N_("effect on active workforce"),
    "effect.births_per_year": N_("effect on births per year"),
    "effect.public_cost_m": N_("effect on public cost"),
}


def write_sensitivity_report(indices: pd.DataFrame, s, markers, out: Path,
                             lang: str | None = None, command: str | None = None) -> Path:
    """The sensitivity study's chart and brief, in ``lang`` (None: its ``report.language``);
    ``command``: the command that reproduces the sweep folder (sim.study.aggregate.sweep_command;
    None: the study's own command)."""
    with language(lang or (markers[0].get("report") or {}).get("language", "en")):
        return _write_sensitivity_report(indices, s, markers, out,
                                         command or "python -m sim -m experiment=sensitivity")


def _write_sensitivity_report(indices: pd.DataFrame, s, markers, out: Path, command: str) -> Path:
    from sim.study.sensitivity import top_parameters

    outcomes = list(dict.fromkeys(indices["outcome"]))
    label = _("mu* (Morris)") if s.method == "morris" else _("total-order index ST (Sobol)")
    fig, axes = plt.subplots(1, len(outcomes), figsize=(2.8 * len(outcomes) + 3.5,
                                                         0.35 * s.problem["num_vars"] + 2.2),
                             sharey=True, squeeze=False, layout="constrained")
    order = indices.groupby("parameter")["relative"].mean().sort_values().index
    for ax, outcome in zip(axes[0], outcomes, strict=True):
        sub = indices[indices["outcome"] == outcome].set_index("parameter").reindex(order)
        ax.barh(sub.index, sub["relative"].fillna(0), color="#0072B2")
        short = re.sub(r"_(m|k)$", "", outcome.replace("effect.", "effect on "))
        short = short.replace("_10y", " after 10 years").replace("_", " ")
        ax.set_title(wrapped(_(SENSITIVITY_OUTCOMES.get(outcome, short)), 24), fontsize=9)
        ax.set_xlabel(_("relative {index}").format(index=label), fontsize=8)
    top = top_parameters(indices)

    country = ((markers[0].get("config") or {}).get("country") or {}).get("name")

    def name(key: str) -> str:
        return assumption_words(key, None, "", country=country)[0]

    ax_labels = [name(p) if p in ASSUMPTION_WORDS else p for p in order]
    for ax in axes[0]:
        ax.set_yticks(range(len(order)), ax_labels, fontsize=8)
    fig.suptitle(wrapped(_("The assumptions that drive the results most: {names}").format(
        names="; ".join(name(p).lower() for p in top)), 110), fontsize=10)
    chart = save_chart(fig, out, "sensitivity")
    n_seeds = len(markers[0]["seeds"])
    config = markers[0].get("config") or {}
    title = _("Which assumptions drive the results?")
    blocks = front_matter(title, represents(of_marker(markers[0]), *(config.get(k) or {} for k
                                                                     in ("sector", "country"))),
                          _("{method} design over {n} assumptions, {seeds} simulated runs per "
                            "design point; reproduce with `{command}`").format(
                              method=s.method, n=s.problem["num_vars"], seeds=n_seeds,
                              command=command))
    blocks += [("p", _("Global sensitivity analysis ({method}, {n} assumptions, {seeds} seeds per "
                       "design point, common random numbers).").format(
                           method=s.method, n=s.problem["num_vars"], seeds=n_seeds)),
               ("h2", _("The three most influential assumptions")),
               ("ul", [name(p) for p in top]),
               ("img", _("Relative influence of each assumption"), chart),
               ("h2", _("Appendix for researchers"), "appendix"),
               ("table", [_("outcome"), _("config key"), _("assumption"), _("importance"),
                          _("relative")],
                [[r["outcome"], f"`{r['parameter']}`", name(r["parameter"]), readable_number(r["importance"]),
                  readable_number(r["relative"])] for _i, r in indices.sort_values(
                      ["outcome", "relative"], ascending=[True, False]).iterrows()])]
    return write_brief(out, blocks, title)


def sensitivity_top(sweep_folder: Path) -> list[str]:
    """Top three assumptions from a sibling sensitivity study, if one has been aggregated."""
    path = Path(sweep_folder).parent / "sensitivity" / "aggregate" / "indices.parquet"
    if not path.exists():
        return []
    from sim.study.sensitivity import top_parameters

    return top_parameters(pd.read_parquet(path))
