"""A swapped rule that moves the pool away from the sector's size is said, with the command that
refits the entry rate (issue 20 item 8): in the terminal and in the brief, in every language."""

from __future__ import annotations

import pytest

from sim.report.document import calibration_blocks
from sim.report.i18n import language
from sim.study.stats import refit_command
from tests.conftest import ROOT, run_module


@pytest.mark.parametrize("lang, words", [("en", ("2,940", "18%", "2,500", "more than")),
                                         ("sv", ("2 940", "18", "2 500", "fler än")),
                                         ("nb", ("2 940", "18", "2 500", "flere enn"))])
def test_the_warning_names_the_pool_the_size_and_the_refit(lang, words):
    with language(lang):
        ((kind, text),) = calibration_blocks(2940.0, 2500.0, "uv run python scripts/fit-entry-rate x")
        assert calibration_blocks(2600.0, 2500.0, "cmd") == []  # within 5%: calibrated
        ((_, fewer),) = calibration_blocks(2300.0, 2500.0, "cmd")
    plain = text.replace("\u00a0", " ").replace("\u202f", " ")
    assert kind == "p" and all(w in plain for w in words), text
    assert "`uv run python scripts/fit-entry-rate x`" in text and "8" in fewer


def test_refit_command_keeps_the_world_and_drops_the_alliance_and_presentation():
    command = refit_command("dance", "norway", ["exit=constant", "exit.monthly_hazard=0.02",
                                               "policy.funding_m=80", "seeds=3",
                                               "report.language=sv", "population.entry_rate=0.1"])
    assert command == ("uv run python scripts/fit-entry-rate exit=constant exit.monthly_hazard=0.02 "
                       "--sectors dance --countries norway")


def test_a_drifting_run_says_so_in_the_terminal_and_its_brief(tmp_path):
    proc = run_module("sim", ["exit=constant", "exit.monthly_hazard=0.004", "population.size=400",
                              "burn_in_years=3", "horizon_years=6", "seeds=2", "output.timeseries=false",
                              f"hydra.run.dir={tmp_path / 'run'}"], ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    refit = ("uv run python scripts/fit-entry-rate exit=constant exit.monthly_hazard=0.004 "
             "population.size=400 burn_in_years=3 horizon_years=6 --sectors theatre --countries sweden")
    assert "note: the baseline pool holds" in proc.stdout and refit in proc.stdout
    brief = (tmp_path / "run" / "brief.md").read_text()
    assert "Calibration warning" in brief and refit in brief
