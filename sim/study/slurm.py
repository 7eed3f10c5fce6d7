"""``hydra/launcher=slurm``: Hydra's submitit SLURM launcher with a watchdog and progress lines.

Where it sits: in the main process of a sweep (``python -m sim -m ... hydra/launcher=slurm``),
between Hydra's sweeper and SLURM. The launcher class and its config live in
``hydra_plugins/alliance_sim/slurm_launcher.py`` (Hydra accepts launchers only from the
``hydra_plugins`` package and finds them there); the waiting is here. The launcher submits the
jobs exactly as ``submitit_slurm`` does (same keys: ``partition``, ``timeout_min``, ``setup``,
``additional_parameters`` ...), then waits for them itself instead of through submitit, which
asks ``sacct`` for a job's state and, on a cluster without accounting or for an array task that
died before it started, waits forever. The wait here polls ``squeue`` and the result files:

* jobs still pending after ``never_started_timeout_min`` minutes in which no job of the sweep
  ran or finished (a stalled sweep, not a long queue behind running jobs), or a job that left
  the queue (or ended FAILED, CANCELLED, NODE_FAIL ...) without writing its result, stops the sweep with
  one error naming the job ids, their state and reason, and the log file to read;
* each finished job prints ``[sweep] k/N jobs complete ...`` in the terminal (the jobs' own
  progress lines go to ``<sweep dir>/.submitit/<id>/*_log.err``).

It also sets ``export SLURM_EXPORT_ENV=ALL`` in ``setup``: sites that submit with
``--export=NONE`` otherwise lose the ``SUBMITIT_EXECUTOR`` variable submitit's ``srun`` step needs.
Jobs from a second identical sweep (re-running while the first is queued) are submitted again
but never computed twice: each job takes the job lock of ``sim.study.sweep`` and skips a job
that is complete.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

WAITING = {"PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING",
           "SUSPENDED", "STOPPED"}  # in the queue, not started (or paused)
RUNNING = {"RUNNING", "COMPLETING", "STAGE_OUT", "SIGNALING"}
# a job with no result file this long after it left the queue is lost (slow shared file systems)
GONE_GRACE_S = 60.0


class SlurmWaitError(RuntimeError):
    """Jobs of a sweep that never started or vanished without a result."""


def squeue_states(job_ids: Sequence[str]) -> dict[str, tuple[str, str]] | None:
    """``{job id: (state, reason)}`` of the jobs SLURM still lists (array tasks one a line);
    None when ``squeue`` itself fails (controller down, command missing)."""
    bases = sorted({j.split("_")[0] for j in job_ids})
    try:
        proc = subprocess.run(["squeue", "-h", "-r", "-t", "all", "-o", "%i|%T|%r", "-j", ",".join(bases)],
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        # jobs purged from the controller (MinJobAge after they ended) are "invalid": none listed
        return {} if "Invalid job id" in proc.stderr else None
    out = proc.stdout
    states = {}
    for line in out.splitlines():
        parts = line.strip().split("|")
        if len(parts) == 3:
            states[parts[0]] = (parts[1], parts[2])
    return states


def count_complete(sweep_dir: Path, since: float) -> int:
    """Jobs whose completion marker was written (or touched by a skip) since ``since``."""
    from sim.study.sweep import COMPLETE

    return sum(1 for p in Path(sweep_dir).glob(f"*/{COMPLETE}") if p.stat().st_mtime >= since)


def wait_for_jobs(jobs: Sequence[Any], labels: Sequence[str], *,
                  never_started_timeout_s: float, poll_s: float,
                  queue: Callable[[Sequence[str]], dict[str, tuple[str, str]] | None] = squeue_states,
                  progress: Callable[[int, int], None] | None = None,
                  clock: Callable[[], float] = time.monotonic,
                  sleep: Callable[[float], None] = time.sleep,
                  gone_grace_s: float = GONE_GRACE_S) -> list[Any]:
    """Wait until every job has written its result and return the results in order.

    Args:
        jobs (list): submitit jobs (``job_id``, ``paths.result_pickle``, ``results()``).
        labels (list[str]): what each job runs (its overrides), for messages.
        never_started_timeout_s (float): pending jobs are an error when no job ran or finished
            for this long (0: no limit).
        poll_s (float): seconds between checks.
        queue: ``squeue_states`` or a stand-in (tests).
        progress: called with (finished, total) whenever a job finishes.

    Raises:
        SlurmWaitError: jobs pending too long, or gone from the queue without a result.
    """
    last_progress = clock()  # when a job was last seen running or finishing
    done: set[int] = set()
    gone_since: dict[int, float] = {}
    unknown_since: float | None = None
    while len(done) < len(jobs):
        newly = [i for i, j in enumerate(jobs) if i not in done and Path(j.paths.result_pickle).exists()]
        done.update(newly)
        if newly:
            last_progress = clock()
        if newly and progress is not None:
            progress(len(done), len(jobs))
        left = [i for i in range(len(jobs)) if i not in done]
        if not left:
            break
        now = clock()
        states = queue([jobs[i].job_id for i in left])
        problems = []
        if states is None:  # squeue failed: a controller restart is no reason to stop, yet
            unknown_since = now if unknown_since is None else unknown_since
            if never_started_timeout_s and now - unknown_since > never_started_timeout_s:
                raise SlurmWaitError(f"squeue has failed for {(now - unknown_since) / 60:.1f} min "
                                     f"while waiting for jobs {_ids(jobs, left)}; check that "
                                     "slurmctld is up (`sinfo`) and SLURM_CONF points at it")
        else:
            unknown_since = None
            if any(states.get(jobs[i].job_id, ("", ""))[0] in RUNNING for i in left):
                last_progress = now
            for i in left:
                state, reason = states.get(jobs[i].job_id, ("", ""))
                if state in RUNNING or state in WAITING:
                    gone_since.pop(i, None)
                stalled = now - last_progress
                if state in WAITING and never_started_timeout_s and stalled > never_started_timeout_s:
                    problems.append((i, f"still {state}, no job ran for {stalled / 60:.1f} min"
                                        f" (reason: {reason or 'none given'})"))
                elif state and state not in RUNNING and state not in WAITING:
                    if now - gone_since.setdefault(i, now) > gone_grace_s:
                        problems.append((i, f"ended {state} without a result (reason: {reason})"))
                elif not state and now - gone_since.setdefault(i, now) > gone_grace_s:
                    problems.append((i, "left the queue without a result (it died before it "
                                        "started or was cancelled)"))
        if problems:
            raise SlurmWaitError(_failure_message(jobs, labels, problems, done))
        sleep(poll_s)
    return [jobs[i].results()[0] for i in range(len(jobs))]


def _ids(jobs, indices) -> str:
    return ", ".join(str(jobs[i].job_id) for i in indices)


def _last_error_line(path) -> str:
    """The last line of a job's log that is not srun's own exit notice, or ""."""
    try:
        lines = [ln.strip() for ln in Path(path).read_text(errors="replace").splitlines() if ln.strip()]
    except (OSError, TypeError):
        return ""
    lines = [ln for ln in lines if not ln.startswith("srun: error:")] or lines
    return lines[-1][:300] if lines else ""


def _failure_message(jobs, labels, problems, done) -> str:
    lines = [f"{len(problems)} SLURM job(s) of this sweep will not finish "
             f"({len(done)}/{len(jobs)} finished):"]
    for i, what in problems:
        stderr = getattr(jobs[i].paths, "stderr", None)
        lines.append(f"  job {jobs[i].job_id} ({labels[i]}): {what}; log: {stderr}")
        last = _last_error_line(stderr)
        if last:
            lines.append(f"    its log ends: {last}")
        if last and "Could not figure out which environment" in last:
            lines.append("    the job lost submitit's SUBMITIT_EXECUTOR variable: the site submits with "
                         "--export=NONE; keep 'export SLURM_EXPORT_ENV=ALL' in hydra.launcher.setup")
    lines.append("Check `squeue -j <id>`, `scontrol show job <id>` or `sacct -j <id>` if the "
                 "cluster has accounting, and the partition and time limit "
                 "(hydra.launcher.partition, hydra.launcher.timeout_min). Jobs still queued keep "
                 "running; cancel them with `scancel <id>` or let them finish: re-running the same "
                 "command resumes, skipping every job that completed.")
    return "\n".join(lines)
