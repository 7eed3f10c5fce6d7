"""Parameters that may differ between the runs of one batch (Sobol and uncertainty designs).

Where it sits: built with the model from the batch's specs, one per run
(``sim/model/freelance.py``), and handed to every phase of the monthly step through the step
context (``ctx.runs``, ``sim/model/core/context.py``).

A parameter block, rule or policy lists in its class attribute ``per_run`` the fields whose
value may differ between the runs of a batch. Runs whose specs differ only in such fields are
simulated together (``batch_spec``); everything else about them (rules, presets, sizes, years)
must be equal. Code that uses a per-run parameter reads it

* in a kernel over all rows: as ``values[group[i]]``, with ``values = ctx.runs.values(slot,
  name)`` (one value per run) and ``group`` the population's ``group`` column;
* in numpy over all rows: ``ctx.runs.per_row(slot, name, group)`` (or ``by_row``);
* in code that runs for one run at a time (the policy's year, the admission rule): from the
  run's own spec, which the loop passes (``model.policies[g]``, ``ctx.for_rows``).

In the batch's own spec (``model.spec``) a per-run field whose values differ is set to None, so
code that reads it there, instead of per run, fails at once rather than giving every run the
first run's value. ``tests/test_batch.py`` checks each run of a mixed batch against its spec
run alone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

# where each slot's object sits in a spec; ``per_run`` is declared on the object's class.
# The world's slots are the spec's blocks and rules; the policy's slot (named after its config
# group, a field of the spec) is added by ``sim/model/spec.py`` (``add_policy_slot``).
BLOCK_SLOTS = ("population", "sector", "country", "demand")
RULE_SLOTS = ("income", "exit", "fertility", "health", "admission")
SLOTS = {
    **{slot: (lambda spec, slot=slot: getattr(spec, slot)) for slot in BLOCK_SLOTS},
    **{slot: (lambda spec, slot=slot: getattr(spec.rules, slot)) for slot in RULE_SLOTS},
}
WORLD_SLOTS = tuple(SLOTS)
POLICY_SLOTS: list[str] = []


def add_policy_slot(slot: str) -> None:
    """The policy's slot: the spec's field ``slot`` holds the policy an arm may run."""
    if slot not in SLOTS:
        SLOTS[slot] = lambda spec: getattr(spec, slot)
        POLICY_SLOTS.append(slot)


def per_run_fields(obj: Any) -> tuple[str, ...]:
    """The fields of ``obj`` its class declares per run (none by default)."""
    return tuple(getattr(type(obj), "per_run", ()))


def _blanked(obj: Any, names) -> Any:
    return dataclasses.replace(obj, **{name: None for name in names}) if names else obj


def with_slots(spec, objects: dict[str, Any]):
    """``spec`` with the objects of some slots replaced."""
    rules = {slot: objects[slot] for slot in RULE_SLOTS if slot in objects}
    blocks = {slot: objects[slot] for slot in (*BLOCK_SLOTS, *POLICY_SLOTS) if slot in objects}
    if rules:
        blocks["rules"] = dataclasses.replace(spec.rules, **rules)
    return dataclasses.replace(spec, **blocks)


def structure_key(spec, slots: Sequence[str] | None = None) -> str:
    """What runs of one batch must share: ``spec`` (its ``slots``, default all) without its
    per-run values."""
    slots = tuple(SLOTS) if slots is None else slots
    blanked = {slot: _blanked(SLOTS[slot](spec), per_run_fields(SLOTS[slot](spec)))
               for slot in slots}
    for slot in POLICY_SLOTS:
        if slot not in slots:
            blanked[slot] = None
    return repr(with_slots(spec, blanked))


def world_structure_key(spec) -> str:
    """``structure_key`` of the world alone (the baseline arm runs no policy)."""
    return structure_key(spec, WORLD_SLOTS)


def batch_spec(specs: Sequence, slots: Sequence[str] | None = None):
    """The spec of a batch of runs of ``specs``: the first one's, with every per-run field whose
    values differ between runs set to None. Raises ValueError if the specs differ elsewhere."""
    slots = tuple(SLOTS) if slots is None else slots
    first = specs[0]
    key = structure_key(first, slots)
    for g, spec in enumerate(specs[1:], start=1):
        if structure_key(spec, slots) != key:
            raise ValueError(f"run {g} of the batch differs from run 0 in more than the "
                             "per-run parameters (the `per_run` of each rule and block); "
                             "such runs are simulated in separate batches")
    differing = {}
    for slot in slots:
        obj = SLOTS[slot](first)
        names = [name for name in per_run_fields(obj)
                 if any(getattr(SLOTS[slot](spec), name) != getattr(obj, name) for spec in specs)]
        if names:
            differing[slot] = _blanked(obj, names)
    return with_slots(first, differing) if differing else first


class RunValues:
    """The per-run parameter values of a batch's specs (run g: ``specs[g]``)."""

    def __init__(self, specs: Sequence) -> None:
        self.specs = tuple(specs)
        self._values: dict[tuple[str, str], np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.specs)

    def values(self, slot: str, name: str) -> np.ndarray:
        """One float64 value per run of the field ``name`` of ``slot`` (computed once)."""
        key = (slot, name)
        out = self._values.get(key)
        if out is None:
            out = self._values[key] = np.array(
                [float(getattr(SLOTS[slot](spec), name)) for spec in self.specs])
        return out

    def per_row(self, slot: str, name: str, group: np.ndarray) -> float | np.ndarray:
        """The field's value for each row of ``group`` (the rows' runs)."""
        return by_row(self.values(slot, name), group)


def by_row(values: np.ndarray, group: np.ndarray) -> float | np.ndarray:
    """``values`` (one per run) for each row of ``group``; one number when every run has the
    same value (numpy broadcasts it to the same results, without the gather)."""
    return values[0] if (values == values[0]).all() else values[group]
