"""Hydra callbacks of a multirun: a plan and progress lines, and aggregation at the end.

Where it sits: around the sweep jobs. ``on_multirun_start`` (main process) writes the plan
(number of jobs, start time); ``on_job_end`` (in whichever process ran the job) prints
``jobs done / total, elapsed, estimate`` from the completion markers on disk, which works the
same for every launcher; ``on_multirun_end`` aggregates the sweep (``sim.study.aggregate``).

Before Hydra writes anything (``multirun.yaml``, each job's ``.hydra/config.yaml``),
``on_multirun_start`` and ``on_run_start`` refuse an output folder that is, or holds, a link
(one ``error:`` line, exit 2): nothing is written through a link to a file outside it. Hydra's
own writer of ``.hydra/*.yaml`` is replaced by an atomic one that refuses links too
(``_save_config``), which covers links made after the start.
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import hydra.core.utils
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from sim.model.core.params import ConfigError

PLAN = "_sweep_plan.json"
FAILURES: list[str] = []  # set in the main process when the aggregation failed (exit code 1)


def _refuse(err: ConfigError) -> None:
    """One ``error:`` line and exit 2 (Hydra turns a callback's exceptions into warnings)."""
    print(f"error: {err}", file=sys.stderr, flush=True)
    sys.exit(2)


def check_no_links(folder: Path, key: str) -> None:
    """Exit 2 with one line if the output folder is, or holds, a link."""
    from sim.run.io import refuse_links

    try:
        refuse_links(Path(folder), key)
    except ConfigError as err:
        _refuse(err)


def _save_config(cfg: DictConfig, filename: str, output_dir: Path) -> None:
    """Hydra's writer of ``.hydra/config.yaml``, ``hydra.yaml`` and ``overrides.yaml``, written
    atomically (renamed into place: a link there is replaced, never written through), refusing a
    ``.hydra`` folder or job folder that is a symbolic link."""
    from sim.run.io import LinkError, write_text

    output_dir = Path(output_dir)
    for folder in (output_dir.parent, output_dir):
        if folder.is_symlink():
            _refuse(LinkError("hydra.runtime.output_dir", output_dir.parent, folder))
    output_dir.mkdir(parents=True, exist_ok=True)
    try:
        write_text(output_dir / filename, OmegaConf.to_yaml(cfg))
    except ConfigError as err:
        _refuse(err)


# Hydra's run_job looks its writer up in its module at each call: every process that loads this
# callback (the main one, and each launcher worker, which unpickles it) writes safely.
hydra.core.utils._save_config = _save_config


def list_jobs(config: DictConfig) -> list[list[str]]:
    """The overrides of every job of the sweep, listed as Hydra's basic sweeper lists them."""
    from sim.cli.preflight import expand_jobs, sweep_params

    task = list(OmegaConf.select(config, "hydra.overrides.task") or [])
    return expand_jobs(task, sweep_params(config))


def typed(config: DictConfig) -> str:
    """The sweep's command as the user typed it, quoted for a shell. ``python -m sim`` hands
    Hydra the pre-flight's argv (sim/cli/preflight.py), which adds ``-m`` to a study and, when
    the command names no folder, ``hydra.sweep.dir`` with the folder the command's overrides
    decide: that folder is left out again, since the same command from the same working folder
    resumes it all the same."""
    from sim.cli.preflight import default_sweep_dir
    from sim.run.config import format_override
    from sim.run.io import typed_command

    argv = sys.argv[1:]
    task = list(OmegaConf.select(config, "hydra.overrides.task") or [])
    decided = format_override("hydra.sweep.dir", default_sweep_dir(str(config.get("experiment")), task))
    if argv and argv[-1] == decided:
        argv = argv[:-1]
    return typed_command(argv)


def count_jobs(config: DictConfig) -> int:
    """Number of jobs of the sweep, listed as Hydra's basic sweeper lists them."""
    return len(list_jobs(config))


def _fmt(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m{seconds % 60:02d}s"


class SweepProgress(Callback):
    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        check_no_links(Path(config.hydra.run.dir), "hydra.run.dir")

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        check_no_links(sweep_dir, "hydra.sweep.dir")
        sweep_dir.mkdir(parents=True, exist_ok=True)
        from sim.run.io import write_json
        from sim.study.sweep import read_marker

        already = sum(1 for d in sweep_dir.iterdir() if d.is_dir() and read_marker(d))
        # the command as run, quoted for a shell, and its jobs' overrides: the briefs' "reproduce
        # with" line when the folder's jobs are all of this command (sim.study.aggregate.
        # sweep_command)
        jobs = list_jobs(config)
        write_json(sweep_dir / PLAN, {"jobs": len(jobs), "started": time.time(),
                                      "complete_at_start": already, "command": typed(config),
                                      "job_overrides": jobs})

    def on_job_end(self, config: DictConfig, job_return: Any = None, **kwargs: Any) -> None:
        from hydra.types import RunMode

        from sim.study.sweep import read_marker

        if OmegaConf.select(config, "hydra.mode") != RunMode.MULTIRUN:
            return  # a single run has no sweep to report (an old sweep's plan may lie in its folder)
        sweep_dir = Path(config.hydra.sweep.dir)
        try:
            plan = json.loads((sweep_dir / PLAN).read_text())
        except (OSError, json.JSONDecodeError):
            return
        # jobs finished (or found complete and skipped) since this run started
        done = sum(1 for d in sweep_dir.iterdir() if d.is_dir() and read_marker(d)
                   and (d / "COMPLETE.json").stat().st_mtime >= plan["started"])
        total = plan["jobs"]
        elapsed = time.time() - plan["started"]
        remaining = max(total - done, 0)
        eta = elapsed / done * remaining if done else float("nan")
        eta_text = _fmt(eta) if math.isfinite(eta) else "unknown"
        print(f"[sweep] {done}/{total} jobs complete, elapsed {_fmt(elapsed)}, "
              f"estimated {eta_text} left", file=sys.stderr, flush=True)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        from sim.report.briefs import Briefs
        from sim.study.aggregate import SweepError, aggregate

        sweep_dir = Path(config.hydra.sweep.dir)
        try:
            # the command's report.language, also when every job was found complete (their
            # markers keep the language they were run with; report is not in the fingerprint)
            out = aggregate(sweep_dir, Briefs(OmegaConf.select(config, "report.language")))
        except Exception as err:  # noqa: BLE001 - report any failure, never leave it silent
            from sim.cli.command import interrupted

            if interrupted(err):  # Ctrl-C while a kernel compiled: an interruption, exit 130
                raise KeyboardInterrupt from err
            kind = "" if isinstance(err, SweepError) else f"{type(err).__name__}: "
            message = (f"error: aggregation of {sweep_dir} failed: {kind}{err}; an earlier "
                       "aggregate/ there was moved to aggregate.stale/")
            FAILURES.append(message)
            print(message, file=sys.stderr)
            return
        print(f"[sweep] aggregated into {out}", file=sys.stderr)
        try:
            print(end_of_sweep_table(out, str(OmegaConf.select(config, "country.currency") or "")))
        except (OSError, ValueError, KeyError) as err:  # the table is a courtesy; results stand
            print(f"[sweep] (no summary table: {err})", file=sys.stderr)
        from sim.report.document import tagged  # brief.sv.html in Swedish (README, languages)

        lang = OmegaConf.select(config, "report.language") or "en"
        for name in (tagged("brief.html", lang), tagged("brief.md", lang)):
            if (out / name).exists():
                print(f"brief: {out / name}")
                break


# the effects the end-of-sweep table shows, in this order
TABLE_OUTCOMES = {"experienced_workforce": "extra experienced", "active_workforce": "extra active",
                  "public_cost_m": "net public cost"}
MAX_ROWS = 12
# the swept keys' column headers ({currency}: the country's)
KEY_LABELS = {"policy.funding_m": "grant (M {currency}/yr)", "policy": "policy",
              "demand": "labour market", "sector": "sector", "country": "country"}


def end_of_sweep_table(out: Path, currency: str = "") -> str:
    """A short table of the sweep's main effects per job (mean [95% CI]), for the terminal."""
    import pandas as pd

    from sim.cli.main import number

    path = out / "summary.parquet"
    if not path.exists():  # a design study (sensitivity): its brief says it all
        return ""
    summary = pd.read_parquet(path)
    if "outcome" not in summary.columns:  # the uncertainty study's summary is per grant; its
        return ""                         # brief gives the headlines
    levels = json.loads((out / "provenance.json").read_text()).get("swept") or []
    rows = summary[summary["outcome"].isin(TABLE_OUTCOMES)]

    fmt = number
    money = f"million {currency}/year" if currency else "million/year"
    labels = [KEY_LABELS.get(k, k).format(currency=currency or "currency") for k in levels]
    head = (" ".join(f"{k:>18s}" for k in labels)
            + "".join(f"{v:>28s}" for v in TABLE_OUTCOMES.values()))
    lines = [f"effects (alliance - baseline, mean [95% CI]; money in {money}):", head]
    jobs = list(dict.fromkeys(rows["job"]))
    for job in jobs[:MAX_ROWS]:
        r = rows[rows["job"] == job].set_index("outcome")
        first = r.iloc[0]
        cells = " ".join(f"{first[k]:>18g}" if isinstance(first[k], int | float)
                         else f"{str(first[k]):>18s}" for k in levels)
        for outcome in TABLE_OUTCOMES:
            e = r.loc[outcome]
            effect = f"{fmt(e['effect'])} [{fmt(e['effect_ci_low'])}, {fmt(e['effect_ci_high'])}]"
            cells += f"{effect:>28s}"
        lines.append(cells)
    if len(jobs) > MAX_ROWS:
        lines.append(f"... {len(jobs) - MAX_ROWS} more jobs in {out / 'summary.csv'}")
    return "\n".join(lines)
