"""One job of a Hydra multirun (a sweep): run the job's seeds, write its tables, mark it done.

Where it sits: called by ``sim.cli.main.main`` when Hydra runs in multirun mode, once per job
(per funding level, scenario or sector), in whatever process the launcher chose (joblib worker,
submitit job, SLURM node). A job writes ``metrics``, ``yearly`` and ``survival`` tables, then
``COMPLETE.json`` last, listing each file with its size and SHA-256; the aggregation reads only
jobs with that marker, and only the files it lists, after checking them. A job whose marker
matches its config and code and whose files still match the marker is skipped, so re-running an
interrupted sweep with the same command completes only what is missing; a damaged job is
recomputed. A job holds a lock while it runs, so two identical sweeps never compute it twice.
A job folder that is, or holds, a link is refused before anything is written (``LinkError``):
the project never writes through a link into a file or folder outside the sweep.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.model.outcomes import metrics_long
from sim.run.batch import batches
from sim.run.cache import BaselineCache, code_fingerprint
from sim.run.io import (
    file_digest,
    open_lock,
    provenance,
    refuse_links,
    remove_partial_files,
    write_json,
    write_table,
)
from sim.run.paired import cached_baseline_batch, run_pairs
from sim.study.checks import checked_spec
from sim.study.markers import marker_problem

COMPLETE = "COMPLETE.json"
CACHE_DIR = ".cache/baseline"
DESIGN_STUDIES = ("sensitivity", "uncertainty")  # settings blocks of studies split into chunks


def job_config(cfg: DictConfig) -> dict:
    """The job's resolved config without Hydra's own settings."""
    data = OmegaConf.to_container(cfg, resolve=True)
    for presentation in ("hydra", "output", "report"):  # no effect on the numbers
        data.pop(presentation, None)
    return data


def job_fingerprint(cfg: DictConfig) -> str:
    """What a job's results depend on: its config, the package source and package versions."""
    versions = json.dumps(provenance()["packages"], sort_keys=True)
    text = json.dumps(job_config(cfg), sort_keys=True, default=str) + code_fingerprint() + versions
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def read_marker(job_dir: Path) -> dict | None:
    """The job's completion marker if it is well formed (files listed with size and hash,
    overrides, seeds, config), else None: a damaged marker means an unfinished job."""
    path = Path(job_dir) / COMPLETE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    files = data.get("files")
    well_formed = (
        isinstance(files, list) and files
        and all(isinstance(f, dict) and isinstance(f.get("name"), str) and "/" not in f["name"]
                and isinstance(f.get("bytes"), int) and isinstance(f.get("sha256"), str)
                for f in files)
        and isinstance(data.get("overrides"), list)
        and all(isinstance(o, str) for o in data["overrides"])
        and isinstance(data.get("seeds"), list) and isinstance(data.get("config"), dict))
    return data if well_formed else None


def verify_job(job_dir: Path) -> tuple[dict | None, str]:
    """``(marker, "")`` when the job finished and every file it lists still has the size and
    hash recorded; ``(None, reason)`` otherwise (no marker, a damaged marker or file)."""
    job_dir = Path(job_dir)
    if not (job_dir / COMPLETE).exists():
        return None, "not finished"
    marker = read_marker(job_dir)
    if marker is None:
        return None, f"{COMPLETE} is damaged"
    problem = marker_problem(marker, job_dir)
    if problem is not None:
        return None, f"{COMPLETE} is not valid: {problem}"
    for entry in marker["files"]:
        path = job_dir / entry["name"]
        if not path.is_file():
            return None, f"{entry['name']} is missing"
        if file_digest(path) != {"name": entry["name"], "bytes": entry["bytes"],
                                 "sha256": entry["sha256"]}:
            return None, f"{entry['name']} does not match its marker (changed or truncated)"
    return marker, ""


@contextlib.contextmanager
def job_lock(job_dir: Path):
    """Hold the job's lock: a second sweep running the same job waits here, then finds it
    complete and skips it (``flock``; on a cluster the sweep folder needs a file system that
    supports it). The lock file is never truncated nor opened through a link."""
    job_dir.mkdir(parents=True, exist_ok=True)
    with open_lock(job_dir / ".lock") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def check_job_folders(job_dir: Path, sweep_dir: Path) -> None:
    """Refuse (``LinkError``, exit 2) a sweep folder that is a symbolic link, a job folder that
    is or holds a link, and a baseline cache folder reached through one, before this job writes
    anything (the whole sweep folder was checked before the sweep started: this catches links
    made since)."""
    key = "hydra.sweep.dir"
    for folder in (sweep_dir, sweep_dir / CACHE_DIR.split("/")[0], sweep_dir / CACHE_DIR):
        if folder.is_symlink():
            refuse_links(folder, key)
    refuse_links(job_dir, key)


def run_job(cfg: DictConfig, job_dir: Path, sweep_dir: Path, overrides: list[str],
            choices: dict[str, str] | None = None, job_num: int = 0) -> str:
    """Run one sweep job unless it is already complete; returns "skipped" or "done"."""
    job_dir, sweep_dir = Path(job_dir), Path(sweep_dir)
    spec, run = checked_spec(cfg)  # bad input stops here, before anything is written
    fingerprint = job_fingerprint(cfg)
    check_job_folders(job_dir, sweep_dir)
    with job_lock(job_dir):
        marker, reason = verify_job(job_dir)
        if marker is not None and marker.get("fingerprint") == fingerprint:
            os.utime(job_dir / COMPLETE, follow_symlinks=False)  # counts as done in this run's progress
            print(f"[sweep] skip {job_dir.name}: already complete", file=sys.stderr)
            return "skipped"
        if marker is not None:
            reason = "the code, package versions or config changed since it ran"
        if reason != "not finished":
            print(f"[sweep] recompute {job_dir.name}: {reason}", file=sys.stderr)
        (job_dir / COMPLETE).unlink(missing_ok=True)
        remove_partial_files(job_dir)
        return _compute_job(cfg, job_dir, sweep_dir, overrides, choices, job_num, spec, run,
                            fingerprint)


def _compute_job(cfg, job_dir, sweep_dir, overrides, choices, job_num, spec, run,
                 fingerprint) -> str:
    start = time.perf_counter()
    design = next((kind for kind in DESIGN_STUDIES if cfg.get(kind) is not None), None)
    if design is not None:  # a chunk of a sample design: one table of samples
        # each sample's seeds are one batch; samples of one world share its baseline batch, in
        # memory (sim/run/batch.py): a design rarely repeats a world across chunks
        if design == "sensitivity":
            from sim.study.sensitivity import run_chunk
        else:
            from sim.study.uncertainty import run_chunk
        samples = run_chunk(cfg)
        write_table(samples, job_dir / "samples", csv=False)
        seeds = list(range(run.seed, run.seed + run.seeds))
        _mark(cfg, job_dir, spec, fingerprint, overrides, choices, seeds, ["samples.parquet"], start,
              kind=design, job_num=job_num)
        return "done"
    cache = BaselineCache(sweep_dir / CACHE_DIR)
    metrics, yearly, survival = [], [], []
    seeds = list(range(run.seed, run.seed + run.seeds))
    # the seeds in batches (sim/run/batch.py); each seed's baseline comes from the cache, so
    # the sweep's other jobs (funding levels) reuse it; a job wanting seeds another job is
    # computing waits for them (the cache's locks) and then reads them
    finished = 0
    chunks = batches(spec, seeds)
    # parallel jobs start at different batches (by job number), so they fill the baseline
    # cache side by side instead of waiting on each other's locks; tables are sorted by seed
    first = job_num % len(chunks)
    for chunk in chunks[first:] + chunks[:first]:
        for pair in run_pairs(spec, chunk, cached_baseline_batch(spec, chunk, cache)):
            metrics.append(metrics_long(pair.seed, pair.outcomes()))
            yearly.append(pair.yearly())
            survival.append(pair.survival())
        # progress inside a job: one line per batch of seeds (the job-level line is the callback's)
        seed_text = f"seed {chunk[0]}" if len(chunk) == 1 else f"seeds {chunk[0]}-{chunk[-1]}"
        finished += len(chunk)
        print(f"[sweep] {job_dir.name}: {seed_text} done ({finished}/{len(seeds)}, "
              f"{time.perf_counter() - start:.0f} s)", file=sys.stderr, flush=True)
    tables = {name: pd.concat(parts, ignore_index=True).sort_values("seed", kind="stable")
              .reset_index(drop=True)
              for name, parts in (("metrics", metrics), ("yearly", yearly), ("survival", survival))}
    for name, table in tables.items():
        write_table(table, job_dir / name, csv=False)
    _mark(cfg, job_dir, spec, fingerprint, overrides, choices, seeds,
          [f"{n}.parquet" for n in tables], start, kind="comparison", job_num=job_num)
    return "done"


def _mark(cfg, job_dir, spec, fingerprint, overrides, choices, seeds, files, start, kind,
          job_num) -> None:
    """Write the completion marker, last: what ran, how, and which files hold the results, and
    the policy's description (``sim.report.description``), all the readers know of it."""
    from sim.run.description import describe

    write_json(job_dir / COMPLETE, {
        "kind": kind, "job_num": job_num, "job_dir": job_dir.name, "fingerprint": fingerprint,
        "code": code_fingerprint(),
        "overrides": overrides, "experiment": cfg.get("experiment"), "seeds": seeds,
        "config": job_config(cfg),
        "report": OmegaConf.to_container(cfg.report, resolve=True) if "report" in cfg else {},
        "choices": {k: v for k, v in (choices or {}).items() if not k.startswith("hydra")},
        "currency": spec.country.currency, "policy": describe(spec, choices),
        "files": [file_digest(job_dir / f) for f in files],
        "seconds": round(time.perf_counter() - start, 2), **provenance()})
