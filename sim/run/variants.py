"""Many specs of one composed config, each with some values changed: ``SpecVariants(cfg)``.

Where it sits: between the config (``sim/run/config.py``) and the studies that evaluate the
model thousands of times with a few values changed per run (``sim.run_many``, the sensitivity
and uncertainty chunks). Hydra composes the config once; ``build_spec`` validates and builds it
once; then each run's values are set on the built spec.

A value is set on the built spec when its key is a per-run parameter (``per_run`` of its block,
rule or policy, ``sim/model/core/per_run.py``) that no other value is computed from (no
interpolation of the config reads it or its block; checked once per key with a probe): the
block, rule or policy is rebuilt with ``check_params``, the same check ``build_spec`` makes
(types, ranges, the object's own ``check``), and the checks across blocks run again. The spec is
then equal to the one ``build_spec`` makes from the config with the value set
(``tests/test_variants.py``), at a fraction of the cost: about 0.3 ms per run instead of
about 13 ms for a copy of the whole config and a new build (benchmark machine).
Any other key (a preset's structure, a value an interpolation reads) takes that slow path.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from omegaconf import DictConfig, OmegaConf

from sim.model.core.params import check_params
from sim.model.core.per_run import SLOTS, per_run_fields, with_slots
from sim.model.spec import POLICY_GROUPS, RULE_GROUPS, WORLD_BLOCKS, ModelSpec, check_consistency
from sim.run.config import build_spec

BUILD_ORDER = [*WORLD_BLOCKS, *POLICY_GROUPS, *RULE_GROUPS]  # the blocks, as build_spec builds them

_PROBE = "__probe__"


def resolved(cfg: DictConfig) -> dict[str, Any]:
    """Every value of ``cfg`` with the interpolations resolved (Hydra's own node aside)."""
    return {str(key): OmegaConf.to_container(cfg[key], resolve=True)
            if isinstance(cfg._get_node(key), DictConfig) else cfg[key]
            for key in cfg if key != "hydra"}


def read_elsewhere(cfg: DictConfig, key: str, values: dict[str, Any] | None = None) -> bool:
    """Whether another value of ``cfg`` is computed from ``key`` (an interpolation reads it or
    the block it is in): setting ``key`` to a probe changes something else, or does not
    resolve. ``values``: ``resolved(cfg)``, when it is at hand."""
    values = resolved(cfg) if values is None else values
    probe = copy.deepcopy(cfg)
    OmegaConf.update(probe, key, _PROBE, merge=False)
    try:
        after = resolved(probe)
    except Exception:  # noqa: BLE001 - a value that needs the real one is read elsewhere
        return True
    block, _, leaf = key.rpartition(".")
    node = after
    for part in block.split(".") if block else ():
        node = node[part]
    node[leaf] = OmegaConf.select(cfg, key)  # the key itself back as it was
    return after != values


class SpecVariants:
    """The spec of ``cfg`` (``spec``, ``run``: what ``build_spec(cfg)`` returns) and specs of it
    with some values changed (``with_values``)."""

    def __init__(self, cfg: DictConfig) -> None:
        self.cfg = cfg
        self.spec, self.run = build_spec(cfg)
        self._values: dict[str, Any] | None = None
        self._settable: dict[str, bool] = {}

    def settable(self, key: str) -> bool:
        """Whether ``key`` (dotted) can be set on the built spec: a per-run parameter that no
        other value is computed from (checked once per key)."""
        known = self._settable.get(key)
        if known is None:
            slot, _, name = key.partition(".")
            known = slot in SLOTS and name in per_run_fields(SLOTS[slot](self.spec))
            if known:
                if self._values is None:
                    self._values = resolved(self.cfg)
                known = not read_elsewhere(self.cfg, key, self._values)
            self._settable[key] = known
        return known

    def with_values(self, values: dict[str, Any]) -> ModelSpec:
        """The spec of ``cfg`` with ``values`` (dotted keys) set, checked as ``build_spec``
        checks them; a bad value raises the same ``ConfigError``."""
        if not all(self.settable(key) for key in values):
            cfg = copy.deepcopy(self.cfg)
            for key, value in values.items():
                OmegaConf.update(cfg, key, value, merge=False)
            return build_spec(cfg)[0]
        changes: dict[str, dict[str, Any]] = {}
        for key, value in values.items():
            slot, _, name = key.partition(".")
            changes.setdefault(slot, {})[name] = value
        objects = {}
        for slot in sorted(changes, key=BUILD_ORDER.index):  # a bad value: build_spec's error
            new = changes[slot]
            obj = SLOTS[slot](self.spec)
            fields = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
            objects[slot] = check_params(type(obj), fields | new, slot)
        spec = with_slots(self.spec, objects)
        check_consistency(spec)
        return spec
