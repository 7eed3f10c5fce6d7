"""The uncertainty study's charts and brief, and its lines in the funding brief.

Where it sits: last, called by ``sim.study.aggregate`` with the tables of
``sim.study.uncertainty.analyse``. The cost-effectiveness acceptability curve (CEAC) and the
cost-effectiveness plane state their finding in the title; the brief gives the headline numbers
as medians with the interval over plausible worlds, the sentence "In x of 10 plausible worlds
{policy} pays for itself", what drives the rest, the distributions with their sources and,
in an appendix, the parameter ranges in which {policy} pays for itself (PRIM). A funding
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
from matplotlib.ticker import FuncFormatter  # noqa: E402

from sim.report.charts import wrapped  # noqa: E402
from sim.report.document import front_matter, source_blocks, write_brief  # noqa: E402
from sim.report.format import grant_level, readable_number, save_chart  # noqa: E402
from sim.report.i18n import (  # noqa: E402
    N_,
    _,
    currency_name,
    current,
    language,
    million,
    ngettext,
    percent,
    thousand,
)
from sim.report.sentences import represents  # noqa: E402
from sim.report.words import ASSUMPTION_WORDS, cited_anchors, plain_name, source_entries  # noqa: E402

LEVEL_COLOURS = ["#56B4E9", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#0072B2", "#999999"]


# ---------------------------------------------------------------- words
def worlds_sentence(p: float, n: int, who: dict) -> str:
    """"In x of 10 plausible worlds the alliance pays for itself", honest at the ends."""
    x = round(10 * p)
    if p <= 0:
        return _("In none of the {n} plausible worlds does {policy} pay for itself").format(n=n, **who)
    if p >= 1:
        return _("In every one of the {n} plausible worlds {policy} pays for itself").format(n=n, **who)
    if x == 0:
        return _("In fewer than 1 of 10 plausible worlds {policy} pays for itself").format(**who)
    if x == 10:
        return _("In more than 9 of 10 plausible worlds {policy} pays for itself").format(**who)
    return _("In {x} of 10 plausible worlds {policy} pays for itself").format(x=x, **who)


def pays_sentence(p: float, n_ok: int, paying: int, level_text: str, who: dict) -> str:
    """How often the grant at ``level_text`` pays for itself over the ``n_ok`` plausible worlds
    (``paying`` of them, a share ``p``): a headline and part of the acceptability chart's title."""
    if 0 < p < 1:
        return _("{worlds}: with {level} its net effect on public finances is zero or a saving in "
                 "{paying} of the {draws} worlds ({share}).").format(
            worlds=worlds_sentence(p, n_ok, who), level=level_text, paying=paying, draws=n_ok,
            share=_pct(p))
    return _("{worlds} with {level}.").format(worlds=worlds_sentence(p, n_ok, who), level=level_text)


def worker_year_sentence(ratio, undefined: float, interval: float, level_text: str, cur: str,
                         who: dict) -> str:
    """The net cost per retained worker-year over the worlds (``ratio``: median, low, high of
    the ``interval``; ``undefined``: the share of worlds that keep nobody): a headline and the
    acceptability chart's title, whose curve crosses one half at the median."""
    upper = (_("at most {value} {thousand} in 19 of 20").format(
                 value=readable_number(ratio["high"]), thousand=thousand(cur))
             if math.isfinite(ratio["high"]) and interval == 0.9 else
             _("the upper end of the {share} interval is {value} {thousand}").format(
                 share=_pct(interval), value=readable_number(ratio["high"]), thousand=thousand(cur)))
    return (_("With {level}, per extra worker-year in the profession, the net cost to the state "
              "is at most {median} {thousand} in half of the worlds (negative where {policy} pays "
              "for itself) and {upper}").format(
                **who, level=level_text, median=readable_number(ratio["median"]),
                thousand=thousand(cur), upper=upper)
            + (_("; in {share} of worlds it keeps no extra workers, so there is no such "
                 "cost").format(share=_pct(undefined)) if undefined > 0 else "") + ".")


def _span(row, scale: float = 1.0, interval: float | None = None) -> str:
    share = _("{share} of worlds: ").format(share=percent(interval)) if interval else ""
    return _("{median} ({share}{low} to {high})").format(
        median=readable_number(row["median"] * scale), share=share, low=readable_number(row["low"] * scale),
        high=readable_number(row["high"] * scale))


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
                 "{floor}).").format(what=what, floor=readable_number(floor))
    meaning = params.set_index("parameter")["meaning"] if len(params) else pd.Series(dtype=str)

    def name(key: str) -> str:  # in words: the study's label (English only), the brief's name,
        # else the key
        label = str(meaning.get(key, "") or "") if current() == "en" else ""
        return label or (plain_name(ASSUMPTION_WORDS[key][0], None).lower() if key in ASSUMPTION_WORDS
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


class _Level(float):
    """A level that formats itself (``{level:g}`` in ``level_label``) in the current language."""

    def __format__(self, spec: str) -> str:
        return grant_level(float(self))


def level_words(s, level: float, cur: str) -> str:
    """``uncertainty.level_label`` (a config message) with the level in the current language."""
    return _(s.level_label).format(level=_Level(level), currency=currency_name(cur),
                                   million=million(cur, prose=True))


def _pct(share: float) -> str:
    return percent(share) if math.isfinite(share) else _("n/a")


def _range(low: float, high: float) -> str:
    return _("{low} to {high}").format(low=readable_number(low), high=readable_number(high))


BASIS = {"assumption": N_("assumption"), "sourced": N_("sourced")}


def _distribution(r) -> str:
    """A parameter's distribution in words, in the current language."""
    low, high = readable_number(float(r["low"])), readable_number(float(r["high"]))
    if r["dist"] == "uniform":
        return _("uniform, {low} to {high}").format(low=low, high=high)
    if r["dist"] == "triangular":
        return _("triangular, {low} to {high}, most likely {mode}").format(
            low=low, high=high, mode=readable_number(float(r["mode"])))
    return _("log-normal, 95% between {low} and {high}").format(low=low, high=high)


# ---------------------------------------------------------------- charts
def acceptability_chart(tables, s, cur: str, level: float, note: str, out: Path,
                        who: dict, title: str) -> Path:
    """Each grant's acceptability curve, the headline level's drawn thicker, under ``title``:
    the brief's own headline sentences on the cost per retained worker-year and on how often
    the grant pays for itself."""
    accept = tables["acceptability"]
    fig, ax = plt.subplots(figsize=(8, 4.6), layout="constrained")
    for i, (lv, g) in enumerate(accept.groupby("level")):
        ax.step(g["threshold"], g["probability"], where="post", color=LEVEL_COLOURS[i % 7],
                lw=2.2 if lv == level else 1.4, label=level_words(s, lv, cur))
    top = _chart_top(accept)
    ax.set(xlim=(0, top), ylim=(0, 1.02),
           xlabel=_("what the state is willing to pay per retained worker-year ({thousand})")
           .format(thousand=thousand(cur)),
           ylabel=_("share of plausible worlds in which\n{policy} costs no more than that")
           .format(**who))
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    ax.set_title(title, fontsize=9)
    fig.text(0.01, -0.01, note, fontsize=6.5, ha="left", va="top", wrap=True)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: percent(v)))
    return save_chart(fig, out, "acceptability")


def _chart_top(accept) -> float:
    """The thresholds shown: up to where every grant's curve has reached 97.5% of the worlds (or
    its final share) and 15% beyond. The table keeps every threshold up to the costliest world,
    but one world with almost no extra workers can cost tens of millions per worker-year and
    would squeeze every curve against the axis; a curve that ends below 100% at the right edge
    shows the worlds beyond it."""
    tops = []
    for _lv, g in accept.groupby("level"):
        final = float(g["probability"].max())
        reached = g[g["probability"] >= min(0.975, final)]
        tops.append(float(reached["threshold"].iloc[0]) if final > 0 and len(reached)
                    else float(g["threshold"].max()))
    highest = float(accept["threshold"].max() or 1.0)
    top = min(max(tops, default=0.0) * 1.15, highest)
    return top if top > 0 else highest


def plane_chart(tables, s, cur: str, note: str, out: Path, who: dict) -> Path:
    table, den = tables["uncertainty"], _denominator(s)
    fig, ax = plt.subplots(figsize=(8, 4.6), layout="constrained")
    rejected = table[~table["plausible"]]
    if len(rejected):
        ax.scatter(rejected[den], rejected[s.net_cost], s=10, marker="x", color="#BBBBBB",
                   lw=0.8, label=_("worlds rejected: they do not match the data"))
    table = table[table["plausible"]]
    for i, (lv, g) in enumerate(table.groupby("level")):
        ax.scatter(g[den], g[s.net_cost], s=12, alpha=0.7, color=LEVEL_COLOURS[i % 7],
                   label=level_words(s, lv, cur), lw=0)
    ax.axhline(0, color="black", lw=0.8)
    ax.axvline(0, color="grey", lw=0.6)
    ax.text(0.99, 0.02, _("below the line: {policy} pays for itself").format(**who), transform=ax.transAxes,
            ha="right", fontsize=8, color="#009E73")
    ax.set(xlabel=_("extra freelancers working in the profession (mean over the horizon)"),
           ylabel=_("change in net public cost ({million}/year)").format(million=million(cur)))
    ax.set_title(_("Each dot is a world that matches the data: the freelancers {policy} keeps "
                   "and what it costs, at each grant").format(**who), fontsize=10)
    ax.legend(frameon=False, fontsize=8)
    fig.text(0.01, -0.01, note, fontsize=6.5, ha="left", va="top", wrap=True)
    return save_chart(fig, out, "cost_effectiveness_plane")


def _denominator(s) -> str:
    from sim.model.outcomes import RATIO_EFFECTS

    return f"effect.{RATIO_EFFECTS[s.cost_effectiveness.removeprefix('effect.')][1]}"


# ---------------------------------------------------------------- worlds that match the data
def matching_sentence(tables, s, level: float) -> str:
    """How many worlds were drawn, how many match the data and the commonest reason the
    others were rejected."""
    summary = tables["summary"].set_index("level")
    drawn, kept = int(summary.loc[level, "draws"]), int(summary.loc[level, "draws_plausible"])
    rejections = tables.get("rejections")
    judged = (rejections[rejections["judged"].astype(bool)] if rejections is not None
              and len(rejections) else pd.DataFrame())
    if judged.empty or kept == drawn:
        return (_("Every one of the {draws} worlds drawn matches what is observed of the sector.")
                .format(draws=drawn) if len(judged) else
                _("The {draws} worlds drawn were not judged against the data "
                  "(uncertainty.cutoff is null).").format(draws=drawn))
    worst = judged.sort_values("rejected", ascending=False).iloc[0]
    reason = _("most often because {fact} is outside {low} to {high} ({count} worlds)").format(
        fact=f"`{worst['fact']}`", low=readable_number(worst["low"]), high=readable_number(worst["high"]),
        count=int(worst["rejected"]))
    if kept == 0:
        return _("None of the {draws} worlds drawn reproduces what is observed of the sector, "
                 "{reason}: there is nothing to report until the ranges or the rules change (see "
                 "the table of facts below).").format(draws=drawn, reason=reason)
    return _("{kept} of the {draws} worlds drawn reproduce what is observed of the sector; the "
             "others were rejected, {reason}. The numbers below are over those {kept} "
             "worlds.").format(kept=kept, draws=drawn, reason=reason)


def matching_blocks(tables, s, level: float, who: dict) -> list:
    """The facts every world is judged by, their ranges, how many worlds each rejects and its
    level over all worlds and over those kept; facts that cannot judge this case, and why."""
    rejections = tables.get("rejections")
    if rejections is None or rejections.empty:
        return []
    rows, skipped = [], []
    for _i, r in rejections.iterrows():
        if not bool(r["judged"]):
            skipped.append(f"`{r['fact']}`: {r['note']}")
            continue
        rows.append([f"`{r['fact']}`", _("{low} to {high}").format(low=readable_number(r["low"]),
                                                                    high=readable_number(r["high"])),
                     str(int(r["rejected"])), str(int(r["rejected_alone"])),
                     readable_number(r["median_all"]), readable_number(r["median_plausible"])])
    blocks = [
        ("h2", _("Worlds that match the data")),
        ("p", _("Before it counts, each world is calibrated (its entry rate is refitted so that, "
                "without {policy}, it holds the sector's real number of freelancers) and then "
                "judged on each fact below: its distance from the middle of the fact's range, in "
                "standard deviations, where the range counts as three of them either side "
                "(observation error and model error) and the seeds' noise is added. A world more "
                "than {cutoff} from any fact is rejected (history matching, as in calibrating "
                "large simulators).").format(**who, cutoff=readable_number(s.cutoff or 0))),
        ("table", [_("fact"), _("range"), _("worlds rejected"), _("rejected by this fact alone"),
                   _("median, all worlds"), _("median, worlds kept")], rows)]
    if skipped:
        blocks += [("p", _("Facts that cannot judge this case:")), ("ul", skipped)]
    return blocks


# ---------------------------------------------------------------- structural choices
def _ends(tables, s, level: float, key: str):
    """The low and high third of one structural choice's worlds at ``level`` (or None)."""
    t = tables.get("structural")
    if t is None or t.empty:
        return None
    sub = t[(t["level"] == level) & (t["parameter"] == key)].set_index("end")
    return (sub.loc["low"], sub.loc["high"]) if {"low", "high"} <= set(sub.index) else None


def structural_sentence(tables, s, level: float, cur: str, params, who: dict) -> str | None:
    """The answer at each end of the first structural choice's range (displacement), in one
    sentence."""
    if not s.structural:
        return None
    key = s.structural[0]
    ends = _ends(tables, s, level, key)
    if ends is None:
        return None
    low, high = ends
    den = _denominator(s)
    return _("How the answer moves with one structural choice, {meaning}: in the worlds where it is "
             "{low_from} to {low_to}, {policy} keeps {low_n} more people working at a net cost "
             "of {low_c} {million} a year; where it is {high_from} to {high_to}, {high_n} at "
             "{high_c} (medians).").format(
        **who, meaning=_meaning(params.set_index("parameter").loc[key, "meaning"]),
        **{f"{end}_{part}": readable_number(row[column])
           for end, row in (("low", low), ("high", high))
           for part, column in (("from", "from"), ("to", "to"), ("n", den), ("c", s.net_cost))},
        million=million(cur, prose=True))


def structural_blocks(tables, s, level: float, cur: str, params) -> list:
    """How much each structural choice weighs: the worlds kept at each end of its range."""
    den, rows = _denominator(s), []
    meaning = params.set_index("parameter")["meaning"]
    for key in s.structural:
        ends = _ends(tables, s, level, key)
        if ends is None:
            continue
        for end, r in zip((_("lowest third"), _("highest third")), ends, strict=True):
            rows.append([f"{_meaning(meaning.loc[key])} (`{key}`)", end,
                         _("{low} to {high}").format(low=readable_number(r["from"]),
                                                     high=readable_number(r["to"])),
                         str(int(r["worlds"])), readable_number(r[den]), readable_number(r[s.net_cost]),
                         readable_number(r[s.cost_effectiveness])])
    if not rows:
        return []
    return [("h2", _("How much the structural choices weigh ({level})").format(
                level=level_words(s, level, cur))),
            ("p", _("Each structural choice of the model is drawn over its range like the other "
                    "assumptions. For each, the worlds that match the data with its lowest and "
                    "its highest third of values, and the medians of the answer there:")),
            ("table", [_("structural choice"), _("end of its range"), _("values"), _("worlds"),
                       _("extra people working"),
                       _("net public cost ({million}/year)").format(million=million(cur)),
                       _("cost per retained worker-year ({thousand})").format(
                           thousand=thousand(cur))], rows)]


# ---------------------------------------------------------------- brief
SCENARIO_NOTES = {"every world pays for itself": N_("every world pays for itself"),
                  "no world pays for itself": N_("no world pays for itself")}


def scenario_blocks(tables, s, level: float, cur: str, who: dict) -> list:
    boxes = tables["scenarios"]
    box = boxes[boxes["level"] == level]
    words = level_words(s, level, cur)
    blocks = [("h2", _("Appendix: when does {policy} pay for itself? (scenario discovery)").format(
        **who))]
    if box.empty:
        return blocks + [("p", _("No scenario discovery was run for this level."))]
    first = box.iloc[0]
    if first["note"] in SCENARIO_NOTES:
        return blocks + [("p", _("With {level}, {note}: there are no ranges to tell apart.").format(
            level=words, note=_(SCENARIO_NOTES[first["note"]])))]
    if first["parameter"] == "":
        return blocks + [("p", _("With {level}, PRIM finds no parameter range in which "
                                 "{policy} pays for itself clearly more often than overall "
                                 "({share} of worlds).").format(
            **who, level=words, share=_pct(first["base_rate"])))]
    rows = [[f"`{r['parameter']}`", _range(r["low"], r["high"]),
             _range(r["range_low"], r["range_high"])] for _i, r in box.iterrows()]
    blocks += [
        ("p", _("With {level}, {policy} pays for itself in {share} of the {draws} worlds. PRIM "
                "(box peeling, {alpha} per step, boxes of at least {mass} of the worlds; "
                "restrictions that add under {prune} points of density dropped) finds these "
                "ranges:").format(**who, level=words, share=_pct(first["base_rate"]), draws=s.draws,
                                  alpha=_pct(s.prim_alpha), mass=_pct(s.prim_min_mass),
                                  prune=readable_number(s.prim_prune * 100))),
        ("table", [_("parameter"), _("in the box"), _("range drawn")], rows),
        ("p", _("In this box {policy} pays for itself in {density} of worlds (density); the "
                "box holds {coverage} of all worlds in which it pays for itself (coverage) and "
                "{mass} of all worlds (mass). With {draws} worlds this describes these draws, not "
                "a law: confirm a box with more draws before relying on it.").format(
            **who, density=_pct(first["density"]), coverage=_pct(first["coverage"]),
            mass=_pct(first["mass"]), draws=s.draws))]
    others = boxes[(boxes["level"] != level) & (boxes["parameter"] != "")]
    if not others.empty:
        rows = [[grant_level(r["level"]), f"`{r['parameter']}`", _range(r["low"], r["high"]),
                 _pct(r["density"]), _pct(r["coverage"])] for _i, r in others.iterrows()]
        blocks += [("p", _("The other levels studied:")),
                   ("table", [_("level"), _("parameter"), _("in the box"), _("density"),
                              _("coverage")], rows)]
    return blocks


def write_uncertainty_report(tables: dict[str, pd.DataFrame], s, markers, out: Path,
                             lang: str | None = None, command: str | None = None) -> Path:
    """The study's two charts and brief, in ``lang`` (None: the study's ``report.language``);
    ``command``: the command that reproduces the sweep folder (sim.study.aggregate.sweep_command;
    None: the study's own command)."""
    with language(lang or (markers[0].get("report") or {}).get("language", "en")):
        return _write_uncertainty_report(tables, s, markers, out,
                                         command or "python -m sim -m experiment=uncertainty")


def _meaning(text) -> str:
    """A parameter's label from experiments/uncertainty.yaml (a config message)."""
    text = str(text or "")
    return _(text) if text else ""


def _write_uncertainty_report(tables: dict[str, pd.DataFrame], s, markers, out: Path,
                              command: str) -> Path:
    from sim.report.description import label_words, named, of_marker, which_words
    from sim.report.format import country_name

    cfg = markers[0]["config"]
    alliance = of_marker(markers[0])  # the policy's description
    who = named(alliance)
    cur = alliance["currency"] or markers[0].get("currency", "")
    sector, country = (cfg.get(b) or {} for b in ("sector", "country"))
    label = label_words(alliance)
    sector_label = _(sector["label"]) if sector.get("label") else _("the sector")
    place = country_name(country)
    seeds = len(markers[0]["seeds"])
    level = headline_level(s, markers)
    words = level_words(s, level, cur)
    summary = tables["summary"].set_index("level")
    intervals, drivers, params = tables["intervals"], tables["drivers"], tables["parameters"]
    p = float(summary.loc[level, "p_pays_for_itself"])
    noise = float(summary.loc[level, "noise_share_net_cost"])
    n_ok = int(summary.loc[level, "draws_plausible"])
    note = _("{alliance}: {sector}, {country}; {plausible} of {draws} worlds drawn (Latin "
             "hypercube over {n} assumptions, experiments/uncertainty.yaml) match the data, "
             "{seeds} paired seeds each. A world with no extra workers has no cost per retained "
             "worker-year and counts as not acceptable at any threshold. Sources: "
             "docs/model.md.").format(alliance=label, sector=sector_label, country=place,
                                      plausible=n_ok, draws=s.draws, n=len(s.names), seeds=seeds)
    charts = [(_("Cost-effectiveness plane"), plane_chart(tables, s, cur, note, out, who))]

    # what the money buys first (people, the cost per extra worker-year), then the net fiscal
    # cost, then whether it pays for itself and what drives that: one sentence, not the frame
    paying = pays_sentence(p, n_ok, int(summary.loc[level, "draws_paying"]), words, who) if n_ok else None
    pays = [paying, drivers_sentence(drivers, params, level, s.net_cost, _("the net cost"))] if n_ok else []
    lines, fiscal = [matching_sentence(tables, s, level)], []
    active = _interval(intervals, level, _denominator(s))
    exp = _interval(intervals, level, "effect.experienced_workforce")
    if active is not None and exp is not None:  # in the words of the other briefs' headline
        from sim.report.sentences import workforce_changes, workforce_kept

        texts = _span(active, interval=s.interval), _span(exp)
        kept = workforce_kept(*texts, active["median"], exp["median"])
        lines.append(_("With {level} {policy} keeps {kept} (medians over the worlds).").format(
            **who, level=words, kept=kept) if kept is not None else _(
            "With {level}: {changes} (medians over the worlds).").format(
            level=words, changes=workforce_changes(*texts)))
    cost = _interval(intervals, level, s.net_cost)
    if cost is not None:
        fiscal.append(_("Its net effect on public finances is {cost} {million} a year, once "
                        "taxes, contributions, benefits and care flowing back are counted.").format(
            cost=_span(cost, interval=s.interval), million=million(cur, prose=True)))
    ratio = _interval(intervals, level, s.cost_effectiveness)
    per_year = None if ratio is None else worker_year_sentence(
        ratio, float(summary.loc[level, "p_cost_effectiveness_undefined"]), s.interval, words, cur, who)
    if per_year is not None:
        lines.append(per_year)
    structural = structural_sentence(tables, s, level, cur, params, who) if n_ok else None
    lines += fiscal + ([structural] if structural else []) + pays
    if n_ok:  # the chart's title: the headline's own sentences
        title = "\n".join(wrapped(t, 95) for t in (per_year, paying) if t)
        charts.insert(0, (_("Cost-effectiveness acceptability curve"),
                          acceptability_chart(tables, s, cur, level, note, out, who, title)))
    if math.isfinite(noise):
        lines.append(_("About {share} of the spread of the net cost across worlds is simulation "
                       "noise ({seeds} seeds per world), which widens these intervals; the rest "
                       "comes from the assumptions.").format(share=_pct(noise), seeds=seeds))

    by_level = []
    for lv in sorted(summary.index):
        share = summary.loc[lv, "p_pays_for_itself"]
        row = [level_words(s, lv, cur), _pct(share) if math.isfinite(share) else "–"]
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
        driver_rows.append([f"`{r['parameter']}`", _meaning(meaning.loc[r["parameter"], "meaning"]),
                            _num_signed(r["spearman"]),
                            _num_signed(exp_rho.iloc[0]) if len(exp_rho) else "–"])
    known = source_entries()
    cited = {r["parameter"]: cited_anchors(str(r["source"]), known) for _i, r in params.iterrows()}

    def source_cell(r) -> str:  # the config's note is English: elsewhere only its cited sources
        links = "".join(f" [{known[a]['title']}](#{a})" for a in cited[r["parameter"]])
        if current() == "en":
            return str(r["source"]) + links
        return (links.strip() or _("assumption (no direct source)")) + " " + _(
            "(note in experiments/uncertainty.yaml)")

    assumption_rows = [[_meaning(r["meaning"]), _distribution(r),
                        _(BASIS.get(str(r["basis"]), str(r["basis"]))), source_cell(r),
                        f"`{r['parameter']}`"] for _i, r in params.iterrows()]
    which = which_words(alliance)
    title = _("What {alliance} buys when the assumptions are uncertain").format(alliance=label)
    method = (ngettext("{plausible} of {draws} worlds drawn match the data, {seeds} simulated "
                       "run each with and without {policy}; reproduce with {command}",
                       "{plausible} of {draws} worlds drawn match the data, {seeds} simulated "
                       "runs each with and without {policy}; reproduce with {command}", seeds)
              .format(plausible=n_ok, draws=s.draws, seeds=seeds, command=f"`{command}`", **who))
    blocks = [*front_matter(title, represents(alliance, sector, country), method),
        ("p", _("{sector} in {country}, with and without {policy} ({which}). Instead of one "
                "set of assumptions, {draws} worlds: each draws the {n} uncertain assumptions "
                "listed below from their ranges (Latin hypercube), is calibrated so that it holds "
                "the sector's real number of freelancers, and counts only if, without {policy}, "
                "it reproduces what is observed of the sector (below: worlds that match the "
                "data). Each is simulated {times} with and without {policy} under identical "
                "conditions, at each grant studied. Numbers are medians over the worlds that "
                "match the data, with the range that holds the central {share} of them: they "
                "include the uncertainty of the assumptions as well as simulation "
                "noise.").format(**who, sector=sector_label, country=place, which=which,
                                 draws=s.draws, n=len(s.names),
                                                times=ngettext("{seeds} time", "{seeds} times",
                                                               seeds).format(seeds=seeds),
                                                share=_pct(s.interval))),
        ("h2", _("Headline numbers")), ("ul", lines),
        ("h2", _("By grant")),
        ("table", [_("grant"), _("pays for itself"),
                   _("net public cost ({million}/year)").format(million=million(cur)),
                   _("extra experienced freelancers"),
                   _("cost per retained worker-year ({thousand})").format(thousand=thousand(cur))],
         by_level),
        ("h2", _("Charts"))]
    blocks += [("img", t, path) for t, path in charts]
    blocks += matching_blocks(tables, s, level, who)
    blocks += structural_blocks(tables, s, level, cur, params)
    blocks += [
        ("p", _("The acceptability curve: for each price the state might be willing to pay per "
                "retained worker-year, the share of plausible worlds in which {policy} costs "
                "no more than that. It starts at the share of worlds in which {policy} both "
                "pays for itself and keeps extra workers; worlds with no extra workers never "
                "count.").format(**who)),
        ("h2", _("What drives the net cost ({level})").format(level=words)),
        ("table", [_("parameter"), _("meaning"), _("rank correlation with net cost"),
                   _("with extra experienced freelancers")], driver_rows),
        ("h2", _("The uncertain assumptions and their sources")),
        ("table", [_("assumption"), _("distribution"), _("basis"), _("source"), _("config key")],
         assumption_rows),
        ("p", _("Each parameter is drawn on its own: the ranges carry no correlation between "
                "parameters, although some were calibrated together (docs/model.md §3.4). The "
                "behavioural rules themselves, and what the model leaves out, are not varied.")),
    ]
    blocks += source_blocks(list(dict.fromkeys(a for v in cited.values() for a in v)))
    blocks += scenario_blocks(tables, s, level, cur, who)
    blocks += [("p", _("Tables: uncertainty (every world and grant, with its implausibility "
                       "and whether it matches the data), rejections, structural, acceptability, "
                       "summary, "
                       "intervals, drivers, scenarios, parameters (Parquet and CSV). Method: "
                       "docs/model.md. Reproduce: see provenance.json in this folder."))]
    return write_brief(out, blocks, title)


# ---------------------------------------------------------------- the funding brief's lines
def funding_brief_lines(sweep, level: float, cur: str) -> list[str]:
    """Headline lines for a funding brief from a sibling ``uncertainty`` study, if one has been
    aggregated for the same world; a line saying why not when it cannot be quoted."""
    from sim.report.description import named, of_marker
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
    who = named(of_marker(sweep.markers[0]))
    differ = [k for k in dict.fromkeys([*ours, *theirs]) if theirs.get(k) != ours.get(k)]
    if differ:
        return [_("An uncertainty study exists (results/sweeps/uncertainty) but describes another "
                  "world ({differences}); it is not quoted here.").format(differences=", ".join(
                      _("{key} {there} there, {here} here").format(
                          key=k, there=theirs.get(k), here=ours.get(k)) for k in differ))]
    row = summary[np.isclose(summary["level"], level)]
    if row.empty:
        levels = ", ".join(readable_number(v) for v in summary["level"])
        return [_("The uncertainty study (results/sweeps/uncertainty) ran {levels} only, not "
                  "{level}; see its brief.").format(levels=levels, level=readable_number(level))]
    row = row.iloc[0]
    kept = int(row.get("draws_plausible", row["draws"]))
    if kept == 0:
        return [_("None of the {draws} worlds of the uncertainty study (results/sweeps/uncertainty) "
                  "reproduces what is observed of the sector; see its brief.").format(
                      draws=int(row["draws"]))]
    spec = info.get("settings") or {}
    net_cost = spec.get("net_cost", "effect.public_cost_m")
    interval = float(spec.get("interval", 0.9))
    exp = _interval(intervals, row["level"], "effect.experienced_workforce")
    cost = _interval(intervals, row["level"], net_cost)
    lines = []
    if exp is not None and cost is not None:
        lines.append(_("Allowing also for uncertainty in the assumptions ({kept} of {draws} worlds "
                       "drawn from the ranges in experiments/uncertainty.yaml match the data): "
                       "{policy} keeps {exp} more experienced freelancers, at a net public cost "
                       "of {cost} {million} a year (medians over those worlds; the run above, with "
                       "the default assumptions, is one plausible world, not the median "
                       "one).").format(
            **who, kept=kept, draws=int(row["draws"]), exp=_span(exp, interval=interval),
            cost=_span(cost, interval=interval), million=million(cur, prose=True)))
    lines.append(f"{worlds_sentence(float(row['p_pays_for_itself']), kept, who)}. "
                 + drivers_sentence(drivers, params, row["level"], net_cost, _("the net cost")))
    return lines
