"""The README's worked example: a new exit rule in one file plus one YAML file."""

import numpy as np

from sim import build_spec, compose_config, run_pair
from sim.model.rules.constant_exit import ConstantHazardExit


def test_constant_exit_rule_is_selected_and_drives_survival():
    spec, _ = build_spec(compose_config({"exit": "constant", "exit.monthly_hazard": 0.02,
                                         "population.size": 2000, "burn_in_years": 1,
                                         "horizon_years": 8}))
    assert isinstance(spec.rules.exit, ConstantHazardExit)
    pair = run_pair(spec, 0)
    out = pair.outcomes()
    expected = 0.98 ** 60  # 5 years of a constant 2% monthly hazard (no retirements this young)
    assert abs(out["baseline.retention_5y"] - expected) < 0.03
    # a flat hazard ignores the alliance, and both arms share the exit stream: identical exits
    assert out["alliance.retention_5y"] == out["baseline.retention_5y"]
    assert np.array_equal(pair.baseline.pop.registry["exit_month"],
                          pair.alliance.pop.registry["exit_month"])


def test_a_rule_returning_the_wrong_number_of_values_gets_a_clear_error():
    import dataclasses

    import pytest

    from sim.model.freelance import FreelanceModel

    @dataclasses.dataclass(frozen=True)
    class ShortExit(ConstantHazardExit):
        def hazard(self, pop, ctx):
            return np.full(3, self.monthly_hazard), np.zeros(3)  # not one value per row

    spec, _ = build_spec(compose_config({"exit": "constant", "population.size": 50,
                                         "burn_in_years": 1, "horizon_years": 1}))
    spec = dataclasses.replace(spec, rules=dataclasses.replace(spec.rules, exit=ShortExit(0.01)))
    with pytest.raises(ValueError, match=r"ShortExit.hazard \(total\) returned shape \(3,\)"):
        FreelanceModel(spec, 0).step()
