"""The documentation names every outcome and parameter the code defines, its generated pages are
current, every relative link resolves and the README stays short."""

import dataclasses
import re
from pathlib import Path

import pytest

from sim.model.outcomes import EFFECT_ONLY, OUTCOMES
from sim.model.spec import POLICY_GROUPS, RULE_GROUPS, WORLD_BLOCKS
from sim.run.config import build_spec, compose_config

ROOT = Path(__file__).resolve().parent.parent


DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "experiments" / "README.md"]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
README_MAX_LINES = 150


def test_outcome_pages_list_every_outcome():
    for doc in ("docs/outcomes.md", "docs/model.md"):
        text = (ROOT / doc).read_text()
        missing = [name for name in {**OUTCOMES, **EFFECT_ONLY} if f"`{name}`" not in text]
        assert missing == [], (doc, missing)


def test_model_doc_lists_every_parameter():
    text = (ROOT / "docs/model.md").read_text()
    spec, _ = build_spec(compose_config({}))
    blocks = {**{k: getattr(spec, k) for k in WORLD_BLOCKS},
              **{k: getattr(spec, k) for k in POLICY_GROUPS},
              **{k: getattr(spec.rules, k) for k in RULE_GROUPS}}
    missing = [f"{block}.{f.name}" for block, obj in blocks.items()
               for f in dataclasses.fields(obj) if f"`{block}.{f.name}`" not in text]
    assert missing == []


def test_generated_parameter_tables_are_current():
    from sim.report import outcomedoc
    from sim.report.paramdoc import (
        BEGIN,
        DOC,
        END,
        LEFT_OUT_BEGIN,
        LEFT_OUT_END,
        render,
        render_left_out,
    )

    assert outcomedoc.PAGE.read_text(encoding="utf-8") == outcomedoc.render(), (
        "run `uv run python -m sim.paramdoc` to refresh docs/outcomes.md")
    text = DOC.read_text()
    assert text[text.index(BEGIN): text.index(END) + len(END)] == render(), (
        "run `uv run python -m sim.paramdoc` to refresh docs/model.md")
    left_out = text[text.index(LEFT_OUT_BEGIN): text.index(LEFT_OUT_END) + len(LEFT_OUT_END)]
    assert left_out == render_left_out()


def anchors(path: Path) -> set[str]:
    """The anchors a Markdown page offers: GitHub's slug of each heading, and explicit ids."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)  # headings inside code are not
    found = set(re.findall(r"""(?:id|name)=["']([^"']+)["']""", text))
    for heading in re.findall(r"^#{1,6} +(.+?) *#*$", text, flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def broken_links(doc: Path) -> list[str]:
    broken = []
    for target in LINK.findall(doc.read_text(encoding="utf-8")):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ...
            continue
        path, _, anchor = target.partition("#")
        where = doc if not path else (doc.parent / path).resolve()
        if not where.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and where.suffix == ".md" and anchor not in anchors(where):
            broken.append(f"{target} (no such heading)")
    return broken


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(doc):
    assert broken_links(doc) == []


def test_the_link_check_can_fail(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# A title\n\n[ok](#a-title) [gone](nowhere.md) [bad](#no-title) "
                    "[web](https://example.org)\n")
    assert broken_links(page) == ["nowhere.md (no such file)", "#no-title (no such heading)"]


def test_the_readme_fits_on_two_screens_and_points_each_audience_to_its_guide():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= README_MAX_LINES
    for guide in ("docs/analysts.md", "docs/researchers.md", "docs/advocates.md"):
        assert f"]({guide})" in text
