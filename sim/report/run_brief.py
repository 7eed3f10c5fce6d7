"""The short brief of one paired comparison (``python -m sim``): brief.md and brief.html in the
run folder.

Where it sits: called by the CLI (``sim/cli/main.py``) after the run's tables and charts are
written. It says the headline effects with their 95% CIs in words, shows the run's two charts,
lists the assumptions in words with their sources, and states the date, the model version and how
the numbers were made.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from sim.report.brief import left_out_blocks
from sim.report.document import (
    appendix_blocks,
    assumption_tables,
    calibration_blocks,
    front_matter,
    source_blocks,
    write_brief,
)
from sim.report.i18n import N_, _, million, ngettext
from sim.report.sentences import grant_headlines, public_finance, represents, retention_sentence
from sim.run.io import typed_command
from sim.run.notes import config_notes

AGE_CHART = "member_ages.png"  # in the researchers' appendix (sim.report.charts.member_age_chart)
RUN_CHARTS = {"cohort_survival.png": N_("Newcomers still in the profession, by years since entry"),
              "public_cost.png": N_("Yearly change in public cost, by part")}


def _getter(summary: pd.DataFrame):
    """``get(outcome, arm="effect")``: (mean, 95% CI low, high) of an outcome in the run's
    summary; NaNs where the run has no such outcome."""
    rows = summary.set_index("outcome")

    def get(outcome, arm="effect"):
        if outcome not in rows.index:
            return math.nan, math.nan, math.nan
        r = rows.loc[outcome]
        return float(r[arm]), float(r[f"{arm}_ci_low"]), float(r[f"{arm}_ci_high"])
    return get


def run_chart_titles(summary: pd.DataFrame, funding_m: float, policy: dict) -> dict[str, str]:
    """The titles of a single run's charts, in the current language: each the brief's own
    headline sentence for what the chart shows (``cohort_survival``: ten-year retention,
    ``public_cost``: the net effect on public finances)."""
    get = _getter(summary)
    return {"cohort_survival": retention_sentence(get("retention_10y", "baseline")[0],
                                                  get("retention_10y", "policy")[0],
                                                  get("retention_10y"), policy),
            "public_cost": public_finance(funding_m, get("public_cost_m"), policy["currency"], policy)}


def write_run_brief(summary: pd.DataFrame, config: dict, choices: dict | None, seeds: int,
                    out: Path, command: str | None = None, refit: str | None = None,
                    policy: dict | None = None) -> Path:
    """A short brief for one paired comparison (``python -m sim``): headline effects with their
    95% CIs in words, the run's two charts, the assumptions, date, version, how it was made; in
    the current language (``with sim.report.i18n.language(...)``, as the CLI does).

    Args:
        summary: the run's summary table (outcome, baseline, alliance, effect and their CIs).
        config: the resolved config as plain containers.
        choices: the config group options the run used (Hydra's runtime choices).
        seeds: the number of paired seeds.
        out: the run folder, which already holds the charts.
        command: the command that reproduces the run, every override included (None: the
            command that started this process, as provenance.json records it, quoted for a
            shell: ``sim.run.io.typed_command``).
        refit: the command that refits the entry rate for this world, said when the baseline's
            pool drifted from ``population.size`` (None: for its sector and country alone).
        policy: the policy's description (``sim.report.description``; None: described from
            ``config``, as the CLI does).
    """
    from sim.report.description import assumptions_listed, describe_config, named, title_words

    policy = policy or describe_config(config, choices)
    sector, country = (config.get(k) or {} for k in ("sector", "country"))
    cur = policy["currency"]
    get = _getter(summary)
    level = float((config.get("policy") or {}).get("funding_m", math.nan))  # the grant (a key)
    from sim.report.words import _g

    title = _("What {level} {million} a year buys: {title}").format(
        level=_g(level), million=million(cur, prose=True), title=title_words(policy))
    spec = {"assumptions": None, "left_out": [], **(config.get("report") or {})}
    blocks = front_matter(title, represents(policy, sector, country),
                          ngettext("{n} simulated run with and without {policy} under "
                                   "identical conditions (common random numbers); reproduce with "
                                   "`{command}`",
                                   "{n} simulated runs with and without {policy} under "
                                   "identical conditions (common random numbers); reproduce with "
                                   "`{command}`",
                                   seeds).format(n=seeds, command=command or typed_command(),
                                                 **named(policy)))
    from sim.study.stats import refit_command

    blocks += calibration_blocks(
        get("active_workforce", "baseline")[0], float((config.get("population") or {}).get("size", 0)),
        refit or refit_command(sector.get("name", ""), country.get("name", ""), []))
    blocks += [("p", _("Ranges are 95% confidence intervals over the simulated runs: they measure "
                       "simulation noise, not the uncertainty of the assumptions below.")),
               ("h2", _("Headline numbers")), ("ul", grant_headlines(get, level, cur, policy))]
    charts = [(_(caption), out / name) for name, caption in RUN_CHARTS.items()
              if (out / name).exists()]
    if charts:
        blocks += [("h2", _("Charts"))] + [("img", caption, path) for caption, path in charts]
    flat = {f"{block}.{k}": v for block, values in config.items() if isinstance(values, dict)
            for k, v in values.items()}
    words, appendix, cited = assumption_tables(flat, config_notes(choices),
                                               assumptions_listed(spec["assumptions"], policy),
                                               cur, country.get("wage_scale", 1.0),
                                               policy.get("assumptions", ()))
    blocks += [("h2", _("The assumptions that drive the result")),
               ("table", [_("assumption"), _("value"), _("source")], words)]
    blocks += left_out_blocks(spec, policy) + source_blocks(cited) + appendix_blocks(appendix)
    if (out / AGE_CHART).exists():
        blocks += [("img", _("Members' ages at hire and in the alliance"), out / AGE_CHART)]
    return write_brief(out, blocks, title)
