"""``python -m sim`` end to end on a tiny population, and its handling of bad input."""

import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import ROOT, run_module

ARGS = ["population.size=150", "seeds=2", "burn_in_years=2", "horizon_years=11"]


def run_cli(tmp_path, *extra):
    return run_module("sim", [*ARGS, *extra, f"hydra.run.dir={tmp_path}"], ROOT)


def test_cli_writes_tables_charts_and_provenance(tmp_path):
    proc = run_cli(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "retention_10y" in proc.stdout and "effect [95% CI]" in proc.stdout
    for name in ("metrics.parquet", "metrics.csv", "summary.csv", "timeseries.parquet",
                 "cohort_survival.png", "public_cost.png", "config.yaml", "provenance.json",
                 "brief.md", "brief.html"):
        assert (tmp_path / name).stat().st_size > 0, name
    metrics = pd.read_parquet(tmp_path / "metrics.parquet")
    assert set(metrics.columns) == {"seed", "arm", "outcome", "value"}
    assert set(metrics["seed"]) == {0, 1} and set(metrics["arm"]) == {"baseline", "policy", "effect"}
    summary = pd.read_csv(tmp_path / "summary.csv")
    row = summary.set_index("outcome").loc["active_workforce"]
    assert row["effect_ci_low"] <= row["effect"] <= row["effect_ci_high"]
    assert not list(tmp_path.glob("*.part"))


def test_cli_rejects_bad_input_before_writing_anything(tmp_path):
    proc = run_cli(tmp_path / "bad", "policy.funding_m=-1")
    assert proc.returncode != 0
    assert "policy.funding_m=-1" in proc.stderr and "allowed" in proc.stderr
    assert not (tmp_path / "bad" / "metrics.parquet").exists()
    assert not list((tmp_path / "bad").glob("*.parquet")) if (tmp_path / "bad").exists() else True


def test_cli_rejects_unknown_key(tmp_path):
    proc = run_cli(tmp_path / "bad", "population.sizee=3")
    assert proc.returncode != 0
    assert "population.sizee" in proc.stderr


def test_cli_unknown_group_option_lists_the_options(tmp_path):
    proc = run_cli(tmp_path / "bad", "sector=opera")
    assert proc.returncode == 2
    from tests.test_config import options

    assert "sector='opera'" in proc.stderr and ", ".join(options("sector")) in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


# ----------------------------------------------------------------------------------------------
# Ctrl-C while numba compiles a kernel (issue 19, item 9): CPython reports the interrupt as
# "SystemError: CPUDispatcher(...) returned a result with an exception set", caused by the
# KeyboardInterrupt. The fault is injected where the simulation starts, in a subprocess.

INJECT = """
import sys
import sim.cli.main, sim.study.sweep
from sim.__main__ import run

def interrupt_in_kernel(*args, **kwargs):
    if {real}:
        raise SystemError("a real SystemError, not an interruption")
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt as ki:
        raise SystemError("CPUDispatcher(<function monthly_kernel>) returned a result with an "
                          "exception set") from ki

real_run_pairs = sim.study.sweep.run_pairs

def second_level(spec, *args, **kwargs):
    if spec.policy.funding_m == 30:
        interrupt_in_kernel()
    return real_run_pairs(spec, *args, **kwargs)

sim.cli.main.run_specs = interrupt_in_kernel
sim.study.sweep.run_pairs = second_level
sys.argv[1:] = {argv!r}
sys.exit(run())
"""
SWEEP = ["-m", "policy.funding_m=0,30,60", "population.size=150", "seeds=2",
         "burn_in_years=1", "horizon_years=11", "hydra/launcher=basic"]


def run_injected(cwd, argv, real=False):
    code = INJECT.format(argv=list(argv), real=real)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_the_interrupt_numba_reports_as_a_system_error_is_recognised_narrowly():
    from sim.cli.command import interrupted

    def raised(cause):
        try:
            try:
                raise cause
            except BaseException as inner:
                raise SystemError("f returned a result with an exception set") from inner
        except SystemError as err:
            return err

    assert interrupted(KeyboardInterrupt()) and interrupted(raised(KeyboardInterrupt()))
    assert not interrupted(raised(ValueError("x"))) and not interrupted(SystemError("x"))
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise SystemError("raised while handling, but not caused by, a Ctrl-C") from None
    except SystemError as err:
        assert not interrupted(err)
    assert not interrupted(RuntimeError("x"))


@pytest.mark.slow  # a signal in a real process
def test_ctrl_c_in_a_kernel_of_a_run_is_one_line_and_exit_130(tmp_path):
    proc = run_injected(tmp_path, [*ARGS, f"hydra.run.dir={tmp_path / 'run'}"])
    assert proc.returncode == 130, proc.stderr[-3000:]
    lines = [line for line in proc.stderr.splitlines() if line.strip() and "paired runs" not in line]
    assert lines == ["interrupted; run the same command again to resume"], proc.stderr[-3000:]
    assert not list((tmp_path / "run").glob("*.parquet"))


@pytest.mark.slow  # a real process's exit
def test_a_real_system_error_is_not_taken_for_an_interruption(tmp_path):
    proc = run_injected(tmp_path, [*ARGS, f"hydra.run.dir={tmp_path / 'run'}"], real=True)
    assert proc.returncode == 1 and "a real SystemError" in proc.stderr, proc.stderr[-3000:]
    assert "interrupted" not in proc.stderr


@pytest.mark.slow  # a signal in a real process
def test_ctrl_c_in_a_kernel_of_a_sweep_job_resumes_to_identical_tables(tmp_path):
    """The second level's job is interrupted: exit 130 and one line; the first job is complete,
    the second not; the same command (uninterrupted) then completes the sweep with the tables
    of a sweep that was never interrupted."""
    folder, clean = tmp_path / "sweep", tmp_path / "clean"
    proc = run_injected(tmp_path, [*SWEEP, f"hydra.sweep.dir={folder}"])
    assert proc.returncode == 130, proc.stderr[-3000:]
    lines = [line for line in proc.stderr.splitlines() if "interrupted" in line]
    assert len(lines) == 1 and "Traceback" not in proc.stderr + proc.stdout, proc.stderr[-3000:]
    assert len(list(folder.glob("*/COMPLETE.json"))) == 1 and not (folder / "aggregate").exists()
    for target in (folder, clean):
        done = subprocess.run([sys.executable, "-m", "sim", *SWEEP, f"hydra.sweep.dir={target}"],
                              capture_output=True, text=True, cwd=tmp_path, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
    assert len(list(folder.glob("*/COMPLETE.json"))) == 3

    def results(where):
        df = pd.read_parquet(where / "aggregate" / "results.parquet")
        return df.sort_values(["job", "seed", "arm", "outcome"]).reset_index(drop=True)

    pd.testing.assert_frame_equal(results(folder), results(clean))
