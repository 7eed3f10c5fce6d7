"""Nothing outside the user's folders changes (issue 19, items 3-6, 14, 15).

* No file is written through a link: lock files, Hydra's ``.hydra/*.yaml`` and
  ``multirun.yaml``, job tables, markers, cache entries and aggregates; a sweep, job or run
  folder that is or holds a link is refused with one line (exit 2). The property test seeds a
  sweep folder with links to files and folders outside it, runs the real command and checks
  that no file outside changed.
* The compiled-kernel cache is private (0700, owned by the user, writable by nobody else) and
  pruning removes only this checkout's folders.
* ``python -m sim.aggregate`` refuses a folder that is not a sweep before touching it.
* ``sim.validate`` and ``sim.calibrate`` have the output-folder guard of ``python -m sim``, write
  their files as one set (a full disk leaves none), and check targets (``cases:``) and
  calibration overrides before simulating.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path

import hydra.core.utils
import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

import sim.cli.calibrating
import sim.cli.validating
import sim.run.many
import sim.study.calibrate
import sim.study.validate
from sim.cli import aggregating as aggregate_module
from sim.model.core import jit
from sim.model.core.params import ConfigError
from sim.run.cache import BaselineCache
from sim.run.io import LinkError, atomic_write, find_link, open_lock, write_set
from sim.study.sweep import check_job_folders, job_lock
from tests.conftest import Ran, run_module
from tests.test_study_commands import calibration_file

ROOT = Path(__file__).resolve().parents[1]
TINY = ["seeds=2", "population.scale=10", "demand=market", "burn_in_years=1", "horizon_years=11"]
SWEEP = ["-m", "experiment=funding_sweep", "policy.funding_m=0,30", *TINY, "hydra/launcher=basic"]
TIMEOUT = 300


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every file and folder below ``folder`` (links not followed): kind, bytes' hash, mode,
    a file's mtime; two equal snapshots mean no file there changed, appeared or went."""
    out = {}
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            out[str(path)] = ("link", os.readlink(path))
        elif stat.S_ISDIR(st.st_mode):
            out[str(path)] = ("dir", stat.S_IMODE(st.st_mode))
        else:
            out[str(path)] = ("file", hashlib.sha256(path.read_bytes()).hexdigest(),
                              stat.S_IMODE(st.st_mode), st.st_mtime_ns)
    return out


@pytest.fixture
def outside(tmp_path) -> Path:
    """Files and a folder outside every folder the project is given: the links' targets."""
    folder = tmp_path / "outside"
    (folder / "victim_dir").mkdir(parents=True)
    for name in ("victim1", "victim2", "victim3", "victim_dir/inner"):
        (folder / name).write_text(f"precious {name}\n")
    return folder


# ---------------------------------------------------------------- item 3: the writers
def test_a_job_lock_that_is_a_link_is_refused_and_its_target_kept(tmp_path, outside):
    job = tmp_path / "job"
    job.mkdir()
    (job / ".lock").symlink_to(outside / "victim1")
    before = snapshot(outside)
    with pytest.raises(LinkError, match="links to"), job_lock(job):
        pass
    assert snapshot(outside) == before


def test_a_cache_lock_that_is_a_link_is_refused_and_its_target_kept(tmp_path, outside, tiny_spec):
    folder = tmp_path / ".cache" / "baseline"
    folder.mkdir(parents=True)
    from sim.run.cache import baseline_key

    (folder / f"{baseline_key(tiny_spec, 0)}.lock").symlink_to(outside / "victim1")
    before = snapshot(outside)
    with pytest.raises(LinkError):
        BaselineCache(folder)
    assert snapshot(outside) == before


def test_a_cache_folder_reached_through_a_link_is_refused(tmp_path, outside):
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "baseline").symlink_to(outside / "victim_dir")
    with pytest.raises(LinkError):
        BaselineCache(tmp_path / ".cache" / "baseline")
    (tmp_path / ".cache" / "baseline").unlink()
    (tmp_path / ".cache").rmdir()
    (tmp_path / ".cache").symlink_to(outside)
    before = snapshot(outside)
    with pytest.raises(LinkError):
        BaselineCache(tmp_path / ".cache" / "baseline")
    assert snapshot(outside) == before


def test_open_lock_never_truncates_and_refuses_hard_links(tmp_path, outside):
    lock = tmp_path / "x.lock"
    lock.write_text("kept")
    with open_lock(lock):
        pass
    assert lock.read_text() == "kept"
    os.link(outside / "victim2", tmp_path / "hard.lock")
    before = snapshot(outside)
    with pytest.raises(LinkError, match="hard link"):
        open_lock(tmp_path / "hard.lock")
    assert snapshot(outside) == before


def test_atomic_write_refuses_a_link_as_the_file_or_its_folder(tmp_path, outside):
    (tmp_path / "table.parquet").symlink_to(outside / "victim1")
    (tmp_path / "job").symlink_to(outside / "victim_dir")
    before = snapshot(outside)
    for path in (tmp_path / "table.parquet", tmp_path / "job" / "metrics.parquet"):
        with pytest.raises(LinkError):
            atomic_write(path, lambda p: p.write_text("overwritten"))
    assert snapshot(outside) == before


def test_a_job_folder_that_is_or_holds_a_link_is_refused(tmp_path, outside):
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    (sweep / "job").symlink_to(outside / "victim_dir")
    with pytest.raises(LinkError):
        check_job_folders(sweep / "job", sweep)
    (sweep / "job").unlink()
    (sweep / "job" / ".hydra").mkdir(parents=True)
    (sweep / "job" / "COMPLETE.json").symlink_to(outside / "victim1")
    with pytest.raises(LinkError, match="COMPLETE.json"):
        check_job_folders(sweep / "job", sweep)
    (sweep / "job" / "COMPLETE.json").unlink()
    check_job_folders(sweep / "job", sweep)  # no link: fine
    assert find_link(sweep) is None


def test_hydras_config_writer_writes_atomically_and_refuses_links(tmp_path, outside, capsys):
    import sim.cli.callbacks  # noqa: F401 - installs the writer, as Hydra loading the callback does

    save = hydra.core.utils._save_config
    assert save.__module__ == "sim.cli.callbacks"
    cfg = OmegaConf.create({"a": 1})
    before = snapshot(outside)
    (tmp_path / "run" / ".hydra").mkdir(parents=True)
    (tmp_path / "run" / ".hydra" / "config.yaml").symlink_to(outside / "victim1")
    with pytest.raises(SystemExit) as exit_:
        save(cfg, "config.yaml", tmp_path / "run" / ".hydra")
    assert exit_.value.code == 2
    (tmp_path / "job").symlink_to(outside / "victim_dir")
    with pytest.raises(SystemExit):
        save(cfg, "config.yaml", tmp_path / "job" / ".hydra")
    assert snapshot(outside) == before
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("error: invalid config: ") for line in lines)
    save(cfg, "config.yaml", tmp_path / "fresh" / ".hydra")
    assert (tmp_path / "fresh" / ".hydra" / "config.yaml").read_text() == "a: 1\n"


# ---------------------------------------------------------------- item 3: the property test
def run_sim(cwd: Path, *args: str) -> Ran:
    return run_module("sim", args, cwd)


# where a sweep writes (relative to its folder), and what a planted link there points to
LINK_SITES = ["multirun.yaml", "_sweep_plan.json", "{job}/.lock", "{job}/.hydra/config.yaml",
              "{job}/COMPLETE.json", "{job}/metrics.parquet", "{job}", ".cache/baseline",
              ".cache/baseline/0123456789abcdef01234567.lock", "aggregate/results.parquet",
              "aggregate", ".aggregate-999999"]


FOLDER_SITES = ("{job}", ".cache/baseline", "aggregate", ".aggregate-999999")
DRAWS = 4  # every site is in one draw (LINK_SITES[draw::DRAWS]), with one more at random


@pytest.mark.parametrize("draw", range(DRAWS))
def test_a_sweep_seeded_with_links_changes_no_file_outside_it(tmp_path, outside, draw):
    """Property: whatever links (three or four, from where a sweep writes, to files or a folder
    drawn at random) point out of the sweep folder, the sweep is refused with one line, exit 2,
    and no file outside changes."""
    rng = np.random.default_rng(draw)
    sweep = tmp_path / "sweep"
    job = "policy.funding_m=0," + ",".join(sorted(TINY))
    sites = list(dict.fromkeys([*LINK_SITES[draw::DRAWS], str(rng.choice(LINK_SITES))]))
    rng.shuffle(sites)  # the order they are made in: a folder link may hide a later file link
    for site in sites:
        path = sweep / site.format(job=job)
        if any(p.is_symlink() for p in (path, *path.parents)):
            continue  # a folder link made before already covers it
        path.parent.mkdir(parents=True, exist_ok=True)
        is_folder = site in FOLDER_SITES
        path.symlink_to(outside / ("victim_dir" if is_folder else str(rng.choice(["victim1", "victim2"]))))
    before, inside = snapshot(outside), snapshot(sweep)
    proc = run_sim(tmp_path, *SWEEP, f"hydra.sweep.dir={sweep}")
    assert proc.returncode == 2, (sites, proc.stderr[-3000:])
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "link" in errors[0] and "hydra.sweep.dir" in errors[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert snapshot(outside) == before, sites
    assert snapshot(sweep) == inside, sites  # refused before anything was written


def test_a_run_folder_holding_a_link_is_refused(tmp_path, outside):
    run = tmp_path / "run"
    (run / ".hydra").mkdir(parents=True)
    (run / ".hydra" / "config.yaml").symlink_to(outside / "victim1")
    before = snapshot(outside)
    proc = run_sim(tmp_path, *TINY, f"hydra.run.dir={run}")
    assert proc.returncode == 2, proc.stderr[-3000:]
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "hydra.run.dir" in errors[0] and "link" in errors[0]
    assert snapshot(outside) == before


# ---------------------------------------------------------------- item 4: the kernel cache
@pytest.fixture
def umask_000():
    old = os.umask(0)
    yield
    os.umask(old)


def test_kernel_cache_folders_are_private_whatever_the_umask(tmp_path, umask_000):
    folder = Path(jit.choose_cache_dir(tmp_path / "base", "0123456789abcdef"))
    assert folder == tmp_path / "base" / jit.checkout_id() / "0123456789abcdef"
    for path in (folder, folder.parent, folder.parent.parent):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o722])
def test_a_kernel_cache_writable_by_others_is_refused(tmp_path, mode):
    base = tmp_path / "shared"
    base.mkdir()
    base.chmod(mode)
    with pytest.raises(ConfigError, match=r"NUMBA_CACHE_DIR=.*only you can write"):
        jit.choose_cache_dir(base, "0123456789abcdef")
    assert list(base.iterdir()) == []  # checked before anything was created in it


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a folder to another user")
def test_a_kernel_cache_owned_by_another_user_is_refused(tmp_path):
    base = tmp_path / "theirs"
    base.mkdir(mode=0o755)
    os.chown(base, 4242, 4242)
    with pytest.raises(ConfigError, match="owned by uid 4242"):
        jit.choose_cache_dir(base, "0123456789abcdef")
    mine = tmp_path / "mine"
    (mine / jit.checkout_id()).mkdir(parents=True, mode=0o700)
    os.chown(mine / jit.checkout_id(), 4242, 4242)  # someone else's folder in place of ours
    with pytest.raises(ConfigError, match="owned by uid 4242"):
        jit.choose_cache_dir(mine, "0123456789abcdef")


def test_a_kernel_cache_below_a_folder_others_can_change_is_refused(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # not sticky: anyone could rename our folder and put theirs there
    (shared / "mine").mkdir(mode=0o700)
    with pytest.raises(ConfigError, match="below folders only you or root can change"):
        jit.choose_cache_dir(shared / "mine", "0123456789abcdef")
    shared.chmod(0o1777)  # sticky, as /tmp: fine
    jit.choose_cache_dir(shared / "mine", "0123456789abcdef")


def test_kernel_cache_pruning_leaves_other_checkouts_alone(tmp_path):
    base = tmp_path / "base"
    other = base / "checkout-000000000000"  # another checkout sharing the base
    legacy = [base / f"{i:016x}" for i in range(6)]  # an older layout's (or anyone's) folders
    for folder in [*(other / f"{i:016x}" for i in range(8)), *legacy]:
        folder.mkdir(parents=True)
    mine = base / jit.checkout_id()
    for i in range(8):
        (mine / f"{i:016x}").mkdir(parents=True)
        os.utime(mine / f"{i:016x}", (1_000_000 + i, 1_000_000 + i))
    jit.choose_cache_dir(base, "ffffffffffffffff")
    assert len(list(other.iterdir())) == 8 and all(p.is_dir() for p in legacy)
    assert sorted(p.name for p in mine.iterdir()) == sorted(
        ["ffffffffffffffff", *(f"{i:016x}" for i in range(4, 8))])


# ---------------------------------------------------------------- item 5: sim.aggregate
def test_aggregating_a_folder_that_is_not_a_sweep_touches_nothing(tmp_path, capsys):
    folder = tmp_path / "not-a-sweep"
    (folder / "aggregate").mkdir(parents=True)
    (folder / "aggregate" / "results.parquet").write_bytes(b"mine")
    (folder / ".aggregate-123").mkdir()
    (folder / ".aggregate-123" / "x").write_text("mine too")
    (folder / "notes").mkdir()
    before = snapshot(folder)
    assert aggregate_module.main([str(folder)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "not a sweep folder" in lines[0] and "nothing there" in lines[0]
    assert snapshot(folder) == before


def test_aggregating_a_sweep_holding_a_link_touches_nothing(tmp_path, outside, capsys):
    folder = tmp_path / "sweep"
    (folder / "policy.funding_m=0").mkdir(parents=True)
    (folder / "policy.funding_m=0" / "COMPLETE.json").write_text("{}")
    (folder / "aggregate").mkdir()
    (folder / "aggregate" / "brief.html").symlink_to(outside / "victim1")
    (folder / ".aggregate-123").mkdir()
    before, outside_before = snapshot(folder), snapshot(outside)
    assert aggregate_module.main([str(folder)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "link" in lines[0]
    assert snapshot(folder) == before and snapshot(outside) == outside_before
    (tmp_path / "linked").symlink_to(folder)
    assert aggregate_module.main([str(tmp_path / "linked")]) == 2
    assert "symbolic link" in capsys.readouterr().err


# ---------------------------------------------------------------- item 6: validate, calibrate
@pytest.fixture
def no_simulation(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a simulation started")

    monkeypatch.setattr(sim.study.validate, "run_specs", refuse)
    monkeypatch.setattr(sim.run.many, "run_pair", refuse)
    monkeypatch.setattr(sim.run.many, "run_specs", refuse)


def one_error(capsys) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    return lines[0]


PROTECTED_OUTS = ["sim/validation-out", "configs/exit", "tests/x", "docs/x", ".", "sim"]


@pytest.mark.parametrize("out", PROTECTED_OUTS)
def test_helper_commands_refuse_to_write_into_the_project(out, capsys, no_simulation,
                                                          monkeypatch):
    monkeypatch.chdir(ROOT)
    before = sorted(p.name for p in ROOT.iterdir())
    assert sim.cli.validating.main([f"out={out}", "--cases", "teateralliansen"]) == 2
    line = one_error(capsys)
    assert line.startswith(f"error: invalid config: --out='{out}'; allowed: a folder outside")
    assert sim.cli.calibrating.main([f"out={out}"]) == 2
    assert "allowed: a folder outside the project" in one_error(capsys)
    assert not (ROOT / "sim" / "validation-out").exists()
    assert not (ROOT / "configs" / "exit" / "fitted.yaml").exists()
    assert sorted(p.name for p in ROOT.iterdir()) == before


def test_helper_commands_refuse_an_out_folder_holding_a_link(tmp_path, outside, capsys,
                                                             no_simulation):
    out = tmp_path / "out"
    out.mkdir()
    (out / "validation.csv").symlink_to(outside / "victim1")
    before = snapshot(outside)
    assert sim.cli.validating.main(["--cases", "teateralliansen", "--out", str(out)]) == 2
    assert "link" in one_error(capsys)
    assert sim.cli.calibrating.main(["--out", str(out)]) == 2
    assert "link" in one_error(capsys)
    assert snapshot(outside) == before


def fake_table() -> pd.DataFrame:
    return pd.DataFrame([{"case": "teateralliansen", "fact": "survival_10y",
                          "outcome": "retention_10y", "arm": "baseline", "target_low": 0.1,
                          "target_high": 0.3, "unit": "share", "mean": 0.2, "ci_low": 0.15,
                          "ci_high": 0.25, "n_seeds": 2, "status": "pass", "reason": "",
                          "source": "test"}])


def disk_full_after(monkeypatch, module, name: str, calls: int) -> None:
    """``module.name`` (a writer) works ``calls`` times, then the disk is full."""
    real, count = getattr(module, name), [0]

    def write(*args, **kwargs):
        count[0] += 1
        if count[0] > calls:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, write)


@pytest.mark.parametrize("existing", [False, True], ids=["new-out", "existing-out"])
def test_a_full_disk_during_validation_leaves_no_partial_set(tmp_path, capsys, monkeypatch,
                                                             existing):
    monkeypatch.setattr(sim.cli.validating, "validate", lambda *a, **k: fake_table())
    disk_full_after(monkeypatch, sim.cli.validating, "write_text", 0)  # after the tables
    out = tmp_path / "out"
    if existing:
        out.mkdir()
        (out / "earlier.txt").write_text("kept")
    before = snapshot(tmp_path)
    assert sim.cli.validating.main(["--cases", "teateralliansen", "--out", str(out)]) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: could not write the results to {out}")
    assert "No space left on device" in lines[0] and "Traceback" not in captured.err
    assert snapshot(tmp_path) == before  # no partial set, no staging folder, no new folder


def test_a_full_disk_during_calibration_leaves_no_partial_set(tmp_path, capsys, monkeypatch):
    cal_cls = sim.study.calibrate.Calibration
    result = {"values": {"exit.base_late": 0.004}, "loss": 0.5, "evaluations": 1,
              "converged": True, "z": np.array([0.5])}

    def fit(self, start=None):
        self.history.append({"exit.base_late": 0.004, "loss": 0.5})
        return result

    monkeypatch.setattr(cal_cls, "fit", fit)
    monkeypatch.setattr(cal_cls, "simulate", lambda self, values: {f: 0.2 for f in self.facts})
    disk_full_after(monkeypatch, sim.cli.calibrating, "write_table", 1)  # fitted.yaml, fit, then full
    out = tmp_path / "out"
    assert sim.cli.calibrating.main(["--config", calibration_file(tmp_path), "--out", str(out)]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "could not write the results" in lines[0]
    assert not out.exists()


def test_validation_writes_its_files_together(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sim.cli.validating, "validate", lambda *a, **k: fake_table())
    out = tmp_path / "out"
    assert sim.cli.validating.main(["--cases", "teateralliansen", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "provenance.json", "validation.csv", "validation.md", "validation.parquet",
        "validation.png"]


def test_write_set_cleans_up_on_interruption(tmp_path):
    def interrupted(folder: Path) -> None:
        (folder / "a.csv").write_text("x")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_set(tmp_path / "new" / "out", interrupted)
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- items 14, 15
def targets_file(tmp_path, cases) -> str:
    path = tmp_path / "targets.yaml"
    path.write_text("facts:\n  survival_10y:\n    outcome: retention_10y\n    arm: baseline\n"
                    "    low: 0.0\n    high: 1.0\n    unit: share\n    source: test\n"
                    f"    cases: {cases}\n")
    return str(path)


@pytest.mark.parametrize("cases", ["[nosuchcase]", "[teateralliansen, 7]", "[teateralliansen, ../x]"])
def test_targets_naming_an_unknown_case_are_refused_before_simulating(tmp_path, capsys,
                                                                      no_simulation, cases):
    argv = ["--cases", "teateralliansen", "--targets", targets_file(tmp_path, cases),
            "--out", str(tmp_path / "out")]
    assert sim.cli.validating.main(argv) == 2
    line = one_error(capsys)
    assert "targets.facts.survival_10y.cases=" in line
    assert "allowed: a list of alliance or sector presets: " in line
    assert "teateralliansen" in line.split("allowed:")[1] and not (tmp_path / "out").exists()


def test_cases_no_fact_applies_to_are_refused_before_simulating(tmp_path, capsys, no_simulation):
    argv = ["--cases", "musikalliansen", "--targets", targets_file(tmp_path, "[dansalliansen]"),
            "--out", str(tmp_path / "out")]
    assert sim.cli.validating.main(argv) == 2
    line = one_error(capsys)
    assert line.startswith("error: invalid config: --cases='musikalliansen'; allowed: cases that a fact")
    assert line.endswith("dansalliansen")




@pytest.mark.parametrize("changes", [
    {"overrides": {"hydra.run.dir": "x"}}, {"overrides": {"hydra/launcher": "basic"}},
    {"parameters": {"hydra.job.num": [0, 1]}}])
def test_calibration_refuses_hydra_keys_saying_what_is_allowed(tmp_path, capsys, no_simulation,
                                                               changes):
    config = calibration_file(tmp_path, **changes)
    assert sim.cli.calibrating.main(["--config", config, "--out", str(tmp_path / "out")]) == 2
    line = one_error(capsys)
    block = next(iter(changes))
    assert line.startswith(f"error: invalid config: calibration.{block}.hydra")
    assert line.split("allowed:")[1].strip().startswith("a model key")
    assert not (tmp_path / "out").exists()


def test_validation_refuses_hydra_overrides_saying_what_is_allowed(tmp_path, capsys, no_simulation):
    argv = ["--cases", "teateralliansen", "--override", "hydra.run.dir=x", "--out", str(tmp_path / "o")]
    assert sim.cli.validating.main(argv) == 2
    assert one_error(capsys).split("allowed:")[1].strip().startswith("a model key")
