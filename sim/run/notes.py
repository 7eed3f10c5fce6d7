"""The source notes of the config files: each key's trailing comment, which says where its value
comes from.

Where it sits: the run layer, beside the config it reads (``configs/``). The policy's description
(``sim/run/description.py``) carries the notes of its assumptions into every results folder; the
parameter tables of docs/model.md (``sim/report/paramdoc.py``) and the briefs' assumption tables
(``sim/report/document.py``) print them.
"""

from __future__ import annotations

import re
from pathlib import Path

from sim.run.config import CONFIG_DIR, group_folder

LINE = re.compile(r"^(?P<indent>\s*)(?P<key>[A-Za-z_][\w]*):\s*(?P<value>[^#]*?)\s*(#\s*(?P<note>.*))?$")


def yaml_entries(path: Path) -> dict[str, tuple[str, str]]:
    """``dotted.key -> (value text, comment)`` from a config file, nested mappings included
    (``sector.freelancers.sweden``); a mapping's own line gives its comment; continuation
    comments join the entry above them."""
    package = ""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    if first.startswith("# @package") and "_global_" not in first:
        package = first.split()[-1]
    entries: dict[str, tuple[str, str]] = {}
    opened: list[tuple[int, str]] = []  # (indent, key) of the mappings the line is inside
    last = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") and last is not None and raw.startswith(" " * 20):
            value, note = entries[last]
            entries[last] = (value, f"{note} {stripped.lstrip('# ').strip()}")
            continue
        m = LINE.match(raw)
        if not m or stripped.startswith("-"):
            continue
        key, value, note = m["key"], m["value"], (m["note"] or "").strip()
        indent = len(m["indent"])
        while opened and opened[-1][0] >= indent:
            opened.pop()
        path_keys = [package] if package else []
        path_keys += [k for _, k in opened] + [key]
        if not value:
            opened.append((indent, key))
        if len(path_keys) > 1 and key != "_target_":
            last = ".".join(path_keys)
            entries[last] = (value, note)
    return entries


def config_notes(choices: dict | None) -> dict[str, str]:
    """Each config key's source comment, from config.yaml and the option files ``choices``
    picks (with the files those options build on)."""
    notes = {k: note for k, (_, note) in yaml_entries(CONFIG_DIR / "config.yaml").items() if note}
    for group, option in sorted((choices or {}).items(), key=lambda item: composition_rank(item[0])):
        if option and isinstance(option, str) and (group_folder(group) / f"{option}.yaml").exists():
            path = group_folder(group) / f"{option}.yaml"
            base = [line.split("-", 1)[1].strip() for line in path.read_text().splitlines()
                    if line.startswith("  - ") and "_self_" not in line and ":" not in line]
            for b in base:  # a preset built on another takes over its values: say so
                notes.update({k: f"{INHERITED.format(base=b)}{note}" for k, (_, note)
                              in yaml_entries(CONFIG_DIR / group / f"{b}.yaml").items() if note})
            notes.update({k: note for k, (_, note) in yaml_entries(path).items() if note})
    return notes


# A note a preset takes over from the preset it builds on (SKUDA's salary is TeaterAlliansen's).
INHERITED = "as in {base}.yaml, assumed the same: "
INHERITED_NOTE = re.compile(r"^as in (?P<base>[\w-]+)\.yaml, assumed the same: ")


def composition_rank(group: str) -> int:
    """Where a config group comes in configs/config.yaml's defaults: a later group's values
    (an alliance preset's admission rules) win over an earlier one's, and so do their notes."""
    import yaml

    order = []
    for entry in yaml.safe_load((CONFIG_DIR / "config.yaml").read_text()).get("defaults", []):
        if isinstance(entry, dict):
            order += [k for k in entry if not str(k).startswith("override")]
    return order.index(group) if group in order else len(order)
