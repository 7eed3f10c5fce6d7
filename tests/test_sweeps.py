"""Sweeps end to end: every study runs tiny, launchers agree, resume skips finished jobs,
and the brief holds every chart and headline number."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim import build_spec, compose_config
from sim.cli.preflight import expand_jobs, sweep_params
from sim.run.config import CONFIG_DIR
from tests.conftest import ROOT, Ran, run_module

STUDIES = sorted(p.stem for p in (CONFIG_DIR.parent / "experiments").glob("*.yaml"))
DESIGNS = {"sensitivity": 2, "uncertainty": 4}  # design studies and their seeds per design row
COMPARISONS = [name for name in STUDIES if name not in DESIGNS]
TINY = ["seeds=2", "population.scale=20", "demand=market", "burn_in_years=1", "horizon_years=11"]


def sweep(tmp_path: Path, *args: str, launcher: str = "basic") -> Ran:
    """``python -m sim -m <args>``, tiny, into ``tmp_path``. The basic launcher runs in this
    process (``tests.conftest.run_module``); the launchers that start processes start them from
    a real ``python -m sim``, as a user's command does."""
    args = ["-m", *args, *TINY, f"hydra.sweep.dir={tmp_path}", f"hydra/launcher={launcher}"]
    if launcher == "basic":
        return run_module("sim", args, ROOT)
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True,
                          timeout=600, cwd=ROOT)


@pytest.mark.parametrize("name", STUDIES)
def test_every_study_composes_with_its_first_level(name):
    cfg = compose_config([f"experiment={name}"], with_hydra=True)
    params = sweep_params(cfg)
    assert params, "a study sweeps something"
    spec, run = build_spec(compose_config(expand_jobs([f"experiment={name}"], params)[0]))
    assert run.seeds == DESIGNS.get(name, 30) and cfg.experiment == name


@pytest.mark.slow  # every study end to end (tests/test_i18n.py keeps two in the fast tier)
@pytest.mark.parametrize("name", COMPARISONS)
def test_every_study_runs_tiny_and_writes_a_brief(tmp_path, name):
    overrides = {"funding_sweep": ["policy.funding_m=0,30"], "sectors": ["sector=theatre,dance"]}
    proc = sweep(tmp_path, f"experiment={name}", *overrides.get(name, []))
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = tmp_path / "aggregate"
    brief = (out / "brief.md").read_text()
    charts = sorted(p.name for p in out.glob("*.png"))
    assert charts, "at least one chart"
    for chart in charts:
        assert f"({chart})" in brief
        assert (out / chart.replace(".png", ".svg")).exists()
    html = (out / "brief.html").read_text()
    assert html.count("data:image/png;base64,") == len(charts)
    assert "## Headline numbers" in brief and "What the model leaves out" in brief
    assert "jobs complete" in proc.stderr


def test_brief_states_the_summary_numbers(tmp_path):
    proc = sweep(tmp_path, "experiment=funding_sweep", "policy.funding_m=0,40")
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = tmp_path / "aggregate"
    summary = pd.read_csv(out / "summary.csv")
    row = summary[(summary["outcome"] == "experienced_workforce")
                  & (summary["policy.funding_m"] == 40)].iloc[0]
    brief = (out / "brief.md").read_text()
    from sim.report.format import ci_words

    experienced = ci_words(row['effect'], row['effect_ci_low'], row['effect_ci_high'])
    # "of them" when the experienced are a part of those working, else "more people with ten"
    assert f"{experienced} of them with ten" in brief or f"{experienced} more people with ten" in brief
    cost = summary[(summary["outcome"] == "public_cost_m") & (summary["policy.funding_m"] == 40)]
    cost = cost.iloc[0]
    assert (f"public finances is {ci_words(cost['effect'], cost['effect_ci_low'], cost['effect_ci_high'])}"
            in brief)


def results_of(folder: Path) -> pd.DataFrame:
    df = pd.read_parquet(folder / "aggregate" / "results.parquet")
    return df.sort_values(["job", "seed", "arm", "outcome"]).reset_index(drop=True)


@pytest.mark.slow  # launchers that start processes
def test_launchers_give_identical_results(tmp_path):
    args = ["experiment=funding_sweep", "policy.funding_m=0,30"]
    runs = {}
    for launcher in ("basic", "joblib", "submitit_local"):
        proc = sweep(tmp_path / launcher, *args, launcher=launcher)
        assert proc.returncode == 0, (launcher, proc.stderr[-2000:])
        runs[launcher] = results_of(tmp_path / launcher)
    pd.testing.assert_frame_equal(runs["basic"], runs["joblib"])
    pd.testing.assert_frame_equal(runs["basic"], runs["submitit_local"])


def test_resume_runs_only_what_is_missing(tmp_path):
    args = ["experiment=funding_sweep", "policy.funding_m=0,30,60"]
    done = sweep(tmp_path, *args)
    assert done.returncode == 0
    # the end of a sweep: a short table of effects per job and the path to the brief
    assert "extra experienced" in done.stdout and "net public cost" in done.stdout
    assert f"brief: {tmp_path / 'aggregate' / 'brief.html'}" in done.stdout
    first = results_of(tmp_path)
    jobs = sorted(p for p in tmp_path.iterdir() if p.is_dir() and "funding_m" in p.name)
    killed = jobs[1]  # simulate a job killed half-way: no marker, a stray partial file
    (killed / "COMPLETE.json").unlink()
    (killed / "metrics.parquet").write_bytes(b"half-written")
    stamps = {j: (j / "metrics.parquet").stat().st_mtime_ns for j in jobs if j != killed}
    proc = sweep(tmp_path, *args)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stderr.count("already complete") == 2
    assert {j: (j / "metrics.parquet").stat().st_mtime_ns for j in stamps} == stamps  # not rerun
    assert (killed / "COMPLETE.json").exists()
    pd.testing.assert_frame_equal(first, results_of(tmp_path))


def test_a_job_whose_marker_no_longer_matches_is_recomputed(tmp_path):
    import json

    args = ["experiment=funding_sweep", "policy.funding_m=0,30"]
    assert sweep(tmp_path, *args).returncode == 0
    job = next(p for p in tmp_path.iterdir() if "policy.funding_m=30," in p.name)
    marker = json.loads((job / "COMPLETE.json").read_text())
    marker["fingerprint"] = "from-older-code"
    (job / "COMPLETE.json").write_text(json.dumps(marker))
    proc = sweep(tmp_path, *args)
    assert proc.stderr.count("already complete") == 1  # only the untouched job is skipped
    assert json.loads((job / "COMPLETE.json").read_text())["fingerprint"] != "from-older-code"


def test_unknown_study_lists_the_available_ones(tmp_path):
    proc = sweep(tmp_path, "experiment=nope")
    assert proc.returncode == 2
    for name in STUDIES:
        assert name in proc.stderr


@pytest.mark.slow  # a whole sensitivity study end to end
def test_sensitivity_study_runs_tiny_through_the_cli(tmp_path):
    proc = sweep(tmp_path, "experiment=sensitivity", "sensitivity.samples=2", "seeds=1")
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = tmp_path / "aggregate"
    indices = pd.read_parquet(out / "indices.parquet")
    assert indices["parameter"].nunique() == 13 and indices["outcome"].nunique() == 4
    brief = (out / "brief.md").read_text()
    assert "three most influential assumptions" in brief and (out / "sensitivity.png").exists()
    assert "8/8 jobs complete" in proc.stderr


def test_a_single_run_says_nothing_about_an_old_sweep_in_its_folder(tmp_path, capsys):
    """Issue 20 item 9: the progress callback read an earlier sweep's plan after a single run."""
    from hydra.types import RunMode
    from omegaconf import OmegaConf

    from sim.cli.callbacks import PLAN, SweepProgress

    (tmp_path / PLAN).write_text(json.dumps({"jobs": 3, "started": 0.0, "complete_at_start": 0}))
    for mode, says in ((RunMode.RUN, False), (RunMode.MULTIRUN, True)):
        config = OmegaConf.create({"hydra": {"mode": mode, "sweep": {"dir": str(tmp_path)}}})
        SweepProgress().on_job_end(config)
        assert ("jobs complete" in capsys.readouterr().err) is says, mode
