"""``python -m sim``: the Hydra application for one paired comparison over several seeds.

Where it sits: the thin outer layer, after the pre-flight (``sim/cli/preflight.py``) has
checked the whole command. It validates the config again (``sim.run.config.build_spec``),
simulates every seed's paired run (in batches, ``sim.run.batch.run_specs``), and writes tidy
tables, charts and provenance into the Hydra run folder. Nothing here is needed to use the
model from Python.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import hydra
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from tqdm import tqdm

from sim.cli.command import interrupted
from sim.model.core.params import ConfigError
from sim.model.outcomes import UNITS, metrics_long
from sim.run.batch import batches, run_specs
from sim.run.config import CONFIG_DIR
from sim.run.io import provenance, write_json, write_table, write_text
from sim.study.checks import checked_spec
from sim.study.stats import DRIFT_TOLERANCE, pool_drift, summarise
from sim.study.stats import refit_command as stats_refit_command


def unit_text(unit: str, currency: str) -> str:
    """A unit as the reader sees it: the country's currency instead of "currency"."""
    return unit.replace("million currency", f"M {currency}").replace(
        "thousand currency", f"k {currency}").replace("currency", currency) if currency else unit


def number(x: float, scale: float = 1.0) -> str:
    """A number for the terminal: three significant digits, whole numbers from 1,000 on."""
    if pd.isna(x):
        return "–"
    x = x * scale
    return f"{x:,.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def format_table(summary: pd.DataFrame, currency: str = "") -> str:
    """The terminal's table of a comparison: shares in per cent and their effects in percentage
    points (0.185 is shown as 18.5%, an effect of 0.0002 as 0.02 points), money in the currency."""
    lines = [f"{'outcome':34s} {'unit':24s} {'baseline':>10s} {'policy':>10s} "
             f"{'effect [95% CI]':>32s}"]
    for _, r in summary.iterrows():
        share = r.get("unit") == "share"
        scale, pct = (100.0, "%") if share else (1.0, "")
        ci = (f"{number(r['effect'], scale)} [{number(r['effect_ci_low'], scale)}, "
              f"{number(r['effect_ci_high'], scale)}]")
        unit = "% (effect: % points)" if share else unit_text(str(r.get("unit", "")), currency)
        base, alliance = (number(r[arm], scale) for arm in ("baseline", "policy"))
        base, alliance = (v + pct if v != "–" else v for v in (base, alliance))
        lines.append(f"{r['outcome']:34s} {unit:24s} {base:>10s} {alliance:>10s} {ci:>32s}")
    return "\n".join(lines)


def table_notes(summary: pd.DataFrame, size: float | None = None, refit: str = "") -> list[str]:
    """Lines under the terminal's table for what a reader would otherwise ask about: a baseline
    pool that drifted from ``size`` (``population.size``: the rules no longer hold the sector at
    its real size, ``refit`` says how to refit the entry rate), and a negative net public cost."""
    notes = []
    active = summary[summary["outcome"] == "active_workforce"]
    drift = pool_drift(active["baseline"].iloc[0], size) if len(active) and size else None
    if drift is not None and abs(drift) > DRIFT_TOLERANCE:
        notes.append(f"the baseline pool holds {active['baseline'].iloc[0]:,.0f} freelancers on "
                     f"average over the horizon, {abs(drift):.0%} {'above' if drift > 0 else 'below'} "
                     f"population.size ({size:,.0f}): the entry rate is not calibrated for this "
                     f"world; refit it with {refit or 'uv run python scripts/fit-entry-rate'}")
    cost = summary[summary["outcome"] == "public_cost_m"]
    if len(cost) and cost["baseline"].iloc[0] < 0:
        notes.append("public_cost_m is negative in both arms: the sector's freelancers pay more in "
                     "taxes and contributions than they draw in benefits; the effect is what the "
                     "policy changes (positive: it costs the state money)")
    return notes


def run_comparison(cfg: DictConfig, out_dir: Path) -> pd.DataFrame:
    """Run every seed and write all outputs into ``out_dir``; returns the summary table.

    Outputs are written into a staging folder inside ``out_dir`` and moved into place only when
    all are written: a full disk leaves no partial set of results."""
    staging = out_dir / f".partial-{os.getpid()}"
    try:
        summary = _run_and_write(cfg, staging)
        for item in sorted(staging.iterdir()):
            os.replace(item, out_dir / item.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return summary


def _run_and_write(cfg: DictConfig, out_dir: Path) -> pd.DataFrame:
    spec, run = checked_spec(cfg)  # raises ConfigError before anything is simulated or written
    seeds = range(run.seed, run.seed + run.seeds)
    keep_series = cfg.output.timeseries or cfg.output.charts

    def collect(pair):
        return (pair.outcomes(), pair.survival(), pair.timeseries() if keep_series else None)

    # the seeds are simulated in batches (sim/run/batch.py); progress in simulated years of
    # each batch: the baseline arm's burn-in and horizon, then the policy arm's horizon
    horizon = spec.total_months - spec.burn_in_months
    with tqdm(total=len(batches(spec, list(seeds))) * (spec.total_months + horizon) // 12,
              desc=f"{run.seeds} paired runs", unit="year", disable=cfg.output.quiet,
              file=sys.stderr) as bar:
        pairs = run_specs([(spec, seed) for seed in seeds], collect,
                          progress=lambda months: bar.update(months // 12))  # whole years
    metrics, series, survival = [], [], []
    agent_months = 0
    for seed, (outcomes, pair_survival, pair_series) in zip(seeds, pairs, strict=True):
        agent_months += int(outcomes["agent_months"])
        metrics.append(metrics_long(seed, outcomes))
        survival.append(pair_survival)
        if keep_series:
            series.append(pair_series)
    metrics_df = pd.concat(metrics, ignore_index=True)
    from sim.report.description import describe, units_of

    choices = (OmegaConf.to_container(HydraConfig.get().runtime.choices)
               if HydraConfig.initialized() else None)
    policy = describe(spec, choices)  # all the readers know of the policy (as data)
    summary = summarise(metrics_df, {**UNITS, **units_of(policy)})
    summary.insert(0, "represents", policy["title"])  # what the run stands for
    summary.attrs["policy"] = policy
    write_table(metrics_df, out_dir / "metrics")
    write_table(summary, out_dir / "summary", csv=False)
    write_text(out_dir / "summary.csv", summary.to_csv(index=False))
    write_table(pd.concat(survival, ignore_index=True), out_dir / "survival")
    if cfg.output.timeseries:
        write_table(pd.concat(series, ignore_index=True), out_dir / "timeseries", csv=False)
    if cfg.output.charts:  # charts and the brief that embeds them, in report.language
        from sim.report.charts import member_age_chart, public_cost_chart, run_note, survival_chart
        from sim.report.i18n import language
        from sim.report.run_brief import run_chart_titles, write_run_brief

        with language(cfg.report.get("language", "en") if "report" in cfg else "en"):
            note = run_note(policy, spec.sector.label, spec.country.name,
                            float(cfg.policy.funding_m), run.seeds)
            titles = run_chart_titles(summary, float(cfg.policy.funding_m), policy)  # the headlines'
            survival_chart(pd.concat(survival, ignore_index=True),
                           out_dir / "cohort_survival.png", note, policy, titles["cohort_survival"])
            public_cost_chart(pd.concat(series, ignore_index=True), out_dir / "public_cost.png",
                              policy["currency"], note, policy=policy, title=titles["public_cost"])
            member_age_chart([(policy["title"], pd.concat(series, ignore_index=True))],
                             out_dir / "member_ages.png")
            write_run_brief(summary, OmegaConf.to_container(cfg, resolve=True), choices,
                            run.seeds, out_dir, refit=refit_command(cfg), policy=policy)
    write_text(out_dir / "config.yaml", OmegaConf.to_yaml(cfg, resolve=True))
    write_json(out_dir / "provenance.json",
               provenance({"seeds": list(seeds), "agent_months": agent_months, "policy": policy}))
    return summary


def table_header(summary: pd.DataFrame, cfg: DictConfig) -> str:
    """The line above the terminal's table: what the run represents (the policy's title, from
    its description), its sector and country."""
    return (f"{summary['represents'].iloc[0]}, {cfg.sector.label}, "
            f"{str(cfg.country.name).title()} (policy arm) against none (baseline):")


def refit_command(cfg: DictConfig) -> str:
    """``scripts/fit-entry-rate`` for this run's world (``sim.study.stats.refit_command``)."""
    task = list(HydraConfig.get().overrides.task) if HydraConfig.initialized() else []
    return stats_refit_command(str(cfg.sector.name), str(cfg.country.name), task)


@hydra.main(config_path=str(CONFIG_DIR), config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> None:
    hc = HydraConfig.get()
    out_dir = Path(hc.runtime.output_dir)
    try:
        if hc.mode == RunMode.MULTIRUN:
            from sim.study.sweep import run_job

            choices = OmegaConf.to_container(hc.runtime.choices)
            run_job(cfg, out_dir, Path(hc.sweep.dir), list(hc.overrides.task), choices,
                    int(hc.job.num))
            return
        summary = run_comparison(cfg, out_dir)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    except SystemError as err:  # Ctrl-C while numba compiles a kernel on its first call
        if interrupted(err):  # an interruption (python -m sim: one line, exit 130), not a failure
            raise KeyboardInterrupt from err
        raise
    except OSError as err:  # a full or failing disk: one line, no results that look complete
        kept = ("the job has no COMPLETE.json, so it counts as unfinished"
                if hc.mode == RunMode.MULTIRUN else "no results were kept there")
        reason = " ".join(str(err.strerror or err).split())
        print(f"error: could not write the results to {out_dir}: {reason}; {kept}: free space "
              "and run the same command again", file=sys.stderr)
        sys.exit(1)
    if not cfg.output.quiet:
        print(table_header(summary, cfg))
        policy = summary.attrs.get("policy") or {"currency": str(cfg.country.currency)}
        print(format_table(summary, policy["currency"]))
        for note in table_notes(summary, float(cfg.population.size), refit_command(cfg)):
            print(f"note: {note}")
        print(f"\nresults: {out_dir}")
