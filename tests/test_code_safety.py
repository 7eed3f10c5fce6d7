"""Nothing runs that the user did not name (issue 19, items 1, 2, 7, 10, 13).

A module planted beside the command (``evil.py`` in the current folder or in a results folder)
writes a file when imported; every test asserts that file never appears, whatever a command
line, a study file, a marker or the Python API names.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim import compose_config
from sim.model.core.params import ConfigError
from sim.run.io import write_json
from sim.study.sweep import COMPLETE
from tests.conftest import Ran, run_module, write_job_tables

EVIL = "open({flag!r}, 'w').write('ran')\nclass Boom:\n    pass\n"


def plant(folder: Path, name: str = "evil") -> Path:
    """``folder/<name>.py``, which writes ``folder/<name>.ran`` when it is imported."""
    folder.mkdir(parents=True, exist_ok=True)
    flag = folder / f"{name}.ran"
    (folder / f"{name}.py").write_text(EVIL.format(flag=str(flag)))
    return flag


def sim(args: list[str], cwd: Path, module: str = "sim") -> Ran:
    """``python -m <module> <args>`` in ``cwd``, with ``cwd`` first on ``sys.path`` as the real
    command has it: a module planted there is importable exactly when it would be."""
    return run_module(module, args, cwd)


def test_the_command_runs_as_python_m_does_so_a_planted_module_would_be_found(tmp_path):
    """The tests below run the command in this process (``tests.conftest.run_module``); it puts
    the working folder first on ``sys.path`` as ``python -m`` does, so a module planted there is
    imported exactly when the real command would import it, and is forgotten afterwards."""
    flag = plant(tmp_path, "planted_main")
    (tmp_path / "planted_main.py").write_text(EVIL.format(flag=str(flag)) + "raise SystemExit(3)\n")
    ran = sim([], tmp_path, module="planted_main")
    assert ran.returncode == 3 and flag.exists()  # found in the working folder and run
    assert "planted_main" not in sys.modules and str(tmp_path) not in sys.path


def test_the_command_in_this_process_prints_its_warnings_as_a_process_would(tmp_path):
    """A warning the command raises reaches its stderr (pytest would otherwise record it, and a
    test of "exactly one error line" could not see it)."""
    (tmp_path / "warns.py").write_text("import sys, warnings\nwarnings.warn('stray')\n"
                                       "print('error: one line', file=sys.stderr)\n")
    ran = sim([], tmp_path, module="warns")
    assert "UserWarning: stray" in ran.stderr and ran.stderr.count("\n") == 3, ran.stderr


# ---------------------------------------------------------------- item 2: _target_ checked first
@pytest.mark.parametrize("override", [
    "exit._target_=evil.Boom",
    "policy._target_=evil.Boom",
    "+hydra.callbacks.x._target_=evil.Boom",
    "hydra.launcher._target_=evil.Boom",
    "plugins=[evil]",  # not an installed package: naming it is not enough
])
def test_a_target_outside_the_project_is_refused_before_any_import(tmp_path, override):
    flag = plant(tmp_path)
    extra = ["exit._target_=evil.Boom"] if override == "plugins=[evil]" else []
    proc = sim([override, *extra], cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr[-800:]
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error:")
    assert not flag.exists()
    assert not (tmp_path / "results").exists()


def test_package_metadata_planted_in_the_working_folder_does_not_make_a_module_installed(tmp_path):
    """``evil.py`` beside a hand-made ``evil-1.0.dist-info`` naming it: the working folder is
    first on ``sys.path``, but what it holds is never an installed package (a reviewer found
    the metadata counted)."""
    flag = plant(tmp_path)
    info = tmp_path / "evil-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: evil\nVersion: 1.0\n")
    (info / "top_level.txt").write_text("evil\n")
    proc = sim(["plugins=[evil]", "exit._target_=evil.Boom"], cwd=tmp_path)
    assert proc.returncode == 2 and "plugins" in proc.stderr, proc.stderr[-800:]
    assert not flag.exists()


def test_an_unknown_target_module_is_never_imported(tmp_path):
    proc = sim(["exit._target_=this.Zen"], cwd=tmp_path)  # `import this` prints the Zen of Python
    assert proc.returncode == 2 and "exit._target_" in proc.stderr
    assert "Beautiful is better" not in proc.stdout + proc.stderr


def test_the_python_api_refuses_a_foreign_target_without_importing_it(tmp_path, monkeypatch):
    plant(tmp_path, "evil_api")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ConfigError, match=r"exit\._target_"):
        compose_config({"exit._target_": "evil_api.Boom"})
    assert "evil_api" not in sys.modules and not (tmp_path / "evil_api.ran").exists()


@pytest.mark.parametrize("target", ["sim..x.Y", "sim.model.__init__.X", "sim.model.rules.exit.1X",
                                    "os.system", "builtins.eval", 3])
def test_malformed_or_foreign_targets_name_the_key(target):
    from sim.run.config import check_target

    with pytest.raises(ConfigError, match=r"exit\._target_"):
        check_target(target, "exit")


def test_an_installed_package_named_in_plugins_may_provide_a_class():
    from sim.run.config import check_target, plugin_packages

    assert plugin_packages({"plugins": ["numpy"]}) == ("numpy",)
    assert check_target("numpy.ndarray", "exit", ("numpy",)) == ("numpy", "ndarray")
    with pytest.raises(ConfigError, match="plugins"):
        plugin_packages({"plugins": "numpy"})
    with pytest.raises(ConfigError, match="installed"):
        plugin_packages({"plugins": ["surely_not_installed_pkg"]})


def test_a_study_file_naming_foreign_code_is_refused(tmp_path):
    flag = plant(tmp_path)
    study = tmp_path / "configs" / "experiment"
    study.mkdir(parents=True)
    (study / "mine.yaml").write_text("# @package _global_\nexperiment: mine\nexit:\n  _target_: evil.Boom\n")
    (study / "hooks.yaml").write_text("# @package _global_\nexperiment: hooks\nhydra:\n  callbacks:\n"
                                      "    x:\n      _target_: evil.Boom\n")
    for name in ("mine", "hooks"):
        proc = sim(["--config-dir", str(tmp_path / "configs"), f"experiment={name}"], cwd=tmp_path)
        assert proc.returncode == 2 and "_target_" in proc.stderr, proc.stderr[-800:]
    assert not flag.exists()


# ---------------------------------------------------------------- item 7: paths and environment
@pytest.mark.parametrize("args, key", [
    (["policy=../../etc/passwd"], "policy"),
    (["experiment=../configs/config"], "experiment"),
    (["-m", "sector=theatre,../x"], "sector"),
    (["--config-name=../configs/config"], "--config-name"),
    (["policy.label=${oc.env:HOME}"], "policy.label"),
    (["hydra.run.dir=${oc.env:HOME}/x"], "hydra.run.dir"),
])
def test_paths_in_choices_and_environment_interpolation_are_refused(tmp_path, args, key):
    proc = sim(args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr[-800:]
    assert f"{key}=" in proc.stderr and proc.stderr.count("\n") == 1
    assert not (tmp_path / "results").exists()


def test_a_study_file_reading_the_environment_is_refused(tmp_path):
    study = tmp_path / "configs" / "experiment"
    study.mkdir(parents=True)
    (study / "env.yaml").write_text("# @package _global_\nexperiment: env\n"
                                    "policy:\n  label: ${oc.env:HOME}\n")
    proc = sim(["--config-dir", str(tmp_path / "configs"), "experiment=env"], cwd=tmp_path)
    assert proc.returncode == 2 and "policy.label" in proc.stderr and "oc.env" in proc.stderr


def test_the_python_api_refuses_environment_interpolation():
    with pytest.raises(ConfigError, match=r"policy\.label"):
        compose_config({"policy.label": "${oc.env:HOME}"})


# ---------------------------------------------------------------- markers: data, never code
WORLD = {"policy": {"funding_m": 40.0, "label": "TeaterAlliansen", "_target_": "evil.Boom"},
         "sector": {"name": "theatre"}, "country": {"name": "sweden", "currency": "SEK"},
         "exit": {"_target_": "evil.Boom"}}


def fake_job(folder: Path, level: int, num: int, **marker) -> Path:
    job = folder / f"policy.funding_m={level}"
    job.mkdir(parents=True)
    files = write_job_tables(job, {"active_workforce": (10.0, [1.0 * level, 2.0, 3.0])}, 1.0)
    config = json.loads(json.dumps(WORLD))
    config["policy"]["funding_m"] = float(level)
    write_json(job / COMPLETE, {
        "kind": "comparison", "job_num": num, "job_dir": job.name, "fingerprint": "f",
        "code": "abc", "git_commit": "c0ffee", "packages": {},
        "overrides": [f"policy.funding_m={level}"], "experiment": "toy", "seeds": [0, 1, 2],
        "config": config, "currency": "SEK", "choices": {"policy": "teateralliansen"},
        "files": files, **marker})
    return job


def aggregate(folder: Path, *extra) -> subprocess.CompletedProcess:
    return sim([str(folder), "--no-charts", *extra], cwd=folder, module="sim.aggregate")


def test_aggregating_a_folder_whose_markers_name_a_planted_module_imports_nothing(tmp_path):
    folder = tmp_path / "sweep"
    fake_job(folder, 0, 0)
    fake_job(folder, 20, 1)
    flag = plant(folder)
    proc = aggregate(folder)
    assert proc.returncode == 0, proc.stderr[-800:]
    assert not flag.exists()


def test_a_marker_copied_into_another_job_folder_is_refused(tmp_path):
    folder = tmp_path / "sweep"
    low, high = fake_job(folder, 10, 0), fake_job(folder, 20, 1)
    (high / COMPLETE).write_bytes((low / COMPLETE).read_bytes())  # files are the same tables
    proc = aggregate(folder)
    assert proc.returncode == 2
    assert "policy.funding_m=20" in proc.stderr and "policy.funding_m=10" in proc.stderr
    assert proc.stderr.count("\n") == 1 and not (folder / "aggregate").exists()


@pytest.mark.parametrize("field, value, named", [
    ("report", {"language": "de"}, "report.language"),
    ("report", "oops", "report="),
    ("config", {**WORLD, "policy": [1, 2]}, "config.policy"),
    ("choices", {"policy": "../../etc/passwd"}, "choices.policy"),
    ("choices", ["policy"], "choices="),
    ("seeds", [0, "x"], "seeds"),
    ("kind", "evil", "kind="),
    ("config", {**WORLD, "country": {"name": "${oc.env:HOME}"}}, "config.country.name"),
    ("job_dir", "elsewhere", "elsewhere"),
    ("job_dir", None, "None"),
])
def test_hand_edited_marker_values_are_refused_in_one_line(tmp_path, field, value, named):
    folder = tmp_path / "sweep"
    fake_job(folder, 0, 0)
    job = fake_job(folder, 20, 1)
    marker = json.loads((job / COMPLETE).read_text())
    if field == "report" and isinstance(value, dict):
        from omegaconf import OmegaConf

        from sim.run.config import compose_config as compose
        value = {**OmegaConf.to_container(compose().report), **value}
    marker[field] = value
    write_json(job / COMPLETE, marker)
    proc = aggregate(folder)
    assert proc.returncode == 2, proc.stderr[-800:]
    assert named in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_describe_parameters_reads_targets_as_text(tmp_path, monkeypatch):
    from omegaconf import OmegaConf

    from sim.study.uncertainty import describe_parameters, settings

    plant(tmp_path, "evil_unc")
    monkeypatch.syspath_prepend(str(tmp_path))
    cfg = compose_config(["experiment=uncertainty", "uncertainty.draws=8"])
    s = settings(cfg)
    plain = OmegaConf.create(OmegaConf.to_container(cfg, resolve=True))
    for block in {k.rpartition(".")[0] for k in s.names}:
        if OmegaConf.select(plain, f"{block}._target_") is not None:
            OmegaConf.update(plain, f"{block}._target_", "evil_unc.Boom")
    table = describe_parameters(s, plain)
    assert len(table) == len(s.names)
    assert "evil_unc" not in sys.modules and not (tmp_path / "evil_unc.ran").exists()
    default = describe_parameters(s, OmegaConf.create(OmegaConf.to_container(cfg, resolve=True)))
    assert (default["unit"] != "").any()  # the project's presets still describe their parameters
