"""The worked example study runs tiny and writes its tables."""

import pandas as pd

from examples import funding_levels


def test_funding_levels_study_runs_tiny(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.argv", ["funding_levels", "--levels", "0", "30", "--seeds", "2",
                                     "--scale", "16", "--out", str(tmp_path),
                                     "--override", "burn_in_years=2", "horizon_years=4"])
    funding_levels.main()
    summary = pd.read_csv(tmp_path / "summary.csv")
    zero = summary[summary["funding_m"] == 0].set_index("outcome")
    assert zero.loc["active_workforce", "mean"] == 0  # CRN: no grant, no effect
    funded = summary[summary["funding_m"] == 30].set_index("outcome")
    assert funded.loc["alliance_members", "mean"] > 0
    assert set(pd.read_parquet(tmp_path / "effects.parquet")["seed"]) == {0, 1}


def test_salib_morris_feeds_numpy_rows_straight_into_run_model(tmp_path, monkeypatch):
    from examples import salib_morris

    monkeypatch.setattr("sys.argv", ["salib_morris", "--trajectories", "1", "--scale", "50",
                                     "--burn-in", "1", "--horizon", "2", "--out", str(tmp_path)])
    salib_morris.main()
    indices = pd.read_csv(tmp_path / "indices.csv")
    assert "policy.funding_m" in set(indices["parameter"])
    assert indices["mu_star"].notna().all()
