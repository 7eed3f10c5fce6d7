"""``python -m sim`` end to end on a tiny population, and its handling of bad input."""

import subprocess
import sys

import pandas as pd

ARGS = ["population.size=150", "seeds=2", "burn_in_years=2", "horizon_years=11"]


def run_cli(tmp_path, *extra):
    return subprocess.run([sys.executable, "-m", "sim", *ARGS, *extra,
                           f"hydra.run.dir={tmp_path}"], capture_output=True, text=True)


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
    assert set(metrics["seed"]) == {0, 1} and set(metrics["arm"]) == {"baseline", "alliance", "effect"}
    summary = pd.read_csv(tmp_path / "summary.csv")
    row = summary.set_index("outcome").loc["active_workforce"]
    assert row["effect_ci_low"] <= row["effect"] <= row["effect_ci_high"]
    assert not list(tmp_path.glob("*.part"))


def test_cli_rejects_bad_input_before_writing_anything(tmp_path):
    proc = run_cli(tmp_path / "bad", "alliance.funding_m=-1")
    assert proc.returncode != 0
    assert "alliance.funding_m=-1" in proc.stderr and "allowed" in proc.stderr
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
