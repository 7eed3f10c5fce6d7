"""Bad input to the study commands (validate, calibrate) and to the report: one error line on
stderr, exit code 2, nothing written, no simulation; Ctrl-C exits with 130."""

import json
import os

import matplotlib.pyplot as plt
import pytest

import sim.cli.calibrating
import sim.cli.command
import sim.cli.validating
import sim.run.many
import sim.study.calibrate
import sim.study.validate
from sim import build_spec, compose_config
from sim.run.io import write_json
from sim.study.sweep import COMPLETE
from tests.conftest import write_job_tables

TINY = ["--scale", "12", "--seeds", "2"]
SHORT = ["burn_in_years=1", "horizon_years=11"]
TARGETS = ("facts:\n  survival_10y:\n    outcome: retention_10y\n    arm: baseline\n"
           "    low: 0.0\n    high: 1.0\n    unit: share\n    source: test\n")


@pytest.fixture
def no_simulation(monkeypatch):
    """Any simulation fails the test: bad input must be refused before the first run."""
    def refuse(*args, **kwargs):
        raise AssertionError("a simulation started")

    monkeypatch.setattr(sim.study.validate, "run_specs", refuse)
    monkeypatch.setattr(sim.run.many, "run_pair", refuse)  # calibration runs through run_many
    monkeypatch.setattr(sim.run.many, "run_specs", refuse)


def one_error(capsys) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: invalid config: "), lines
    return lines[0]


# ---------------------------------------------------------------- validate: overrides
def test_overriding_the_sector_is_refused_in_favour_of_sectors(tmp_path, capsys, no_simulation):
    out = tmp_path / "out"
    argv = ["--cases", "teateralliansen", "musikalliansen", *TINY, "--override", "sector=dance",
            "--out", str(out)]
    assert sim.cli.validating.main(argv) == 2
    line = one_error(capsys)
    assert "--override sector" in line and "use --cases" in line
    assert not out.exists()


def test_repeated_override_flags_are_merged(tmp_path, capsys, monkeypatch):
    specs, real = [], sim.study.validate.run_specs

    def spy(items, collect):
        specs.extend(spec for spec, _ in items)
        return real(items, collect)

    monkeypatch.setattr(sim.study.validate, "run_specs", spy)
    targets = tmp_path / "targets.yaml"
    targets.write_text(TARGETS)
    out = tmp_path / "out"
    argv = ["--cases", "teateralliansen", *TINY, "--targets", str(targets), "--override", SHORT[0],
            "--override", SHORT[1], "exit.base_late=0.005", "--out", str(out)]
    assert sim.cli.validating.main(argv) == 0
    assert len(specs) == 2
    assert all(s.burn_in_years == 1 and s.horizon_years == 11 for s in specs)
    assert all(s.rules.exit.base_late == 0.005 for s in specs)
    assert json.loads((out / "provenance.json").read_text())["overrides"] == [
        *SHORT, "exit.base_late=0.005"]


def test_the_same_override_key_with_two_values_is_refused(tmp_path, capsys, no_simulation):
    out = tmp_path / "out"
    argv = ["--cases", "teateralliansen", *TINY, "--override", "horizon_years=11", "--override",
            "horizon_years=12", "--out", str(out)]
    assert sim.cli.validating.main(argv) == 2
    assert "--override horizon_years=" in one_error(capsys)
    assert not out.exists()


@pytest.mark.parametrize("override", ["foo", "=1", "nosuch.key=1", "exit.base_late=abc",
                                      "exit.base_late=-1", "exit=nosuch"])
def test_an_invalid_override_is_refused_before_any_simulation(tmp_path, capsys, no_simulation,
                                                              override):
    out = tmp_path / "out"
    argv = ["--cases", "teateralliansen", *TINY, "--override", *SHORT, override, "--out", str(out)]
    assert sim.cli.validating.main(argv) == 2
    one_error(capsys)
    assert not out.exists()


def test_every_sector_is_checked_before_the_first_simulation(tmp_path, capsys, no_simulation,
                                                             monkeypatch):
    """An override that only the second sector rejects still stops the run before the first."""
    real = sim.study.validate.spec_for

    def spec_for(sector, size, overrides):
        if sector == "musikalliansen":
            raise sim.study.validate.ConfigError("sector.outside_wage", -1, "a number >= 0")
        return real(sector, size, overrides)

    monkeypatch.setattr(sim.study.validate, "spec_for", spec_for)
    out = tmp_path / "out"
    argv = ["--cases", "teateralliansen", "musikalliansen", *TINY, "--out", str(out)]
    assert sim.cli.validating.main(argv) == 2
    assert "sector.outside_wage" in one_error(capsys)
    assert not out.exists()


# ---------------------------------------------------------------- validate: targets and --out
@pytest.mark.parametrize("text", [
    "facts: [a: 1\n",  # YAML syntax error
    "- survival_10y\n- idle_share\n",  # not a mapping
    "facts: {a: 1}\n",  # a fact that is not a mapping
    TARGETS.replace("low: 0.0", "low: lots"),  # low not a number
    TARGETS.replace("high: 1.0", "high: [1]"),  # high not a number
    "facts: {}\n",  # no facts
])
def test_broken_targets_are_a_config_error(tmp_path, capsys, no_simulation, text):
    targets = tmp_path / "targets.yaml"
    targets.write_text(text)
    out = tmp_path / "out"
    argv = ["--cases", "teateralliansen", *TINY, "--targets", str(targets), "--out", str(out)]
    assert sim.cli.validating.main(argv) == 2
    assert "targets" in one_error(capsys)
    assert not out.exists()


def test_targets_must_name_a_targets_file(capsys, no_simulation, tmp_path):
    assert sim.cli.validating.main(["--targets", "../calibration/default", "--out", str(tmp_path / "o")]) == 2
    assert "allowed: one of default" in one_error(capsys)


def unwritable_outs(tmp_path):
    existing = tmp_path / "a_file"
    existing.write_text("not a folder")
    return [("/proc/x", "/proc/x"), (existing, existing)]


@pytest.mark.parametrize("case", [0, 1])
def test_an_unwritable_out_fails_before_simulating(tmp_path, capsys, no_simulation, case):
    out, _ = unwritable_outs(tmp_path)[case]
    assert sim.cli.validating.main(["--cases", "teateralliansen", *TINY, "--out", str(out)]) == 2
    line = one_error(capsys)
    # the guard of python -m sim: a folder, writable (an existing file is "a folder (it is ...)")
    assert line.startswith(f"error: invalid config: --out='{out}'; allowed: a ")
    assert ("a writable folder (" if case == 0 else "a folder (it is an existing file)") in line
    assert sim.cli.calibrating.main(["--out", str(out)]) == 2
    assert one_error(capsys).startswith(f"error: invalid config: --out='{out}'")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into read-only folders")
def test_a_read_only_out_fails_before_simulating(tmp_path, capsys, no_simulation):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert sim.cli.validating.main(["--cases", "teateralliansen", *TINY, "--out", str(locked / "x")]) == 2
        assert "a writable folder" in one_error(capsys)
    finally:
        locked.chmod(0o700)


def test_the_out_probe_leaves_no_folder_behind(tmp_path):
    sim.cli.command.check_out(tmp_path / "a" / "b")
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_during_validation_writes_nothing(tmp_path, capsys, monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.study.validate, "run_specs", interrupt)
    out = tmp_path / "out"
    assert sim.cli.validating.main(["--cases", "teateralliansen", *TINY, "--out", str(out)]) == 130
    assert capsys.readouterr().err.strip().splitlines() == ["interrupted; nothing was written"]
    assert not out.exists()


# ---------------------------------------------------------------- calibrate
def calibration_file(tmp_path, **changes) -> str:
    values = {"targets": "default", "sector": "theatre", "population_size": 200, "seeds": 1,
              "method": "Nelder-Mead", "max_evaluations": 2,
              "overrides": {"burn_in_years": 1, "horizon_years": 11},
              "parameters": {"exit.base_late": [0.002, 0.006]}, "facts": {"survival_10y": 1.0},
              **changes}
    path = tmp_path / "calibration.yaml"
    path.write_text(json.dumps(values))  # JSON is YAML
    return str(path)


@pytest.mark.parametrize("name", ["../targets/default", "nosuch", "/etc/passwd"])
def test_calibrate_config_must_be_a_calibration_name(tmp_path, capsys, no_simulation, name):
    assert sim.cli.calibrating.main(["--config", name, "--out", str(tmp_path / "out")]) == 2
    line = one_error(capsys)
    assert line.startswith("error: invalid config: --config=") and "allowed: one of default" in line
    assert not (tmp_path / "out").exists()


def test_calibrate_refuses_an_unknown_or_gradient_method(tmp_path, capsys, no_simulation):
    for method in ("BFGS", "simplex"):
        config = calibration_file(tmp_path, method=method)
        assert sim.cli.calibrating.main(["--config", config, "--out", str(tmp_path / "out")]) == 2
        line = one_error(capsys)
        assert f"calibration.method='{method}'" in line and "Nelder-Mead" in line and "COBYLA" in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("text", ["parameters: [exit.base_late: [0.1\n", "- a\n- b\n", "targets: default\n"])
def test_calibrate_refuses_a_broken_calibration_file(tmp_path, capsys, no_simulation, text):
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    assert sim.cli.calibrating.main(["--config", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "calibration" in one_error(capsys)
    assert not (tmp_path / "out").exists()


def test_ctrl_c_during_calibration_writes_nothing(tmp_path, capsys, monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.run.many, "run_pair", interrupt)
    monkeypatch.setattr(sim.run.many, "run_specs", interrupt)
    out = tmp_path / "out"
    assert sim.cli.calibrating.main(["--config", calibration_file(tmp_path), "--out", str(out)]) == 130
    assert capsys.readouterr().err.strip().splitlines() == ["interrupted; nothing was written"]
    assert not out.exists()


def test_fitted_yaml_advises_overrides_that_reproduce_the_fit(tmp_path, capsys):
    out = tmp_path / "out"
    assert sim.cli.calibrating.main(["--config", calibration_file(tmp_path), "--out", str(out)]) == 0
    text = (out / "fitted.yaml").read_text()
    assert "configs/experiment" not in text
    [use] = [line for line in text.splitlines() if line.startswith("# Use:")]
    prefix = "# Use: uv run python -m sim "
    assert use.startswith(prefix + "sector=theatre burn_in_years=1 horizon_years=11 exit.base_late=")
    spec, _ = build_spec(compose_config(use.removeprefix(prefix).split()))
    fitted = [line for line in text.splitlines() if line.strip().startswith("base_late:")]
    assert spec.rules.exit.base_late == float(fitted[0].split(":")[1])
    assert spec.horizon_years == 11


# ---------------------------------------------------------------- report
WORLD = {"policy": {"funding_m": 40.0, "salary": 27000}, "sector": {"label": "Theatre",
         "outside_wage": 21000}, "country": {"name": "sweden", "currency": "SEK", "wage_scale": 1.0}}


def fake_sweep(folder, config):
    """One finished job whose marker carries ``config``, with the outcomes the brief reads, and
    (with a world) the default policy's description, as a sweep job writes it."""
    from sim.report.description import describe

    policy = {"policy": describe(build_spec(compose_config())[0])} if "sector" in config else {}
    job = folder / "policy.funding_m=40"
    job.mkdir(parents=True)
    files = write_job_tables(job, {"experienced_workforce": (10.0, [5.0, 6.0, 7.0]),
                                   "public_cost_m": (10.0, [1.0, 0.0, -1.0])}, 1.0)
    write_json(job / COMPLETE, {
        "fingerprint": "f", "job_dir": job.name, "code": "abc", "git_commit": "c0ffee", "packages": {},
        "overrides": ["policy.funding_m=40", "exit=constant"], "experiment": "toy", "seeds": [0, 1, 2],
        "config": config, "currency": "SEK", "files": files, **policy})
    return folder


@pytest.mark.parametrize("config", [
    {**WORLD, "exit": {"_target_": "sim.model.rules.constant_exit.ConstantHazardExit",
                       "monthly_hazard": 0.0134}},  # a swapped-in rule without member_hr
    {"policy": {"funding_m": 40.0}},  # no world labels at all
], ids=["exit=constant", "bare"])
def test_the_report_reads_no_rule_parameter(tmp_path, config):
    from sim.report.brief import _footnote
    from sim.report.briefs import write_report
    from sim.study.aggregate import load

    sweep = load(fake_sweep(tmp_path / "sweep", config))
    out = tmp_path / "report"
    out.mkdir()
    brief = write_report(sweep, out).read_text()
    fig = plt.figure()
    _footnote(fig, sweep)
    note = fig.texts[-1].get_text()
    plt.close(fig)
    assert "exit hazard" not in note and "Sources: docs/sources.md." in note
    if "sector" in config:
        assert "Theatre in Sweden, simulated 3 times" in brief
        assert note.startswith("TeaterAlliansen: Theatre, Sweden; 3 paired seeds")  # its description
        assert "salary 27,000 SEK/month" in note and "leavers earn 21,000 SEK/month" in note
