"""Messages that live in the config files, for ``pybabel extract`` (a Babel extraction method).

Where it sits: named in ``sim/report/locale/babel.cfg``; nothing imports it at run time. Words a
brief shows that come from configs/ rather than from the code are messages too, with the English
text as msgid: what the model leaves out (``report.left_out``), a study's question
(``report.title``), sector and alliance labels (``label``), the uncertainty study's parameter
labels and ``level_label`` and country names (``name``, shown
title-cased: ``sweden`` -> ``Sweden``). The titles of the entries of docs/sources.md are
messages as well (``extract_sources``): a brief cites them in the reader's language.
"""

from __future__ import annotations

import yaml


def _walk(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, (*path, str(key)))
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, (*path, "[]"))
    elif isinstance(node, str):
        yield path, node


def config_messages(data: dict, filename: str = "") -> list[str]:
    """The messages of one config file's contents, in order, each once."""
    out = []
    group = filename.replace("\\", "/").split("configs/")[-1].split("/")[0]
    for path, text in _walk(data or {}):
        in_report = path[-2:] in (("left_out", "[]"), ("report", "title"))
        labelled = group in ("sector", "policy") or path[:2] == ("uncertainty", "parameters")
        if in_report or (path[-1] == "label" and labelled) or path[-1] == "level_label":
            out.append(text)
        elif path[-1] == "name" and group == "country":
            out.append(text.title())
    return list(dict.fromkeys(out))


def extract_config(fileobj, keywords, comment_tags, options):
    """Babel extraction method: yields ``(lineno, funcname, message, comments)``."""
    raw = fileobj.read().decode("utf-8")
    lines = raw.splitlines()
    for message in config_messages(yaml.safe_load(raw), getattr(fileobj, "name", "")):
        probe = message.lower()[:30]
        lineno = next((i + 1 for i, line in enumerate(lines) if probe in line.lower()), 1)
        yield lineno, "_", message, ["from the config files"]


def extract_sources(fileobj, keywords, comment_tags, options):
    """Babel extraction method for docs/sources.md: the title of each entry (the words after
    its ``<a id="..."></a>`` anchor), yielded as ``(lineno, funcname, message, comments)``."""
    import re

    for lineno, line in enumerate(fileobj.read().decode("utf-8").splitlines(), start=1):
        m = re.search(r'<a id="[^"]+"></a>(?P<title>[^\n]*)', line)
        if m and m["title"].strip():
            yield lineno, "_", m["title"].strip(), ["title of an entry of docs/sources.md"]
