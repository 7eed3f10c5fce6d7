"""Bad input is refused before anything is simulated or written.

The guarantee under test (``sim/preflight.py``, ``sim.run_model``): any bad value, type, key,
group option, sweep, cross-field combination, memory request, flag or output folder is one
``ConfigError`` naming the offending key (``str(err)`` is ``invalid config: <key>=<value>;
allowed: ...``, one line), raised before the simulation starts and before any file is written.
On the command line that is exit code 2 with exactly one ``error:`` line and no traceback.

The generated cases come from the declared parameters themselves: every field of the world
blocks and the policy (``sim.model.spec``), of the default rules and of ``RunSettings``, with its type
and its ``param(...)`` range. Hypothesis runs derandomized and without a database, so every run
generates the same examples; the hypothesis tests below ask for 227 examples in all (50 + 35 +
15 + 20 + 10 + 15 + 11 x 2 + 9 x 3 + 3 + 15 + 15, and 15 more for numbers too large for a
float; the 3 memory cases depend on the machine's memory and may be skipped), and
``test_enough_generated_examples_ran`` checks that at least 150 ran.

Bugs this suite found in the package are kept as tests at the end of the file
(each docstring says what went wrong).
"""

from __future__ import annotations

import collections
import dataclasses
import math
import os
import re
import subprocess
import sys
import types
import typing
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

from sim import ConfigError, build_spec, compose_config, run_model
from sim.cli.preflight import check_command
from sim.model.spec import (
    BYTES_BASE,
    BYTES_PER_AGENT,
    BYTES_PER_ENTRANT,
    POLICY_GROUPS,
    RULE_GROUPS,
    WORLD_BLOCKS,
    available_memory,
)
from sim.run.config import CONFIG_DIR, Output, RunSettings, known_keys
from tests.conftest import Ran, Simulated, run_module, simulation_forbidden

ROOT = CONFIG_DIR.parent
DEFAULTS = compose_config({})
RAN: collections.Counter = collections.Counter()  # generated examples run, per test
HYPOTHESIS_TESTS = set()  # names of the tests that generate examples


# ----------------------------------------------------------------------------------------------
# The declared parameters


@dataclasses.dataclass(frozen=True)
class Field:
    key: str  # dotted key on the command line
    types: frozenset  # base types of the annotation: int, float, bool, str, NoneType
    meta: typing.Mapping  # unit, lo, hi, lo_open, hi_open, choices

    @property
    def nullable(self) -> bool:
        return type(None) in self.types

    @property
    def is_bool(self) -> bool:
        return bool in self.types

    @property
    def is_str(self) -> bool:
        return str in self.types

    @property
    def is_numeric(self) -> bool:
        return bool(self.types & {int, float}) and not self.is_bool

    @property
    def is_int(self) -> bool:
        return int in self.types and float not in self.types

    @property
    def default(self):
        return OmegaConf.select(DEFAULTS, self.key)


def _base_types(annotation) -> set:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return {t for a in typing.get_args(annotation) for t in _base_types(a)}
    return {annotation}


def declared_fields() -> list[Field]:
    """Every parameter of the world blocks, the default rules, the run settings and output."""
    spec, _ = build_spec(DEFAULTS)
    blocks = dict(WORLD_BLOCKS)
    blocks.update({name: type(getattr(spec, name)) for name in POLICY_GROUPS})
    blocks.update({name: type(getattr(spec.rules, name)) for name in RULE_GROUPS})
    blocks.update({"": RunSettings, "output": Output})
    fields = []
    for prefix, cls in blocks.items():
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            key = f"{prefix}.{f.name}" if prefix else f.name
            fields.append(Field(key, frozenset(_base_types(hints[f.name])), dict(f.metadata)))
    return fields


FIELDS = declared_fields()
NUMERIC = [f for f in FIELDS if f.is_numeric]
BOUNDED = [f for f in NUMERIC if f.meta["lo"] is not None or f.meta["hi"] is not None]
BOOLS = [f for f in FIELDS if f.is_bool]
STRINGS = [f for f in FIELDS if f.is_str]
GROUPS = ["sector", "country", "policy", "demand", *RULE_GROUPS, "experiment"]
SPECIAL_WORDS = {"null", "true", "false", "nan", "inf", "none"}  # Hydra reads these as values


def options(group: str) -> list[str]:
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))


def test_the_declared_parameters_are_all_found():
    """The strategies cover every block: a new block or rule shows up here."""
    prefixes = {f.key.split(".")[0] for f in FIELDS if "." in f.key}
    assert prefixes == {*WORLD_BLOCKS, *POLICY_GROUPS, *RULE_GROUPS, "output"}
    assert {"seed", "seeds", "burn_in_years", "horizon_years"} <= {f.key for f in FIELDS}
    assert len(NUMERIC) > 80 and BOOLS and STRINGS
    assert all(f.key in known_keys() for f in FIELDS)


# ----------------------------------------------------------------------------------------------
# Values as typed on the command line


def text(value) -> str:
    """A Python value in Hydra's override grammar (exactly round-tripping floats)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    if isinstance(value, list):
        return "[" + ",".join(text(v) for v in value) + "]"
    if hasattr(value, "items"):  # a mapping (dict or DictConfig)
        return "{" + ",".join(f"{k}:{text(v)}" for k, v in value.items()) + "}"
    return str(value)


def quoted(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def below(f: Field) -> st.SearchStrategy:
    lo, open_ = f.meta["lo"], f.meta["lo_open"]
    if f.is_int:
        return st.integers(min_value=int(lo) - 10**20, max_value=int(lo) - (0 if open_ else 1))
    return (st.floats(min_value=-1e300, max_value=lo, exclude_max=not open_)
            .filter(lambda v: v < lo or (open_ and v <= lo)))


def above(f: Field) -> st.SearchStrategy:
    hi, open_ = f.meta["hi"], f.meta["hi_open"]
    if f.is_int:
        return st.integers(min_value=int(hi) + (0 if open_ else 1), max_value=int(hi) + 10**20)
    return (st.floats(min_value=hi, max_value=1e300, exclude_min=not open_)
            .filter(lambda v: v > hi or (open_ and v >= hi)))


def out_of_range(f: Field) -> st.SearchStrategy:
    sides = [side(f) for side, end in ((below, "lo"), (above, "hi")) if f.meta[end] is not None]
    return st.one_of(sides)


@st.composite
def out_of_range_cases(draw):
    f = draw(st.sampled_from(BOUNDED))
    return f.key, text(draw(out_of_range(f)))


WORDS = st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True).filter(lambda w: w not in SPECIAL_WORDS)
NOT_NUMBERS = st.one_of(
    st.sampled_from(["many", "'5'", "'1.5'", "[1,2]", "[]", "{a:1}", "''", "true", "false", "''"]),
    WORDS,
    st.lists(st.integers(-5, 5), min_size=1, max_size=3).map(text),
)


@st.composite
def wrong_type_cases(draw):
    """Strings, lists, mappings and booleans where numbers are expected (non-integer numbers
    where integers are), numbers where strings or booleans are, and null where it is not allowed."""
    f = draw(st.sampled_from(FIELDS))
    candidates = []
    if f.is_numeric:
        candidates.append(NOT_NUMBERS)
        if f.is_int:
            candidates.append(st.floats(-1e6, 1e6).filter(lambda v: not v.is_integer()).map(text))
    if f.is_bool:
        candidates.append(st.one_of(st.integers(-3, 3).map(text), st.floats(-2, 2).map(text),
                                    st.sampled_from(["yes", "no", "'true'", "[true]"]), WORDS))
    if f.is_str:
        candidates.append(st.one_of(st.integers(-99, 99).map(text), st.floats(-9, 9).map(text),
                                    st.sampled_from(["true", "false", "[a,b]", "{a:1}"])))
    if not f.nullable:
        candidates.append(st.just("null"))
    return f.key, draw(st.one_of(candidates))


@st.composite
def non_finite_cases(draw):
    f = draw(st.sampled_from(NUMERIC))
    return f.key, draw(st.sampled_from(["nan", "inf", "-inf", "+inf", "NaN", "-nan", "Inf"]))


def _typo_is_a_key(word: str) -> bool:
    return all(re.fullmatch(r"[A-Za-z_][\w-]*", part) for part in word.split("."))


@st.composite
def typo_cases(draw):
    """A real key with one character dropped, doubled or swapped with its neighbour, set to the
    real key's default value (only the key is wrong)."""
    f = draw(st.sampled_from([f for f in FIELDS if f.default is not None]))
    i = draw(st.integers(0, len(f.key) - 1))
    edit = draw(st.sampled_from(["drop", "double", "swap"]))
    k = f.key
    typo = {"drop": k[:i] + k[i + 1:], "double": k[:i] + k[i] + k[i:],
            "swap": k[:i] + k[i + 1:i + 2] + k[i] + k[i + 2:]}[edit]
    assume(typo != k and typo not in known_keys() and _typo_is_a_key(typo))
    return f.key, typo, quoted(f.default) if isinstance(f.default, str) else text(f.default)


@st.composite
def group_option_cases(draw):
    group = draw(st.sampled_from(GROUPS))
    name = draw(WORDS.filter(lambda w: w not in options(group)))
    return group, name


@st.composite
def bad_second_job_cases(draw):
    """A two-job sweep whose first job is the (valid) default and whose second is out of range,
    sometimes crossed with a valid second sweep."""
    f = draw(st.sampled_from(BOUNDED))
    sweep = [f"{f.key}={text(f.default)},{text(draw(out_of_range(f)))}"]
    if draw(st.booleans()) and f.key != "seed":
        sweep.append("seed=0,1")
    return f.key, sweep


SWEEP_SYNTAX = ["{k}=0,,40", "{k}=range(0,20,0)", "{k}=,", "{k}=0,", "{k}=range(a,b)",
                "{k}=choice()", "{k}=interval(0,1)", "{k}=range(0,20,-1)", "{k}=[0,40",
                "{k}=0,40)", "{k}=glob(*)"]




def _floats(lo, hi, **kw):
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, **kw)


CROSS_FIELD_RULES = range(9)


@st.composite
def cross_field_cases(draw, rule: int):
    """Values each inside its own range whose combination (``rule``) is not allowed; returns
    the overrides (the keys an error may name)."""
    if rule == 0:  # entrants at or past 5 years before retirement
        r = draw(_floats(30, 65))
        e = draw(_floats(max(16.0, r - 5), 60))
        return {"sector.retirement_age": r, "population.entry_age_mean": e}
    if rule == 1:  # physical wear starting at or after retirement
        r = draw(_floats(32, 80))
        return {"sector.retirement_age": r, "sector.physical_career_age": draw(_floats(r, 80))}
    if rule == 2:  # an alliance that starts after the horizon
        h = draw(st.integers(1, 60))
        return {"horizon_years": h, "policy.start_year": draw(st.integers(h, 1000))}
    if rule == 3:  # a cut before the start
        s = draw(st.integers(1, 29))
        return {"policy.start_year": s, "policy.cut_year": draw(st.integers(0, s - 1))}
    if rule == 4:  # a demand shock after the horizon
        h = draw(st.integers(1, 60))
        return {"horizon_years": h, "demand.shock_depth": draw(_floats(0, 1, exclude_min=True)),
                "demand.shock_start_year": draw(_floats(h, 1000))}
    if rule == 5:  # a work requirement longer than its period
        p = draw(st.integers(1, 63))
        return {"policy.work_period_months": p,
                "policy.work_requirement_months": draw(st.integers(p + 1, 64))}
    if rule == 6:  # more than the whole grant for overhead and training
        o = draw(_floats(0.01, 1))
        t = draw(_floats(1 - o, 1).filter(lambda t: o + t > 1))
        return {"policy.overhead_share": o, "policy.open_training_share": t}
    if rule == 7:  # a benefit floor above the cap
        cap = draw(_floats(0, 1e6))
        return {"country.benefit_cap": cap,
                "country.benefit_floor": draw(_floats(cap, 1e7).filter(lambda v: v > cap))}
    w = draw(st.integers(1, 63))  # more engaged months than the window holds
    return {"admission.recent_window_months": w,
            "admission.recent_min_engaged": draw(st.integers(w + 1, 64))}


# ----------------------------------------------------------------------------------------------
# The check


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """A temporary working folder, with the simulation patched to fail if it is ever called."""
    with simulation_forbidden(tmp_path_factory.mktemp("bad-input")) as root:
        yield root


def outputs(sandbox: Path, argv: list[str] = ()) -> list[str]:
    """Output folders in the sandbox, for the ones ``argv`` does not set itself."""
    return [f"hydra.{mode}.dir={sandbox / 'out'}" for mode in ("run", "sweep")
            if not any(a.startswith(f"hydra.{mode}.dir=") for a in argv)]


def assert_refused(sandbox: Path, argv: list[str], keys) -> ConfigError:
    """``check_command`` raises one ConfigError naming one of ``keys``; nothing was simulated
    (the patched simulation raises ``Simulated``) and nothing was written."""
    keys = {keys} if isinstance(keys, str) else set(keys)
    with pytest.raises(ConfigError) as info:
        check_command([*argv, *outputs(sandbox, argv)])
    err = info.value
    message = str(err)
    assert err.key in keys, f"{argv}: error names {err.key!r}, not one of {sorted(keys)}: {message}"
    assert message.startswith(f"invalid config: {err.key}=") and "; allowed: " in message, message
    assert "\n" not in message, f"not one line: {message!r}"
    assert not (sandbox / "out").exists()
    assert list(sandbox.iterdir()) == [], "a bad command wrote into the working folder"
    return err


def examples(n: int):
    return settings(max_examples=n, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def counted(test):
    HYPOTHESIS_TESTS.add(test.__name__)
    return test


def count(what: str = "") -> None:
    """Count one generated example of the calling test (``what`` shows in
    ``--hypothesis-show-statistics``)."""
    RAN[sys._getframe(1).f_code.co_name] += 1
    if what:
        event(what)


# ----------------------------------------------------------------------------------------------
# Generated bad values, types and keys (one override each)


@counted
@examples(50)
@given(case=out_of_range_cases())
def test_values_outside_the_declared_range_are_refused(sandbox, case):
    """Every numeric parameter refuses values below ``lo`` / above ``hi`` (open ends included)."""
    key, value = case
    count(key.split(".")[0])
    err = assert_refused(sandbox, [f"{key}={value}"], key)
    assert "a number in" in err.allowed


@counted
@examples(35)
@given(case=wrong_type_cases())
def test_values_of_the_wrong_type_are_refused(sandbox, case):
    """Words, lists, mappings, booleans and null where a number is declared; non-integers
    where an integer is; numbers and lists where a string or a boolean is."""
    key, value = case
    count(key.split(".")[0])
    assert_refused(sandbox, [f"{key}={value}"], key)


@counted
@examples(15)
@given(case=non_finite_cases())
def test_non_finite_numbers_are_refused(sandbox, case):
    """nan and infinities never pass as numbers, whatever the declared range."""
    count()
    key, value = case
    assert_refused(sandbox, [f"{key}={value}"], key)


@counted
@examples(20)
@given(case=typo_cases())
def test_mistyped_keys_are_refused_with_a_suggestion(sandbox, case):
    """A key one edit away from a real key is refused, and the message suggests the real key."""
    count()
    real, typo, value = case
    err = assert_refused(sandbox, [f"{typo}={value}"], typo)
    assert "did you mean" in err.allowed and real in err.allowed, str(err)


@counted
@examples(10)
@given(case=group_option_cases())
def test_unknown_group_options_are_refused_with_the_options(sandbox, case):
    """``sector=opera``: the message lists the options that exist."""
    count()
    group, name = case
    err = assert_refused(sandbox, [f"{group}={name}"], group)
    assert all(option in err.allowed for option in options(group)), str(err)


# ----------------------------------------------------------------------------------------------
# Generated bad sweeps (-m)


@counted
@examples(15)
@given(case=bad_second_job_cases())
def test_a_sweep_whose_second_job_is_bad_is_refused_before_the_first_runs(sandbox, case):
    """Every job of a sweep is checked before the first starts: the bad level is named."""
    count()
    key, sweep = case
    assert_refused(sandbox, ["-m", *sweep], key)


@pytest.mark.parametrize("template", SWEEP_SYNTAX)
@counted
@examples(2)
@given(f=st.sampled_from(NUMERIC))
def test_bad_sweep_syntax_is_refused(sandbox, template, f):
    """Doubled or trailing commas, zero or empty ranges, empty choices, intervals (not
    enumerable), unbalanced brackets and globs over values name the swept key."""
    count(f.key)
    assert_refused(sandbox, ["-m", template.format(k=f.key)], f.key)


# ----------------------------------------------------------------------------------------------
# Generated cross-field combinations and memory


@pytest.mark.parametrize("rule", CROSS_FIELD_RULES)
@counted
@examples(3)
@given(data=st.data())
def test_combinations_that_do_not_fit_together_are_refused(sandbox, rule, data):
    """Values each inside their own range, but not together: an error names one of them."""
    case = data.draw(cross_field_cases(rule))
    count(" ".join(sorted(case)))
    assert_refused(sandbox, [f"{k}={text(v)}" for k, v in case.items()], set(case))


def memory_needed(size: int, years: int) -> int:
    rate = OmegaConf.select(DEFAULTS, "population.entry_rate")
    return int(BYTES_BASE + BYTES_PER_AGENT * size + BYTES_PER_ENTRANT * size * rate * years)


HAVE = available_memory()
BIGGEST = memory_needed(10_000_000, 400)
MARGIN = 1.5  # far beyond the machine's memory, so memory freed meanwhile cannot matter


@st.composite
def too_big_cases(draw):
    """Years, then a population size (within its range) too big for this machine."""
    burn_in, horizon = draw(st.integers(0, 200)), draw(st.integers(1, 200))
    per_agent = memory_needed(1, burn_in + horizon) - BYTES_BASE
    smallest = math.ceil((MARGIN * HAVE - BYTES_BASE) / per_agent)
    assume(smallest <= 10_000_000)
    return draw(st.integers(max(smallest, 1), 10_000_000)), burn_in, horizon


@pytest.mark.skipif(HAVE is None or BIGGEST < MARGIN * HAVE, reason="this machine's memory is unknown or "
                    "larger than the biggest run the declared ranges allow")
@counted
@examples(3)
@given(case=too_big_cases())
def test_runs_that_do_not_fit_in_memory_are_refused(sandbox, case):
    """``population.size=10000000 horizon_years=200``: refused before anything is allocated."""
    count()
    size, burn_in, horizon = case
    argv = [f"population.size={size}", f"burn_in_years={burn_in}", f"horizon_years={horizon}"]
    err = assert_refused(sandbox, argv, {"population.size", "burn_in_years", "horizon_years"})
    assert "memory" in err.allowed


def test_the_documented_memory_example_is_refused(sandbox):
    """The example of the contract, also as a sweep level (only the second job is too big)."""
    if HAVE is None or memory_needed(10_000_000, 210) < MARGIN * HAVE:
        pytest.skip("this machine has memory enough for the example")
    assert_refused(sandbox, ["population.size=10000000", "horizon_years=200"], "population.size")
    assert_refused(sandbox, ["-m", "population.size=1000,10000000", "horizon_years=200"],
                   "population.size")


# ----------------------------------------------------------------------------------------------
# run_model: seeds and overrides


BAD_SEEDS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).filter(lambda v: not float(v).is_integer()),
    st.integers(max_value=-1),
    st.integers(min_value=2**31),
    st.booleans(),
    st.none(),
    st.text(max_size=5),
    st.lists(st.integers(0, 5), max_size=2),
    st.integers(-(2**63), -1).map(np.int64),
    st.floats(0, 100).filter(lambda v: not v.is_integer()).map(np.float64),
    st.booleans().map(np.bool_),
    st.sampled_from([1.7, True, "x", None, -1, 10**20, complex(1, 0), b"3", "3"]),
)


@counted
@examples(15)
@given(seed=BAD_SEEDS)
def test_run_model_refuses_bad_seeds(sandbox, seed):
    """Non-integers, negatives, too large, booleans, None, strings, numpy look-alikes."""
    count(type(seed).__name__)
    with pytest.raises(ConfigError) as info:
        run_model(seed=seed)
    assert info.value.key == "seed" and "allowed:" in str(info.value)
    assert list(sandbox.iterdir()) == []


@st.composite
def bad_override_cases(draw):
    """Out-of-range (Python or numpy), wrong-typed and non-finite values, and bare leaf keys
    (``funding_m`` for ``policy.funding_m``); returns (overrides, key named, hint)."""
    kind = draw(st.sampled_from(["range", "numpy", "type", "nonfinite", "leaf"]))
    f = draw(st.sampled_from(BOUNDED))
    if kind == "range":
        return {f.key: draw(out_of_range(f))}, f.key, None
    if kind == "numpy":
        value = draw(out_of_range(f).filter(lambda v: abs(v) < 2**62))
        return {f.key: (np.int64 if f.is_int else np.float64)(value)}, f.key, None
    if kind == "type":
        value = draw(st.sampled_from(["many", [1, 2], True, {"a": 1}, "0,40", "x y"]
                                     + ([] if f.nullable else [None])))
        return {f.key: value}, f.key, None
    if kind == "nonfinite":
        value = draw(st.sampled_from([math.nan, math.inf, -math.inf, np.float64("nan")]))
        return {f.key: value}, f.key, None
    leaf = f.key.rsplit(".", 1)[-1]
    assume(leaf != f.key and leaf not in known_keys())
    return {leaf: f.default}, leaf, f.key


@counted
@examples(15)
@given(case=bad_override_cases())
def test_run_model_refuses_bad_overrides(sandbox, case):
    """Bad overrides raise ConfigError naming the key before anything runs; a bare leaf key
    is answered with the dotted key it means."""
    overrides, key, hint = case
    count(type(next(iter(overrides.values()))).__name__ + (" leaf" if hint else ""))
    with pytest.raises(ConfigError) as info:
        run_model(seed=0, **overrides)
    assert info.value.key == key and "allowed:" in str(info.value), str(info.value)
    if hint:
        assert "did you mean" in info.value.allowed and hint in info.value.allowed
    assert list(sandbox.iterdir()) == []


def test_run_model_documented_examples(sandbox):
    """The contract's examples: ``funding_m=40`` suggests ``policy.funding_m``; numpy seeds and
    values are accepted (they reach the simulation, which the sandbox replaces)."""
    for seed in (1.7, True, "x", None, -1, 10**20):
        with pytest.raises(ConfigError, match="allowed:") as info:
            run_model(seed=seed)
        assert info.value.key == "seed"
    with pytest.raises(ConfigError) as info:
        run_model(seed=0, funding_m=40)
    assert info.value.key == "funding_m" and "policy.funding_m" in info.value.allowed
    with pytest.raises(Simulated):
        run_model(seed=np.int64(3))
    with pytest.raises(Simulated):
        run_model(seed=0, **{"policy.funding_m": np.float64(40)})
    with pytest.raises(Simulated):
        run_model(seed=np.int32(2), **{"population.size": np.int64(200), "policy.enabled": np.bool_(0)})


def test_enough_generated_examples_ran():
    """At least 150 generated bad inputs were checked (when the whole file runs)."""
    missing = {name for name in HYPOTHESIS_TESTS if name not in RAN}
    missing.discard("test_runs_that_do_not_fit_in_memory_are_refused")  # may be skipped
    if missing:
        pytest.skip(f"run the whole file to count the examples (not run: {sorted(missing)})")
    print(f"generated examples: {sum(RAN.values())} {dict(RAN)}")
    assert sum(RAN.values()) >= 150, dict(RAN)


# ----------------------------------------------------------------------------------------------
# Documented single cases: the contract's own examples


@pytest.mark.parametrize("argv,key", [
    (["policy.funding_m=-1"], "policy.funding_m"),
    (["population.size=1.5"], "population.size"),
    (["income.p_stay=1"], "income.p_stay"),
    (["policy.enabled=3"], "policy.enabled"),
    (["sector.name=3"], "sector.name"),
    (["population.size=99999999999999999999999"], "population.size"),
    (["sector=opera"], "sector"),
    (["experiment=nope"], "experiment"),
    (["population.sizee=3"], "population.sizee"),
    (["+policy.new=1"], "policy.new"),
    (["~policy.funding_m"], "policy.funding_m"),
    (["+foo=1"], "foo"),
    (["income._target_=os.system"], "income._target_"),
    (["income._target_=sim.model.rules.exit.StressHazardExit"], "income._target_"),
    (["-m", "policy.funding_m=0,,40"], "policy.funding_m"),
    (["-m", "policy.funding_m=range(0,20,0)"], "policy.funding_m"),
    (["policy.funding_m=range(0,20,0)"], "policy.funding_m"),
    (["-m", "policy.funding_m=0,-5"], "policy.funding_m"),
    (["-m", "policy.funding_m=0,40", "population.size=100,-1"], "population.size"),
    (["-m", "sector=theatre,opera"], "sector"),
    (["experiment=funding_sweep", "policy.funding_m=-1"], "policy.funding_m"),
    (["population.entry_age_mean=60", "sector.retirement_age=30"],
     {"population.entry_age_mean", "sector.retirement_age"}),
    (["-m", "policy.start_year=0,45"], {"policy.start_year", "horizon_years"}),
])
def test_documented_bad_commands(sandbox, argv, key):
    """The contract's examples of bad values, keys, options, sweeps and combinations."""
    assert_refused(sandbox, argv, key)


# ----------------------------------------------------------------------------------------------
# The output folder


@pytest.fixture
def at_root(sandbox, monkeypatch):
    """Work from the repository root (relative folders are resolved from there); the config
    file must be byte-for-byte unchanged afterwards."""
    before = (CONFIG_DIR / "config.yaml").read_bytes()
    monkeypatch.chdir(ROOT)
    yield ROOT
    assert (CONFIG_DIR / "config.yaml").read_bytes() == before


def bad_folders(root: Path) -> list[tuple[str, str]]:
    existing_file = str(root / "pyproject.toml")
    return [("run", "configs"), ("run", ""), ("run", "' '"), ("run", str(root)), ("run", "."),
            ("run", "sim/x"), ("run", str(root / "sim" / "x")), ("run", "docs"),
            ("run", "tests/out"), ("run", "benchmarks/x"), ("run", "examples"),
            ("run", ".git/x"), ("run", ".ci/x"), ("run", "results/../configs/x"),
            ("run", existing_file), ("run", existing_file + "/x"), ("run", "/proc/x"),
            ("sweep", "tests"), ("sweep", "configs"), ("sweep", ""), ("sweep", str(root)),
            ("sweep", existing_file), ("sweep", "/proc/x")]


@pytest.mark.parametrize("mode,folder", bad_folders(ROOT))
def test_output_folders_that_must_not_be_written_are_refused(at_root, mode, folder):
    """Results never go into the code, configs, tests, docs, benchmarks, examples, .git or
    .ci, nor the repository root, an existing file, an empty name or an unwritable place;
    and checking a folder never creates it."""
    candidates = [ROOT / name / "x" for name in ("sim", "docs", "benchmarks", ".git", ".ci")]
    candidates += [ROOT / "tests" / "out", ROOT / "examples", ROOT / "configs" / "x"]
    existed = {p: p.exists() for p in candidates}
    argv = ([f"hydra.run.dir={folder}"] if mode == "run"
            else ["-m", "policy.funding_m=0,40", f"hydra.sweep.dir={folder}"])
    with pytest.raises(ConfigError) as info:
        check_command(argv)
    assert info.value.key == f"hydra.{mode}.dir", str(info.value)
    assert "allowed:" in str(info.value) and "\n" not in str(info.value)
    assert {p: p.exists() for p in candidates} == existed, "checking a folder created it"


def test_a_good_output_folder_is_accepted_and_not_created(sandbox, tmp_path):
    """The positive control: a fresh folder outside the project passes and is not created."""
    folder = tmp_path / "new" / "run"
    command = check_command(["policy.funding_m=40", f"hydra.run.dir={folder}"])
    assert command.output_dir == folder and not (tmp_path / "new").exists()
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------------------------
# Flags: --config-dir, --config-name, and user experiments in a config folder


def write_study(folder: Path, name: str, body: str) -> Path:
    (folder / "experiment").mkdir(parents=True, exist_ok=True)
    path = folder / "experiment" / f"{name}.yaml"
    path.write_text(f"# @package _global_\nexperiment: {name}\n{body}")
    return path


@pytest.mark.parametrize("argv,key", [
    (["--config-dir=/nonexistent"], "--config-dir"),
    (["--config-dir", "/nonexistent/configs"], "--config-dir"),
    (["--config-dir=" + str(ROOT / "pyproject.toml")], "--config-dir"),
    (["--config-name=nope"], "--config-name"),
    (["--config-name", "nope", "policy.funding_m=40"], "--config-name"),
    (["--config-path=x"], "--config-path"),
])
def test_bad_flags_are_refused(sandbox, argv, key):
    """A missing config folder or config name is named as the flag."""
    assert_refused(sandbox, argv, key)


def test_flags_do_not_turn_the_checks_off(sandbox, tmp_path):
    """With ``--config-dir`` (long, short, separate value), ``--config-name`` and a user
    experiment, a bad value inside the experiment, in its sweep or on the command line is
    still caught; the same folder with good values passes."""
    configs = tmp_path / "configs"
    write_study(configs, "mine", "policy:\n  funding_m: -5\n")
    write_study(configs, "good", "policy:\n  funding_m: 20\n")
    write_study(configs, "levels", "hydra:\n  sweeper:\n    params:\n"
                     "      policy.funding_m: 0,-5\n")
    for flag in ([f"--config-dir={configs}"], ["--config-dir", str(configs)], ["-cd", str(configs)]):
        assert_refused(sandbox, [*flag, "experiment=mine"], "policy.funding_m")
        assert_refused(sandbox, [*flag, "--config-name=config", "experiment=mine"],
                       "policy.funding_m")
        assert_refused(sandbox, [*flag, "experiment=good", "population.size=0"], "population.size")
        assert_refused(sandbox, [*flag, "experiment=levels"], "policy.funding_m")
        assert_refused(sandbox, ["-m", *flag, "experiment=levels"], "policy.funding_m")
    command = check_command([f"--config-dir={configs}", "experiment=good", *outputs(sandbox)])
    assert not command.multirun and not (sandbox / "out").exists()


@pytest.mark.parametrize("body", [
    "policy:\n  funding_m: [1, 2\n",  # unclosed flow sequence
    "alliance:\n\tfunding_m: 3\n",  # a tab
    "alliance: {funding_m: 3\n",  # unclosed mapping
    "policy:\n  funding_m: 3\n funding_m: 4\n",  # bad indentation
    "study: a\nexperiment: b\n",  # duplicate key
])
def test_a_user_experiment_that_is_not_yaml_is_one_error(sandbox, tmp_path, body):
    """A YAML syntax error in a user experiment is one ConfigError (one line) naming the file."""
    configs = tmp_path / "configs"
    path = write_study(configs, "broken", body)
    with pytest.raises(ConfigError) as info:
        check_command([f"--config-dir={configs}", "experiment=broken", *outputs(sandbox)])
    message = str(info.value)
    assert "allowed:" in message and "\n" not in message and path.name in message, message
    assert list(sandbox.iterdir()) == []


# ----------------------------------------------------------------------------------------------
# The real command line


def run_cli(cwd: Path, *args: str) -> Ran:
    return run_module("sim", args, cwd)


def assert_one_error_line(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: invalid config: "), proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr + proc.stdout
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize("args,words", [
    (["policy.funding_m=-1"], ["policy.funding_m=-1", "allowed:"]),
    (["-m", "policy.funding_m=0,-5"], ["policy.funding_m=-5", "allowed:"]),
    (["sector=opera"], ["sector='opera'", "dance"]),
    (["population.entry_age_mean=60", "sector.retirement_age=30"], ["population.entry_age_mean"]),
    (["policy.fundingm=3"], ["did you mean policy.funding_m"]),
])
def test_the_command_line_exits_2_with_one_error_line(tmp_path, args, words):
    """``python -m sim`` with bad input: exit 2, one ``error:`` line, no traceback, no run
    folder (nor sweep folder) created."""
    run, sweep = tmp_path / "run", tmp_path / "sweep"
    proc = run_cli(tmp_path, *args, f"hydra.run.dir={run}", f"hydra.sweep.dir={sweep}")
    assert_one_error_line(proc, *words)
    assert not run.exists() and not sweep.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_the_command_line_refuses_a_broken_user_experiment(tmp_path):
    """A YAML error in a ``--config-dir`` experiment: exit 2, one line, nothing created."""
    configs = tmp_path / "configs"
    write_study(configs, "broken", "policy:\n  funding_m: [1, 2\n")
    run = tmp_path / "run"
    proc = run_cli(tmp_path, f"--config-dir={configs}", "experiment=broken", f"hydra.run.dir={run}",
                   f"hydra.sweep.dir={run}")
    assert_one_error_line(proc, "broken.yaml")
    assert not run.exists()


# ----------------------------------------------------------------------------------------------
# Bugs this suite found, now fixed: each asserts the contract


@pytest.mark.parametrize("argv,key", [
    pytest.param(["hydra.run.dir=${oops}"], "hydra.run.dir"),
    pytest.param(["-m", "policy.funding_m=0,40", "hydra.sweep.dir=${oops}"], "hydra.sweep.dir"),
    pytest.param(["policy.funding_m=${nope}"], "policy.funding_m"),
    pytest.param(["policy.funding_m=${oc.env:SIM_TEST_UNSET_VARIABLE}"], "policy.funding_m"),
    pytest.param(["population=foo"], "population"),
    pytest.param(["--foo"], "--foo"),
])
def test_fixed_inputs_that_escape_as_other_exceptions(sandbox, argv, key):
    """Bad input that today escapes as another exception (a traceback on the command line)."""
    assert_refused(sandbox, argv, key)


def test_fixed_a_flag_without_its_value(sandbox):
    """``python -m sim ... --config-dir`` (the value forgotten at the end of the line)."""
    with pytest.raises(ConfigError) as info:
        check_command([*outputs(sandbox), "--config-dir"])
    assert info.value.key == "--config-dir"


@pytest.mark.parametrize("argv,key", [
    pytest.param(["sector=true"], "sector"),
    pytest.param(["sector=1"], "sector"),
    pytest.param(["sector=null"], "sector"),
    pytest.param(["sector=[theatre,opera]"], "sector"),
    pytest.param(["-m", "sector=theatre,1"], "sector"),
    pytest.param(["policy.funding_m=0,40"], "policy.funding_m"),
    pytest.param(["hydra.run.dir=null"], "hydra.run.dir"),
    pytest.param(["hydra/launcher=nope"], "hydra/launcher"),
])
def test_fixed_errors_that_name_the_wrong_key(sandbox, argv, key):
    """Bad input that is refused, but whose error does not name the offending key."""
    assert_refused(sandbox, argv, key)


def test_fixed_bad_range_in_a_study_names_the_command(sandbox, tmp_path):
    """A study whose own sweep is ``range(0,20,0)``: the error should name the swept key."""
    configs = tmp_path / "configs"
    write_study(configs, "zero", "hydra:\n  sweeper:\n    params:\n"
                     "      policy.funding_m: range(0,20,0)\n")
    assert_refused(sandbox, [f"--config-dir={configs}", "experiment=zero"], "policy.funding_m")


def test_fixed_interpolation_in_a_user_experiment(sandbox, tmp_path):
    """``funding_m: ${nope.nope}`` in a ``--config-dir`` experiment is one ConfigError."""
    configs = tmp_path / "configs"
    write_study(configs, "interp", "policy:\n  funding_m: ${nope.nope}\n")
    assert_refused(sandbox, [f"--config-dir={configs}", "experiment=interp"], "policy.funding_m")


def test_fixed_run_model_interpolation_value(sandbox):
    """``run_model(seed=0, **{"policy.funding_m": "${nope}"})`` is one ConfigError."""
    with pytest.raises(ConfigError) as info:
        run_model(seed=0, **{"policy.funding_m": "${nope}"})
    assert info.value.key == "policy.funding_m"


@pytest.mark.parametrize("argv,key", [
    pytest.param(["hydra.output_subdir={root}/configs"], "hydra.output_subdir"),
    pytest.param(["-m", "policy.funding_m=0,40", "hydra.sweep.subdir={root}/configs/job"],
                 "hydra.sweep.subdir"),
])
def test_fixed_output_folders_that_bypass_the_check(sandbox, argv, key):
    """Hydra settings that move output into the repository must be refused like
    ``hydra.run.dir`` (checked in-process only: never run these)."""
    assert_refused(sandbox, [a.format(root=ROOT) for a in argv], key)


def test_fixed_config_dir_with_a_tilde(sandbox, tmp_path, monkeypatch):
    """Whatever the pre-flight accepts as ``--config-dir``, Hydra must find it too."""
    monkeypatch.setenv("HOME", str(tmp_path))
    write_study(tmp_path / "mycfg", "good", "policy:\n  funding_m: 20\n")
    command = check_command(["--config-dir=~/mycfg", "experiment=good", *outputs(sandbox)])
    dirs = [a.split("=", 1)[1] for a in command.argv if a.startswith("--config-dir=")]
    assert dirs and all(Path(os.path.abspath(d)).is_dir() for d in dirs), command.argv


@pytest.mark.parametrize("argv", [["policy.enabled=null"], ["sector.name=null"]])
def test_fixed_null_message_for_non_numbers(sandbox, argv):
    """null for a boolean or a string: the message must not ask for a number."""
    err = assert_refused(sandbox, argv, argv[0].split("=")[0])
    assert "number" not in err.allowed, err.allowed


@pytest.mark.parametrize("args", [
    pytest.param(["--foo"]),
    pytest.param(["hydra.run.dir=${oops}"]),
    pytest.param(["population=foo"]),
])
def test_fixed_command_lines(tmp_path, args):
    """The same bugs seen from the command line: exit code and stderr."""
    assert_one_error_line(run_cli(tmp_path, *args))


# ----------------------------------------------------------------------------------------------
# Issue 19: numbers too large for a float, plain limits, huge sweeps, silently ignored settings


FLOAT_FIELDS = [f for f in NUMERIC if not f.is_int]


@examples(15)  # not @counted: it runs after test_enough_generated_examples_ran
@given(data=st.data())
def test_numbers_too_large_for_a_float_are_refused(sandbox, data):
    """``policy.funding_m=1`` followed by 400 zeros raised OverflowError (exit 1)."""
    f = data.draw(st.sampled_from(FLOAT_FIELDS))
    digits = data.draw(st.integers(309, 800))
    count(f.key.split(".")[0])
    err = assert_refused(sandbox, [f"{f.key}={data.draw(st.sampled_from(['', '-']))}1{'0' * digits}"],
                         f.key)
    assert f"({digits + 1} digits)" in str(err) and len(str(err)) < 1000, str(err)


def test_limits_are_plain_numbers():
    """No range is printed in exponent notation (``2.14748e+09``)."""
    from sim.model.core.params import describe_range, plain_number

    for f in BOUNDED:
        assert "e+" not in describe_range(f.meta) and "e-" not in describe_range(f.meta), f.key
    assert plain_number(2**31 - 1) == "2,147,483,647" and plain_number(1e7) == "10,000,000"
    assert plain_number(100000) == "100000" and plain_number(1e-5) == "0.00001"
    assert plain_number(0.25) == "0.25" and plain_number(-3) == "-3"


@pytest.mark.parametrize("argv", [
    ["-m", "seed=range(0,2147483647)"],
    ["-m", "policy.funding_m=range(0,1e300,1e-300)"],
    ["-m", "policy.funding_m=shuffle(range(0,10000000000))"],
    ["-m", "policy.funding_m=range(0,101)", "seed=range(0,101)"],
    ["seed=range(0,2147483647)"],
])
def test_a_huge_sweep_is_refused_before_any_job_is_listed(sandbox, argv, monkeypatch):
    """A sweep of more jobs than any sweep should have is refused at once: counted, not
    listed (the pre-flight was silent for minutes). Listing the jobs (Hydra's split of the
    sweep into jobs) fails the test, so the check holds on a loaded machine without a clock."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

    from sim.cli.preflight import MAX_JOBS

    def listed(*args, **kwargs):
        raise AssertionError("the jobs of a refused sweep were listed")

    monkeypatch.setattr(BasicSweeper, "split_arguments", staticmethod(listed))
    err = assert_refused(sandbox, argv, {"seed", "policy.funding_m"})
    assert f"{MAX_JOBS:,}" in err.allowed and "e+" not in str(err), str(err)


def test_jobs_that_share_a_composition_equal_hydras(sandbox):
    """The pre-flight sets plain values on one composed config instead of composing each job;
    every job's config equals Hydra's own composition of it."""
    from sim.cli.preflight import expand_jobs, job_configs

    jobs = expand_jobs(["policy.funding_m=0,40.5", "seed=1,2", "sector=theatre,dance",
                        "report.charts=[funding]", "exit.beta_buffer=-0.2,-0.3",
                        "policy.label='a, b'"], None)
    groups = {p.name for p in CONFIG_DIR.iterdir() if p.is_dir()}
    for job, cfg in zip(jobs, job_configs(jobs, compose_config, groups), strict=True):
        assert OmegaConf.to_container(cfg) == OmegaConf.to_container(compose_config(job)), job


@pytest.mark.parametrize("task", [[], ["policy=skuda", "exit.beta_buffer=-0.3"], ["experiment=funding_sweep"],
                                  ["sector=dance", "policy.label='a, b'", "+policy.extra=1"]])
def test_a_single_run_checks_the_config_hydra_composes_for_it(sandbox, task):
    """The pre-flight composes a single run once, with Hydra's settings, and checks that config
    without them (``_reusing``): it equals Hydra's own composition of the run, unresolved."""
    from sim.cli.preflight import _reusing

    head = compose_config([*task, "hydra.run.dir=x", "hydra/launcher=basic"], with_hydra=True)
    reused = _reusing(head, task, compose_config)(task)
    fresh = compose_config(task)
    assert OmegaConf.to_container(reused, resolve=False) == OmegaConf.to_container(fresh, resolve=False)
    assert "hydra" not in reused and "hydra" in head  # a copy: the head keeps its settings


def test_a_sweep_with_a_searchpath_is_judged_alike_in_any_order(sandbox, tmp_path):
    """``hydra.searchpath`` changes what every job composes from: the pre-flight composes each
    job alike (no reuse of the first job's composition), so the verdict does not depend on
    which option comes first (a reviewer found it did)."""
    folder = tmp_path / "more" / "policy"
    folder.mkdir(parents=True)
    (folder / "mine.yaml").write_text((CONFIG_DIR / "policy" / "generic.yaml").read_text())
    verdicts = []
    for order in ("mine,generic", "generic,mine"):
        try:
            check_command(["-m", f"hydra.searchpath=[file://{tmp_path / 'more'}]", f"policy={order}",
                           *outputs(sandbox)])
            verdicts.append("accepted")
        except ConfigError as err:
            verdicts.append(err.key)
    assert verdicts[0] == verdicts[1], verdicts


def test_a_study_file_that_is_a_yaml_list_is_refused(sandbox, tmp_path):
    configs = tmp_path / "configs"
    (configs / "experiment").mkdir(parents=True)
    (configs / "experiment" / "listed.yaml").write_text("- policy.funding_m: 10\n- seeds: 2\n")
    err = assert_refused(sandbox, [f"--config-dir={configs}", "experiment=listed"], "experiment")
    assert "YAML list" in err.allowed
    (configs / "mine.yaml").write_text("- a\n")
    assert_refused(sandbox, [f"--config-dir={configs}", "--config-name=mine"], "--config-name")


@pytest.mark.parametrize("argv", [
    ["report.x=nope.nope"], ["report.x=alliance"], ["report.x=policy.fundingm"],
    ["report.charts=[funding]", "report.x=sector.name"], ["report.x=report.title"],
    ["-m", "policy.funding_m=0,40", "report.x=policy.nope"],
])
def test_report_x_must_name_a_value(sandbox, argv):
    """``report.x`` naming no key left the funding charts out of the brief without a word."""
    assert_refused(sandbox, argv, "report.x")


def test_hydra_job_chdir_is_refused(sandbox, tmp_path):
    """Each job would build its own baseline cache in its own folder: refused, also when a
    study sets it."""
    assert_refused(sandbox, ["-m", "policy.funding_m=0,40", "hydra.job.chdir=true"],
                   "hydra.job.chdir")
    configs = tmp_path / "configs"
    write_study(configs, "moving", "hydra:\n  job:\n    chdir: true\n")
    assert_refused(sandbox, [f"--config-dir={configs}", "experiment=moving"], "hydra.job.chdir")


def test_a_studys_own_sweep_folder_is_honoured(sandbox, tmp_path):
    """A study file's ``hydra.sweep.dir`` (with ``--config-dir``) was silently replaced by
    ``results/sweeps/<study>``; it is used, and the pre-flight says so."""
    configs, own = tmp_path / "configs", tmp_path / "own-sweep"
    write_study(configs, "mine", f"hydra:\n  sweep:\n    dir: {own}\n  sweeper:\n    params:\n"
                "      policy.funding_m: 0,40\n")
    command = check_command([f"--config-dir={configs}", "experiment=mine"])
    assert command.multirun and command.output_dir == own, command
    assert not any(a.startswith("hydra.sweep.dir=") for a in command.argv)
    assert any(str(own) in note for note in command.notes) and not own.exists()
    given = tmp_path / "given"
    command = check_command([f"--config-dir={configs}", "experiment=mine", f"hydra.sweep.dir={given}"])
    assert command.output_dir == given  # the command line still wins


def test_the_command_line_refuses_a_number_too_large_for_a_float(tmp_path):
    """Issue 19 item 11 as typed: exit 2, one line, nothing created."""
    run = tmp_path / "run"
    proc = run_cli(tmp_path, "policy.funding_m=1" + "0" * 400, f"hydra.run.dir={run}")
    assert_one_error_line(proc, "policy.funding_m=100000... (401 digits)", "allowed:")
    assert not run.exists()


def test_the_old_word_study_is_refused_in_one_line_naming_experiment(sandbox):
    """``study=<name>`` (the word before experiments/ existed) is refused before anything runs,
    by the command line and the Python API alike, with one line naming ``experiment=<name>``."""
    err = assert_refused(sandbox, ["-m", "study=funding_sweep"], "study")
    assert "experiment=funding_sweep" in str(err)
    with pytest.raises(ConfigError) as api:
        compose_config(["study=funding_sweep"])
    assert api.value.key == "study" and "experiment=funding_sweep" in api.value.allowed


def test_every_experiment_is_listed_in_the_index_with_its_question():
    from sim.run.config import EXPERIMENTS_DIR

    index = (EXPERIMENTS_DIR / "README.md").read_text(encoding="utf-8")
    names = sorted(p.stem for p in EXPERIMENTS_DIR.glob("*.yaml"))
    assert names and [n for n in names if f"[`{n}`]({n}.yaml)" not in index] == []
    for name in names:  # each composes as experiment=<name> and names itself
        assert compose_config([f"experiment={name}"]).experiment == name
