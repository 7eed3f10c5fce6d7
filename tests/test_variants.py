"""SpecVariants: values set on the built spec give exactly the spec build_spec makes from the
config with those values, and a bad value the same ConfigError."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

from sim.model.core.params import ConfigError
from sim.model.core.per_run import SLOTS, per_run_fields
from sim.run.config import build_spec, compose_config
from sim.run.variants import SpecVariants, read_elsewhere
from tests.conftest import TINY

PRESETS = [{}, {"policy": "skuda", "country": "norway", "sector": "dance"},
           {"policy": "musikeralliansen", "sector": "music"}]
VARIANTS = [SpecVariants(compose_config({**TINY, **preset})) for preset in PRESETS]


def per_run_keys(spec) -> list[str]:
    return [f"{slot}.{name}" for slot, get in SLOTS.items() for name in per_run_fields(get(spec))]


def built_again(variants: SpecVariants, values: dict):
    """What build_spec makes of the config with ``values`` set (the slow path)."""
    cfg = copy.deepcopy(variants.cfg)
    for key, value in values.items():
        OmegaConf.update(cfg, key, value, merge=False)
    return build_spec(cfg)[0]


def outcome(make):
    """The spec ``make()`` returns, or the ConfigError it raises, as a comparable value."""
    try:
        spec = make()
    except ConfigError as err:
        return ("error", err.key, err.value, err.allowed)
    return ("spec", spec, repr(spec))


@st.composite
def changes(draw):
    """A preset and values for a few of its per-run parameters: around the current value,
    sometimes out of range or of the wrong kind."""
    variants = draw(st.sampled_from(VARIANTS))
    keys = draw(st.lists(st.sampled_from(per_run_keys(variants.spec)), min_size=1, max_size=6,
                         unique=True))
    values = {}
    for key in keys:
        slot, _, name = key.partition(".")
        current = getattr(SLOTS[slot](variants.spec), name)
        if isinstance(current, int):
            value = draw(st.one_of(st.integers(-3, 3 * current + 3),
                                   st.sampled_from([float(current), current + 0.5])))
        else:
            value = draw(st.one_of(st.floats(-0.5, 2.0).map(lambda f, c=current: f * c),
                                   st.integers(0, 3), st.sampled_from([float("nan"), True])))
        values[key] = value
    return variants, values


@settings(max_examples=150, deadline=None)
@given(changes())
def test_values_set_on_the_built_spec_equal_a_new_build(case):
    variants, values = case
    assert all(variants.settable(key) for key in values)
    assert outcome(lambda: variants.with_values(values)) == outcome(
        lambda: built_again(variants, values))


def test_a_changed_value_takes_effect_and_the_rest_is_kept():
    variants = VARIANTS[0]
    spec = variants.with_values({"policy.funding_m": 80, "exit.beta_buffer": -0.9})
    assert spec.policy.funding_m == 80.0 and isinstance(spec.policy.funding_m, float)
    assert spec.rules.exit.beta_buffer == -0.9
    assert spec.sector == variants.spec.sector and spec.rules.income is variants.spec.rules.income
    assert variants.with_values({}) == variants.spec


def test_other_keys_are_built_again():
    variants = VARIANTS[0]
    for values in ({"exit.base_late": 0.006}, {"sector.living_cost": 15000.0},
                   {"policy.funding_m": 50.0, "horizon_years": 4}):
        assert not all(variants.settable(key) for key in values)
        assert outcome(lambda v=values: variants.with_values(v)) == outcome(
            lambda v=values: built_again(variants, v))


def test_a_value_an_interpolation_reads_is_built_again():
    cfg = compose_config(TINY)
    OmegaConf.update(cfg, "country.parental_income_cap", "${.benefit_takeup}", merge=False)
    assert read_elsewhere(cfg, "country.benefit_takeup")
    assert not read_elsewhere(cfg, "country.sickness_income_cap")  # nothing reads it now
    # population.size reads the sector's number of freelancers for the country
    assert read_elsewhere(compose_config({}), "sector.freelancers.sweden")
    assert not read_elsewhere(compose_config({}), "sector.outside_wage")
    variants = SpecVariants(cfg)
    assert not variants.settable("country.benefit_takeup")
    assert variants.settable("policy.funding_m")
    spec = variants.with_values({"country.benefit_takeup": 0.3})
    assert spec.country.parental_income_cap == 0.3  # the interpolation followed the value
    assert spec == built_again(variants, {"country.benefit_takeup": 0.3})


@pytest.mark.parametrize("key", ["policy.funding_m", "admission.recent_window_months"])
def test_a_bad_value_names_the_key(key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        VARIANTS[0].with_values({key: -5})


def test_per_run_values_do_not_build_the_config_again(monkeypatch):
    import sim.run.variants as module

    calls = []
    real = module.build_spec
    monkeypatch.setattr(module, "build_spec", lambda cfg: calls.append(cfg) or real(cfg))
    VARIANTS[0].with_values({"policy.salary": 30000.0, "income.beta_skill": 0.4})
    assert calls == []
    VARIANTS[0].with_values({"exit.base_late": 0.006})
    assert len(calls) == 1
