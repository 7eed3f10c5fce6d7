"""Gather a sweep's finished jobs into tidy tables and summaries.

Where it sits: after the jobs (``sim/study/sweep.py``); the multirun callback and
``python -m sim.aggregate`` (``sim/cli/aggregating.py``) call ``aggregate`` with a ``Briefs``
from the report layer, which writes the charts and the brief into the same folder.
Only jobs with a ``COMPLETE.json`` marker are read. Jobs must come from the same code and
package versions, and their configs may differ only in the swept keys (or below a config group
whose choice differs between jobs); otherwise the sweep is not comparable and aggregation stops.
Outputs go to ``<sweep>/aggregate/``: ``results`` (study, job, swept keys, seed, arm, outcome,
value), ``summary`` (per job and outcome: means and 95% CIs, the effect's paired), ``contrast``
(each job minus the first, paired by seed), ``yearly``, ``provenance.json``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pandas as pd

from sim.model.freelance import ARMS as ARM_NAMES
from sim.model.outcomes import UNITS
from sim.run.description import of_marker, units_of
from sim.run.io import provenance, write_json, write_table
from sim.study.stats import mean_ci, summarise
from sim.study.sweep import DESIGN_STUDIES, verify_job


class Briefs(Protocol):
    """What writes a sweep's charts and brief (``sim/report``): one method per kind of study,
    each writing into ``out``, the aggregation's folder."""

    def comparison(self, sweep: Sweep, out: Path) -> None: ...

    def sensitivity(self, indices: pd.DataFrame, settings, markers: list[dict], out: Path,
                    command: str) -> None: ...

    def uncertainty(self, tables: dict, settings, markers: list[dict], out: Path,
                    command: str) -> None: ...


class SweepError(ValueError):
    """The folder cannot be aggregated (no finished jobs, or jobs that cannot be compared)."""


@dataclass
class Sweep:
    folder: Path
    experiment: str
    swept: list[str]
    jobs: pd.DataFrame  # job, swept key columns, in level order
    results: pd.DataFrame
    summary: pd.DataFrame
    contrast: pd.DataFrame
    yearly: pd.DataFrame
    survival: pd.DataFrame
    markers: list[dict]
    command: str = ""  # the command that reproduces the folder (sweep_command), for the briefs

    @property
    def currency(self) -> str:
        return self.markers[0].get("currency", "")


def _flatten(data, prefix=""):
    out = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def _parse(overrides: list[str]) -> dict[str, str]:
    return dict(o.lstrip("+~").split("=", 1) for o in overrides if "=" in o)


def _value(text: str):
    try:
        return float(text)
    except ValueError:
        return text


def _level(marker: dict, key: str):
    """A job's value of a swept key as its checked config holds it (the grant 40.0 as a number,
    never re-read from the override text); a swept config group as the option Hydra chose (the
    marker's ``choices``: a user's preset that extends a shipped one keeps its own name even
    where it inherits the shipped ``name`` key). A key the config does not hold (an added one,
    ``+key=...``) and any other value keep their override text, as a number where it reads as
    one."""
    text = _value(_parse(marker["overrides"]).get(key, ""))
    choice = (marker.get("choices") or {}).get(key)
    if isinstance(choice, str):
        return choice
    node = marker.get("config") or {}
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return text
        node = node[part]
    if isinstance(node, dict):
        return text
    return float(node) if isinstance(node, int | float) and not isinstance(node, bool) else text


def finished_jobs(folder: Path) -> list[dict]:
    """Markers of the finished jobs; a job whose marker or files were damaged stops the
    aggregation (re-running the sweep command recomputes it)."""
    if not folder.is_dir():
        raise SweepError(f"{folder} is not a folder")
    markers = []
    for job_dir in sorted(p for p in folder.iterdir()
                          if p.is_dir() and not p.name.startswith((".", "aggregate"))):
        marker, reason = verify_job(job_dir)
        if marker is None and reason != "not finished":
            raise SweepError(f"job {job_dir.name} is damaged: {reason}; run the sweep command "
                             "again to recompute it")
        if marker is not None:
            marker["dir"] = job_dir
            markers.append(marker)
    if not markers:
        raise SweepError(f"no finished jobs in {folder} (a job is finished when its "
                         "COMPLETE.json exists); run or resume the sweep first")
    return markers


def check_comparable(markers: list[dict]) -> list[str]:
    """The swept keys; raises SweepError when jobs cannot be compared."""
    kinds = {m.get("kind", "comparison") for m in markers}
    if len(kinds) > 1:
        raise SweepError(f"the folder mixes job kinds {sorted(kinds)}")
    # the code hash (package source as run) decides; git commits may differ by docs-only commits
    for field, label in (("code", "package source"), ("packages", "package versions")):
        values = {json.dumps(m.get(field), sort_keys=True) for m in markers}
        if len(values) > 1:
            raise SweepError(f"jobs come from different {label} ({len(values)} distinct); "
                             "re-run the older jobs")
    overrides = [_parse(m["overrides"]) for m in markers]
    keys = sorted({k for o in overrides for k in o})
    partial = [k for k in keys if any(k not in o for o in overrides)]
    if partial:
        raise SweepError(f"the folder holds jobs of different commands ({partial[0]} is set in "
                         "some jobs only); use a new hydra.sweep.dir or remove the old job folders")
    swept = [k for k in keys if len({o.get(k) for o in overrides}) > 1]
    kind = next(iter(kinds))
    if kind in DESIGN_STUDIES and set(swept) - {f"{kind}.chunk"}:
        raise SweepError(f"a {kind} design may only be split by {kind}.chunk; these "
                         f"jobs also differ in {sorted(set(swept) - {f'{kind}.chunk'})}")
    choices = [m.get("choices") or {} for m in markers]
    groups = {g for g in {k for c in choices for k in c} if len({c.get(g) for c in choices}) > 1}
    configs = [_flatten(m["config"]) for m in markers]
    for config in configs[1:]:
        for key in set(config) | set(configs[0]):
            if config.get(key) == configs[0].get(key) or key in swept:
                continue
            if groups:  # a group choice differs between jobs: the whole preset may differ
                continue
            raise SweepError(f"jobs differ in {key} ({configs[0].get(key)!r} vs "
                             f"{config.get(key)!r}), which is not a swept key {swept}")
    seeds = {tuple(m["seeds"]) for m in markers}
    if len(seeds) > 1:
        raise SweepError("jobs ran different seeds; paired comparisons need the same seeds")
    return swept


METRICS_COLUMNS = ("seed", "arm", "outcome", "value")


def _table(marker: dict, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """A job's table, which must be a Parquet file listed in its marker with these columns."""
    path = marker["dir"] / f"{name}.parquet"
    if f"{name}.parquet" not in {f["name"] for f in marker["files"]}:
        raise SweepError(f"job {marker['dir'].name}: its marker does not list {name}.parquet")
    try:
        table = pd.read_parquet(path)
    except Exception as err:  # noqa: BLE001 - any unreadable file is the same problem
        raise SweepError(f"job {marker['dir'].name}: {name}.parquet is not a readable Parquet "
                         f"table ({type(err).__name__}); run the sweep command again") from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise SweepError(f"job {marker['dir'].name}: {name}.parquet lacks columns {missing}")
    return table


PLAN = "_sweep_plan.json"  # written by sim/cli/callbacks.py at the start of each sweep


def sweep_command(folder: Path, markers: list[dict]) -> str:
    """The command that reproduces the sweep folder: run from the same working folder it resumes
    it, every finished job skipped. The command the sweep was last started with (its plan), when
    every job in the folder is one of its jobs; otherwise (a folder filled by several commands,
    or without a plan) one command with every level of the folder's jobs and the folder."""
    from sim.run.config import format_override

    plan = {}
    with contextlib.suppress(OSError, json.JSONDecodeError):
        plan = json.loads((Path(folder) / PLAN).read_text())
    planned = plan.get("job_overrides")
    if plan.get("command") and planned is not None:
        jobs = [_parse(job) for job in planned]
        if all(_parse(m["overrides"]) in jobs for m in markers):
            return str(plan["command"])
    from sim.run.io import typed_command

    ordered = sorted(markers, key=lambda m: m.get("job_num", 0))
    levels: dict[str, list[str]] = {}
    for marker in ordered:
        for key, value in _parse(marker["overrides"]).items():
            levels.setdefault(key, [])
            if value not in levels[key]:
                levels[key].append(value)
    for values in levels.values():  # numbers in increasing order, as load orders the jobs
        if all(isinstance(_value(v), float) for v in values):
            values.sort(key=_value)
    args = ["-m", *(f"{key}={','.join(values)}" for key, values in levels.items()),
            format_override("hydra.sweep.dir", str(folder))]
    return typed_command(args, program="python -m sim")


def load(folder: Path) -> Sweep:
    folder = Path(folder)
    markers = finished_jobs(folder)
    swept = check_comparable(markers)
    # a swept config group is a column named as the group; the policy group's option is the
    # column ``policy.name`` (the preset's name key), since ``policy`` names the arm's column
    names = {k: f"{k}.name" if k in ARM_NAMES else k for k in swept}
    experiment = markers[0].get("experiment") or folder.name
    job_rows, results, yearly, survival = [], [], [], []
    for marker in markers:
        job = marker["dir"].name
        levels = {names[k]: _level(marker, k) for k in swept}
        job_rows.append({"job": job, "job_num": marker.get("job_num", 0), **levels})
        represents = of_marker(marker)["label"]  # the policy's description
        tag = {"experiment": experiment, "job": job, "represents": represents, **levels}
        results.append(_table(marker, "metrics", METRICS_COLUMNS).assign(**tag))
        yearly.append(_table(marker, "yearly", ("seed", "arm", "year", "variable", "value"))
                      .assign(job=job))
        survival.append(_table(marker, "survival", ("seed", "arm", "years_since_entry",
                                                    "share_active")).assign(job=job))
    # numeric levels in increasing order (the lowest is the reference: no grant, no shock, no
    # cut); other sweeps in the sweep's own order (Hydra job numbers)
    jobs = pd.DataFrame(job_rows)
    swept = list(names.values())
    numeric = [k for k in swept if pd.api.types.is_numeric_dtype(jobs[k])]
    jobs = jobs.sort_values(numeric or ["job_num"], kind="stable").drop(columns="job_num")
    jobs = jobs.reset_index(drop=True)
    order = ["experiment", "job", "represents", *swept, "seed", "arm", "outcome", "value"]
    results = pd.concat(results, ignore_index=True)[order]
    units = {marker["dir"].name: {**UNITS, **units_of(of_marker(marker))} for marker in markers}
    summary = pd.concat([summarise(results[results["job"] == job], units[job]).assign(job=job)
                         for job in jobs["job"]], ignore_index=True)
    summary = jobs.merge(summary, on="job")
    return Sweep(folder=folder, experiment=experiment, swept=swept, jobs=jobs, results=results,
                 summary=summary, contrast=contrast(results, jobs), markers=markers,
                 yearly=pd.concat(yearly, ignore_index=True),
                 survival=pd.concat(survival, ignore_index=True),
                 command=sweep_command(folder, markers))


def contrast(results: pd.DataFrame, jobs: pd.DataFrame) -> pd.DataFrame:
    """Each job minus the first job, per arm and outcome, paired by seed, with 95% CIs."""
    reference = jobs["job"].iloc[0]
    wide = results.pivot_table(index=["seed", "arm", "outcome"], columns="job", values="value",
                               dropna=False)
    rows = []
    from sim.model.outcomes import RATIO_EFFECTS

    for job in jobs["job"].iloc[1:]:
        diff = (wide[job] - wide[reference]).reset_index(name="diff")
        diff = diff[~diff["outcome"].isin(RATIO_EFFECTS)]  # a difference of ratios means little
        for (arm, outcome), group in diff.groupby(["arm", "outcome"], sort=False):
            mean, lo, hi, n = mean_ci(group["diff"].to_numpy())
            rows.append({"job": job, "reference": reference, "arm": arm, "outcome": outcome,
                         "difference": mean, "ci_low": lo, "ci_high": hi, "n_seeds": n})
    return pd.DataFrame(rows)


def aggregate_sensitivity(folder: Path, markers: list[dict], out: Path,
                          briefs: Briefs | None = None) -> Path:
    """Gather every chunk of a sensitivity design and compute the indices."""
    from omegaconf import OmegaConf

    from sim.study.sensitivity import analyse, settings

    check_comparable(markers)
    s = settings(OmegaConf.create(markers[0]["config"]))
    samples = _chunk_samples(markers, "sensitivity", s.chunks, ["sample", "seed"])
    indices = analyse(s, samples)
    write_table(samples, out / "samples")
    write_table(indices, out / "indices")
    write_json(out / "provenance.json", provenance({
        "experiment": markers[0].get("experiment"),
        "git_commits": sorted({str(m.get("git_commit")) for m in markers}),
        "code": markers[0].get("code"), "packages": markers[0].get("packages"),
        "method": s.method, "design_rows": int(samples["sample"].nunique()),
        "seeds": markers[0]["seeds"]}))
    if briefs is not None:
        briefs.sensitivity(indices, s, markers, out, sweep_command(folder, markers))
    return out


def _chunk_samples(markers: list[dict], kind: str, chunks: int, keys: list[str]) -> pd.DataFrame:
    """Every chunk's samples of a design study, checked complete and without overlaps."""
    present = {int(m["config"][kind]["chunk"]) for m in markers}
    missing = sorted(set(range(chunks)) - present)
    if missing:
        raise SweepError(f"the {kind} design needs all {chunks} chunks; missing {missing} "
                         "(re-run the same command to complete them)")
    samples = pd.concat([_table(m, "samples", (*keys, "outcome", "value")) for m in markers],
                        ignore_index=True).sort_values([*keys, "outcome"]).reset_index(drop=True)
    if samples.duplicated([*keys, "outcome"]).any():
        raise SweepError("the chunks overlap (a design row appears twice); re-run into a new folder")
    return samples


def aggregate_uncertainty(folder: Path, markers: list[dict], out: Path,
                          briefs: Briefs | None = None) -> Path:
    """Gather every chunk of an uncertainty design: the draws table, the acceptability curve,
    the probability of paying for itself, intervals, drivers and PRIM boxes (sim/study/uncertainty.py)."""
    from omegaconf import OmegaConf

    from sim.study.sensitivity import model_config
    from sim.study.uncertainty import analyse, settings, world

    check_comparable(markers)
    config = OmegaConf.create(markers[0]["config"])
    s = settings(config)
    samples = _chunk_samples(markers, "uncertainty", s.chunks, ["draw", "level", "seed"])
    expected = s.draws * len(s.levels) * len(markers[0]["seeds"]) * len(s.recorded)
    if len(samples) != expected:
        raise SweepError(f"the chunks hold {len(samples)} samples, the design {expected}; "
                         "re-run into a new folder")
    tables = analyse(s, samples, model_config(config, "uncertainty"))
    write_table(samples, out / "samples", csv=False)
    for name, table in tables.items():
        write_table(table, out / name)
    write_json(out / "provenance.json", provenance({
        "experiment": markers[0].get("experiment"),
        "git_commits": sorted({str(m.get("git_commit")) for m in markers}),
        "code": markers[0].get("code"), "packages": markers[0].get("packages"),
        "draws": s.draws, "levels": list(s.levels), "seeds": markers[0]["seeds"],
        "world": world(markers[0]["config"]),
        "settings": {"net_cost": s.net_cost, "cost_effectiveness": s.cost_effectiveness,
                     "interval": s.interval},
        "seconds": round(sum(m.get("seconds", 0) for m in markers), 1)}))
    if briefs is not None:
        briefs.uncertainty(tables, s, markers, out, sweep_command(folder, markers))
    return out


STALE = "aggregate.stale"


def mark_stale(folder: Path) -> Path | None:
    """After a failed aggregation: move an earlier ``aggregate/`` to ``aggregate.stale/``, so
    no result folder that looks current survives next to jobs it no longer describes."""
    final, stale = Path(folder) / "aggregate", Path(folder) / STALE
    if not final.exists():
        return None
    shutil.rmtree(stale, ignore_errors=True)
    final.rename(stale)
    return stale


def _remove_leftovers(folder: Path) -> None:
    """Staging folders of aggregations that were killed (their process no longer runs)."""
    for leftover in folder.glob(".aggregate-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(leftover, ignore_errors=True)


def check_sweep_folder(folder: Path) -> None:
    """SweepError unless ``folder`` is a sweep folder (a folder with at least one job folder
    holding a ``COMPLETE.json``) that neither is nor holds a link; touches nothing."""
    from sim.run.io import find_link
    from sim.study.sweep import COMPLETE

    if not folder.is_dir() or folder.is_symlink():
        what = "a symbolic link" if folder.is_symlink() else "not a folder"
        raise SweepError(f"{folder} is {what}; give a sweep folder (hydra.sweep.dir)")
    if not any(job.is_dir() and not job.name.startswith((".", "aggregate"))
               and (job / COMPLETE).is_file() for job in folder.iterdir()):
        raise SweepError(f"no finished jobs in {folder}, so it is not a sweep folder (a job is "
                         "finished when its COMPLETE.json exists); nothing there was changed: "
                         "give a sweep folder (hydra.sweep.dir), or run or resume the sweep first")
    link = find_link(folder)
    if link is not None:
        raise SweepError(f"{folder} holds a link ({link}) the sweep did not make; nothing is "
                         "written through a link: remove it, nothing there was changed")


def aggregate(folder: Path, briefs: Briefs | None = None) -> Path:
    """Aggregate ``folder`` into ``folder/aggregate``; returns that path. ``briefs``: what writes
    the charts and the brief there (``sim.report.briefs.Briefs``; None: tables only).

    Everything is written to a fresh folder that replaces ``aggregate/`` only when complete,
    so no file of an earlier aggregation survives next to new ones. When aggregation fails,
    an earlier ``aggregate/`` is moved to ``aggregate.stale/`` and the error is raised.
    A folder that is not a sweep, or that is or holds a link, is refused before anything in it
    is renamed or removed (``check_sweep_folder``)."""
    folder = Path(folder)
    final = folder / "aggregate"
    staging = folder / f".aggregate-{os.getpid()}"
    check_sweep_folder(folder)
    _remove_leftovers(folder)
    try:
        markers = finished_jobs(folder)
        if markers[0].get("kind") == "sensitivity":
            aggregate_sensitivity(folder, markers, staging, briefs)
        elif markers[0].get("kind") == "uncertainty":
            aggregate_uncertainty(folder, markers, staging, briefs)
        else:
            _aggregate_comparison(folder, staging, briefs)
        old = folder / f".aggregate-old-{os.getpid()}"
        if final.exists():
            final.rename(old)
        staging.rename(final)
        shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(folder / STALE, ignore_errors=True)
    except BaseException:
        if folder.is_dir():
            mark_stale(folder)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final


def _aggregate_comparison(folder: Path, out: Path, briefs: Briefs | None = None) -> None:
    sweep = load(folder)
    write_table(sweep.results, out / "results")
    write_table(sweep.summary, out / "summary")
    if not sweep.contrast.empty:
        write_table(sweep.contrast, out / "contrast")
    write_table(sweep.yearly, out / "yearly", csv=False)
    first = sweep.markers[0]
    write_json(out / "provenance.json", provenance({
        "experiment": sweep.experiment, "sweep_command": sweep.command,
        "git_commits": sorted({str(m.get("git_commit")) for m in sweep.markers}),
        "code": first.get("code"),
        "packages": first.get("packages"), "jobs": [m["overrides"] for m in sweep.markers],
        "seeds": first["seeds"], "swept": sweep.swept}))
    if briefs is not None:
        briefs.comparison(sweep, out)
