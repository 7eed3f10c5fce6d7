"""The uncertainty study's charts and brief, and its lines in the funding brief.

Where it sits: last, called by ``sim.study.aggregate`` with the tables of
``sim.study.uncertainty.analyse``. The cost-effectiveness acceptability curve (CEAC) and the
cost-effectiveness plane state their finding in the title; the brief gives the headline numbers
as medians with the interval over plausible worlds, the sentence "In x of 10 plausible worlds
the alliance pays for itself", what drives the rest, the distributions with their sources and,
in an appendix, the parameter ranges in which the alliance pays for itself (PRIM). A funding
brief whose sweep has a sibling ``uncertainty`` study quotes it (``funding_brief_lines``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.model.outcomes import OUTCOMES  # noqa: E402
from sim.report.brief import _num, _save, represents  # noqa: E402
from sim.report.document import _html, _markdown, front_matter, source_blocks  # noqa: E402
from sim.report.i18n import _, current, million, percent  # noqa: E402
from sim.report.words import ASSUMPTION_WORDS, cited_anchors, source_entries  # noqa: E402
from sim.study.io import write_text  # noqa: E402

LEVEL_COLOURS = ["#56B4E9", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#0072B2", "#999999"]


# ---------------------------------------------------------------- words
def worlds_sentence(p: float, n: int) -> str:
    """"In x of 10 plausible worlds the alliance pays for itself", honest at the ends."""
    x = round(10 * p)
    if p <= 0:
        return _("In none of the {n} plausible worlds does the alliance pay for itself").format(n=n)
    if p >= 1:
        return _("In every one of the {n} plausible worlds the alliance pays for itself").format(n=n)
    if x == 0:
        return _("In fewer than 1 of 10 plausible worlds the alliance pays for itself")
    if x == 10:
        return _("In more than 9 of 10 plausible worlds the alliance pays for itself")
    return _("In {x} of 10 plausible worlds the alliance pays for itself").format(x=x)


def _span(row, scale: float = 1.0, interval: float | None = None) -> str:
    share = _("{share} of worlds: ").format(share=percent(interval)) if interval else ""
    return _("{median} ({share}{low} to {high})").format(
        median=_num(row["median"] * scale), share=share, low=_num(row["low"] * scale),
        high=_num(row["high"] * scale))


def _interval(intervals: pd.DataFrame, level: float, outcome: str):
    rows = intervals[(intervals["level"] == level) & (intervals["outcome"] == outcome)]
    return None if rows.empty else rows.iloc[0]


def drivers_sentence(drivers: pd.DataFrame, params: pd.DataFrame, level: float, outcome: str,
                     what: str, k: int = 3, floor: float = 0.1) -> str:
    """The parameters most rank-correlated with ``outcome``, the strongest in words (its label
    from the study's parameter table), with the direction of each (only correlations of at
    least ``floor`` in size)."""
    d = drivers[(drivers["level"] == level) & (drivers["outcome"] == outcome)]
    d = d[d["spearman"].abs() >= floor].sort_values("rank").head(k)
    if d.empty:
        return _("No single assumption moves {what} much (every rank correlation is below "
                 "{floor}).").format(what=what, floor=_num(floor))
    meaning = params.set_index("parameter")["meaning"] if len(params) else pd.Series(dtype=str)

    def name(key: str) -> str:  # in words: the study's label (English only), the brief's name,
        # else the key
        label = str(meaning.get(key, "") or "") if current() == "en" else ""
        return label or (_(ASSUMPTION_WORDS[key][0]).lower() if key in ASSUMPTION_WORDS
                         else f"`{key}`")

    def rho(v: float) -> str:
        return _num_signed(v)

    first, rest = d.iloc[0], d.iloc[1:]
    text = (_("What drives the rest: mostly {name}. The higher it is, the higher {what} (rank "
              "correlation {rho})") if first["spearman"] > 0 else
            _("What drives the rest: mostly {name}. The higher it is, the lower {what} (rank "
              "correlation {rho})")).format(name=name(first["parameter"]), what=what,
                                             rho=rho(first["spearman"]))
    if len(rest):
        text += _("; then {list}").format(list=_(" and ").join(
            f"{name(r['parameter'])} ({rho(r['spearman'])})" for _i, r in rest.iterrows()))
    return text + "."


def _num_signed(v: float) -> str:
    """A rank correlation with its sign and two decimals, in the current language."""
    from sim.report.i18n import localise_number

    return localise_number(f"{v:+.2f}")


def headline_level(s, markers) -> float:
    """The level the headlines describe: the study's ``report.headline_level`` if it ran (else
    the nearest level run), or the middle level."""
    levels = sorted(float(v) for v in s.levels)
    wanted = (markers[0].get("report") or {}).get("headline_level")
    if wanted is None:
        return levels[len(levels) // 2]
    return min(levels, key=lambda v: abs(v - float(wanted)))


def level_words(s, level: float, cur: str) -> str:
    return s.level_label.format(level=level, currency=cur)


# ---------------------------------------------------------------- charts
def acceptability_chart(tables, s, cur: str, level: float, note: str, out: Path) -> Path:
    accept, summary = tables["acceptability"], tables["summary"]
    fig, ax = plt.subplots(figsize=(8, 4.6), layout="constrained")
    for i, (lv, g) in enumerate(accept.groupby("level")):
        paying = summary.set_index("level").loc[lv, "p_pays_for_itself"]
        ax.step(g["threshold"], g["probability"], where="post", color=LEVEL_COLOURS[i % 7],
                lw=2.2 if lv == level else 1.4,
                label=f"{level_words(s, lv, cur)} (pays for itself in {paying:.0%} of worlds)")
    top = float(accept["threshold"].max())
    ax.set(xlim=(0, top), ylim=(0, 1.02),
           xlabel=f"what the state is willing to pay per retained worker-year (thousand {cur})",
           ylabel="share of plausible worlds in which\nthe alliance costs no more than that")
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    curve = accept[accept["level"] == level]
    reached = curve[curve["probability"] >= 0.9]
    paying = summary.set_index("level").loc[level, "p_pays_for_itself"]
    title = (f"With {level_words(s, level, cur)} the alliance pays for itself in {paying:.0%} of "
             "plausible worlds;\n")
    title += (f"in 9 of 10 worlds a retained worker-year costs the state at most "
              f"{_num(reached['threshold'].iloc[0])} thousand {cur}" if len(reached) else
              f"in 1 of 10 worlds or more it costs over {_num(top)} thousand {cur} "
              "per retained worker-year, or keeps no extra workers")
    ax.set_title(title, fontsize=10)
    fig.text(0.01, -0.01, note, fontsize=6.5, ha="left", va="top", wrap=True)
    return _save(fig, out, "acceptability")


def plane_chart(tables, s, cur: str, note: str, out: Path) -> Path:
    table, den = tables["uncertainty"], _denominator(s)
    fig, ax = plt.subplots(figsize=(8, 4.6), layout="constrained")
    for i, (lv, g) in enumerate(table.groupby("level")):
        ax.scatter(g[den], g[s.net_cost], s=12, alpha=0.7, color=LEVEL_COLOURS[i % 7],
                   label=level_words(s, lv, cur), lw=0)
    ax.axhline(0, color="black", lw=0.8)
    ax.axvline(0, color="grey", lw=0.6)
    ax.text(0.99, 0.02, "below the line: the alliance pays for itself", transform=ax.transAxes,
            ha="right", fontsize=8, color="#009E73")
    below = table.groupby("level")["pays_for_itself"].mean()
    ax.set(xlabel="extra freelancers working in the profession (mean over the horizon)",
           ylabel=f"change in net public cost (million {cur}/year)")
    ax.set_title("Each dot is a plausible world: a larger grant keeps more freelancers;\n"
                 + ", ".join(f"{_num(lv)} M {cur}: {share:.0%}" for lv, share in below.items())
                 + " of worlds below the line", fontsize=10)
    ax.legend(frameon=False, fontsize=8)
    fig.text(0.01, -0.01, note, fontsize=6.5, ha="left", va="top", wrap=True)
    return _save(fig, out, "cost_effectiveness_plane")


def _denominator(s) -> str:
    from sim.model.outcomes import RATIO_EFFECTS

    return f"effect.{RATIO_EFFECTS[s.cost_effectiveness.removeprefix('effect.')][1]}"


# ---------------------------------------------------------------- brief
def _outcome_words(name: str) -> str:
    arm, _dot, outcome = name.partition(".")
    meaning = OUTCOMES.get(outcome, ("", outcome.replace("_", " ")))[1]
    return f"{meaning} ({arm})" if arm != "effect" else meaning


def scenario_blocks(tables, s, level: float, cur: str) -> list:
    boxes = tables["scenarios"]
    box = boxes[boxes["level"] == level]
    words = level_words(s, level, cur)
    blocks = [("h2", "Appendix: when does the alliance pay for itself? (scenario discovery)")]
    if box.empty:
        return blocks + [("p", "No scenario discovery was run for this level.")]
    first = box.iloc[0]
    if first["note"] in ("every world pays for itself", "no world pays for itself"):
        return blocks + [("p", f"With {words}, {first['note']}: there are no ranges to tell apart.")]
    if first["parameter"] == "":
        return blocks + [("p", f"With {words}, PRIM finds no parameter range in which the alliance "
                               "pays for itself clearly more often than overall "
                               f"({first['base_rate']:.0%} of worlds).")]
    rows = [[f"`{r['parameter']}`", f"{_num(r['low'])} to {_num(r['high'])}",
             f"{_num(r['range_low'])} to {_num(r['range_high'])}"] for _, r in box.iterrows()]
    blocks += [
        ("p", f"With {words}, the alliance pays for itself in {first['base_rate']:.0%} of the "
              f"{s.draws} worlds. PRIM (box peeling, {s.prim_alpha:.0%} per step, boxes of at "
              f"least {s.prim_min_mass:.0%} of the worlds; restrictions that add under "
              f"{s.prim_prune * 100:g} points of density dropped) finds these ranges:"),
        ("table", ["parameter", "in the box", "range drawn"], rows),
        ("p", f"In this box the alliance pays for itself in {first['density']:.0%} of worlds "
              f"(density); the box holds {first['coverage']:.0%} of all worlds in which it pays "
              f"for itself (coverage) and {first['mass']:.0%} of all worlds (mass). With "
              f"{s.draws} worlds this describes these draws, not a law: confirm a box with more "
              "draws before relying on it.")]
    others = boxes[(boxes["level"] != level) & (boxes["parameter"] != "")]
    if not others.empty:
        rows = [[_num(r["level"]), f"`{r['parameter']}`", f"{_num(r['low'])} to {_num(r['high'])}",
                 f"{r['density']:.0%}", f"{r['coverage']:.0%}"] for _, r in others.iterrows()]
        blocks += [("p", "The other levels studied:"),
                   ("table", ["level", "parameter", "in the box", "density", "coverage"], rows)]
    return blocks


def write_uncertainty_report(tables: dict[str, pd.DataFrame], s, markers, out: Path) -> Path:
    cfg = markers[0]["config"]
    cur = markers[0].get("currency", "")
    alliance, sector, country = (cfg.get(b) or {} for b in ("alliance", "sector", "country"))
    label = alliance.get("label", "the alliance")
    seeds = len(markers[0]["seeds"])
    level = headline_level(s, markers)
    words = level_words(s, level, cur)
    summary = tables["summary"].set_index("level")
    intervals, drivers, params = tables["intervals"], tables["drivers"], tables["parameters"]
    p = float(summary.loc[level, "p_pays_for_itself"])
    noise = float(summary.loc[level, "noise_share_net_cost"])
    note = (f"{label}: {sector.get('label', 'sector')}, {str(country.get('name', '')).title()}; "
            f"{s.draws} plausible worlds (Latin hypercube over {len(s.names)} assumptions, "
            f"configs/study/uncertainty.yaml), {seeds} paired seeds each. A world with no extra "
            "workers has no cost per retained worker-year and counts as not acceptable at any "
            "threshold. Sources: docs/model.md.")
    charts = [("Cost-effectiveness acceptability curve",
               acceptability_chart(tables, s, cur, level, note, out)),
              ("Cost-effectiveness plane", plane_chart(tables, s, cur, note, out))]

    paying = int(summary.loc[level, "draws_paying"])
    lines = [f"{worlds_sentence(p, s.draws)}: with {words} its net effect on public finances is "
             f"zero or a saving in {paying} of the {s.draws} worlds ({p:.0%})." if 0 < p < 1 else
             f"{worlds_sentence(p, s.draws)} with {words}.",
             drivers_sentence(drivers, params, level, s.net_cost, "the net cost")]
    active = _interval(intervals, level, _denominator(s))
    exp = _interval(intervals, level, "effect.experienced_workforce")
    if active is not None and exp is not None:
        lines.append(f"With {words} the alliance keeps {_span(active, interval=s.interval)} more "
                     f"people working in the profession, {_span(exp)} of them with ten or more "
                     "years of experience (medians over the worlds).")
    cost = _interval(intervals, level, s.net_cost)
    lines.append(f"Its net effect on public finances is {_span(cost, interval=s.interval)} million "
                 f"{cur} a year, once taxes, contributions, benefits and care flowing back are "
                 "counted.")
    ratio = _interval(intervals, level, s.cost_effectiveness)
    if ratio is not None:
        upper = (f"at most {_num(ratio['high'])} thousand in 19 of 20"
                 if math.isfinite(ratio["high"]) and s.interval == 0.9 else
                 f"the upper end of the {s.interval:.0%} interval is {_num(ratio['high'])} thousand")
        undefined = float(summary.loc[level, "p_cost_effectiveness_undefined"])
        lines.append(f"Per extra worker-year in the profession, the net cost to the state is at "
                     f"most {_num(ratio['median'])} thousand {cur} in half of the worlds (negative "
                     f"where the alliance pays for itself) and {upper}"
                     + (f"; in {undefined:.0%} of worlds it keeps no extra workers, so there is "
                        "no such cost" if undefined > 0 else "") + ".")
    if math.isfinite(noise):
        lines.append(f"About {noise:.0%} of the spread of the net cost across worlds is simulation "
                     f"noise ({seeds} seeds per world), which widens these intervals; the rest "
                     "comes from the assumptions.")

    by_level = []
    for lv in sorted(summary.index):
        row = [level_words(s, lv, cur), f"{summary.loc[lv, 'p_pays_for_itself']:.0%}"]
        for name in (s.net_cost, "effect.experienced_workforce", s.cost_effectiveness):
            r = _interval(intervals, lv, name)
            row.append("–" if r is None else _span(r))
        by_level.append(row)
    top = drivers[(drivers["level"] == level) & (drivers["outcome"] == s.net_cost)].sort_values("rank")
    meaning = params.set_index("parameter")
    driver_rows = []
    for _i, r in top.iterrows():
        others = drivers[(drivers["level"] == level) & (drivers["parameter"] == r["parameter"])]
        exp_rho = others[others["outcome"] == "effect.experienced_workforce"]["spearman"]
        driver_rows.append([f"`{r['parameter']}`", str(meaning.loc[r["parameter"], "meaning"]),
                            f"{r['spearman']:+.2f}",
                            f"{exp_rho.iloc[0]:+.2f}" if len(exp_rho) else "–"])
    known = source_entries()
    cited = {r["parameter"]: cited_anchors(str(r["source"]), known) for _, r in params.iterrows()}
    assumption_rows = [[str(r["meaning"]), r["distribution"], r["basis"],
                        str(r["source"]) + "".join(f" [{known[a]['title']}](#{a})"
                                                   for a in cited[r["parameter"]]),
                        f"`{r['parameter']}`"] for _, r in params.iterrows()]
    which = (f"{label}, with a hypothetical grant" if alliance.get("hypothetical")
             else f"{label} as it runs today")
    title = f"What {label} buys when the assumptions are uncertain"
    blocks = [*front_matter(title, represents(alliance, sector, country),
                            f"{s.draws} plausible worlds, {seeds} simulated "
                            f"run{'s' * (seeds != 1)} each with and "
                            "without the alliance; reproduce with "
                            "`python -m sim -m study=uncertainty`"),
        ("p", f"{sector.get('label', 'The sector')} in {str(country.get('name', '')).title()}, "
              f"with and without the alliance ({which}). Instead of one set of assumptions, "
              f"{s.draws} plausible worlds: each draws the {len(s.names)} uncertain assumptions "
              "listed below from their ranges (Latin hypercube) and is simulated "
              f"{seeds} times with and without the alliance under identical conditions, at "
              f"each grant studied. Numbers are medians over the worlds with the range that "
              f"holds the central {s.interval:.0%} of them: they include the uncertainty of the "
              "assumptions as well as simulation noise."),
        ("h2", "Headline numbers"), ("ul", lines),
        ("h2", "By grant"),
        ("table", ["grant", "pays for itself", f"net public cost (M {cur}/year)",
                   "extra experienced freelancers", f"cost per retained worker-year (k {cur})"],
         by_level),
        ("h2", "Charts")]
    blocks += [("img", title, path) for title, path in charts]
    blocks += [
        ("p", "The acceptability curve: for each price the state might be willing to pay per "
              "retained worker-year, the share of plausible worlds in which the alliance costs no "
              "more than that. It starts at the share of worlds in which the alliance both pays "
              "for itself and keeps extra workers; worlds with no extra workers never count."),
        ("h2", f"What drives the net cost ({words})"),
        ("table", ["parameter", "meaning", "rank correlation with net cost",
                   "with extra experienced freelancers"], driver_rows),
        ("h2", "The uncertain assumptions and their sources"),
        ("table", ["assumption", "distribution", "basis", "source", "config key"], assumption_rows),
        ("p", "Each parameter is drawn on its own: the ranges carry no correlation between "
              "parameters, although some were calibrated together (docs/model.md §3.4). The "
              "behavioural rules themselves, and what the model leaves out, are not varied."),
    ]
    blocks += source_blocks(list(dict.fromkeys(a for v in cited.values() for a in v)))
    blocks += scenario_blocks(tables, s, level, cur)
    blocks += [("p", "Tables: uncertainty (every world and grant), acceptability, summary, "
                     "intervals, drivers, scenarios, parameters (Parquet and CSV). Method: "
                     "docs/model.md. Reproduce: see provenance.json in this folder.")]
    write_text(out / "brief.md", _markdown(blocks))
    write_text(out / "brief.html", _html(blocks, title))
    return out / "brief.md"


# ---------------------------------------------------------------- the funding brief's lines
def funding_brief_lines(sweep, level: float, cur: str) -> list[str]:
    """Headline lines for a funding brief from a sibling ``uncertainty`` study, if one has been
    aggregated for the same world; a line saying why not when it cannot be quoted."""
    from sim.study.uncertainty import world

    folder = Path(sweep.folder).parent / "uncertainty" / "aggregate"
    try:
        summary = pd.read_parquet(folder / "summary.parquet")
        intervals = pd.read_parquet(folder / "intervals.parquet")
        drivers = pd.read_parquet(folder / "drivers.parquet")
        params = pd.read_parquet(folder / "parameters.parquet")
        info = json.loads((folder / "provenance.json").read_text())
    except (OSError, ValueError):
        return []
    theirs, ours = info.get("world") or {}, world(sweep.markers[0].get("config") or {})
    differ = [k for k in dict.fromkeys([*ours, *theirs]) if theirs.get(k) != ours.get(k)]
    if differ:
        return [_("An uncertainty study exists (results/sweeps/uncertainty) but describes another "
                  "world ({differences}); it is not quoted here.").format(differences=", ".join(
                      _("{key} {there} there, {here} here").format(
                          key=k, there=theirs.get(k), here=ours.get(k)) for k in differ))]
    row = summary[np.isclose(summary["level"], level)]
    if row.empty:
        levels = ", ".join(_num(v) for v in summary["level"])
        return [_("The uncertainty study (results/sweeps/uncertainty) ran {levels} only, not "
                  "{level}; see its brief.").format(levels=levels, level=_num(level))]
    row = row.iloc[0]
    spec = info.get("settings") or {}
    net_cost = spec.get("net_cost", "effect.public_cost_m")
    interval = float(spec.get("interval", 0.9))
    exp = _interval(intervals, row["level"], "effect.experienced_workforce")
    cost = _interval(intervals, row["level"], net_cost)
    lines = []
    if exp is not None and cost is not None:
        lines.append(_("Allowing also for uncertainty in the assumptions ({draws} plausible worlds "
                       "drawn from the ranges in configs/study/uncertainty.yaml): the alliance "
                       "keeps {exp} more experienced freelancers, at a net public cost of {cost} "
                       "{million} a year (medians over the worlds; the run above, with the default "
                       "assumptions, is one plausible world, not the median one).").format(
            draws=int(row["draws"]), exp=_span(exp, interval=interval),
            cost=_span(cost, interval=interval), million=million(cur, prose=True)))
    lines.append(f"{worlds_sentence(float(row['p_pays_for_itself']), int(row['draws']))}. "
                 + drivers_sentence(drivers, params, row["level"], net_cost, _("the net cost")))
    return lines
