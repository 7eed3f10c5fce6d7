"""Rendering of briefs: Markdown and print-friendly HTML from a list of blocks, and the parts
every brief shares (front matter with date and model version, assumptions in words with their
sources, the list of sources cited).

Where it sits: in the report layer, used by ``sim/report/brief.py`` (study briefs and the
single-run brief) and ``sim/report/uncertainty_brief.py``. A block is a tuple: ``("h1", text)``,
``("h2", text)``, ``("h3", text)``, ``("p", text)``, ``("meta", [(label, text)])``, ``("ul", [text])``,
``("img", caption, path)``, ``("table", header, rows)``, ``("sources", [(anchor, title, text)])``.
Text may hold ``[words](#anchor)`` links to the brief's own source list and `code`.
"""

from __future__ import annotations

import base64
import html
import math
import re
import shutil
from pathlib import Path

from sim.report.i18n import LANGUAGES, _, current, number, percent
from sim.report.words import (
    ASSUMPTION_WORDS,
    assumption_words,
    cite_sources,
    cited_anchors,
    described_words,
    is_assumption,
    source_entries,
)
from sim.run.notes import INHERITED_NOTE


# ---------------------------------------------------------------- files of each language
# Each language's brief and charts lie beside the others': English (the default) as brief.md,
# brief.html and <chart>.png, Swedish as brief.sv.md, brief.sv.html and <chart>.sv.png,
# Norwegian as brief.nb.*. Rendering a sweep again in another language (``python -m
# sim.aggregate <folder> report.language=sv``) adds its files and keeps the others.
def tagged(name: str, lang: str | None = None) -> str:
    """``brief.html`` in the current language's file name: ``brief.sv.html`` (English: as is)."""
    lang = lang or current()
    if lang == "en":
        return name
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{lang}.{ext}" if dot else f"{name}.{lang}"


def write_brief(out: Path, blocks, title: str) -> Path:
    """The brief as Markdown and HTML in ``out`` under the current language's names, beside
    the other languages' briefs of the same results (``keep_other_languages``); returns the
    Markdown file."""
    from sim.run.io import write_text

    write_text(out / tagged("brief.md"), _markdown(blocks))
    write_text(out / tagged("brief.html"), _html(blocks, title))
    keep_other_languages(out)
    return out / tagged("brief.md")


def language_of(name: str) -> str:
    """The language a brief's or chart's file is in, from its name (``brief.sv.html``: sv)."""
    parts = name.split(".")
    return parts[-2] if len(parts) > 2 and parts[-2] in LANGUAGES else "en"


def keep_other_languages(out: Path) -> None:
    """When ``out`` is the fresh folder that will replace a sweep's ``aggregate/`` (sim/study/
    aggregate.py writes there first) and its tables are the same as those of the ``aggregate/``
    it replaces, the briefs and charts of other languages written there earlier come along, so
    one language's brief never removes another's. Only regular files (never a link) are
    copied; nothing is copied when any table differs."""
    old = out.parent / "aggregate"
    if out.name == "aggregate" or not old.is_dir() or old.is_symlink():
        return
    tables = sorted(p.name for p in out.glob("*.csv"))
    if not tables or any(not (old / t).is_file() or (old / t).is_symlink()
                         or (old / t).read_bytes() != (out / t).read_bytes() for t in tables):
        return
    for path in old.iterdir():
        if (path.suffix in (".md", ".html", ".png", ".svg") and language_of(path.name) != current()
                and path.is_file() and not path.is_symlink() and not (out / path.name).exists()):
            shutil.copyfile(path, out / path.name)


def model_version() -> str:
    """``alliance-sim 0.1.0, commit 1a2b3c4`` (package version and git commit of the code)."""
    from importlib import metadata

    from sim.run.io import git_commit

    try:
        version = metadata.version("alliance-sim")
    except metadata.PackageNotFoundError:
        version = "unknown"
    commit = git_commit()
    return f"alliance-sim {version}" + (f", commit {commit[:10]}{'+dirty' * commit.endswith('+dirty')}"
                                        if commit else "")


def calibration_blocks(baseline_active: float, size: float, refit: str) -> list:
    """A warning paragraph when the simulated sector without the alliance holds more than 5%
    more or fewer freelancers than ``population.size`` (``size``): the chosen rules or parameters
    changed how long careers last and the entry rate is no longer calibrated; ``refit`` is the
    command that refits it. Empty when the sector holds its size."""
    from sim.study.stats import DRIFT_TOLERANCE, pool_drift

    if not (math.isfinite(baseline_active) and size):
        return []
    drift = pool_drift(baseline_active, size)
    if abs(drift) <= DRIFT_TOLERANCE:
        return []
    words = dict(active=number(baseline_active), size=number(size), share=percent(abs(drift)),
                 command=refit)
    text = (_("Calibration warning: without the policy (the baseline) the simulated sector holds {active} "
              "freelancers on average, {share} more than the {size} it stands for. The rules or "
              "parameters chosen here change how long careers last, so the entry rate is not "
              "calibrated for this world; refit it with `{command}` before reading the numbers "
              "as the real sector's.") if drift > 0 else
            _("Calibration warning: without the policy (the baseline) the simulated sector holds {active} "
              "freelancers on average, {share} fewer than the {size} it stands for. The rules or "
              "parameters chosen here change how long careers last, so the entry rate is not "
              "calibrated for this world; refit it with `{command}` before reading the numbers "
              "as the real sector's."))
    return [("p", text.format(**words))]


def front_matter(title: str, represents: str, method: str) -> list:
    """The blocks every brief opens with: title, date, model version, what it represents."""
    import datetime

    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    return [("h1", title),
            ("meta", [(_("Date"), today), (_("Represents"), represents), (_("Model"), model_version()),
                      (_("How it was made"), method)])]


def source_blocks(anchors: list[str]) -> list:
    """The brief's list of the sources it cites, each with its anchor in docs/sources.md."""
    known = source_entries(lang=current())  # texts: the reader's where docs/sources.<lang>.md has them
    anchors = [a for a in anchors if a in known]
    anchors = list(dict.fromkeys(anchors))
    for a in anchors:  # entries an entry refers to ("as in B.6") come too, so every link resolves
        for b in re.findall(r"\]\(#([\w-]+)\)", known[a]["text"]):
            if b in known and b not in anchors:
                anchors.append(b)
    items = [(a, _(known[a]["title"]), known[a]["text"]) for a in anchors]  # titles: the reader's
    if not items:
        return []
    untranslated = any(known[a]["lang"] != current() for a in anchors)  # an entry left in English
    return [("h2", _("Sources")),
            ("p", _("Full list with every source the model uses: docs/sources.md in the model's "
                    "repository.") + (" " + _("The sources are quoted in their own language or in "
                                               "English.") if untranslated else "")),
            ("sources", items)]


def base_label(option: str) -> str:
    """A preset's name for a reader: its ``label`` (TeaterAlliansen) or its name, title-cased
    and translated (sweden: Sverige)."""
    import yaml

    from sim.report.paramdoc import CONFIG_DIR

    for path in CONFIG_DIR.glob(f"*/{option}.yaml"):
        data = yaml.safe_load(path.read_text()) or {}
        block = data.get("policy") if isinstance(data.get("policy"), dict) else data
        if block.get("label"):
            return _(str(block["label"]))
        return _(str(block.get("name", option)).title())
    return option


def source_cell(note: str, known: dict) -> tuple[str, list[str]]:
    """The source column of an assumption: links to the brief's source list, or 'assumption'."""
    anchors = cited_anchors(note, known)
    links = ", ".join(f"[{_(known[a]['title'])}](#{a})" for a in anchors)
    inherited = INHERITED_NOTE.match(note)
    if inherited:
        return _("assumption: the same as {preset}; see {sources}").format(
            preset=base_label(inherited["base"]), sources=links or "docs/sources.md"), anchors
    if is_assumption(note):
        links = _("assumption; see {sources}").format(sources=links) if links else _(
            "assumption (no direct source)")
    return links or _("assumption (no direct source)"), anchors


def assumption_tables(flat: dict, notes: dict, keys: list[str], currency: str,
                      wage_scale: float = 1.0, described=()) -> tuple[list[list[str]],
                                                                   list[list[str]], list[str]]:
    """(rows in words, appendix rows with config keys, cited source anchors) of ``keys``.
    ``described``: the policy description's assumptions (``sim.report.description``), which
    give the value, unit, meaning and source note of a key the config's blocks do not hold flat
    (a value per country, ``policy.taxed.sweden``) or the brief has no words for."""
    known = source_entries()
    by_key = {a["key"]: a for a in described}
    words, appendix, cited = [], [], []
    for key in keys:
        if key not in flat and key not in by_key:
            continue
        a = by_key.get(key)
        value_of = flat[key] if key in flat else a["value"]
        if key in ASSUMPTION_WORDS or a is None:
            name, value = assumption_words(key, value_of, currency, wage_scale,
                                           flat.get("country.name"))
        else:
            name, value = described_words(a, currency)
        note = notes.get(key) or (a or {}).get("source") or ""
        source, anchors = source_cell(note, known)
        cited += anchors
        words.append([name, value, source])
        note = cite_sources(note, known)  # the project's sources.md, not the fact sheets it cites
        see = ", ".join(f"[docs/sources.md#{anchor}](#{anchor})" for anchor in anchors
                        if f"(#{anchor})" not in note)
        appendix.append([f"`{key}`", str(value_of), note + (f" ({see})" if see else "")])
    return words, appendix, list(dict.fromkeys(cited))


def appendix_blocks(rows: list[list[str]]) -> list:
    return [("h2", _("Appendix for researchers"), "appendix"),
            ("p", _("The same assumptions by configuration key, with the source notes of the "
                    "config files (in English). Model description and every parameter: "
                    "docs/model.md. Reproduce: config.yaml and provenance.json in this folder.")),
            ("table", [_("config key"), _("value"), _("note in the config file")], rows)]


LINK = re.compile(r"\[([^\]]+)\]\((#[\w-]+)\)")


def _markdown(blocks) -> str:
    lines = []
    for kind, *rest in blocks:
        if kind == "h1":
            lines += [f"# {rest[0]}", ""]
        elif kind == "h2":
            lines += [f"## {rest[0]}", ""]
        elif kind == "h3":
            lines += [f"### {rest[0]}", ""]
        elif kind == "p":
            lines += [rest[0], ""]
        elif kind == "meta":
            lines += [f"**{k}:** {v}  " for k, v in rest[0]] + [""]
        elif kind == "ul":
            lines += [f"- {item}" for item in rest[0]] + [""]
        elif kind == "img":
            lines += [f"![{rest[0]}]({rest[1].name})", ""]
        elif kind == "sources":
            for anchor, title, text in rest[0]:
                lines += [f'<a id="{anchor}"></a>**{title}** (docs/sources.md#{anchor})', "", text, ""]
        elif kind == "table":
            header, rows = rest
            lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
            lines.append("")
    return "\n".join(lines)


def _inline(text: str) -> str:
    """Escaped HTML of a line of brief text: links to anchors, URLs and `code` kept."""
    out = html.escape(text)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"<em>\1</em>", out)
    out = LINK.sub(r'<a href="\2">\1</a>', out)
    return re.sub(r"(?<![\"=])(https?://[^\s<]+)", r'<a href="\1">\1</a>', out)


PRINT_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:920px;margin:2em auto;padding:0 1em;"
    "line-height:1.5;color:#222}img{max-width:100%}table{border-collapse:collapse;width:100%}"
    "td,th{border:1px solid #ccc;padding:4px 8px;font-size:0.9em;text-align:left;vertical-align:top}"
    "figure{margin:1.5em 0}figcaption{font-size:0.85em;color:#555}dl.meta{display:grid;"
    "grid-template-columns:max-content 1fr;gap:0 1em;font-size:0.9em;color:#444}dl.meta dt"
    "{font-weight:600}dl.meta dd{margin:0}.source{font-size:0.85em;margin:0.6em 0}"
    ".source p{margin:0.2em 0}code{font-size:0.9em}a{color:#0b5cad;word-break:break-word}"
    "@page{size:A4;margin:18mm 16mm}"
    "@media print{body{max-width:none;margin:0;font-size:10.5pt}"
    "figure,tr,.source{break-inside:avoid}h2{break-after:avoid}thead{display:table-header-group}"
    "h2.appendix{break-before:page}a{color:inherit;text-decoration:none}}")


def _html(blocks, title: str, lang: str | None = None) -> str:
    """The brief as one HTML page with its charts inline; ``lang``: the page's language (None:
    the current one, sim/report/i18n.py)."""
    body = []
    for kind, *rest in blocks:
        if kind in ("h1", "h3", "p"):
            body.append(f"<{kind}>{_inline(rest[0])}</{kind}>")
        elif kind == "h2":
            cls = ' class="appendix"' if rest[1:] == ["appendix"] or rest[0].startswith("Appendix") else ""
            body.append(f"<h2{cls}>{_inline(rest[0])}</h2>")
        elif kind == "meta":
            body.append('<dl class="meta">' + "".join(
                f"<dt>{html.escape(k)}</dt><dd>{_inline(v)}</dd>" for k, v in rest[0]) + "</dl>")
        elif kind == "ul":
            body.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in rest[0]) + "</ul>")
        elif kind == "img":
            data = base64.b64encode(rest[1].read_bytes()).decode()
            body.append(f'<figure><img alt="{html.escape(rest[0])}" src="data:image/png;base64,'
                        f'{data}"><figcaption>{html.escape(rest[0])}</figcaption></figure>')
        elif kind == "sources":
            for anchor, name, text in rest[0]:
                paras = "".join(f"<p>{_inline(' '.join(para.split()).removeprefix('- '))}</p>"
                                for para in re.split(r"\n\s*\n|\n(?=- )", text) if para.strip())
                body.append(f'<div class="source" id="{anchor}"><strong>{html.escape(name)}</strong> '
                            f'<span>(docs/sources.md#{anchor})</span>{paras}</div>')
        elif kind == "table":
            header, rows = rest
            head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
            cells = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>"
                            for row in rows)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>")
    return (f"<!doctype html><html lang=\"{lang or current()}\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(title)}</title><style>{PRINT_CSS}</style></head>"
            f"<body>{''.join(body)}</body></html>\n")
