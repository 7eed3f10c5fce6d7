"""One argument style: the helper commands take key=value like python -m sim."""

from __future__ import annotations

import argparse

import pytest

from sim.cli.args import normalise


def parser():
    p = argparse.ArgumentParser(prog="cmd")
    p.add_argument("folder", nargs="?")
    p.add_argument("--cases", nargs="+")
    p.add_argument("--seeds", type=int)
    p.add_argument("--max-evaluations", type=int)
    p.add_argument("--no-charts", action="store_true")
    p.add_argument("--override", nargs="+", action="extend", default=[])
    return p


def test_key_value_becomes_the_options():
    p = parser()
    argv = normalise(p, ["seeds=4", "cases=teateralliansen,skuda", "max_evaluations=3",
                         "no_charts=true", "folder=results/x", "policy.funding_m=60"],
                     model_option="--override")
    args = p.parse_args(argv)
    assert args.seeds == 4 and args.cases == ["teateralliansen", "skuda"]
    assert args.max_evaluations == 3 and args.no_charts and args.folder == "results/x"
    assert args.override == ["policy.funding_m=60"]


def test_flags_still_work_and_mix():
    p = parser()
    args = p.parse_args(normalise(p, ["--seeds", "2", "cases=[dansalliansen]"]))
    assert args.seeds == 2 and args.cases == ["dansalliansen"]


def test_an_unknown_setting_names_what_is_allowed(capsys):
    with pytest.raises(SystemExit) as err:
        normalise(parser(), ["sedes=4"])
    assert err.value.code == 2
    assert "unknown setting sedes=4" in capsys.readouterr().err


def test_validate_reads_like_the_main_command(tmp_path):
    from sim.cli.validating import main

    targets = tmp_path / "targets.yaml"
    targets.write_text("facts:\n  survival_10y:\n    outcome: retention_10y\n    arm: baseline\n"
                       "    low: 0.0\n    high: 1.0\n    unit: share\n    source: test\n")
    code = main(["cases=teateralliansen", "seeds=2", "scale=12", f"targets={targets}",
                 "burn_in_years=1", "horizon_years=11", f"out={tmp_path / 'v'}"])
    assert code == 0 and (tmp_path / "v" / "validation.md").exists()
