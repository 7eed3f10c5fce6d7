"""A policy's description as data: all that the readers know of the policy.

Where it sits: the run layer. The command line (``sim/cli/main.py``) and each sweep job
(``sim/study/sweep.py``) call ``Policy.describe`` once (``describe``) and keep the result as plain
data (``as_data``): in the run's provenance.json and summary table, in each job's COMPLETE.json.
The terminal table, the briefs, the chart footnotes, the app and the EMA adapter read this and
nothing else of the policy; readers that work from a results folder take it from there
(``of_marker``, its shape checked by ``problem``) and never import or instantiate a class a folder
names. How the report says it in words is ``sim/report/description.py``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sim.run.notes import config_notes

TEXTS = ("title", "label", "kind", "currency", "noun", "reach", "reach_words", "reach_series")
ASSUMPTION_TEXTS = ("key", "unit", "meaning")


def describe(spec, choices: Mapping[str, str] | None = None) -> dict:
    """The description of the policy of ``spec`` as data, its assumptions with the source notes
    of the config files that ``choices`` (the config groups' options) picks."""
    return as_data(spec.policy.describe(spec, config_notes(dict(choices or {}))))


def as_data(description) -> dict:
    """A ``Description`` as plain JSON data (lists, strings, numbers)."""
    data = dataclasses.asdict(description)
    data["assumptions"] = [{**a, "value": _plain(a["value"])} for a in data["assumptions"]]
    data["leaves_out"] = list(data["leaves_out"])
    data["outcome_units"] = [list(pair) for pair in data.get("outcome_units", ())]
    return data


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):  # a numpy scalar
        return value.item()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def problem(data: Any) -> str | None:
    """Why ``data`` is not a description (one phrase naming the field), or None."""
    if not isinstance(data, dict):
        return f"policy={data!r} (allowed: a mapping: the policy's description)"
    for field in TEXTS:
        if not isinstance(data.get(field), str):
            return f"policy.{field}={data.get(field)!r} (allowed: a string)"
    assumptions = data.get("assumptions")
    if not isinstance(assumptions, list):
        return f"policy.assumptions={assumptions!r} (allowed: a list of mappings)"
    for i, a in enumerate(assumptions):
        if not isinstance(a, dict):
            return f"policy.assumptions.{i}={a!r} (allowed: a mapping)"
        for field in ASSUMPTION_TEXTS:
            if not isinstance(a.get(field), str):
                return f"policy.assumptions.{i}.{field}={a.get(field)!r} (allowed: a string)"
        if "." not in a["key"]:
            return f"policy.assumptions.{i}.key={a['key']!r} (allowed: a config key, group.name)"
        if a.get("source") is not None and not isinstance(a["source"], str):
            return f"policy.assumptions.{i}.source={a['source']!r} (allowed: a string or null)"
        value = a.get("value")
        if not (_scalar(value) or isinstance(value, list) and all(_scalar(v) for v in value)):
            return f"policy.assumptions.{i}.value={value!r} (allowed: a number, string or null)"
    units = data.get("outcome_units", [])
    if not isinstance(units, list) or not all(
            isinstance(u, list) and len(u) == 2 and all(isinstance(x, str) for x in u)
            for u in units):
        return f"policy.outcome_units={units!r} (allowed: a list of [outcome, unit] pairs)"
    leaves = data.get("leaves_out")
    if not isinstance(leaves, list) or not all(isinstance(s, str) for s in leaves):
        return f"policy.leaves_out={leaves!r} (allowed: a list of strings)"
    return None


EMPTY = {"title": "", "label": "", "kind": "", "currency": "", "noun": "the policy", "reach": "",
         "reach_words": "", "reach_series": "", "outcome_units": [], "assumptions": [],
         "leaves_out": []}


def units_of(d: Mapping) -> dict[str, str]:
    """The units of the policy's own outcomes (its description's ``outcome_units``)."""
    return {name: unit for name, unit in d.get("outcome_units") or ()}


def of_marker(marker: Mapping) -> dict:
    """The description a job's marker carries (checked by ``sim.study.markers``); a marker from
    before descriptions were kept carries none: the readers then say "the policy"."""
    data = marker.get("policy")
    return data if isinstance(data, dict) and problem(data) is None else dict(EMPTY)


def assumption_keys(d: Mapping) -> list[str]:
    """The config keys of the description's assumptions, in its order."""
    return [a["key"] for a in d.get("assumptions", [])]


def assumption_value(d: Mapping, key: str, default: Any = None) -> Any:
    return next((a["value"] for a in d.get("assumptions", []) if a["key"] == key), default)


def describe_config(config: Mapping, choices: Mapping[str, str] | None = None) -> dict:
    """``describe`` for a resolved config (plain containers, as a run's config.yaml holds it)."""
    from omegaconf import OmegaConf

    from sim.run.config import build_spec

    spec, _run = build_spec(OmegaConf.create({k: v for k, v in config.items() if k != "hydra"}))
    return describe(spec, choices)
