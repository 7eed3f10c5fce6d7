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
