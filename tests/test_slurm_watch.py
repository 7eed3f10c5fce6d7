"""The SLURM launcher's watchdog (sim.study.slurm.wait_for_jobs) with stand-in jobs and queue:
no SLURM needed. scripts/slurm-smoke runs the real thing on a one-node cluster."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from sim.study.slurm import SlurmWaitError, wait_for_jobs


class FakeJob:
    def __init__(self, folder: Path, job_id: str):
        self.job_id = job_id
        self.paths = SimpleNamespace(result_pickle=folder / f"{job_id}_result.pkl",
                                     stderr=folder / f"{job_id}_log.err")

    def finish(self):
        self.paths.result_pickle.write_text("done")

    def results(self):
        return [f"result of {self.job_id}"]


class Clock:
    """Time moves only when the watchdog sleeps; `script` runs at each tick."""

    def __init__(self, script=None):
        self.now = 0.0
        self.script = script or (lambda now: None)

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds
        self.script(self.now)


def jobs_in(tmp_path, n=2):
    return [FakeJob(tmp_path, f"7_{i}") for i in range(n)]


def test_returns_results_in_order_and_reports_progress(tmp_path):
    jobs = jobs_in(tmp_path)
    clock = Clock(lambda now: jobs[1].finish() if now == 10 else jobs[0].finish() if now == 30 else None)
    seen = []
    out = wait_for_jobs(jobs, ["a", "b"], never_started_timeout_s=60, poll_s=10, clock=clock,
                        sleep=clock.sleep, queue=lambda ids: {i: ("RUNNING", "None") for i in ids},
                        progress=lambda k, n: seen.append((k, n)))
    assert out == ["result of 7_0", "result of 7_1"]
    assert seen == [(1, 2), (2, 2)]


def test_pending_with_no_progress_times_out_naming_jobs_and_reason(tmp_path):
    jobs = jobs_in(tmp_path)
    clock = Clock()
    with pytest.raises(SlurmWaitError) as err:
        wait_for_jobs(jobs, ["funding_m=0", "funding_m=40"], never_started_timeout_s=120, poll_s=10,
                      clock=clock, sleep=clock.sleep,
                      queue=lambda ids: {i: ("PENDING", "ReqNodeNotAvail") for i in ids})
    message = str(err.value)
    assert "7_0 (funding_m=0): still PENDING" in message and "7_1 (funding_m=40)" in message
    assert "ReqNodeNotAvail" in message and "7_0_log.err" in message
    assert 120 < clock.now <= 140  # stopped at the first check past the limit


def test_a_long_queue_behind_running_jobs_is_not_a_stall(tmp_path):
    # one job runs for 10 minutes while the other waits (array parallelism 1), then both finish
    jobs = jobs_in(tmp_path)

    def script(now):
        if now == 600:
            jobs[0].finish()
        if now == 900:
            jobs[1].finish()

    def queue(ids):
        return {i: ("RUNNING" if i == "7_0" or clock.now > 600 else "PENDING", "JobArrayTaskLimit")
                for i in ids}

    clock = Clock(script)
    out = wait_for_jobs(jobs, ["a", "b"], never_started_timeout_s=120, poll_s=10, clock=clock,
                        sleep=clock.sleep, queue=queue)
    assert len(out) == 2


def test_job_that_left_the_queue_without_result_fails_after_grace(tmp_path):
    jobs = jobs_in(tmp_path)
    jobs[0].finish()
    clock = Clock()
    with pytest.raises(SlurmWaitError, match=r"7_1 \(b\): left the queue without a result"):
        wait_for_jobs(jobs, ["a", "b"], never_started_timeout_s=0, poll_s=10, clock=clock,
                      sleep=clock.sleep, queue=lambda ids: {}, gone_grace_s=30)
    assert 30 < clock.now <= 40


def test_job_ended_failed_without_result(tmp_path):
    jobs = jobs_in(tmp_path, 1)
    clock = Clock()
    with pytest.raises(SlurmWaitError, match="ended NODE_FAIL without a result"):
        wait_for_jobs(jobs, ["a"], never_started_timeout_s=0, poll_s=10, clock=clock,
                      sleep=clock.sleep, queue=lambda ids: {"7_0": ("NODE_FAIL", "None")}, gone_grace_s=30)


def test_result_written_late_on_a_slow_file_system_is_not_an_error(tmp_path):
    jobs = jobs_in(tmp_path, 1)
    clock = Clock(lambda now: jobs[0].finish() if now == 20 else None)
    out = wait_for_jobs(jobs, ["a"], never_started_timeout_s=0, poll_s=10, clock=clock,
                        sleep=clock.sleep, queue=lambda ids: {}, gone_grace_s=30)
    assert out == ["result of 7_0"]


def test_squeue_failing_for_longer_than_the_limit_stops_with_a_hint(tmp_path):
    jobs = jobs_in(tmp_path, 1)
    clock = Clock()
    with pytest.raises(SlurmWaitError, match="squeue has failed"):
        wait_for_jobs(jobs, ["a"], never_started_timeout_s=60, poll_s=10, clock=clock,
                      sleep=clock.sleep, queue=lambda ids: None)


def test_launcher_config_is_submitit_slurm_plus_watchdog_and_export_fix():
    """`hydra/launcher=slurm` has every submitit_slurm key, the watchdog's, and the export fix."""
    from sim.run.config import compose_config

    cfg = compose_config(["hydra/launcher=slurm"], with_hydra=True)
    launcher = cfg.hydra.launcher
    assert launcher._target_ == "hydra_plugins.alliance_sim.slurm_launcher.WatchedSlurmLauncher"
    assert list(launcher.setup) == ["export SLURM_EXPORT_ENV=ALL"]
    assert launcher.never_started_timeout_min > 0 and "partition" in launcher


def test_watchdog_keys_are_not_passed_to_sbatch():
    from hydra_plugins.alliance_sim.slurm_launcher import WatchedSlurmLauncher

    launcher = WatchedSlurmLauncher(never_started_timeout_min=5, poll_s=2, partition="short",
                                    submitit_folder="/tmp/x")
    assert launcher.watch == {"never_started_timeout_min": 5, "poll_s": 2}
    assert launcher.params == {"partition": "short", "submitit_folder": "/tmp/x"}


def test_message_quotes_the_log_and_names_the_export_none_fix(tmp_path):
    jobs = jobs_in(tmp_path, 1)
    jobs[0].paths.stderr.write_text(
        "Traceback (most recent call last):\nRuntimeError: Could not figure out which environment the "
        "job is runnning in. Known environments: slurm, local, debug.\n"
        "srun: error: vm: task 0: Exited with exit code 1\n")
    clock = Clock()
    with pytest.raises(SlurmWaitError) as err:
        wait_for_jobs(jobs, ["a"], never_started_timeout_s=0, poll_s=10, clock=clock, sleep=clock.sleep,
                      queue=lambda ids: {"7_0": ("FAILED", "NonZeroExitCode")}, gone_grace_s=0)
    assert "its log ends: RuntimeError: Could not figure out" in str(err.value)
    assert "SLURM_EXPORT_ENV=ALL" in str(err.value)


def test_squeue_reading(monkeypatch):
    """Array tasks one a line; purged ids mean "not listed"; a failing squeue means "unknown"."""
    import subprocess

    from sim.study import slurm

    def fake(stdout="", stderr="", rc=0):
        return lambda *a, **k: subprocess.CompletedProcess(a[0], rc, stdout, stderr)

    monkeypatch.setattr(slurm.subprocess, "run", fake("7_0|RUNNING|None\n7_1|PENDING|Priority\n"))
    assert slurm.squeue_states(["7_0", "7_1"]) == {"7_0": ("RUNNING", "None"),
                                                   "7_1": ("PENDING", "Priority")}
    monkeypatch.setattr(slurm.subprocess, "run", fake(
        stderr="slurm_load_jobs error: Invalid job id specified", rc=1))
    assert slurm.squeue_states(["7_0"]) == {}
    monkeypatch.setattr(slurm.subprocess, "run", fake(
        stderr="slurm_load_jobs error: Unable to contact slurm controller", rc=1))
    assert slurm.squeue_states(["7_0"]) is None
