"""Shared fixtures: small configs composed exactly as the command line composes them."""

from __future__ import annotations

import contextlib
import dataclasses
from pathlib import Path

import pytest

from sim import build_spec, compose_config

ROOT = Path(__file__).resolve().parents[1]  # the project's folder, where ``uv run`` starts
TINY = {"population.size": 400, "burn_in_years": 3, "horizon_years": 6}


def spec_for(**overrides):
    spec, _ = build_spec(compose_config({**TINY, **overrides}))
    return spec


@pytest.fixture
def tiny_spec():
    return spec_for()


JOB_TABLES = ("metrics.parquet", "yearly.parquet", "survival.parquet")


def write_job_tables(job: Path, outcomes: dict, yearly_base: float) -> list:
    """The tables of a finished sweep job, for tests of aggregation and briefs: seeds 0-2, each
    outcome's baseline value and effect per seed (``outcomes``: name -> (baseline, [effect of
    seed 0, 1, 2])), yearly ``active`` and ``experienced`` of ``yearly_base + seed + year`` and a
    one-row survival table. Returns the files' entries for the job's completion marker."""
    import pandas as pd

    from sim.run.io import file_digest

    rows = []
    for seed in range(3):
        for outcome, (base, effects) in outcomes.items():
            effect = effects[seed]
            rows += [{"seed": seed, "arm": "baseline", "outcome": outcome, "value": base},
                     {"seed": seed, "arm": "policy", "outcome": outcome, "value": base + effect},
                     {"seed": seed, "arm": "effect", "outcome": outcome, "value": effect}]
    pd.DataFrame(rows).to_parquet(job / "metrics.parquet")
    pd.DataFrame([{"seed": seed, "arm": arm, "year": year, "variable": var,
                   "value": yearly_base + seed + year}
                  for seed in range(3) for arm in ("baseline", "policy") for year in range(3)
                  for var in ("active", "experienced")]).to_parquet(job / "yearly.parquet")
    pd.DataFrame({"seed": [0], "arm": ["baseline"], "years_since_entry": [0],
                  "share_active": [1.0]}).to_parquet(job / "survival.parquet")
    return [file_digest(job / name) for name in JOB_TABLES]


class Simulated(AssertionError):
    """Raised by the patched simulation: bad input reached it."""


@contextlib.contextmanager
def simulation_forbidden(root: Path):
    """Work in ``root`` with every way into the simulation (a run, a pair, a batch, the model's
    month loop) patched to raise ``Simulated``: for tests that bad input stops before it."""
    import sim
    import sim.cli.main
    import sim.run.batch
    import sim.run.many
    import sim.run.paired
    import sim.study.sweep
    from sim.model.freelance import ArmModel

    def forbidden(*args, **kwargs):
        raise Simulated("bad input reached the simulation")

    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        for module in (sim, sim.run.paired):
            mp.setattr(module, "run_pair", forbidden)
        mp.setattr(sim.study.sweep, "run_pairs", forbidden)
        for module in (sim.cli.main, sim.run.many, sim.run.batch):
            mp.setattr(module, "run_specs", forbidden)
        mp.setattr(ArmModel, "step", forbidden)
        mp.setattr(ArmModel, "run", forbidden)
        yield root


# ---------------------------------------------------------------- the command line, in this process
@dataclasses.dataclass
class Ran:
    """What a command did: its exit code and what it printed (the fields of a CompletedProcess)."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str


def _print_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A warning as the interpreter prints it, to the current ``sys.stderr``."""
    import sys
    import warnings

    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def run_module(module: str, args: list[str] | tuple[str, ...], cwd: Path) -> Ran:
    """``python -m <module> <args>`` run in ``cwd``, in this process, as the interpreter runs it:
    through ``runpy`` with ``sys.argv`` set and ``cwd`` first on ``sys.path`` (so a module planted
    in ``cwd`` can be imported exactly when the real command could import it). For tests of what a
    command prints and how it exits, where a new process is not the point; tests of signals, of
    launchers that start processes, and of the README's commands start a real process instead.

    What the command changed in this process is put back: the working folder, ``sys.argv``,
    ``sys.path``, modules imported from ``cwd``, Hydra's global state and the list of failed
    aggregations that decides the exit code."""
    import io
    import runpy
    import sys
    import warnings

    from hydra.core.global_hydra import GlobalHydra

    from sim.cli import callbacks

    cwd = Path(cwd).resolve()
    out, err = io.StringIO(), io.StringIO()
    saved_argv, saved_path, before = sys.argv[:], sys.path[:], set(sys.modules)
    code = 0
    GlobalHydra.instance().clear()
    callbacks.FAILURES.clear()
    try:
        with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            sys.argv = [module, *map(str, args)]
            sys.path.insert(0, str(cwd))
            try:
                # warnings print to the command's stderr under the interpreter's default
                # filters, as in a real process (pytest would otherwise record them, and a
                # stray warning would slip past a test of "one error line")
                with warnings.catch_warnings():
                    warnings.resetwarnings()
                    warnings.simplefilter("default")
                    warnings.filterwarnings("ignore", category=DeprecationWarning)
                    warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")
                    for ignored in (PendingDeprecationWarning, ImportWarning, ResourceWarning):
                        warnings.filterwarnings("ignore", category=ignored)
                    # the package is imported already (by the tests): not a warning in a process
                    warnings.filterwarnings("ignore", "'.*' found in sys.modules", RuntimeWarning)
                    warnings.showwarning = _print_warning
                    runpy.run_module(module, run_name="__main__", alter_sys=True)
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
                if not isinstance(done.code, int | None):
                    print(done.code, file=sys.stderr)
    finally:
        sys.argv[:], sys.path[:] = saved_argv, saved_path
        # a module planted in cwd must not outlive the run (the project's own and the
        # environment's modules stay: the environment may live inside the project's folder)
        kept = [Path(sys.prefix).resolve(), ROOT / "sim", ROOT / "tests", ROOT / "hydra_plugins"]
        for name in set(sys.modules) - before:
            where = Path(getattr(sys.modules[name], "__file__", None) or "/").resolve()
            if where.is_relative_to(cwd) and not any(where.is_relative_to(k) for k in kept):
                del sys.modules[name]
        GlobalHydra.instance().clear()
        callbacks.FAILURES.clear()
    return Ran([module, *map(str, args)], code, out.getvalue(), err.getvalue())
