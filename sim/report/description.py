"""A policy's description as data: all that the readers know of the policy.

Where it sits: the command line (``sim/study/cli.py``) and each sweep job (``sim/study/sweep.py``)
call ``Policy.describe`` once (``describe``) and keep the result as plain data (``as_data``): in
the run's provenance.json and summary table, in each job's COMPLETE.json. The command line, the
terminal table, the briefs, the chart footnotes, the app and the EMA adapter read this and nothing
else of the policy; readers that work from a results folder take it from there (``of_marker``,
its shape checked by ``problem``) and never import or instantiate a class a folder names.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sim.report.i18n import N_, _

TEXTS = ("title", "label", "kind", "currency", "noun", "reach", "reach_words", "reach_series")
ASSUMPTION_TEXTS = ("key", "unit", "meaning")


def describe(spec, choices: Mapping[str, str] | None = None) -> dict:
    """The description of the policy of ``spec`` as data, its assumptions with the source notes
    of the config files that ``choices`` (the config groups' options) picks."""
    from sim.report.document import config_notes

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


# ---------------------------------------------------------------- in words
# what the shipped policies' titles add to their labels, as messages of the catalogue (the
# policies live in sim/model, which ``pybabel extract`` does not read; labels come from their
# config files), each with how a brief says what the run represents
QUALIFIERS = {N_(" (hypothetical grant)"): N_("{alliance}, with a hypothetical grant")}


def label_words(d: Mapping) -> str:
    """The policy's short name in the current language."""
    return _(d["label"]) if d.get("label") else _("the policy")


def noun_words(d: Mapping, capital: bool = False) -> str:
    """How a sentence names the policy ("the alliance", "the working-grant scheme"), in the
    current language; ``capital``: at the start of a sentence."""
    text = _(d.get("noun") or "the policy")
    return text[:1].upper() + text[1:] if capital else text


def named(d: Mapping) -> dict[str, str]:
    """The placeholders every message that names the policy may use: ``{policy}`` mid-sentence,
    ``{Policy}`` at its start, ``{label}`` its short name."""
    return {"policy": noun_words(d), "Policy": noun_words(d, capital=True), "label": label_words(d)}


def title_words(d: Mapping) -> str:
    """The policy's title in the current language: a title that is its label and a qualifier
    (``X (hypothetical grant)``) is translated in those two parts."""
    title, label = d.get("title") or "", d.get("label") or ""
    if not title or title == label:
        return label_words(d)
    if label and title.startswith(label) and _(title) == title:
        return _(label) + _(title[len(label):])
    return _(title)


def which_words(d: Mapping) -> str:
    """The policy as a run represents it: "TeaterAlliansen as it runs today" when its title is
    its label; a title with a known qualifier in that qualifier's words ("A TeaterAlliansen-type
    alliance, with a hypothetical grant"); else its title."""
    title, label = d.get("title") or "", d.get("label") or ""
    if not title or title == label:
        return _("{alliance} as it runs today").format(alliance=label_words(d))
    if label and title[len(label):] in QUALIFIERS and title.startswith(label):
        return _(QUALIFIERS[title[len(label):]]).format(alliance=label_words(d))
    return title_words(d)


def assumption_keys(d: Mapping) -> list[str]:
    """The config keys of the description's assumptions, in its order."""
    return [a["key"] for a in d.get("assumptions", [])]


def assumption_value(d: Mapping, key: str, default: Any = None) -> Any:
    return next((a["value"] for a in d.get("assumptions", []) if a["key"] == key), default)


def describe_config(config: Mapping, choices: Mapping[str, str] | None = None) -> dict:
    """``describe`` for a resolved config (plain containers, as a run's config.yaml holds it)."""
    from omegaconf import OmegaConf

    from sim.study.config import build_spec

    spec, _run = build_spec(OmegaConf.create({k: v for k, v in config.items() if k != "hydra"}))
    return describe(spec, choices)


def assumptions_listed(keys: list[str] | None, d: Mapping) -> list[str]:
    """The config keys a brief's assumptions table lists: the study's own (``report.assumptions``)
    or, where it sets none (null), the policy's assumptions and then the core's
    (``sim.report.spec.CORE_ASSUMPTIONS``: the world's and the rules' keys)."""
    from sim.report.spec import CORE_ASSUMPTIONS

    if keys is not None:
        return list(keys)
    return [k for k in assumption_keys(d) if k not in CORE_ASSUMPTIONS] + list(CORE_ASSUMPTIONS)
