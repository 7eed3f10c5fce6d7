"""The briefs' "reproduce with" line (issue 20 item 3): the exact command, every override
included, quoted for a shell; run from the same working folder, a sweep's command resumes the
same folder with every job skipped and the same tables."""

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.run.io import typed_command
from sim.study.aggregate import PLAN, load, sweep_command
from tests.conftest import run_module

TINY = ["seeds=2", "population.scale=20", "burn_in_years=1", "horizon_years=11"]


def reproduce_line(brief: Path) -> str:
    """The command of a brief's "reproduce with `...`" line."""
    found = re.search(r"reproduce with `([^`]+)`", brief.read_text(encoding="utf-8"))
    assert found, brief.read_text()[:2000]
    return found[1]


def run_typed(command: str, cwd: Path) -> subprocess.CompletedProcess:
    """``command`` as a user would paste it into a shell in ``cwd`` (``python`` being the
    project's Python)."""
    assert command.startswith("python -m sim ")
    return subprocess.run(["bash", "-c", shlex.quote(sys.executable) + command[len("python"):]],
                          cwd=cwd, capture_output=True, text=True, timeout=600)


def tables(folder: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(folder / "aggregate" / f"{name}.parquet")
            for name in ("results", "summary")}


@pytest.mark.slow  # a real shell
def test_an_adhoc_sweeps_command_resumes_its_folder_with_every_job_skipped(tmp_path):
    """``python -m sim -m policy.funding_m=0,40,80`` in its default folder (no
    hydra.sweep.dir): the brief prints that command, not ``-m experiment=comparison``; pasted into a
    shell in the same folder it skips every job and leaves the tables as they were."""
    args = ["-m", "policy.funding_m=0,40,80", *TINY, "hydra/launcher=basic"]
    first = run_module("sim", args, tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    folder = next((tmp_path / "results" / "sweeps").iterdir())
    before = tables(folder)
    command = reproduce_line(folder / "aggregate" / "brief.md")
    assert command == "python -m sim " + " ".join(args)
    assert "experiment=comparison" not in command
    assert json.loads((folder / PLAN).read_text())["command"] == command
    assert json.loads((folder / "aggregate" / "provenance.json").read_text())[
        "sweep_command"] == command
    again = run_typed(command, tmp_path)
    assert again.returncode == 0, again.stderr[-2000:]
    assert again.stderr.count("already complete") == 3, again.stderr[-2000:]
    assert "recompute" not in again.stderr and "seeds 0-1 done" not in again.stderr
    assert reproduce_line(folder / "aggregate" / "brief.md") == command
    for name, table in tables(folder).items():
        pd.testing.assert_frame_equal(table, before[name], obj=name)


@pytest.mark.slow  # a real shell
def test_a_quoted_override_is_printed_as_a_shell_takes_it_back(tmp_path):
    """A sweep folder with a comma (Hydra quotes it) and a range sweep (parentheses): the printed
    command pastes into a shell as it was run, and resumes the folder."""
    folder = "sweep,one"
    args = ["-m", "policy.funding_m=range(0,41,40)", *TINY, "hydra/launcher=basic",
            f"hydra.sweep.dir='{folder}'"]
    first = run_module("sim", args, tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    command = reproduce_line(tmp_path / folder / "aggregate" / "brief.md")
    assert shlex.split(command)[3:] == args
    again = run_typed(command, tmp_path)
    assert again.returncode == 0, again.stderr[-2000:]
    assert again.stderr.count("already complete") == 2, again.stderr[-2000:]


def test_a_single_runs_brief_names_every_override(tmp_path):
    """``python -m sim exit=constant``: the brief's command holds the swapped rule (it no longer
    reads like the default's), as provenance.json records it."""
    args = ["exit=constant", *TINY, f"hydra.run.dir={tmp_path / 'run'}"]
    proc = run_module("sim", args, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    command = reproduce_line(tmp_path / "run" / "brief.md")
    assert command == "python -m sim " + " ".join(args)
    assert json.loads((tmp_path / "run" / "provenance.json").read_text())["command"] == command


def test_typed_command_quotes_what_a_shell_would_split_or_expand():
    assert typed_command(["-m", "a=1,2"]).endswith(" -m a=1,2")
    assert typed_command(["a=range(0,81,40)"]).endswith(" 'a=range(0,81,40)'")
    assert typed_command(["hydra.sweep.dir='x,y'"]).endswith(""" "hydra.sweep.dir='x,y'\"""")
    for arg in ("a=$HOME", "b='it''s'", 'c="q"', "d=a b"):
        assert shlex.split(typed_command([arg]))[-1] == arg


@pytest.fixture
def two_commands(tmp_path):
    """A folder filled by two commands (0,40 then 80 into the same folder): the last plan
    covers one job only."""
    from tests.test_aggregate import fake_job

    for level, num in ((0, 0), (40, 1), (80, 0)):
        job = fake_job(tmp_path, level, [0.0, 1.0, 2.0])
        marker = json.loads((job / "COMPLETE.json").read_text())
        (job / "COMPLETE.json").write_text(json.dumps({**marker, "job_num": num}))
    return tmp_path


def test_a_folder_of_several_commands_gets_one_command_with_every_level(two_commands):
    plan = {"command": "python -m sim -m policy.funding_m=80 seeds=3",
            "job_overrides": [["policy.funding_m=80", "seeds=3"]]}
    (two_commands / PLAN).write_text(json.dumps(plan))
    command = load(two_commands).command
    assert command.startswith("python -m sim -m ")
    assert "policy.funding_m=0,40,80 seeds=3 hydra.sweep.dir=" in command
    assert shlex.split(command)[-1] == f"hydra.sweep.dir={two_commands}"
    plan["job_overrides"] += [["policy.funding_m=0", "seeds=3"], ["seeds=3", "policy.funding_m=40"]]
    (two_commands / PLAN).write_text(json.dumps(plan))
    assert sweep_command(two_commands, load(two_commands).markers) == plan["command"]
