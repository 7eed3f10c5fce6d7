"""The short table of effects a sweep prints at its end (sim/cli/callbacks.py)."""

import json

import pandas as pd

from sim.cli.callbacks import TABLE_OUTCOMES, end_of_sweep_table


def test_the_table_shows_each_job_and_a_design_study_prints_none(tmp_path):
    rows = [{"job": f"policy.funding_m={level}", "policy.funding_m": level, "outcome": name,
             "effect": level / 10, "effect_ci_low": level / 10 - 1, "effect_ci_high": level / 10 + 1}
            for level in (0, 40) for name in TABLE_OUTCOMES]
    pd.DataFrame(rows).to_parquet(tmp_path / "summary.parquet")
    (tmp_path / "provenance.json").write_text(json.dumps({"swept": ["policy.funding_m"]}))
    table = end_of_sweep_table(tmp_path)
    assert table.count("\n") == 3 and "4 [3, 5]" in table  # header lines + one line per job
    # the uncertainty study writes a summary per grant, without outcomes: no table, no error
    pd.DataFrame({"level": [20.0, 40.0], "p_pays_for_itself": [0.0, 0.0]}).to_parquet(
        tmp_path / "summary.parquet")
    assert end_of_sweep_table(tmp_path) == ""


def test_the_header_names_the_grant_and_the_currency(tmp_path):
    rows = [{"job": "policy.funding_m=40", "policy.funding_m": 40, "outcome": name,
             "effect": 1.0, "effect_ci_low": 0.5, "effect_ci_high": 1.5} for name in TABLE_OUTCOMES]
    pd.DataFrame(rows).to_parquet(tmp_path / "summary.parquet")
    (tmp_path / "provenance.json").write_text(json.dumps({"swept": ["policy.funding_m"]}))
    first, head, *_ = end_of_sweep_table(tmp_path, "NOK").splitlines()
    assert "million NOK/year" in first
    assert "grant (M NOK/yr)" in head and "policy.funding_m" not in head
