"""Instruments compared at equal cost: a sweep over the policy group writes one brief that asks
every instrument the same questions on the same axes (sim/report/compare.py), and the group's
old name is refused with one line naming the new form."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from sim import compose_config, run_model
from sim.model.core.params import ConfigError
from tests.conftest import ROOT, run_module

TINY = ["seeds=2", "population.scale=20", "burn_in_years=1", "horizon_years=11"]


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compared")
    proc = run_module("sim", ["-m", "policy=teateralliansen,stipends", "policy.funding_m=20,40", *TINY,
                              f"hydra.sweep.dir={folder}", "hydra/launcher=basic"], ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return folder / "aggregate"


def test_the_summary_names_each_jobs_instrument_beside_the_policy_arm(compared):
    summary = pd.read_parquet(compared / "summary.parquet")
    assert {"baseline", "policy", "effect", "policy.name", "policy.funding_m"} <= set(summary.columns)
    assert set(summary["policy.name"]) == {"teateralliansen", "stipends"}
    assert not [c for c in summary.columns if c.endswith(("_x", "_y"))]  # no clash of names
    at40 = summary[summary["policy.funding_m"] == 40]
    owned = at40.groupby("policy.name")["outcome"].agg(set)  # each job has its policy's outcomes
    assert "alliance_members" in owned["teateralliansen"] - owned["stipends"]
    assert "grant_holders" in owned["stipends"] - owned["teateralliansen"]
    units = summary.drop_duplicates("outcome").set_index("outcome")["unit"]  # from each job's
    assert units["grant_holders"] == "people" and units["alliance_members"] == "people"  # policy


def test_the_brief_puts_the_instruments_side_by_side_in_their_own_words(compared):
    brief = (compared / "brief.md").read_text()
    assert brief.startswith("# The same money, 2 ways: TeaterAlliansen, Working grants (Konstnärsnämnden)")
    assert "## Side by side" in brief and "## Why they differ" in brief
    table = brief.split("## Side by side")[1].split("###")[0]
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    assert rows[0] == "| outcome | TeaterAlliansen | Working grants (Konstnärsnämnden) |"
    assert len(rows) == 1 + 5 and all(line.count("95% CI") == 2 for line in rows[1:5])
    grants = brief.split("### Working grants (Konstnärsnämnden)")[1].split("## Why they differ")[0]
    assert ("The working-grant scheme, with a grant of 40 million SEK a year, pays working grants "
            "to about") in grants
    assert not re.search("allian", grants, re.IGNORECASE)  # its headlines never say alliance
    alliance = brief.split("### TeaterAlliansen")[1].split("###")[0]
    assert "The alliance, with a grant of 40 million SEK a year, employs about" in alliance
    assert "At 40 M SEK a year each" in brief  # the middle funded level, the same for both
    assert (compared / "instruments_compared.png").stat().st_size > 10_000


@pytest.mark.parametrize(("old", "new"), [
    ("alliance=skuda", "policy=skuda"), ("alliance.funding_m=40", "policy.funding_m=40"),
    ("report.x=alliance.funding_m", "report.x=policy.funding_m")])
def test_the_old_group_name_is_refused_with_the_new_form(tmp_path, old, new):
    proc = run_module("sim", [old, f"hydra.run.dir={tmp_path / 'run'}"], ROOT)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert f"allowed: {new} (the group alliance is now called policy" in proc.stderr
    assert not (tmp_path / "run").exists()


def test_the_python_api_refuses_the_old_name_alike():
    with pytest.raises(ConfigError, match=r"allowed: policy\.funding_m=40 "):
        compose_config({"alliance.funding_m": 40})
    with pytest.raises(ConfigError, match=r"allowed: policy\.funding_m=40 "):
        run_model(seed=0, **{"alliance.funding_m": 40})


PRESETS = sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "configs" / "policy")
                 .glob("*.yaml"))


@pytest.mark.slow  # every preset end to end (the `compared` sweep keeps two in the fast tier)
@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_runs_a_two_level_sweep_with_charts_and_its_brief(tmp_path, preset):
    """Each built-in policy through the command line, charts on: a sweep over two grants and
    its brief, which names the policy by its own title; an instrument that is no alliance is
    never called one in the headlines."""
    proc = run_module("sim", ["-m", f"policy={preset}", "policy.funding_m=0,30", *TINY,
                              f"hydra.sweep.dir={tmp_path}", "hydra/launcher=basic"], ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    brief = (tmp_path / "aggregate" / "brief.md").read_text()
    title = brief.splitlines()[0]
    assert title.startswith("# What ") and " buys" in title
    charts = sorted(p.name for p in (tmp_path / "aggregate").glob("*.png"))
    assert charts, "no chart written"
    spec = compose_config({"policy": preset})
    headlines = brief.split("## Headline numbers")[1].split("## Charts")[0]
    if "alliance" not in spec.policy._target_.lower():
        assert not re.search("allian", title + headlines, re.IGNORECASE), headlines
