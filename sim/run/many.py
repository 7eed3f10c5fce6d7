"""Many paired runs in one call: ``sim.run_many(runs)`` -> one row per run.

Where it sits: beside ``run_model`` (``sim/run/paired.py``), for notebooks, SALib and EMA
designs and any script that evaluates the model many times. Each run is a dict
``{"seed": s, **overrides}`` in ``run_model``'s style; the result has one row per run with its
inputs and every outcome ``run_model`` returns, and each row equals ``run_model(**run)``
exactly (``tests/test_many.py``).

With ``batch=True`` (the default) runs share the work they have in common:

* the config is composed by Hydra and built once per *structure* (the runs' config-group
  choices, e.g. ``sector=dance``, and values that are not per-run parameters; kept across
  calls); each run's per-run parameters are then set on the built spec
  (``sim/run/variants.py``), any other value on a copy of the config, so the interpolations
  (``population.size`` from the sector's real size) resolve as on the command line;
* runs that differ only in their seed and their per-run parameters (``sim/model/core/per_run.py``:
  every parameter of the shipped sensitivity and uncertainty studies) are simulated together,
  as groups of rows of one population (``sim/run/batch.py``), so each simulated month serves
  the whole batch;
* runs of the same world and seed share their baseline arm (no alliance): it is simulated once
  and every alliance variant (a funding level) starts from it.

The output keeps the input order. Every run's config is built and checked before the first
simulation, so a bad value in run 900 stops the call before run 1 starts. Runs that differ in a
preset or in a parameter that is not per run are separate batches.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import OmegaConf

from sim.model.core.params import ConfigError
from sim.run.batch import run_specs
from sim.run.config import (
    CONFIG_DIR,
    build_spec,
    compose_config,
    format_override,
    known_keys,
    suggest,
)
from sim.run.paired import PairResult, check_seed, run_pair
from sim.run.variants import SpecVariants

# config groups (folders of configs/): choosing one changes the structure of the config
GROUPS = frozenset(p.name for p in CONFIG_DIR.iterdir() if p.is_dir())


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _split(i: int, run: dict) -> tuple[int, tuple[str, ...], dict[str, Any]]:
    """(seed, the structure's override texts, the run's own values) of run ``i``."""
    if not isinstance(run, Mapping) or "seed" not in run:
        raise ConfigError(f"runs[{i}]", _kind(run),
                          'a dict with a "seed" and overrides, as run_model takes')
    bad = [k for k in run if not isinstance(k, str) or not k]
    if bad:
        raise ConfigError(f"runs[{i}]", bad[0], "config keys as strings, e.g. policy.funding_m")
    seed = check_seed(run["seed"], f"runs[{i}].seed")
    values = {k: _plain(v) for k, v in run.items() if k != "seed"}
    structure = tuple(sorted(format_override(k, v) for k, v in values.items() if k in GROUPS))
    own = {k: v for k, v in values.items() if k not in GROUPS}
    return seed, structure, own


# Hydra's composition of each structure, and the built specs of a structure with the values
# that are not per-run parameters, kept across calls (a calibration calls run_many once per
# evaluation); copies are changed, never the kept configs
_COMPOSED: dict[tuple[str, ...], Any] = {}
_BUILT: dict[tuple, SpecVariants] = {}
_KEEP = 32


def _kept(cache: dict, key, make):
    value = cache.get(key)
    if value is None:
        value = cache[key] = make()
        while len(cache) > _KEEP:
            cache.pop(next(iter(cache)))
    return value


def _config(structure: tuple[str, ...], own: dict[str, Any]):
    base = _kept(_COMPOSED, structure, lambda: compose_config(list(structure)))
    cfg = copy.deepcopy(base)
    for key, value in own.items():
        if OmegaConf.select(cfg, key, default="__missing__") == "__missing__":
            raise ConfigError(key, value, unknown_key(key))
        try:
            OmegaConf.update(cfg, key, value, merge=False)
        except Exception as err:  # noqa: BLE001 - OmegaConf's own type errors, as one ConfigError
            raise ConfigError(key, value, " ".join(str(err).split())[:160]) from None
    return cfg


def _spec(structure: tuple[str, ...], own: dict[str, Any]):
    """The spec of a run: the structure's, built once with the run's values that are not
    per-run parameters, then the per-run ones set on it."""
    plain = _kept(_BUILT, (structure,), lambda: SpecVariants(_config(structure, {})))
    per_run = {k: v for k, v in own.items() if plain.settable(k)}
    rest = {k: v for k, v in own.items() if k not in per_run}
    base = plain if not rest else _kept(
        _BUILT, (structure, *sorted(format_override(k, v) for k, v in rest.items())),
        lambda: SpecVariants(_config(structure, rest)))
    return base.with_values(per_run)


def unknown_key(key: str) -> str:
    """What is allowed instead of the unknown dotted ``key``: its block's keys when the block
    exists, else the nearest known keys (never an empty text)."""
    keys = known_keys()
    parent = key.rsplit(".", 1)[0] if "." in key else None
    if parent in keys:
        siblings = sorted(k.rsplit(".", 1)[-1] for k in keys
                          if k.startswith(f"{parent}.") and k.count(".") == key.count("."))
        return f"a known key of {parent}: {', '.join(siblings)}" + suggest(key)
    return "a known key" + (suggest(key) or ": see python -m sim --cfg job")


def _kind(value: Any) -> Any:
    """``value`` for a message about its type: short values as they are, others by type."""
    return value if len(repr(value)) <= 60 else f"<{type(value).__name__}>"


def run_many(runs: list[dict], *, batch: bool = True) -> pd.DataFrame:
    """One paired run per dict of ``runs`` (``{"seed": s, **overrides}``); a DataFrame with the
    columns ``run`` (position in ``runs``), ``seed``, every override given and every outcome of
    ``run_model``. ``batch=False`` runs each exactly as ``run_model`` would, one after the other
    (for checking; the results are the same). Bad arguments (``runs`` not a list of dicts, a bad
    seed, key or value in any run, ``batch`` not true or false) raise ``ConfigError`` naming
    them before the first run starts."""
    if isinstance(runs, str | bytes | Mapping) or not isinstance(runs, Iterable):
        raise ConfigError("runs", _kind(runs), 'a list of dicts such as [{"seed": 0, '
                          '"policy.funding_m": 40}, ...]')
    if not isinstance(batch, bool | np.bool_):
        raise ConfigError("batch", _kind(batch), "true or false")
    runs = list(runs)
    plans = [_split(i, run) for i, run in enumerate(runs)]
    specs = []
    for i, (_, structure, own) in enumerate(plans):  # every config is checked before any run
        specs.append(_spec(structure, own) if batch else build_spec(compose_config(
            {k: _plain(v) for k, v in runs[i].items() if k != "seed"}))[0])
    items = [(spec, plan[0]) for spec, plan in zip(specs, plans, strict=True)]
    outcomes = (run_specs(items, PairResult.outcomes) if batch
                else [run_pair(spec, seed).outcomes() for spec, seed in items])
    rows: dict[int, dict] = {}
    for i, out in enumerate(outcomes):
        inputs = {k: _plain(v) for k, v in runs[i].items() if k != "seed"}
        rows[i] = {"run": i, "seed": plans[i][0], **inputs, **out}
    return pd.DataFrame([rows[i] for i in range(len(runs))])
