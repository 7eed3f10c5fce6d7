"""``python -m sim``: the Hydra application for one paired comparison over several seeds.

Where it sits: the thin outer layer. It validates the config (``sim.config.build_spec``), calls
``sim.experiment.run_pair`` once per seed, and writes tidy tables, charts and provenance into the
Hydra run folder. Nothing here is needed to use the model from Python.
"""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from tqdm import tqdm

from sim.config import CONFIG_DIR, build_spec, compose_config
from sim.core.params import ConfigError
from sim.experiment import run_pair
from sim.io import provenance, write_json, write_table, write_text
from sim.outcomes import UNITS, metrics_long
from sim.stats import summarise


def format_table(summary: pd.DataFrame) -> str:
    def fmt(x: float) -> str:
        return "–" if pd.isna(x) else f"{x:,.3g}" if abs(x) < 1000 else f"{x:,.0f}"

    lines = [f"{'outcome':34s} {'baseline':>12s} {'alliance':>12s} {'effect [95% CI]':>32s}"]
    for _, r in summary.iterrows():
        ci = f"{fmt(r['effect'])} [{fmt(r['effect_ci_low'])}, {fmt(r['effect_ci_high'])}]"
        lines.append(f"{r['outcome']:34s} {fmt(r['baseline']):>12s} {fmt(r['alliance']):>12s} "
                     f"{ci:>32s}")
    return "\n".join(lines)


def run_comparison(cfg: DictConfig, out_dir: Path) -> pd.DataFrame:
    """Run every seed and write all outputs into ``out_dir``; returns the summary table."""
    spec, run = build_spec(cfg)  # raises ConfigError before anything is simulated or written
    seeds = range(run.seed, run.seed + run.seeds)
    metrics, series, survival = [], [], []
    agent_months = 0
    for seed in tqdm(seeds, desc="paired runs", unit="seed", disable=cfg.output.quiet,
                     file=sys.stderr):
        pair = run_pair(spec, seed)
        outcomes = pair.outcomes()
        agent_months += int(outcomes["agent_months"])
        metrics.append(metrics_long(seed, outcomes))
        survival.append(pair.survival())
        if cfg.output.timeseries or cfg.output.charts:
            series.append(pair.timeseries())
    metrics_df = pd.concat(metrics, ignore_index=True)
    summary = summarise(metrics_df, UNITS)
    write_table(metrics_df, out_dir / "metrics")
    write_table(summary, out_dir / "summary", csv=False)
    write_text(out_dir / "summary.csv", summary.to_csv(index=False))
    write_table(pd.concat(survival, ignore_index=True), out_dir / "survival")
    if cfg.output.timeseries:
        write_table(pd.concat(series, ignore_index=True), out_dir / "timeseries", csv=False)
    if cfg.output.charts:
        from sim.plotting import public_cost_chart, survival_chart

        note = (f"{spec.sector.label}, {spec.country.name}; alliance grant "
                f"{spec.alliance.funding_m:g} M {spec.country.currency}/year; "
                f"{run.seeds} paired seeds, 95% bands. Assumptions and sources: docs/model.md.")
        survival_chart(pd.concat(survival, ignore_index=True), out_dir / "cohort_survival.png",
                       note)
        public_cost_chart(pd.concat(series, ignore_index=True), out_dir / "public_cost.png",
                          spec.country.currency, note)
    write_text(out_dir / "config.yaml", OmegaConf.to_yaml(cfg, resolve=True))
    write_json(out_dir / "provenance.json",
               provenance({"seeds": list(seeds), "agent_months": agent_months}))
    return summary


def first_values(overrides: list[str]) -> list[str]:
    """Each sweep override (``a=1,2``, ``range(...)``) replaced by its first value; every value
    of a swept config group must name an existing option."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    out = []
    for text, parsed in zip(overrides, OverridesParser.create().parse_overrides(overrides),
                            strict=True):
        if parsed.is_sweep_override():
            key = parsed.get_key_element()
            values = list(parsed.sweep_string_iterator())
            group = CONFIG_DIR / key
            if group.is_dir():
                options = sorted(p.stem for p in group.glob("*.yaml"))
                for value in values:
                    if value not in options:
                        raise ConfigError(key, value, "one of " + ", ".join(options))
            text = f"{key}={values[0]}"
        out.append(text)
    return out


def sweep_variants(overrides: list[str]) -> list[list[str]]:
    """The first values of all sweeps, then one variant per other value of each swept key."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    first = first_values(overrides)
    variants = [first]
    for i, parsed in enumerate(OverridesParser.create().parse_overrides(overrides)):
        if parsed.is_sweep_override():
            for value in list(parsed.sweep_string_iterator())[1:]:
                variant = list(first)
                variant[i] = f"{parsed.get_key_element()}={value}"
                variants.append(variant)
    return variants


def preflight(argv: list[str]) -> None:
    """Validate the overrides before Hydra starts, so a bad key, value or experiment name gives
    one clear message and exit code 2, before any job is launched. For a sweep, the first value
    of every swept key is checked (every job is validated again when it starts)."""
    multirun = any(a in ("-m", "--multirun") for a in argv)
    if any(a.startswith("-") and a not in ("-m", "--multirun") for a in argv):
        return  # --help, --cfg and other Hydra flags
    overrides = [a for a in argv if not a.startswith(("-", "hydra.", "hydra/"))]
    try:
        if multirun:
            from hydra.errors import HydraException

            try:
                variants = sweep_variants(overrides)
            except HydraException as err:
                raise ConfigError(" ".join(overrides), None, f"valid sweep syntax ({err})") from None
            for variant in variants[1:]:  # every value of every swept key, one key at a time
                build_spec(compose_config(variant))
            overrides = variants[0]
            cfg = compose_config(overrides, with_hydra=True)
            params = OmegaConf.to_container(cfg.hydra.sweeper.params or {})
            swept = {o.split("=", 1)[0] for o in overrides}
            extra = [f"{k}={v}" for k, v in params.items() if k not in swept]
            if extra:
                cfg = compose_config(overrides + first_values(extra))
        else:
            cfg = compose_config(overrides)
        build_spec(cfg)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)


@hydra.main(config_path=str(CONFIG_DIR), config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> None:
    hc = HydraConfig.get()
    out_dir = Path(hc.runtime.output_dir)
    try:
        if hc.mode == RunMode.MULTIRUN:
            from sim.sweep import run_job

            choices = OmegaConf.to_container(hc.runtime.choices)
            run_job(cfg, out_dir, Path(hc.sweep.dir), list(hc.overrides.task), choices,
                    int(hc.job.num))
            return
        summary = run_comparison(cfg, out_dir)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    if not cfg.output.quiet:
        print(format_table(summary))
        print(f"\nresults: {out_dir}")
