"""A policy's description in words: its name, title and noun in the reader's language.

Where it sits: the report layer. The description itself is data kept in every results folder
(``sim/run/description.py``, re-exported here for the report's modules); this module says it.
"""

from __future__ import annotations

from collections.abc import Mapping

from sim.report.i18n import N_, _
from sim.run.description import (  # noqa: F401  (re-exported: the report reads them from here)
    EMPTY,
    as_data,
    assumption_keys,
    assumption_value,
    describe,
    describe_config,
    of_marker,
    problem,
    units_of,
)

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


def assumptions_listed(keys: list[str] | None, d: Mapping) -> list[str]:
    """The config keys a brief's assumptions table lists: the study's own (``report.assumptions``)
    or, where it sets none (null), the policy's assumptions and then the core's
    (``sim.run.report_settings.CORE_ASSUMPTIONS``: the world's and the rules' keys)."""
    from sim.run.report_settings import CORE_ASSUMPTIONS

    if keys is not None:
        return list(keys)
    return [k for k in assumption_keys(d) if k not in CORE_ASSUMPTIONS] + list(CORE_ASSUMPTIONS)
