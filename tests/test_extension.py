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
    # the rule knows nothing of members, yet the alliance keeps people: the core applies the
    # policy's exit modifier to whatever the rule returns
    assert out["policy.alliance_members"] > 0
    assert out["effect.active_workforce"] > 0


def test_without_modifiers_the_alliance_changes_no_exit_of_a_researchers_rule():
    neutral = {"policy.member_exit_hr": 1.0, "policy.training_exit_hr": 1.0,
               "policy.member_engagement_boost": 0.0, "policy.training_engagement_boost": 0.0,
               "policy.precarious_member_birth_hr": 1.0,
               "policy.member_insecurity_share": 1.0}
    spec, _ = build_spec(compose_config({"exit": "constant", "exit.monthly_hazard": 0.02,
                                         "population.size": 600, "burn_in_years": 1,
                                         "horizon_years": 8, **neutral}))
    pair = run_pair(spec, 0)
    # salaries change incomes, but a flat hazard with a neutral policy: identical exits
    assert pair.policy.recorder.series["members"].max() > 0
    assert np.array_equal(pair.baseline.pop.registry["exit_month"],
                          pair.policy.pop.registry["exit_month"])


def test_a_rule_returning_the_wrong_number_of_values_gets_a_clear_error():
    import dataclasses

    import pytest

    from sim.model.freelance import ArmModel

    @dataclasses.dataclass(frozen=True)
    class ShortExit(ConstantHazardExit):
        def hazard(self, pop, ctx):
            return np.full(3, self.monthly_hazard), np.zeros(3)  # not one value per row

    spec, _ = build_spec(compose_config({"exit": "constant", "population.size": 50,
                                         "burn_in_years": 1, "horizon_years": 1}))
    spec = dataclasses.replace(spec, rules=dataclasses.replace(spec.rules, exit=ShortExit(0.01)))
    with pytest.raises(ValueError, match=r"ShortExit.hazard \(total\) returned shape \(3,\)"):
        ArmModel(spec, 0).step()
