"""EMA Workbench adapter: the paired run as an EMA model (uncertainties X, levers L, outcomes M).

Where it sits: beside ``sim.run_model``, which it calls, one paired run per experiment. Needs
the optional extra ``ema`` (``uv sync --extra ema``; the project's dev environment has it);
EMA Workbench is imported only when ``model()`` is called.

    from ema_workbench import perform_experiments
    import sim.ema

    ema_model = sim.ema.model(**{"population.scale": 10, "horizon_years": 10})
    experiments, outcomes = perform_experiments(ema_model, scenarios=16, policies=4)
    pays = outcomes["effect__public_cost_m"] <= 0       # the alliance pays for itself

Names: EMA needs Python identifiers, so every dotted key is written with ``__`` for the dot
(``policy.funding_m`` is ``policy__funding_m``, the outcome ``effect.public_cost_m`` is
``effect__public_cost_m``); ``run`` maps them back, and ``sim.FreelanceModel`` accepts them too.

What varies (``describe()`` lists it with units, ranges and sources):

* **levers** (``LEVERS``): the alliance's design — its grant, salary, work requirement and
  open training — over ranges chosen here, each inside the parameter's declared range;
* **uncertainties**: the behavioural and fiscal assumptions of the uncertainty study
  (``experiments/uncertainty.yaml``: 13 parameters, each with a source or marked as an
  assumption), over that study's plausible range [low, high]; EMA samples them uniformly (deep
  uncertainty: the study's distributions are not used). The alliance's salary is a lever here,
  not an uncertainty.

Both are ``RealParameter`` or ``IntegerParameter`` as the parameter is declared (``param`` in
the settings dataclasses); a bound outside the declared range raises ``ConfigError``. The
ranges are those of the default world (Swedish theatre, SEK): pass ``levers=`` and
``uncertainties=`` (key -> (low, high)) for another. Keys given as fixed values become
constants and leave the uncertainties and levers.

Outcomes are the stable outcomes (``sim.model.outcomes``) of both arms and their effects:
``baseline__x``, ``policy__x``, ``effect__x``. With ``replications=n`` the model is a
``ReplicatorModel`` running seeds ``seed .. seed + n - 1`` for every experiment (the same seeds
everywhere: common random numbers across experiments) and reporting their means (a ratio such
as ``effect__cost_per_retained_worker_year_k`` is better taken as the ratio of the mean effects
``effect__public_cost_m`` and ``effect__active_workforce``).
"""

from __future__ import annotations

import functools
import math
import typing
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import OmegaConf

from sim.model.core.params import ConfigError, coerce_value
from sim.model.outcomes import EFFECT_ONLY, OUTCOMES
from sim.run.config import (
    build_spec,
    compose_config,
    declaration,
    dotted,
    identifier,
)
from sim.run.paired import check_seed, run_model

# dotted key -> (low, high, why this range); the alliance's design choices
LEVERS: dict[str, tuple[float, float, str]] = {
    "policy.funding_m": (0, 80, "no grant to twice TeaterAlliansen's 40 M SEK a year"),
    "policy.salary": (21_000, 33_000, "SEK/month: the uncertainty study's range, between "
                                        "a-kassa's maximum and theatre pay"),
    "policy.work_requirement_months": (6, 24, "half to twice TeaterAlliansen's 12 engaged "
                                                "months per 36-month period"),
    "policy.open_training_share": (0.0, 0.2, "no open training to a fifth of the grant "
                                               "(TeaterAlliansen: 5%)"),
}
ARMS = ("baseline", "policy", "effect")
STABLE_OUTCOMES: tuple[str, ...] = (*(f"{arm}.{name}" for arm in ARMS for name in OUTCOMES),
                                    *(f"effect.{name}" for name in EFFECT_ONLY))
EXTRA_HINT = ("sim.ema needs EMA Workbench, the optional extra 'ema': run `uv sync --extra ema` "
              "(or `pip install 'alliance-sim[ema]'`)")


def run(seed: int = 0, **parameters: Any) -> dict[str, float]:
    """The EMA model function: ``run_model`` with identifier names in and out
    (``policy__funding_m=40`` -> ``effect__public_cost_m``, ...). Numpy values are accepted."""
    out = run_model(seed=seed, **{dotted(key): value for key, value in parameters.items()})
    return {identifier(key): value for key, value in out.items()}


def _bound(value: Any, integer: bool) -> Any:
    """A range bound as ``coerce_value`` checks it: numpy values as Python's, a finite float
    rounded for an integer parameter (an integer too large for a float stays as it is, and is
    refused as out of range)."""
    value = value.item() if isinstance(value, np.generic) else value
    if integer and isinstance(value, float) and math.isfinite(value):
        return round(value)
    return value


@functools.cache
def _study_ranges() -> dict[str, tuple[float, float, str]]:
    """The uncertainty study's parameters: key -> (low, high, source) (composed once)."""
    node = compose_config({"experiment": "uncertainty"}).uncertainty.parameters
    return {key: (float(d.low), float(d.high), f"{d.basis}: {d.source}") for key, d in node.items()}


PAIR = "a mapping of dotted key -> (low, high), e.g. {\"policy.funding_m\": (0, 80)}"


def _number(value: Any) -> bool:
    value = value.item() if isinstance(value, np.generic) else value
    return isinstance(value, int | float) and not isinstance(value, bool)


def _ranges(name: str, given: Mapping[str, Sequence[float]] | None, default: dict,
            fixed: dict) -> dict:
    """``given`` (argument ``name``) checked, as key -> (low, high, source); ``default``
    without the fixed keys when ``given`` is None."""
    if given is None:
        return {key: v for key, v in default.items() if key not in fixed}
    if not isinstance(given, Mapping):
        raise ConfigError(name, _kind(given), PAIR)
    ranges = {}
    for key, bounds in given.items():
        if not isinstance(key, str) or not key:
            raise ConfigError(name, _kind(key), PAIR)
        if (isinstance(bounds, str | bytes | Mapping) or not isinstance(bounds, Sequence | np.ndarray)
                or len(bounds) != 2 or not all(_number(b) for b in bounds)):
            raise ConfigError(f"{name}[{key!r}]", _kind(bounds), "(low, high): two numbers")
        ranges[dotted(key)] = (bounds[0], bounds[1], "given")
    both = sorted(set(ranges) & set(fixed))
    if both:
        raise ConfigError(name, both[0], "keys not also given a fixed value (drop one of the two)")
    return ranges


def _kind(value: Any) -> Any:
    """``value`` for a message about its type: short values as they are, others by type."""
    return value if len(repr(value)) <= 60 else f"<{type(value).__name__}>"


def describe(*, uncertainties: Mapping[str, Sequence[float]] | None = None,
             levers: Mapping[str, Sequence[float]] | None = None, **fixed: Any) -> pd.DataFrame:
    """The uncertainties and levers ``model()`` declares, one row each: the EMA name, the dotted
    key, the kind, real or integer, unit, range, default value, meaning and source. Checks every
    bound against the parameter's declared range (``ConfigError`` otherwise)."""
    fixed = {dotted(key): value for key, value in fixed.items()}
    cfg = compose_config({k: v for k, v in fixed.items() if k != "seed"})
    rows = []
    for kind, ranges in (("lever", _ranges("levers", levers, LEVERS, fixed)),
                         ("uncertainty", _ranges("uncertainties", uncertainties, {
                             k: v for k, v in _study_ranges().items() if k not in LEVERS}, fixed))):
        for key, (lo, hi, source) in ranges.items():
            annotation, meta = declaration(cfg, key)
            integer = int in (typing.get_args(annotation) or (annotation,))
            lo, hi = (coerce_value(key, _bound(v, integer), annotation, meta) for v in (lo, hi))
            if not lo < hi:
                raise ConfigError(key, (lo, hi), "(low, high) with low below high")
            rows.append({"name": identifier(key), "parameter": key, "kind": kind,
                         "type": "integer" if integer else "real", "unit": meta.get("unit", ""),
                         "low": lo, "high": hi, "default": OmegaConf.select(cfg, key),
                         "meaning": meta.get("doc", ""), "source": source})
    return pd.DataFrame(rows)


def _ema():
    try:
        with warnings.catch_warnings():  # optional parallel back-ends it does not find
            warnings.filterwarnings("ignore", message=".*not installed.*")
            import ema_workbench
    except ImportError as err:
        raise ImportError(EXTRA_HINT) from err
    return ema_workbench


def model(*, uncertainties: Mapping[str, Sequence[float]] | None = None,
          levers: Mapping[str, Sequence[float]] | None = None,
          outcomes: Sequence[str] | None = None, replications: int = 1,
          name: str = "alliance_sim", **fixed: Any):
    """The paired run as an EMA Workbench model.

    Args:
        uncertainties (dict): dotted key -> (low, high); default: the uncertainty study's
            parameters over its plausible ranges (``describe()``).
        levers (dict): dotted key -> (low, high); default ``LEVERS``.
        outcomes (list): dotted outcome names (``effect.public_cost_m``); default: every stable
            outcome of both arms and the effects.
        replications (int): seeds per experiment (1: a ``Model``; more: a ``ReplicatorModel``
            reporting means over seeds ``seed .. seed + replications - 1``).
        name (str): the EMA model's name (an identifier).
        **fixed: constants, as ``run_model`` takes them: ``seed`` and config keys, dotted
            (``**{"population.scale": 10}``) or with ``__`` (``population__scale=10``).

    Returns:
        ``ema_workbench.Model`` (or ``ReplicatorModel``) whose function is ``sim.ema.run``.
        Bad fixed values, ranges or outcome names raise before anything is simulated.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ConfigError("name", _kind(name), "a Python identifier, e.g. alliance_sim")
    if isinstance(replications, np.integer):
        replications = int(replications)
    if not isinstance(replications, int) or isinstance(replications, bool) or replications < 1:
        raise ConfigError("replications", _kind(replications), "a whole number >= 1")
    if outcomes is not None and (isinstance(outcomes, str | bytes | Mapping)
                                 or not isinstance(outcomes, Sequence)
                                 or not all(isinstance(n, str) for n in outcomes)):
        raise ConfigError("outcomes", _kind(outcomes), "a list of outcome names such as "
                          "[\"effect.public_cost_m\"], or None for every stable outcome")
    for argument, given in (("levers", levers), ("uncertainties", uncertainties)):
        _ranges(argument, given, {}, {})  # the argument's shape, before EMA is imported
    ema = _ema()
    fixed = {dotted(key): value for key, value in fixed.items()}
    seed = check_seed(fixed.pop("seed", 0))
    build_spec(compose_config(fixed))  # fixed values are checked now, not in the first experiment
    table = describe(uncertainties=uncertainties, levers=levers, **fixed)
    names = list(STABLE_OUTCOMES if outcomes is None else outcomes)
    unknown = [n for n in names if n not in STABLE_OUTCOMES]
    if unknown:
        raise ConfigError("outcomes", unknown, "stable outcomes, no unknown outcomes: arm.name "
                          "with arm one of "
                          f"{', '.join(ARMS)} and name in sim.model.outcomes.OUTCOMES "
                          "(e.g. effect.public_cost_m)")

    def parameter(row):
        cls = ema.IntegerParameter if row.type == "integer" else ema.RealParameter
        return cls(row.name, row.low, row.high)

    if replications == 1:
        ema_model = ema.Model(name, function=run)
        reduce = {}
    else:
        ema_model = ema.ReplicatorModel(name, function=run)
        ema_model.replications = [{"seed": seed + i} for i in range(replications)]
        reduce = {"function": np.mean}
    ema_model.uncertainties = [parameter(r) for r in table.itertuples() if r.kind == "uncertainty"]
    ema_model.levers = [parameter(r) for r in table.itertuples() if r.kind == "lever"]
    ema_model.outcomes = [ema.ScalarOutcome(identifier(n), **reduce) for n in names]
    constants = {identifier(k): v for k, v in fixed.items()
                 if k not in set(table["parameter"])}
    if replications == 1:
        constants["seed"] = seed
    ema_model.constants = [ema.Constant(k, v) for k, v in constants.items()]
    return ema_model
