"""The command line answers fast: its own --help before any heavy import; units in the table."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

from sim.cli.main import format_table, unit_text
from sim.model.catalogue import OUTCOMES

HEAVY = ("numpy", "pandas", "mesa", "numba", "hydra", "matplotlib")


def test_help_lists_presets_outcomes_and_examples_without_heavy_imports():
    code = ("import runpy, sys\n"
            "sys.argv = ['sim', '--help']\n"
            "try:\n    runpy.run_module('sim', run_name='__main__')\n"
            "except SystemExit as e:\n    assert e.code == 0, e.code\n"
            f"print('LOADED', sorted(m for m in {HEAVY!r} if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert "LOADED []" in out
    for text in ("usage: python -m sim", "population.scale", "policy={basic_income,dansalliansen",
                 "demand={market,steady}", "experiment={", "examples:", "report.language",
                 "exit={constant,stress_hazard}", "income={", "fertility={", "health={",
                 "admission={"):
        assert text in out, text
    assert all(name in out for name in OUTCOMES)


def test_units_name_the_currency():
    assert unit_text("million currency/year", "SEK") == "M SEK/year"
    assert unit_text("thousand currency/worker-year", "NOK") == "k NOK/worker-year"
    assert unit_text("currency/month", "SEK") == "SEK/month"
    assert unit_text("people", "SEK") == "people"


def test_the_terminal_table_has_a_unit_column():
    summary = pd.DataFrame([{"outcome": "public_cost_m", "unit": "million currency/year",
                             "baseline": -10.0, "policy": -5.0, "effect": 5.0,
                             "effect_ci_low": 4.0, "effect_ci_high": 6.0}])
    header, row = format_table(summary, "NOK").splitlines()
    assert "unit" in header and "M NOK/year" in row and "5 [4, 6]" in row


def test_a_bad_value_is_refused_before_numba_pandas_or_mesa_load():
    code = ("import runpy, sys\n"
            "sys.argv = ['sim', 'policy.funding_m=-5']\n"
            "try:\n    runpy.run_module('sim', run_name='__main__')\n"
            "except SystemExit as e:\n    assert e.code == 2, e.code\n"
            "print('LOADED', sorted(m for m in ('numba', 'pandas', 'mesa', 'matplotlib') "
            "if m in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, check=True)
    assert "LOADED []" in proc.stdout
    assert "policy.funding_m" in proc.stderr and "[0, 100000]" in proc.stderr


def test_shares_are_percent_and_their_effects_percentage_points():
    from sim.cli.main import table_notes

    summary = pd.DataFrame([
        {"outcome": "retention_10y", "unit": "share", "baseline": 0.185, "policy": 0.186,
         "effect": 0.000241, "effect_ci_low": -0.000242, "effect_ci_high": 0.000724},
        {"outcome": "public_cost_m", "unit": "million currency/year", "baseline": -1798.0,
         "policy": -1773.0, "effect": 24.9, "effect_ci_low": 23.0, "effect_ci_high": 26.9}])
    _, share, cost = format_table(summary, "SEK").splitlines()
    assert "18.5%" in share and "18.6%" in share and "% points" in share
    assert "0.0241 [-0.0242, 0.0724]" in share
    assert "-1,798" in cost and "24.9 [23, 26.9]" in cost
    (note,) = table_notes(summary)
    assert "negative" in note and "taxes" in note
    assert table_notes(summary[summary["outcome"] == "retention_10y"]) == []


def test_a_drifted_baseline_pool_is_said_with_the_command_that_refits_it():
    from sim.cli.main import table_notes

    def summary(active):
        return pd.DataFrame([{"outcome": "active_workforce", "unit": "people", "baseline": active,
                              "policy": active + 20, "effect": 20.0, "effect_ci_low": 15.0,
                              "effect_ci_high": 25.0}])

    refit = "uv run python scripts/fit-entry-rate exit=constant --sectors theatre --countries sweden"
    (note,) = table_notes(summary(2940.0), 2500.0, refit)
    assert "2,940" in note and "18% above" in note and "2,500" in note and refit in note
    (note,) = table_notes(summary(2300.0), 2500.0, refit)
    assert "8% below" in note
    assert table_notes(summary(2600.0), 2500.0, refit) == []  # within 5%: calibrated
