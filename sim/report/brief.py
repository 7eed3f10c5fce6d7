"""Charts and the funding brief of an aggregated sweep (PNG + SVG, brief.md + brief.html).

Where it sits: last, called by ``sim.study.aggregate``. Charts state their finding in the title,
carry units, 95% bands (t intervals over paired seeds) and a footnote with key assumptions;
colours are Okabe-Ito (colour-blind safe). The brief is written for a reader who is not a
modeller: three to five headline numbers with their uncertainty, the charts, the assumptions
that drive the result with their sources, and what the model leaves out.
"""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.report.charts import ARM_COLOURS, PART_COLOURS, bands  # noqa: E402
from sim.study.io import atomic_write, write_text  # noqa: E402


def report_spec(sweep) -> dict:
    """The study's report spec (``report:`` of its config, sim/report/spec.py)."""
    spec = sweep.markers[0].get("report") or {}
    return {"charts": [], "x": None, "headline_level": None, "assumptions": [], "left_out": [],
            **spec}


# ---------------------------------------------------------------- helpers
def _save(fig, out: Path, stem: str) -> Path:
    for fmt in ("png", "svg"):
        atomic_write(out / f"{stem}.{fmt}",
                     lambda p, f=fmt: fig.savefig(p, dpi=120, bbox_inches="tight", format=f))
    plt.close(fig)
    return out / f"{stem}.png"


def _world(sweep) -> tuple[dict, dict, dict]:
    """The alliance, sector and country blocks of the first job's config (world parameters; a
    report never reads a rule's parameters, which depend on the rule chosen)."""
    cfg = sweep.markers[0].get("config") or {}
    return tuple(cfg.get(block) or {} for block in ("alliance", "sector", "country"))


def _footnote(fig, sweep) -> None:
    a, s, c = _world(sweep)
    scale, cur = c.get("wage_scale", 1.0), c.get("currency", sweep.currency)
    assumed = []
    if "salary" in a:
        assumed.append(f"alliance salary {a['salary'] * scale:,.0f} {cur}/month in idle months")
    if "outside_wage" in s:
        assumed.append(f"leavers earn {s['outside_wage'] * scale:,.0f} {cur}/month outside")
    alliance = a.get("label", "the alliance") + (" (hypothetical grant)" if a.get("hypothetical") else "")
    text = (f"{alliance}: {s.get('label', 'sector')}, {str(c.get('name', 'country')).title()}; "
            f"{len(sweep.markers[0]['seeds'])} "
            "paired seeds, bands and bars are 95% CIs. "
            + (f"Assumptions: {'; '.join(assumed)}. " if assumed else "") + "Sources: docs/model.md.")
    fig.text(0.01, -0.01, text, fontsize=6.5, ha="left", va="top", wrap=True)


def _row(sweep, outcome: str, arm: str = "effect") -> pd.DataFrame:
    rows = sweep.summary[sweep.summary["outcome"] == outcome]
    return rows.assign(mean=rows[arm], lo=rows[f"{arm}_ci_low"], hi=rows[f"{arm}_ci_high"])


def _num(x: float, digits: int = 3) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.{digits}g}"


def _ci(mean: float, lo: float, hi: float, scale: float = 1.0, unit: str = "") -> str:
    return f"{_num(mean * scale)}{unit} (95% CI {_num(lo * scale)} to {_num(hi * scale)}{unit})"


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 2 or np.ptp(x[ok]) == 0:
        return math.nan
    return float(np.polyfit(x[ok], y[ok], 1)[0])


# ---------------------------------------------------------------- funding charts
def funding_charts(sweep, out: Path, cur: str) -> list[tuple[str, Path]]:
    x_key = report_spec(sweep)["x"]  # the swept key
    charts = []
    exp = _row(sweep, "experienced_workforce")
    slope = _slope(exp[x_key].to_numpy(), exp["mean"].to_numpy()) * 10
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.3), layout="constrained")
    for arm, colour in ARM_COLOURS.items():
        r = _row(sweep, "retention_10y", arm)
        ax1.plot(r[x_key], r["mean"] * 100, color=colour, marker=".", label=arm)
        ax1.fill_between(r[x_key], r["lo"] * 100, r["hi"] * 100, color=colour, alpha=0.25, lw=0)
    ax1.set(xlabel=f"alliance grant (million {cur}/year)", ylabel="entrants active after 10 years (%)",
            title="10-year retention of new entrants")
    ax1.legend(frameon=False)
    ax2.plot(exp[x_key], exp["mean"], color=ARM_COLOURS["alliance"], marker=".")
    ax2.fill_between(exp[x_key], exp["lo"], exp["hi"], color=ARM_COLOURS["alliance"], alpha=0.25, lw=0)
    ax2.axhline(0, color="grey", lw=0.8)
    ax2.set(xlabel=f"alliance grant (million {cur}/year)",
            ylabel="extra freelancers with 10+ years (alliance - baseline)",
            title="Experienced workforce kept")
    fig.suptitle(f"Each extra 10 million {cur} keeps about {_num(slope)} more experienced "
                 "freelancers in the profession")
    _footnote(fig, sweep)
    charts.append(("Talent retained against funding", _save(fig, out, "talent_vs_funding")))

    fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    parts = {"grant (net of returns)": ("grant_net_m", +1), "taxes and contributions back":
             ("taxes_returned_m", -1), "benefits": ("benefits_m", +1), "health care": ("health_care_m", +1),
             "parental benefit": ("parental_benefit_m", +1)}
    x = _row(sweep, "public_cost_m")[x_key].to_numpy()
    width = 0.8 * (np.min(np.diff(np.unique(x))) if len(np.unique(x)) > 1 else 1)
    pos, neg = np.zeros(len(x)), np.zeros(len(x))
    for (label, (outcome, sign)), colour in zip(parts.items(), PART_COLOURS, strict=False):
        values = sign * _row(sweep, outcome)["mean"].to_numpy()
        ax.bar(x, values, bottom=np.where(values >= 0, pos, neg), width=width, color=colour, label=label)
        pos += np.maximum(values, 0)
        neg += np.minimum(values, 0)
    net = _row(sweep, "public_cost_m")
    ax.plot(net[x_key], net["mean"], color="black", marker="o", label="net public cost")
    ax.fill_between(net[x_key], net["lo"], net["hi"], color="black", alpha=0.15, lw=0)
    ax.axhline(0, color="grey", lw=0.8)
    top = net.iloc[-1]
    ax.set(xlabel=f"alliance grant (million {cur}/year)",
           ylabel=f"change in public cost (million {cur}/year)",
           title=f"At {top[x_key]:g} M the net cost to the state is {_num(top['mean'])} M {cur}/year "
                 "once returns are counted")
    ax.legend(frameon=False, fontsize=7)
    _footnote(fig, sweep)
    charts.append(("Net public cost against funding", _save(fig, out, "public_cost_vs_funding")))

    fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
    c = _row(sweep, "cost_per_retained_worker_year_k")
    c = c[c[x_key] > 0]
    ax.plot(c[x_key], c["mean"], color=ARM_COLOURS["alliance"], marker="o")
    ax.fill_between(c[x_key], c["lo"], c["hi"], color=ARM_COLOURS["alliance"], alpha=0.25, lw=0)
    ax.axhline(0, color="black", lw=0.8)
    ax.axhspan(min(ax.get_ylim()[0], -1), 0, color="#009E73", alpha=0.08)
    ax.text(0.99, 0.02, "below zero: the alliance pays for itself", transform=ax.transAxes,
            ha="right", fontsize=8, color="#009E73")
    saving = _row(sweep, "public_cost_m")
    saving = saving[saving[x_key] > 0]
    pays = saving[saving["hi"] < 0]  # a net saving for the state, with 95% confidence
    if len(c) and len(pays) == len(c):
        title = "The alliance pays for itself at every funding level studied (95% CI below zero)"
    elif len(pays):
        title = (f"The alliance pays for itself (95% CI below zero) at {len(pays)} of {len(c)} levels, "
                 f"{pays[x_key].min():g}-{pays[x_key].max():g} M {cur}")
    else:
        title = "No funding level studied pays for itself with 95% confidence"
    ax.set(xlabel=f"alliance grant (million {cur}/year)",
           ylabel=f"net public cost per retained worker-year (thousand {cur})", title=title)
    _footnote(fig, sweep)
    charts.append(("Cost per retained worker-year", _save(fig, out, "cost_per_worker_year")))

    fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
    for arm, colour in ARM_COLOURS.items():
        r = _row(sweep, "births_per_1000_person_years", arm)
        ax.plot(r[x_key], r["mean"], color=colour, marker=".", label=arm)
        ax.fill_between(r[x_key], r["lo"], r["hi"], color=colour, alpha=0.25, lw=0)
    b = _row(sweep, "births_per_year").iloc[-1]
    ax.set(xlabel=f"alliance grant (million {cur}/year)", ylabel="births per 1,000 person-years",
           title=f"Births: {_num(b['mean'])} more per year at {b[x_key]:g} M, rate per person "
                 "changes little")
    ax.legend(frameon=False)
    _footnote(fig, sweep)
    charts.append(("Births against funding", _save(fig, out, "births_vs_funding")))
    return charts


# ---------------------------------------------------------------- time and sector charts
def timeline_chart(sweep, out: Path) -> list[tuple[str, Path]]:
    yearly = sweep.yearly[sweep.yearly["variable"].isin(["active", "experienced"])]
    jobs = list(sweep.jobs["job"])
    fig, axes = plt.subplots(2, len(jobs), figsize=(4.2 * len(jobs), 6), squeeze=False, sharey="row",
                             layout="constrained")
    gaps = {}
    for j, job in enumerate(jobs):
        for i, var in enumerate(("active", "experienced")):
            ax = axes[i][j]
            sub = yearly[(yearly["job"] == job) & (yearly["variable"] == var)]
            for arm, colour in ARM_COLOURS.items():
                band = bands(sub[sub["arm"] == arm], "year", "value")
                ax.plot(band["year"], band["mean"], color=colour, label=arm)
                ax.fill_between(band["year"], band["lo"], band["hi"], color=colour, alpha=0.25, lw=0)
            ax.set(xlabel="year of the horizon", ylabel=f"{var} freelancers" if j == 0 else None,
                   title=job if i == 0 else None)
            if var == "experienced":
                wide = sub.pivot_table(index=["seed", "year"], columns="arm", values="value")
                gaps[job] = (wide["alliance"] - wide["baseline"]).groupby("year").mean().max()
    axes[0][0].legend(frameon=False)
    last = jobs[-1]
    fig.suptitle(f"Workforce over time by arm: the alliance keeps up to {_num(gaps.get(last, math.nan))} "
                 f"more experienced freelancers ({last})")
    _footnote(fig, sweep)
    return [("Active and experienced workforce over time", _save(fig, out, "workforce_over_time"))]


def sector_chart(sweep, out: Path) -> list[tuple[str, Path]]:
    shown = {"retention_10y": ("10-year retention (percentage points)", 100),
             "experienced_workforce": ("experienced freelancers kept", 1),
             "births_per_year": ("extra births per year", 1),
             "cost_per_retained_worker_year_k": ("net cost per worker-year (thousand)", 1)}
    fig, axes = plt.subplots(1, len(shown), figsize=(3.4 * len(shown), 3.8), layout="constrained")
    sectors = list(sweep.jobs["sector"])
    colours = [PART_COLOURS[i % len(PART_COLOURS)] for i in range(len(sectors))]
    for ax, (outcome, (label, scale)) in zip(axes, shown.items(), strict=True):
        r = _row(sweep, outcome)
        means = r["mean"].to_numpy() * scale
        err = np.abs(np.vstack([means - r["lo"].to_numpy() * scale, r["hi"].to_numpy() * scale - means]))
        ax.bar(r["sector"], means, color=colours, yerr=np.nan_to_num(err), capsize=3)
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_title(label, fontsize=9)
        ax.tick_params(axis="x", rotation=30)
    exp = _row(sweep, "experienced_workforce")
    best = exp.loc[exp["mean"].idxmax(), "sector"]
    fig.suptitle(f"The same alliance across sectors: it keeps the most experienced people in {best}")
    _footnote(fig, sweep)
    return [("Effects by sector", _save(fig, out, "effects_by_sector"))]


# ---------------------------------------------------------------- brief
def _effect(sweep, outcome, job=None, arm="effect"):
    r = _row(sweep, outcome, arm)
    r = r if job is None else r[r["job"] == job]
    return float(r["mean"].iloc[0]), float(r["lo"].iloc[0]), float(r["hi"].iloc[0])


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


def headlines(sweep, cur: str) -> list[str]:
    lines = []
    spec = report_spec(sweep)
    x_key = spec["x"]  # the swept key
    if "funding" in spec["charts"] and x_key in sweep.swept:
        job = headline_job(sweep)
        if job is None:
            return ["No funded level was run."]
        level = float(sweep.jobs.set_index("job").loc[job, x_key])
        members = _effect(sweep, "alliance_members", job)[0]
        active, exp = _effect(sweep, "active_workforce", job), _effect(sweep, "experienced_workforce", job)
        lines.append(f"With a grant of {level:g} million {cur} a year the alliance employs about "
                     f"{_num(members)} freelancers and keeps {_ci(*active)} more people working in "
                     f"the profession, {_ci(*exp)} of them with ten or more years of experience.")
        b = _effect(sweep, "retention_10y", job, "baseline")[0]
        a = _effect(sweep, "retention_10y", job, "alliance")[0]
        lines.append(f"Of every 100 newcomers, {b * 100:.1f} are still in the profession after ten years "
                     f"without the alliance and {a * 100:.1f} with it (difference "
                     f"{_ci(*_effect(sweep, 'retention_10y', job), scale=100)} per 100).")
        births = _effect(sweep, "births_per_year", job)
        lines.append(f"Births to freelancers in the sector change by {_ci(*births)} per year.")
        cost = _effect(sweep, "public_cost_m", job)
        verdict = "a net saving" if cost[1] < 0 and cost[2] < 0 else (
            "a net cost" if cost[1] > 0 else "a net effect that cannot be told apart from zero")
        lines.append(f"Counting the taxes, contributions, benefits and health care that flow back, the "
                     f"alliance's net effect on public finances is {_ci(*cost)} million {cur} a year: "
                     f"{verdict}.")
        exp_all = _row(sweep, "experienced_workforce")
        slope = _slope(exp_all[x_key].to_numpy(), exp_all["mean"].to_numpy())
        lines.append(f"Each extra 10 million {cur} of funding keeps about {_num(slope * 10)} more "
                     "experienced freelancers in the profession (linear fit over the levels studied).")
        return lines
    # other studies: the alliance's effect in each scenario, then how that effect changes
    for _, job_row in sweep.jobs.iterrows():
        job = job_row["job"]
        name = ", ".join(f"{k}={job_row[k]}" for k in sweep.swept) or job
        exp = _effect(sweep, "experienced_workforce", job)
        cost = _effect(sweep, "public_cost_m", job)
        lines.append(f"{name}: the alliance keeps {_ci(*exp)} more experienced freelancers in the "
                     f"profession, at a net public cost of {_ci(*cost)} million {cur} a year.")
    if not sweep.contrast.empty:
        eff = sweep.contrast[sweep.contrast["arm"] == "effect"].set_index(["job", "outcome"])
        ref = sweep.jobs.iloc[0]
        ref_name = ", ".join(f"{k}={ref[k]}" for k in sweep.swept)
        for _, job_row in sweep.jobs.iloc[1:].iterrows():
            name = ", ".join(f"{k}={job_row[k]}" for k in sweep.swept)
            r = eff.loc[(job_row["job"], "experienced_workforce")]
            change = _ci(r["difference"], r["ci_low"], r["ci_high"])
            lines.append(f"Compared with {ref_name}, under {name} the alliance's effect on the "
                         f"experienced workforce changes by {change}.")
    return lines[:5]


def assumptions(sweep) -> list[list[str]]:
    from sim.report.paramdoc import CONFIG_DIR, yaml_entries

    # sources from the files the first job used: config.yaml, then each chosen option
    files = [CONFIG_DIR / "config.yaml"]
    for group, option in (sweep.markers[0].get("choices") or {}).items():
        if option and (CONFIG_DIR / group / f"{option}.yaml").exists():
            path = CONFIG_DIR / group / f"{option}.yaml"
            base = [line.split("-", 1)[1].strip() for line in path.read_text().splitlines()
                    if line.startswith("  - ") and "_self_" not in line and ":" not in line]
            files += [CONFIG_DIR / group / f"{b}.yaml" for b in base] + [path]
    notes = {}
    for path in files:
        notes.update({k: note for k, (_, note) in yaml_entries(path).items() if note})
    flat = {}
    for block, values in (sweep.markers[0].get("config") or {}).items():
        if isinstance(values, dict):
            flat.update({f"{block}.{k}": v for k, v in values.items()})
    return [[f"`{k}`", str(flat.get(k)), notes.get(k, "")]
            for k in report_spec(sweep)["assumptions"] if k in flat]


# A swept key whose levels the brief reports side by side rather than as a scenario axis: the
# first level (the config's default) drives the charts and headlines, the others get their own
# headline paragraph.
SIDE_BY_SIDE = "demand"
DEMAND_WORDS = {"market": "a fixed pool of roles (demand=market)",
                "steady": "steady demand, where networking adds work (demand=steady)"}
DEMAND_DIFFERENCE = ("Why they differ: with a fixed pool of roles, the engagements members gain "
                     "through the alliance's networking are taken from other freelancers, so "
                     "fewer newcomers stay and less extra pay is taxed; with steady demand that "
                     "work is added to the sector.")


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
            results=only(sweep.results), summary=only(sweep.summary).drop(columns=key),
            contrast=sweep.contrast.iloc[0:0], yearly=only(sweep.yearly),
            survival=only(sweep.survival), markers=[m for m in sweep.markers
                                                    if m["dir"].name in keep])))
    return views


def write_report(sweep, out: Path) -> Path:
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
    alliance, sector, country = _world(sweep)
    where = f"{sector.get('label', 'The sector')} in {str(country.get('name', 'its country')).title()}"
    label = alliance.get("label", "the alliance")
    which = (f"{label}, with a hypothetical grant" if alliance.get("hypothetical")
             else f"{label} as it runs today")
    lines = headlines(sweep, cur)
    plausible = []  # from a sibling uncertainty study: intervals over plausible worlds
    if "funding" in wanted and spec["x"] in sweep.swept and headline_job(sweep) is not None:
        from sim.report.uncertainty import funding_brief_lines

        level = float(sweep.jobs.set_index("job").loc[headline_job(sweep), spec["x"]])
        plausible = funding_brief_lines(sweep, level, cur)
    blocks = [("h1", f"What {label} buys: {sweep.study.replace('_', ' ')}"),
              ("p", f"{where}, simulated {len(sweep.markers[0]['seeds'])} times with and without "
                    f"the alliance ({which}) under identical conditions. Ranges are 95% "
                    "confidence intervals over those runs: they measure simulation noise, not the "
                    "uncertainty of the assumptions below"
                    + ("; the lines on plausible worlds include that uncertainty too (the "
                       "uncertainty study)." if any("plausible worlds" in line for line in plausible)
                       else ".")),
              ("h2", "Headline numbers"), ("ul", lines + plausible)]
    if others:
        blocks[-1:-1] = [("p", f"Under {DEMAND_WORDS.get(primary_level, primary_level)}:")]
        for level, view in others:
            blocks += [("p", f"Under {DEMAND_WORDS.get(level, level)}:"),
                       ("ul", headlines(view, cur)[:4])]
        blocks += [("p", DEMAND_DIFFERENCE + " The charts show the first.")]
    blocks += [("h2", "Charts")]
    blocks += [("img", title, path) for title, path in charts]
    top = sensitivity_top(sweep.folder)
    if top:
        blocks += [("h2", "The three most influential assumptions"),
                   ("p", "From the sensitivity study (results/sweeps/sensitivity): "
                         + ", ".join(f"`{p}`" for p in top)
                         + ". Results move most when these change; see that study's brief.")]
    blocks += [("h2", "The assumptions that drive the result"),
               ("table", ["parameter", "value", "source or note"], assumptions(sweep)),
               ("h2", "What the model leaves out"), ("ul", spec["left_out"]),
               ("p", "Model description, every parameter and its source: docs/model.md. "
                     "Reproduce: see provenance.json in this folder.")]
    write_text(out / "brief.md", _markdown(blocks))
    write_text(out / "brief.html", _html(blocks, sweep.study))
    return out / "brief.md"


def _markdown(blocks) -> str:
    lines = []
    for kind, *rest in blocks:
        if kind == "h1":
            lines += [f"# {rest[0]}", ""]
        elif kind == "h2":
            lines += [f"## {rest[0]}", ""]
        elif kind == "p":
            lines += [rest[0], ""]
        elif kind == "ul":
            lines += [f"- {item}" for item in rest[0]] + [""]
        elif kind == "img":
            lines += [f"![{rest[0]}]({rest[1].name})", ""]
        elif kind == "table":
            header, rows = rest
            lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
            lines.append("")
    return "\n".join(lines)


def _html(blocks, title: str) -> str:
    def esc(text: str) -> str:
        return html.escape(text).replace("`", "")

    body = []
    for kind, *rest in blocks:
        if kind in ("h1", "h2", "p"):
            body.append(f"<{kind}>{esc(rest[0])}</{kind}>")
        elif kind == "ul":
            body.append("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in rest[0]) + "</ul>")
        elif kind == "img":
            data = base64.b64encode(rest[1].read_bytes()).decode()
            body.append(f'<figure><img alt="{esc(rest[0])}" src="data:image/png;base64,{data}">'
                        f"<figcaption>{esc(rest[0])}</figcaption></figure>")
        elif kind == "table":
            header, rows = rest
            head = "".join(f"<th>{esc(h)}</th>" for h in header)
            cells = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>")
    style = ("body{font-family:system-ui,sans-serif;max-width:920px;margin:2em auto;line-height:1.5;"
             "color:#222}img{max-width:100%}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
             "padding:4px 8px;font-size:0.9em;text-align:left}figcaption{font-size:0.85em;color:#555}")
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{esc(title)}</title>"
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n")


# ---------------------------------------------------------------- sensitivity
def write_sensitivity_report(indices: pd.DataFrame, s, markers, out: Path) -> Path:
    from sim.study.sensitivity import top_parameters

    outcomes = list(dict.fromkeys(indices["outcome"]))
    label = "mu* (Morris)" if s.method == "morris" else "total-order index ST (Sobol)"
    fig, axes = plt.subplots(1, len(outcomes), figsize=(3.6 * len(outcomes), 0.3 * s.problem["num_vars"] + 2),
                             sharey=True, squeeze=False, layout="constrained")
    order = indices.groupby("parameter")["relative"].mean().sort_values().index
    for ax, outcome in zip(axes[0], outcomes, strict=True):
        sub = indices[indices["outcome"] == outcome].set_index("parameter").reindex(order)
        ax.barh(sub.index, sub["relative"].fillna(0), color="#0072B2")
        ax.set(title=outcome.replace("effect.", "effect on "), xlabel=f"relative {label}")
    top = top_parameters(indices)
    fig.suptitle("The assumptions that drive the results: " + ", ".join(top))
    _save(fig, out, "sensitivity")
    lines = ["# Which assumptions drive the results?", "",
             f"Global sensitivity analysis ({s.method}, {s.problem['num_vars']} parameters, "
             f"{len(markers[0]['seeds'])} seeds per design point, common random numbers).", "",
             "## The three most influential assumptions", ""]
    lines += [f"{i + 1}. `{p}`" for i, p in enumerate(top)] + ["", "![sensitivity](sensitivity.png)", ""]
    lines += ["| outcome | parameter | importance | relative |", "|---|---|---|---|"]
    for _, r in indices.sort_values(["outcome", "relative"], ascending=[True, False]).iterrows():
        lines.append(f"| {r['outcome']} | `{r['parameter']}` | {_num(r['importance'])} | "
                     f"{_num(r['relative'])} |")
    write_text(out / "brief.md", "\n".join(lines) + "\n")
    return out / "brief.md"


def sensitivity_top(sweep_folder: Path) -> list[str]:
    """Top three assumptions from a sibling sensitivity study, if one has been aggregated."""
    path = Path(sweep_folder).parent / "sensitivity" / "aggregate" / "indices.parquet"
    if not path.exists():
        return []
    from sim.study.sensitivity import top_parameters

    return top_parameters(pd.read_parquet(path))
