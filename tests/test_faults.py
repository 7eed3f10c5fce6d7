"""Faults during a run: killed and interrupted sweeps resume to the same results, damaged job
tables are recomputed, and read-only or full disks fail with one clear line and no partial
results.

Every test runs the real command line in a subprocess on a tiny sweep (three funding levels,
four seeds, 250 agents, 1 + 30 years, the basic launcher) and compares results with one clean,
uninterrupted run of the same command (``reference``). The disk tests mount small tmpfs file
systems and so need root; they are skipped with the reason otherwise.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

# jobs must last long enough for a signal to land inside the second one, even on a busy machine
TINY = ["seeds=4", "population.scale=10", "demand=market", "burn_in_years=1", "horizon_years=30"]
SWEEP = ["-m", "experiment=funding_sweep", "policy.funding_m=0,30,60", *TINY,
         "hydra/launcher=basic"]
TIMEOUT = 300


def sweep_command(folder: Path) -> list[str]:
    return [sys.executable, "-m", "sim", *SWEEP, f"hydra.sweep.dir={folder}"]


def run_sweep(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(sweep_command(folder), capture_output=True, text=True, timeout=TIMEOUT,
                          cwd=folder.parent)


def results_of(folder: Path) -> pd.DataFrame:
    df = pd.read_parquet(folder / "aggregate" / "results.parquet")
    return df.sort_values(["job", "seed", "arm", "outcome"]).reset_index(drop=True)


def job_dirs(folder: Path) -> list[Path]:
    """The job folders (their names hold every override, e.g. ``policy.funding_m=30,...``)."""
    return sorted(p for p in folder.iterdir() if p.is_dir() and "policy.funding_m=" in p.name)


def markers(folder: Path) -> list[Path]:
    return sorted(folder.glob("*/COMPLETE.json"))


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """One clean, uninterrupted run of the sweep."""
    folder = tmp_path_factory.mktemp("faults") / "clean"
    proc = run_sweep(folder)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(markers(folder)) == 3
    return folder


def _as_in_a_terminal() -> None:
    """The sweep's Ctrl-C as in a terminal: a shell starts background jobs (``pytest &``) with
    SIGINT ignored, which its children would inherit."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_and_stop_after_first_job(folder: Path, sig: int) -> tuple[subprocess.CompletedProcess, int]:
    """Start the sweep in its own process group, wait until the first job is complete, freeze
    the group (SIGSTOP), send ``sig`` to it and let it go on (SIGCONT): the signal lands while
    the sweep still has jobs to run however fast they are, where waiting for a moment would
    race them (on an idle machine the sweep once finished before the signal). Returns the
    finished process and the number of complete jobs at that moment."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(sweep_command(folder), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=folder.parent, start_new_session=True,
                            preexec_fn=_as_in_a_terminal)
    try:
        started = time.monotonic()
        deadline = started + TIMEOUT
        while not (folder.is_dir() and markers(folder)):
            assert proc.poll() is None, f"the sweep ended before a job was complete: {proc.communicate()}"
            assert time.monotonic() < deadline, "no job was complete in time"
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGSTOP)  # nothing moves until the signal is pending
        done = len(markers(folder))
        running, sent = proc.poll() is None, time.monotonic() - started
        os.killpg(proc.pid, sig)
        os.killpg(proc.pid, signal.SIGCONT)
        out, err = proc.communicate(timeout=120)
        err += (f"\n[test] signal sent {sent:.2f} s after the start, {done} job(s) complete, "
                f"sweep {'running' if running else 'already ended'}")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), done


@pytest.mark.slow  # a killed process
def test_a_killed_sweep_resumes_to_the_same_results(tmp_path, reference):
    """SIGKILL to the whole sweep after its first job: re-running the same command completes
    it, skips the finished job and gives exactly the tables of an uninterrupted run."""
    folder = tmp_path / "killed"
    killed, done = start_and_stop_after_first_job(folder, signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL
    assert 1 <= done < 3, "the kill landed after the sweep had finished"
    assert not (folder / "aggregate").exists()
    resumed = run_sweep(folder)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert resumed.stderr.count("already complete") >= 1
    assert len(markers(folder)) == 3 and not list(folder.rglob("*.part"))
    pd.testing.assert_frame_equal(results_of(reference), results_of(folder))


@pytest.mark.slow  # a signal in a real process
def test_ctrl_c_exits_130_with_one_line_and_resumes_to_the_same_results(tmp_path, reference):
    """SIGINT (Ctrl-C) to the process group: exit 130, one line saying it was interrupted, no
    traceback; re-running the same command gives the tables of an uninterrupted run."""
    folder = tmp_path / "interrupted"
    interrupted, done = start_and_stop_after_first_job(folder, signal.SIGINT)
    assert interrupted.returncode == 130, interrupted.stderr[-3000:]
    assert 1 <= done < 3, "the signal landed after the sweep had finished"
    lines = [line for line in interrupted.stderr.splitlines() if "interrupted" in line]
    assert len(lines) == 1, interrupted.stderr[-3000:]
    assert "Traceback" not in interrupted.stderr + interrupted.stdout
    resumed = run_sweep(folder)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert resumed.stderr.count("already complete") >= 1
    pd.testing.assert_frame_equal(results_of(reference), results_of(folder))


@pytest.mark.slow  # real sweeps in processes
def test_a_truncated_job_table_is_refused_by_aggregation_and_recomputed(tmp_path, reference):
    """A job whose table was cut in half while its COMPLETE.json remains: ``python -m
    sim.aggregate`` refuses the folder (non-zero exit) and moves the earlier aggregate/ to
    aggregate.stale/; re-running the sweep recomputes that job only (``recompute``) and gives
    the same tables as before the damage."""
    folder = tmp_path / "damaged"
    shutil.copytree(reference, folder, symlinks=True)
    damaged = next(j for j in job_dirs(folder) if "policy.funding_m=30," in j.name)
    table = damaged / "metrics.parquet"
    data = table.read_bytes()
    table.write_bytes(data[: len(data) // 2])
    assert (damaged / "COMPLETE.json").exists()

    proc = subprocess.run([sys.executable, "-m", "sim.aggregate", str(folder)], capture_output=True,
                          text=True, timeout=TIMEOUT, cwd=tmp_path)
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and damaged.name in proc.stderr, proc.stderr[-3000:]
    assert not (folder / "aggregate").exists(), "an aggregate/ that looks current survived"
    assert (folder / "aggregate.stale" / "results.parquet").exists()

    untouched = {j: (j / "metrics.parquet").stat().st_mtime_ns for j in job_dirs(folder) if j != damaged}
    rerun = run_sweep(folder)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert f"recompute {damaged.name}" in rerun.stderr, rerun.stderr[-3000:]
    assert rerun.stderr.count("already complete") == 2
    assert {j: (j / "metrics.parquet").stat().st_mtime_ns for j in untouched} == untouched
    pd.testing.assert_frame_equal(results_of(reference), results_of(folder))


# ----------------------------------------------------------------------------------------------
# Read-only and full disks (tmpfs mounts, root only)


def _can_mount() -> str | None:
    """None if tmpfs mounts work here, else why not."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root to mount a tmpfs"
    if shutil.which("mount") is None or shutil.which("umount") is None:
        return "mount/umount not found"
    return None


@contextlib.contextmanager
def tmpfs(path: Path, options: str):
    """Mount a tmpfs at ``path`` with ``options``; always unmounted afterwards."""
    path.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                          capture_output=True, text=True, timeout=30)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip() or proc.returncode}")
    try:
        yield path
    finally:
        if subprocess.run(["umount", str(path)], capture_output=True, timeout=30).returncode:
            subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=30)


needs_mount = pytest.mark.skipif(_can_mount() is not None, reason=str(_can_mount()))


def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True,
                          timeout=TIMEOUT, cwd=cwd)


def error_lines(proc: subprocess.CompletedProcess) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith("error:")]


@needs_mount
@pytest.mark.parametrize("mode", ["run", "sweep"])
def test_a_read_only_disk_is_refused_before_simulating(tmp_path, mode):
    """An output folder on a read-only file system: exit 2 before anything runs, with one
    ``error:`` line naming hydra.run.dir (hydra.sweep.dir for a sweep)."""
    with tmpfs(tmp_path / "ro", "ro,size=300k") as ro:
        args = ([*TINY, f"hydra.run.dir={ro}/run"] if mode == "run"
                else [*SWEEP, f"hydra.sweep.dir={ro}/sweep"])
        proc = run_cli(tmp_path, *args)
        assert proc.returncode == 2, proc.stderr[-3000:]
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: invalid config: hydra.{mode}.dir="), lines
        assert "writable" in lines[0] and "Traceback" not in proc.stderr
        assert "paired runs" not in proc.stderr and list(ro.iterdir()) == []


RESULT_PATTERNS = ("*.parquet", "*.csv", "*.png", "*.svg", "*.part", ".partial-*")


@pytest.mark.slow  # a real process on a full disk
@needs_mount
def test_a_full_disk_leaves_no_partial_results(tmp_path):
    """A single run whose results do not fit on the disk (a 300 KiB tmpfs with about 100 KiB
    free: the tiny run with charts writes about 240 KiB): exit 1 with one ``error:`` line, no
    traceback, and not one result file (nor a temporary one) left in the run folder."""
    with tmpfs(tmp_path / "full", "size=300k") as disk:
        (disk / "filler").write_bytes(b"\0" * 190_000)
        run = disk / "run"
        proc = run_cli(tmp_path, *TINY, "output.charts=true", f"hydra.run.dir={run}")
        assert proc.returncode == 1, proc.stderr[-3000:]
        assert len(error_lines(proc)) == 1, proc.stderr[-3000:]
        assert "Traceback" not in proc.stderr + proc.stdout
        leftovers = [p for pattern in RESULT_PATTERNS for p in run.rglob(pattern)]
        assert leftovers == [], leftovers


@needs_mount
def test_a_disk_full_from_the_start_is_one_error_line(tmp_path):
    """A disk with no space at all: still one ``error:`` line, no traceback, no results."""
    with tmpfs(tmp_path / "full", "size=300k") as disk:
        with contextlib.suppress(OSError), open(disk / "filler", "wb") as fh:
            while True:
                fh.write(b"\0" * 65536)
        run = disk / "run"
        proc = run_cli(tmp_path, *TINY, f"hydra.run.dir={run}")
        assert proc.returncode in (1, 2), proc.stderr[-3000:]
        assert len(error_lines(proc)) == 1, proc.stderr[-3000:]
        assert "Traceback" not in proc.stderr + proc.stdout
        assert [p for pattern in RESULT_PATTERNS for p in run.rglob(pattern)] == []
