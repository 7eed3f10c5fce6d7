"""Validation, calibration and sensitivity analysis on tiny designs."""

import numpy as np
import pytest
from omegaconf import OmegaConf

from sim import compose_config
from sim.cli.validating import main
from sim.study.calibrate import Calibration
from sim.study.sensitivity import analyse, design, run_chunk, settings
from sim.study.validate import load_targets, validate

SMALL = {"burn_in_years": 2, "horizon_years": 12}


def test_validation_table_has_every_fact_with_a_status():
    facts, _ = load_targets()
    table = validate(cases=["teateralliansen"], seeds=2, scale=8, overrides=SMALL)
    # every fact that applies to the case, in the targets' order
    applies = [f for f, t in facts.items() if not t.get("cases") or "teateralliansen" in t["cases"]]
    assert list(table["fact"]) == applies and "young_dancers_among_members" not in applies
    assert set(table["status"]) <= {"pass", "FAIL", "known failure", "inconclusive"}
    assert (table["n_seeds"] == 2).all()
    inside = (table["mean"] >= table["target_low"]) & (table["mean"] <= table["target_high"])
    assert ((table["status"] == "pass") == inside).all()


def test_a_deliberately_broken_parameter_fails_validation(tmp_path):
    """With one fact whose range holds the default, only the broken run fails."""
    targets = tmp_path / "targets.yaml"
    targets.write_text(
        "facts:\n  survival_10y:\n    outcome: retention_10y\n    arm: baseline\n"
        "    low: 0.10\n    high: 0.35\n    unit: share\n    source: test\n")
    common = ["--cases", "teateralliansen", "--seeds", "2", "--scale", "4", "--targets", str(targets),
              "--override", "burn_in_years=2", "horizon_years=12"]
    assert main([*common, "--out", str(tmp_path / "ok")]) == 0
    assert main([*common, "exit.base_late=0.05", "--out", str(tmp_path / "broken")]) == 1
    text = (tmp_path / "broken" / "validation.md").read_text()
    assert "| teateralliansen | survival_10y |" in text and "FAIL" in text
    for name in ("validation.png", "validation.csv", "provenance.json"):
        assert (tmp_path / "broken" / name).exists()


def test_calibration_recovers_a_parameter_from_targets_the_model_generated():
    truth = 0.004
    probe = Calibration(parameters={"exit.base_late": (0.001, 0.008)},
                        facts={"survival": {"outcome": "retention_10y", "arm": "baseline",
                                            "low": 0.0, "high": 1.0, "weight": 1.0}},
                        population_size=1200, seeds=2, max_evaluations=20,
                        overrides={**SMALL, "horizon_years": 14, "policy.funding_m": 0})
    generated = probe.simulate({"exit.base_late": truth})["survival"]
    # a band of +-0.005: at 1,200 people the 10-year survival moves in steps of a few thousandths
    # as single careers end a month earlier or later: the objective has plateaus that wide
    probe.facts["survival"].update(low=generated - 0.005, high=generated + 0.005)
    result = probe.fit()
    assert result["values"]["exit.base_late"] == pytest.approx(truth, abs=0.0006)
    assert result["loss"] < 1.0


def sensitivity_cfg(method="morris", samples=3):
    cfg = compose_config(["experiment=sensitivity", "population.size=150", "seeds=1",
                          "burn_in_years=1", "horizon_years=11", f"sensitivity.method={method}",
                          f"sensitivity.samples={samples}", "sensitivity.chunks=1"])
    OmegaConf.update(cfg, "sensitivity.parameters",
                     {"policy.member_exit_hr": [0.5, 1.0], "demand.recovery_months": [0, 48],
                      "policy.member_engagement_boost": [0.0, 0.3]}, merge=False)
    OmegaConf.update(cfg, "sensitivity.outcomes",
                     ["effect.experienced_workforce", "effect.public_cost_m"], merge=False)
    return cfg


def test_morris_indices_have_the_right_shape_and_an_unused_parameter_scores_zero():
    cfg = sensitivity_cfg()
    s = settings(cfg)
    samples = run_chunk(cfg)
    assert samples["sample"].nunique() == len(design(s)) == 3 * (3 + 1)
    indices = analyse(s, samples)
    assert len(indices) == 2 * 3
    unused = indices[indices["parameter"] == "demand.recovery_months"]["importance"]
    used = indices[indices["parameter"] == "policy.member_exit_hr"]["importance"]
    assert np.allclose(unused, 0.0)  # no shock, so the recovery length is never read
    assert (used > 0).all()


def test_sobol_design_and_indices_shape():
    cfg = sensitivity_cfg("sobol", samples=4)
    s = settings(cfg)
    assert design(s).shape == (4 * (3 + 2), 3)
    indices = analyse(s, run_chunk(cfg))
    assert set(indices.columns) >= {"S1", "ST", "importance", "relative"}
    assert len(indices) == 6
    assert np.allclose(indices[indices["parameter"] == "demand.recovery_months"]["ST"], 0.0)


def test_check_status_separates_a_miss_from_noise():
    from sim.study.validate import check_status

    assert check_status(0.30, 0.28, 0.32, 0.25, 0.35, known=False, n_seeds=6) == "pass"
    # mean outside, CI reaching into the range: the seeds cannot tell
    assert check_status(0.354, 0.239, 0.469, 0.25, 0.35, known=False, n_seeds=6) == "inconclusive"
    # ... unless there are too few seeds for the CI to mean much
    assert check_status(0.354, 0.239, 0.469, 0.25, 0.35, known=False, n_seeds=2) == "FAIL"
    # the whole CI outside: a real miss
    assert check_status(0.40, 0.37, 0.43, 0.25, 0.35, known=False, n_seeds=6) == "FAIL"
    assert check_status(0.10, 0.05, 0.15, 0.25, 0.35, known=False, n_seeds=6) == "FAIL"
    assert check_status(0.40, 0.37, 0.43, 0.25, 0.35, known=True, n_seeds=6) == "known failure"
    nan = float("nan")
    assert check_status(nan, nan, nan, 0.25, 0.35, known=False, n_seeds=6) == "FAIL"
