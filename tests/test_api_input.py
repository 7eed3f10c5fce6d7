"""Bad input through the Python API is refused like bad input on the command line.

The contract of ``tests/test_bad_input.py``, extended to the public functions (issue 19): for
``run_model``, ``run_pair``, ``run_many``, ``sim.ema.model`` ``FreelanceModel`` and ``ArmModel``
(``sim.FreelanceModel``, the Mesa model built from overrides, and the model layer's
``sim.model.freelance.ArmModel(spec, seed, arm)``), any bad argument is one
``ConfigError`` naming the argument or key (``invalid config: <key>=<value>; allowed: <what>``,
one line, ``allowed`` never empty), raised before anything is simulated (the simulation is
patched to fail) and before anything is written (the working folder stays empty).

The cases are generated from the declared parameters (the strategies of
``tests/test_bad_input.py``) and from the shapes each argument must have. Hypothesis runs
derandomized and without a database, so every run checks the same examples.
"""

from __future__ import annotations

import collections
import math
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
import sim.cli.main
import sim.ema
import sim.run.batch
import sim.run.many
import sim.run.paired
from sim import ConfigError, build_spec, compose_config, run_many, run_model, run_pair
from sim.model import freelance
from sim.run.mesa_model import FreelanceModel
from tests.conftest import Simulated, simulation_forbidden
from tests.test_bad_input import (
    BAD_SEEDS,
    BOUNDED,
    FIELDS,
    NUMERIC,
    bad_override_cases,
    examples,
    out_of_range,
    typo_cases,
)

RAN: collections.Counter = collections.Counter()
TINY = {"population.size": 150, "burn_in_years": 1, "horizon_years": 2}
SPEC, _ = build_spec(compose_config(TINY))
FLOATS = [f for f in NUMERIC if not f.is_int]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """An empty working folder; the simulation (both model classes' month loop and the
    batched runs) raises ``Simulated`` if bad input ever reaches it."""
    with simulation_forbidden(tmp_path_factory.mktemp("api-input")) as root:
        yield root


def refused(sandbox, call, keys) -> ConfigError:
    """``call()`` raises one ConfigError naming one of ``keys``; nothing simulated or written."""
    keys = {keys} if isinstance(keys, str) else set(keys)
    RAN[sys._getframe(1).f_code.co_name] += 1
    with pytest.raises(ConfigError) as info:
        call()
    err = info.value
    message = str(err)
    assert err.key in keys, f"error names {err.key!r}, not one of {sorted(keys)}: {message}"
    assert message.startswith(f"invalid config: {err.key}=") and "; allowed: " in message, message
    assert err.allowed.strip() and not message.rstrip().endswith("allowed:"), message
    assert "\n" not in message and len(message) < 2000, f"not one short line: {message!r}"
    assert "e+" not in err.allowed, f"a limit in exponent notation: {message}"
    assert list(sandbox.iterdir()) == [], "a refused call wrote into the working folder"
    return err


# ----------------------------------------------------------------------------------------------
# Values: out of range, wrong type, non-finite, too large for a float, unknown keys


TOO_BIG = st.integers(min_value=309, max_value=600).map(lambda k: 10**k)  # beyond any float


@st.composite
def value_cases(draw):
    """(overrides, key named): the generated bad overrides of ``tests/test_bad_input.py`` and
    integers too large for a float (``10**400``) for every float parameter."""
    if draw(st.booleans()):
        f = draw(st.sampled_from(FLOATS))
        return {f.key: draw(TOO_BIG) * draw(st.sampled_from([1, -1]))}, f.key
    overrides, key, _ = draw(bad_override_cases())
    return overrides, key


@examples(20)
@given(case=value_cases())
def test_run_model_refuses_bad_values(sandbox, case):
    overrides, key = case
    refused(sandbox, lambda: run_model(**{"seed": 0, **TINY, **overrides}), key)  # a bad seed too


@examples(20)
@given(case=value_cases(), position=st.integers(0, 3))
def test_run_many_refuses_bad_values_in_any_run(sandbox, case, position):
    """A bad value in any run stops the whole call before the first run."""
    overrides, key = case
    runs = [{"seed": i, **TINY} for i in range(4)]
    runs[position] = {**runs[position], **overrides}
    refused(sandbox, lambda: run_many(runs), key)
    refused(sandbox, lambda: run_many(runs, batch=False), key)


@examples(15)
@given(case=value_cases())
def test_the_mesa_model_refuses_bad_values(sandbox, case):
    overrides, key = case
    refused(sandbox, lambda: FreelanceModel(**{"seed": 0, **TINY, **overrides}), key)


WORD = st.from_regex(r"[a-z][a-z_]{1,8}", fullmatch=True)


@st.composite
def unknown_key_cases(draw):
    """A key one edit from a real one, or made-up dotted words (``zzz.qqq``)."""
    if draw(st.booleans()):
        _, typo, _ = draw(typo_cases())
        return typo
    key = ".".join(draw(st.lists(WORD, min_size=1, max_size=3)))
    from sim.run.config import known_keys

    return key if key not in known_keys() and key.split(".")[0] not in {
        "seed", "hydra", *sim.run.many.GROUPS} else "zzz.qqq"


@examples(20)
@given(key=unknown_key_cases())
def test_unknown_keys_say_what_is_allowed(sandbox, key):
    """``run_many([{"seed": 0, "zzz.qqq": 1}])`` ended in ``allowed:`` and nothing."""
    refused(sandbox, lambda: run_many([{"seed": 0, key: 1}]), key)
    refused(sandbox, lambda: run_model(seed=0, **{key: 1}), key)


# ----------------------------------------------------------------------------------------------
# Arguments of the wrong shape


NOT_A_SPEC = st.one_of(st.none(), st.integers(), st.text(max_size=5), st.dictionaries(
    st.text(max_size=3), st.integers(), max_size=2), st.lists(st.integers(), min_size=1, max_size=2),
    st.just(compose_config(TINY)), st.just(SPEC.population))


@examples(20)
@given(seed=BAD_SEEDS)
def test_run_pair_refuses_bad_seeds(sandbox, seed):
    refused(sandbox, lambda: run_pair(SPEC, seed), "seed")
    if not isinstance(seed, list):  # the model layer takes a list of seeds: a batch of runs
        refused(sandbox, lambda: freelance.ArmModel(SPEC, seed, "policy"), "seed")


@examples(15)
@given(spec=NOT_A_SPEC)
def test_run_pair_refuses_what_is_not_a_spec(sandbox, spec):
    """``run_pair({}, 0)`` ended in an AttributeError."""
    refused(sandbox, lambda: run_pair(spec, 0), "spec")
    refused(sandbox, lambda: freelance.ArmModel(spec, 0), {"spec", "spec[0]", "spec[1]"})


@examples(10)
@given(cache=st.one_of(st.integers(), st.text(max_size=5), st.just({}), st.just(SPEC)))
def test_run_pair_refuses_what_is_not_a_cache(sandbox, cache):
    refused(sandbox, lambda: run_pair(SPEC, 0, cache), "cache")


NOT_RUNS = st.one_of(st.none(), st.integers(), st.text(max_size=5), st.just({"seed": 0}),
                     st.floats(allow_nan=False))
NOT_A_RUN = st.one_of(st.none(), st.integers(), st.text(max_size=5), st.just({}),
                      st.just({"policy.funding_m": 40}), st.lists(st.integers(), max_size=2))


@examples(15)
@given(runs=NOT_RUNS, run=NOT_A_RUN, position=st.integers(0, 2), seed=BAD_SEEDS,
       batch=st.one_of(st.none(), st.integers(2, 5), st.text(max_size=3)))
def test_run_many_refuses_arguments_of_the_wrong_shape(sandbox, runs, run, position, seed, batch):
    good = [{"seed": i, **TINY} for i in range(3)]
    refused(sandbox, lambda: run_many(runs), "runs")
    refused(sandbox, lambda: run_many([*good[:position], run, *good[position:]]),
            f"runs[{position}]")
    refused(sandbox, lambda: run_many([*good[:position], {**good[0], "seed": seed}]),
            f"runs[{position}].seed")
    refused(sandbox, lambda: run_many(good, batch=batch), "batch")
    refused(sandbox, lambda: run_many([{"seed": 0, 3: 1}]), "runs[0]")


@examples(15)
@given(arm=st.one_of(st.text(max_size=8).filter(lambda a: a not in ("baseline", "policy")),
                     st.integers(), st.none(), st.just(["policy"])),
       seed=BAD_SEEDS,
       rng=st.one_of(st.text(max_size=3), st.just([1, 2]), st.just({}), st.just(object()),
                     st.integers(max_value=-1), st.integers(min_value=2**31)))
def test_both_freelance_models_refuse_bad_arms_seeds_and_rngs(sandbox, arm, seed, rng):
    refused(sandbox, lambda: FreelanceModel(seed=0, arm=arm, **TINY), "arm")
    refused(sandbox, lambda: freelance.ArmModel(SPEC, 0, arm), "arm")
    if seed is not None:  # no seed: one from the operating system's entropy, as Mesa does
        refused(sandbox, lambda: FreelanceModel(seed=seed, **TINY), "seed")
    refused(sandbox, lambda: FreelanceModel(rng=rng, **TINY), "rng")
    refused(sandbox, lambda: FreelanceModel(seed=1, rng=1, **TINY), "rng")
    refused(sandbox, lambda: freelance.ArmModel(SPEC, [0, seed]), "seed[1]")


# sim.ema.model: levers and uncertainties are key -> (low, high); outcomes names; replications
NOT_A_MAPPING = st.one_of(st.lists(st.tuples(st.integers(), st.integers()), min_size=1, max_size=2),
                          st.just(["policy.funding_m"]), st.text(min_size=1, max_size=5),
                          st.integers(), st.just((0, 80)))
NOT_A_PAIR = st.one_of(st.integers(), st.text(max_size=4), st.just((1,)), st.just((1, 2, 3)),
                       st.just(("a", "b")), st.just({"low": 0, "high": 1}), st.none(),
                       st.just((True, 2)))


@examples(15)
@given(given_=NOT_A_MAPPING, pair=NOT_A_PAIR, argument=st.sampled_from(["levers", "uncertainties"]),
       replications=st.one_of(st.integers(max_value=0), st.floats(), st.text(max_size=2),
                              st.just(True)),
       outcomes=st.one_of(st.text(min_size=1, max_size=5), st.just([1, 2]),
                          st.just(["effect.nope"]), st.just({"effect.public_cost_m": 1})),
       name=st.one_of(st.just("has space"), st.just("1abc"), st.integers(), st.just("")))
def test_ema_model_refuses_arguments_of_the_wrong_shape(sandbox, given_, pair, argument,
                                                        replications, outcomes, name):
    """``sim.ema.model(levers=[...])`` ended in an AttributeError."""
    refused(sandbox, lambda: sim.ema.model(**{argument: given_}, **TINY), argument)
    key = "policy.funding_m" if argument == "levers" else "exit.beta_buffer"
    refused(sandbox, lambda: sim.ema.model(**{argument: {key: pair}}, **TINY),
            f"{argument}[{key!r}]")
    refused(sandbox, lambda: sim.ema.model(replications=replications, **TINY), "replications")
    refused(sandbox, lambda: sim.ema.model(outcomes=outcomes, **TINY), "outcomes")
    refused(sandbox, lambda: sim.ema.model(name=name, **TINY), "name")


@examples(10)
@given(data=st.data())
def test_ema_model_refuses_bad_fixed_values_and_ranges(sandbox, data):
    """Fixed values and lever ranges outside the declared range, or too large for a float."""
    f = data.draw(st.sampled_from([f for f in BOUNDED if f.key.startswith("policy.")
                                   and not f.is_int]))
    bad = data.draw(st.one_of(out_of_range(f), TOO_BIG))
    refused(sandbox, lambda: sim.ema.model(**{f.key: bad}, **TINY), f.key)
    low = f.meta["lo"] if f.meta["lo"] is not None else 0
    refused(sandbox, lambda: sim.ema.model(levers={f.key: (low, bad)}, **TINY), f.key)
    refused(sandbox, lambda: sim.ema.model(levers={f.key: (low, low)}, **TINY), f.key)


# ----------------------------------------------------------------------------------------------
# The issue's own examples, and the count


def test_the_issue_examples(sandbox):
    """Issue 19, items 11, 12 and 15, as written there."""
    refused(sandbox, lambda: run_pair(SPEC, -1), "seed")
    refused(sandbox, lambda: run_pair(SPEC, "x"), "seed")
    refused(sandbox, lambda: run_pair({}, 0), "spec")
    refused(sandbox, lambda: sim.ema.model(levers=[("policy.funding_m", 0, 80)]), "levers")
    err = refused(sandbox, lambda: run_model(seed=0, **{"policy.funding_m": 10**400}),
                  "policy.funding_m")
    assert "(401 digits)" in str(err) and "100000" in err.allowed
    err = refused(sandbox, lambda: run_many([{"seed": 0, "zzz.qqq": 1}]), "zzz.qqq")
    assert "a known key" in err.allowed
    err = refused(sandbox, lambda: run_model(seed=2**31), "seed")
    assert "2,147,483,647" in err.allowed


def test_good_arguments_reach_the_simulation(sandbox):
    """The positive control: valid arguments (numpy values too) pass every check."""
    with pytest.raises(Simulated):
        run_pair(SPEC, np.int64(3))
    with pytest.raises(Simulated):
        run_many([{"seed": np.int32(0), **TINY, "policy.funding_m": np.float64(40)}])
    with pytest.raises(Simulated):
        FreelanceModel(rng=np.random.default_rng(1), arm="baseline", **TINY).step()
    with pytest.raises(Simulated):
        freelance.ArmModel([SPEC, SPEC], [0, np.int64(1)], "policy").run()
    model = sim.ema.model(levers={"policy.funding_m": (0, 80)}, replications=np.int64(2),
                          outcomes=["effect.public_cost_m"], **TINY)
    assert [p.name for p in model.levers] == ["policy__funding_m"]
    assert list(sandbox.iterdir()) == []


def test_enough_generated_examples_ran():
    """The generated tests above ran (when the whole file runs): at least 150 refusals."""
    if len(RAN) < 8:
        pytest.skip("run the whole file to count the refusals")
    print(f"refusals checked: {sum(RAN.values())} {dict(RAN)}")
    assert sum(RAN.values()) >= 150, dict(RAN)
    assert not math.isnan(sum(RAN.values()))


def test_every_declared_field_is_reachable():
    """The value strategies draw from every declared numeric parameter."""
    assert FLOATS and {f.key for f in FIELDS} >= {f.key for f in FLOATS}
