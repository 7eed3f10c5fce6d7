"""Every config option composes and builds; bad input fails with one clear message."""

from pathlib import Path

import numpy as np
import pytest

from sim import ConfigError, build_spec, compose_config, run_pair
from sim.model.spec import RULE_GROUPS
from sim.run.config import CONFIG_DIR

GROUPS = ["sector", "country", "policy", "demand", *RULE_GROUPS]


def options(group):
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))


@pytest.mark.parametrize("group,option",
                         [(g, o) for g in GROUPS for o in options(g)])
def test_every_option_composes_builds_and_runs(group, option):
    # a sector or country no real alliance works in runs with the hypothetical one
    world = {"policy": "generic"} if group in ("sector", "country") else {}
    spec, _ = build_spec(compose_config({group: option, "population.size": 100,
                                         "burn_in_years": 1, "horizon_years": 2, **world}))
    out = run_pair(spec, 0).outcomes()
    for arm in ("baseline", "policy"):  # both arms simulate people and a finite ledger
        assert out[f"{arm}.active_workforce"] > 0
        assert np.isfinite(out[f"{arm}.public_cost_m"])
    assert out["effect.active_workforce"] == pytest.approx(
        out["policy.active_workforce"] - out["baseline.active_workforce"])
    reach = f"policy.{spec.policy.REACH}"  # the policy arm holds the policy's people
    assert out[reach] > 0 if getattr(spec.policy, "enabled", True) else out[reach] == 0, reach


def test_presets_change_what_they_say():
    dance, _ = build_spec(compose_config({"policy": "dansalliansen"}))
    theatre, _ = build_spec(compose_config({}))
    norway, _ = build_spec(compose_config({"policy": "skuda"}))
    assert dance.sector.name == "dance" and dance.policy.label == "Dansalliansen"
    assert dance.sector.physical_career_age == 35 and theatre.sector.physical_career_age is None
    assert dance.policy.work_period_months == 24 and theatre.policy.work_period_months == 36
    assert dance.rules.admission.long_window_months == 72  # Dansalliansen's 6-year window
    assert norway.policy.max_paid_months == 24 and norway.country.name == "norway"
    assert dance.sector.retirement_age == theatre.sector.retirement_age  # inherited
    assert norway.country.currency == "NOK"
    assert norway.country.sickness_income_cap != theatre.country.sickness_income_cap


@pytest.mark.parametrize("key,value,allowed", [
    ("policy.funding_m", -5, "[0, 100000]"),
    ("policy.overhead_share", 1.5, "[0, 1]"),
    ("population.female_share", -0.1, "[0, 1]"),
    ("population.size", 0, "[1, 10,000,000]"),
    ("horizon_years", 0, "[1, 200]"),
    ("population.size", "many", "integer"),
    ("seeds", 2.5, "integer"),
    ("policy.enabled", 3, "true or false"),
])
def test_bad_values_name_key_value_and_range(key, value, allowed):
    with pytest.raises(ConfigError) as err:
        build_spec(compose_config({key: value}))
    message = str(err.value)
    assert key in message and repr(value) in message and allowed in message


def test_unknown_key_is_rejected_with_the_known_keys():
    with pytest.raises(ConfigError) as err:
        build_spec(compose_config(["+policy.fundng_m=3"]))
    assert "policy.fundng_m" in str(err.value) and "funding_m" in str(err.value)
    with pytest.raises(ConfigError):
        compose_config(["policy.fundng_m=3"])  # Hydra's own struct check, same error type


def test_inconsistent_alliance_rules_are_rejected():
    with pytest.raises(ConfigError, match="work_requirement_months"):
        build_spec(compose_config({"policy.work_requirement_months": 40}))


def test_rule_target_must_implement_the_interface():
    with pytest.raises(ConfigError, match="subclass of ExitRule"):
        build_spec(compose_config({"exit._target_": "sim.model.rules.health.StressEpisodes"}))


def test_every_default_is_in_one_place():
    """A preset repeats no value of the file it extends."""
    import yaml

    base = yaml.safe_load((CONFIG_DIR / "country/sweden.yaml").read_text())
    norway = yaml.safe_load((CONFIG_DIR / "country/norway.yaml").read_text())
    repeated = [k for k, v in norway.items() if k != "defaults" and base.get(k) == v]
    assert repeated == []
    theatre = yaml.safe_load(Path(CONFIG_DIR / "sector/theatre.yaml").read_text())["sector"]
    for preset in ("dance", "music"):
        data = yaml.safe_load((CONFIG_DIR / f"sector/{preset}.yaml").read_text())["sector"]
        assert [k for k, v in data.items() if theatre.get(k) == v] == []


def test_an_alliance_outside_its_country_or_sector_is_refused_with_the_choices():
    with pytest.raises(ConfigError) as err:
        build_spec(compose_config({"policy": "skuda", "country": "sweden"}))
    assert err.value.key == "country" and "norway" in err.value.allowed
    with pytest.raises(ConfigError) as err:
        build_spec(compose_config({"sector": "dance"}))  # TeaterAlliansen employs actors
    assert err.value.key == "sector" and "policy=dansalliansen" in err.value.allowed
    generic, _ = build_spec(compose_config({"sector": "dance", "policy": "generic"}))
    assert generic.policy.hypothetical and generic.sector.name == "dance"


def test_the_hypothetical_musikeralliansen_says_so():
    spec, _ = build_spec(compose_config({"policy": "musikeralliansen"}))
    assert spec.policy.hypothetical and "hypothetical" in spec.policy.title
    assert spec.country.name == "norway" and spec.sector.name == "music"


def test_report_x_is_checked_by_build_spec_as_by_the_command_line():
    with pytest.raises(ConfigError, match=r"report\.x"):
        build_spec(compose_config({"report.x": "policy.nope"}))
