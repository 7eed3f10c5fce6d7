"""Aggregation against hand computations on known numbers, and its refusals."""

import json

import numpy as np
import pandas as pd
import pytest

from sim.run.io import file_digest, write_json
from sim.study.aggregate import SweepError, aggregate, load
from sim.study.sweep import COMPLETE

BASE_CONFIG = {"experiment": "toy", "seeds": 3, "policy": {"funding_m": 0.0},
               "population": {"size": 100}}


def fake_job(folder, level, values, code="abc", config=None, marker=True):
    """A finished job with effect values ``values`` for seeds 0..2 (baseline 10, alliance 10+v)."""
    job = folder / f"policy.funding_m={level}"
    job.mkdir(parents=True)
    rows = []
    for seed, v in enumerate(values):
        rows += [{"seed": seed, "arm": "baseline", "outcome": "active_workforce", "value": 10.0},
                 {"seed": seed, "arm": "policy", "outcome": "active_workforce", "value": 10.0 + v},
                 {"seed": seed, "arm": "effect", "outcome": "active_workforce", "value": v}]
    pd.DataFrame(rows).to_parquet(job / "metrics.parquet")
    pd.DataFrame({"seed": [0], "arm": ["baseline"], "year": [0], "variable": ["active"],
                  "value": [1.0]}).to_parquet(job / "yearly.parquet")
    pd.DataFrame({"seed": [0], "arm": ["baseline"], "years_since_entry": [0],
                  "share_active": [1.0]}).to_parquet(job / "survival.parquet")
    cfg = json.loads(json.dumps(config or BASE_CONFIG))
    cfg["policy"]["funding_m"] = float(level)
    if marker:
        write_json(job / COMPLETE, {
            "fingerprint": f"f{level}", "job_dir": job.name, "code": code, "git_commit": "c0ffee",
            "packages": {},
            "overrides": [f"policy.funding_m={level}", "seeds=3"], "experiment": "toy",
            "seeds": [0, 1, 2], "config": cfg, "currency": "SEK",
            "files": [file_digest(job / f) for f in ("metrics.parquet", "yearly.parquet",
                                                      "survival.parquet")]})
    return job


def test_summary_and_contrast_match_a_hand_computation(tmp_path):
    fake_job(tmp_path, 0, [0.0, 0.0, 0.0])
    fake_job(tmp_path, 10, [1.0, 2.0, 3.0])
    sweep = load(tmp_path)
    assert sweep.swept == ["policy.funding_m"]
    assert len(sweep.results) == 2 * 3 * 3
    assert set(sweep.results.columns) == {"experiment", "job", "represents", "policy.funding_m",
                                          "seed", "arm", "outcome", "value"}
    row = sweep.summary.set_index("policy.funding_m").loc[10.0]
    # mean 2, sd 1, t(0.975, 2) = 4.302653, half-width 4.302653 / sqrt(3) = 2.484138
    assert row["effect"] == pytest.approx(2.0)
    assert row["effect_ci_low"] == pytest.approx(2.0 - 2.484138, abs=1e-5)
    assert row["effect_ci_high"] == pytest.approx(2.0 + 2.484138, abs=1e-5)
    assert row["baseline"] == 10 and row["n_seeds"] == 3
    c = sweep.contrast.set_index(["arm", "outcome"]).loc[("policy", "active_workforce")]
    assert c["difference"] == pytest.approx(2.0) and c["ci_high"] == pytest.approx(4.484138, abs=1e-5)
    out = aggregate(tmp_path)
    assert (out / "results.parquet").exists() and (out / "summary.csv").exists()
    assert json.loads((out / "provenance.json").read_text())["swept"] == ["policy.funding_m"]


def test_unfinished_jobs_are_not_read(tmp_path):
    fake_job(tmp_path, 0, [0.0, 0.0, 0.0])
    half = fake_job(tmp_path, 10, [5.0, 5.0, 5.0], marker=False)
    (half / "metrics.parquet.part").write_text("garbage")
    sweep = load(tmp_path)
    assert list(sweep.jobs["job"]) == ["policy.funding_m=0"]


def test_no_finished_jobs_is_a_clear_error(tmp_path):
    fake_job(tmp_path, 10, [1.0, 1.0, 1.0], marker=False)
    with pytest.raises(SweepError, match="no finished jobs"):
        load(tmp_path)
    with pytest.raises(SweepError, match="not a folder"):
        load(tmp_path / "missing")


def test_jobs_from_different_code_are_refused(tmp_path):
    fake_job(tmp_path, 0, [0.0] * 3, code="old")
    fake_job(tmp_path, 10, [1.0] * 3, code="new")
    with pytest.raises(SweepError, match="different package source"):
        load(tmp_path)


def test_jobs_differing_outside_the_swept_keys_are_refused(tmp_path):
    fake_job(tmp_path, 0, [0.0] * 3)
    other = {**BASE_CONFIG, "population": {"size": 999}}
    fake_job(tmp_path, 10, [1.0] * 3, config=other)
    with pytest.raises(SweepError, match="population.size"):
        load(tmp_path)


def test_cli_aggregate_exits_non_zero_on_an_empty_folder(tmp_path):
    from sim.cli.aggregating import main

    assert main([str(tmp_path)]) == 2
    assert not (tmp_path / "aggregate").exists()


def test_fieller_interval_by_hand():
    from sim.study.stats import fieller

    num = np.array([10.0, 12.0, 14.0])  # mean 12, var of mean 4/3
    den = np.array([2.0, 2.0, 2.0])  # mean 2, no variance
    ratio, lo, hi = fieller(num, den)
    # with a constant denominator Fieller reduces to the t interval of num / 2
    half = 4.302653 * np.sqrt(4 / 3) / 2
    assert ratio == pytest.approx(6.0)
    assert lo == pytest.approx(6.0 - half, abs=1e-5) and hi == pytest.approx(6.0 + half, abs=1e-5)
    assert np.isnan(fieller(num, np.array([1.0, -1.0, 0.1]))[1])  # denominator not significant


def test_jobs_of_different_commands_are_refused(tmp_path):
    fake_job(tmp_path, 0, [0.0] * 3)
    other = fake_job(tmp_path, 10, [1.0] * 3)
    marker = json.loads((other / COMPLETE).read_text())
    marker["overrides"].append("policy.salary=30000")
    write_json(other / COMPLETE, marker)
    with pytest.raises(SweepError, match="different commands"):
        load(tmp_path)


def test_a_new_aggregation_replaces_every_old_file(tmp_path):
    fake_job(tmp_path, 0, [0.0] * 3)
    fake_job(tmp_path, 10, [1.0, 2.0, 3.0])
    out = aggregate(tmp_path)
    (out / "stale.txt").write_text("from an earlier aggregation")
    assert not (aggregate(tmp_path) / "stale.txt").exists()


def test_a_damaged_job_stops_aggregation_and_the_old_aggregate_is_marked_stale(tmp_path):
    fake_job(tmp_path, 0, [0.0] * 3)
    job = fake_job(tmp_path, 10, [1.0, 2.0, 3.0])
    aggregate(tmp_path)
    table = job / "metrics.parquet"
    table.write_bytes(table.read_bytes()[: table.stat().st_size // 2])  # truncated, marker kept
    with pytest.raises(SweepError, match="policy.funding_m=10 is damaged"):
        aggregate(tmp_path)
    assert not (tmp_path / "aggregate").exists() and (tmp_path / "aggregate.stale").exists()


@pytest.mark.parametrize("marker", [[1, 2], {"files": []}, {"seeds": [0]},
                                    {"files": ["metrics.parquet"]}])
def test_malformed_markers_mean_unfinished_jobs(tmp_path, marker):
    fake_job(tmp_path, 0, [0.0] * 3)
    other = fake_job(tmp_path, 10, [1.0] * 3)
    (other / COMPLETE).write_text(json.dumps(marker))
    with pytest.raises(SweepError, match="is damaged"):
        load(tmp_path)


def test_a_listed_file_that_is_not_parquet_is_a_clear_error(tmp_path):
    fake_job(tmp_path, 0, [0.0] * 3)
    job = fake_job(tmp_path, 10, [1.0] * 3)
    (job / "metrics.parquet").write_text("not parquet")
    marker = json.loads((job / COMPLETE).read_text())
    marker["files"][0] = file_digest(job / "metrics.parquet")  # a matching hash: still unreadable
    write_json(job / COMPLETE, marker)
    with pytest.raises(SweepError, match="not a readable Parquet"):
        load(tmp_path)


def test_numeric_levels_are_ordered_by_value_whatever_the_job_numbers(tmp_path):
    """A sweep extended with new levels keeps old job numbers: order by level, lowest first."""
    for num, level in enumerate((40, 0, 20)):
        job = fake_job(tmp_path, level, [float(level)] * 3)
        marker = json.loads((job / COMPLETE).read_text())
        marker["job_num"] = num
        write_json(job / COMPLETE, marker)
    sweep = load(tmp_path)
    assert list(sweep.jobs["policy.funding_m"]) == [0.0, 20.0, 40.0]
    assert set(sweep.contrast["reference"]) == {"policy.funding_m=0"}


def test_ctrl_c_while_a_kernel_compiles_is_an_interruption_of_the_aggregation(tmp_path, monkeypatch,
                                                                              capsys):
    """numba turns a Ctrl-C during a kernel's first call into a SystemError caused by it."""
    import sim.cli.aggregating as agg

    def compiling(*args, **kwargs):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as interrupt:
            raise SystemError("CPUDispatcher(...) returned a result with an exception set") \
                from interrupt

    monkeypatch.setattr(agg, "aggregate", compiling)
    assert agg.main([str(tmp_path)]) == 130
    assert capsys.readouterr().err.count("\n") == 1

    def broken(*args, **kwargs):
        raise SystemError("a real one")

    monkeypatch.setattr(agg, "aggregate", broken)
    with pytest.raises(SystemError, match="a real one"):
        agg.main([str(tmp_path)])


def test_a_swept_level_is_the_typed_value_of_the_jobs_config():
    """Issue 24 item 2: the grant reaches the tables as the number the checked config holds, not
    as override text parsed back; a swept group as its option's name."""
    from sim.study.aggregate import _level

    grant = {"overrides": ["policy.funding_m='40'"], "config": {"policy": {"funding_m": 40}}}
    assert _level(grant, "policy.funding_m") == 40.0
    assert isinstance(_level(grant, "policy.funding_m"), float)
    sector = {"overrides": ["sector=dance"], "config": {"sector": {"name": "dance", "size": 1}},
              "choices": {"sector": "dance"}}
    assert _level(sector, "sector") == "dance"
    # a user's preset that extends teateralliansen inherits its name key: the option tells them apart
    mine = {"overrides": ["policy=bigger"], "config": {"policy": {"name": "teateralliansen"}},
            "choices": {"policy": "bigger"}}
    assert _level(mine, "policy") == "bigger"
    added = {"overrides": ["+policy.extra=3"], "config": {"policy": {"funding_m": 40}}}
    assert _level(added, "policy.extra") == 3.0  # not in the config: its text, as a number
    switch = {"overrides": ["output.charts=false"], "config": {"output": {"charts": False}}}
    assert _level(switch, "output.charts") == "false"  # a switch keeps its words
