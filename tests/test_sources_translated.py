"""The list of sources in the reader's language (issue 20 item 15): docs/sources.sv.md and
docs/sources.nb.md translate docs/sources.md entry by entry, and a Swedish or Norwegian brief cites
the project's own summaries from them (titles from the catalogues, as before)."""

import re
from pathlib import Path

import pytest

from sim.report.document import source_blocks
from sim.report.i18n import _, language
from sim.report.words import SOURCES, source_entries

DOCS = Path(__file__).resolve().parents[1] / "docs"
ENGLISH = SOURCES.read_text(encoding="utf-8")
ANCHOR = re.compile(r'<a id="([^"]+)"></a>')
URL = re.compile(r"https?://\S+")


def translation(lang: str) -> str:
    return (DOCS / f"sources.{lang}.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["sv", "nb"])
def test_translation_has_the_english_anchors_headings_links_and_urls(lang):
    text = translation(lang)
    assert ANCHOR.findall(text) == ANCHOR.findall(ENGLISH)
    heads = [line.split(" ")[0] for line in ENGLISH.splitlines() if line.startswith("#")]
    assert [line.split(" ")[0] for line in text.splitlines() if line.startswith("#")] == heads
    assert set(URL.findall(ENGLISH)) <= set(URL.findall(text))
    assert re.findall(r"\]\(#([\w-]+)\)", text) == re.findall(r"\]\(#([\w-]+)\)", ENGLISH)
    assert "docs/sources.md" in text.split("\n\n", 2)[1]  # says what it translates
    for link in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):  # relative links resolve
        if not link.startswith("http"):
            assert (DOCS / link).exists(), link


@pytest.mark.parametrize("lang", ["sv", "nb"])
def test_every_entry_of_a_translated_language_reads_from_its_file(lang):
    entries = source_entries(lang=lang)
    english = source_entries()
    assert set(entries) == set(english)
    assert all(e["lang"] == lang for e in entries.values())
    assert all(entries[a]["title"] == english[a]["title"] for a in entries)  # catalogue keys


def test_an_anchor_missing_from_the_translation_keeps_its_english_text(tmp_path):
    (tmp_path / "sources.md").write_text(
        '## <a id="x"></a>X\n\nEnglish x.\n\n## <a id="y"></a>Y\n\nEnglish y.\n', encoding="utf-8")
    (tmp_path / "sources.sv.md").write_text('## <a id="x"></a>X\n\nSvenskt x.\n', encoding="utf-8")
    entries = source_entries(tmp_path / "sources.md", lang="sv")
    assert (entries["x"]["text"], entries["x"]["lang"]) == ("Svenskt x.", "sv")
    assert (entries["y"]["text"], entries["y"]["lang"]) == ("English y.", "en")
    assert source_entries(tmp_path / "sources.md", lang="nb")["x"]["lang"] == "en"  # no file


def blocks(lang: str, anchors: list[str]) -> tuple[str, dict]:
    with language(lang):
        out = source_blocks(anchors)
        note = out[1][1]
        assert out[0] == ("h2", _("Sources"))
        assert _("The sources are quoted in their own language or in English.") not in note
    return note, {a: (title, text) for a, title, text in out[2][1]}


@pytest.mark.parametrize("lang, words", [
    ("sv", {"b-11": "Sparande minskar avgången", "a-1-1": "Grundad 1999 med 66 skådespelare",
            "wg-sweden": "Skatt och socialförsäkring", "ba-2": "Omkring 20 % av danska"}),
    ("nb", {"b-11": "Sparing reduserer frafallet", "a-1-1": "Stiftet 1999 med 66 skuespillere",
            "wg-sweden": "Skatt og trygd", "ba-2": "Om lag 20 prosent av danske"})])
def test_swedish_and_norwegian_briefs_cite_the_translated_summaries(lang, words):
    english = source_entries()
    note, items = blocks(lang, ["b-11", "a-1-1", "wg-sweden"])
    assert set(items) == {"b-11", "a-1-1", "wg-sweden", "ba-2"}  # b-11 refers to ba-2
    for anchor, phrase in words.items():
        title, text = items[anchor]
        assert phrase in text and text != english[anchor]["text"]
        with language(lang):
            assert title == _(english[anchor]["title"])  # titles still from the catalogues
        assert set(english[anchor]["urls"]) <= set(URL.findall(text))
    assert f"docs/sources.{lang}.md" in note


def test_an_english_brief_cites_the_english_summaries():
    english = source_entries()
    with language("en"):
        out = source_blocks(["b-11", "a-1-1"])
    items = {a: (title, text) for a, title, text in out[2][1]}
    assert items["b-11"] == (english["b-11"]["title"], english["b-11"]["text"])
    assert "Savings reduce leaving" in items["b-11"][1]
    assert "in English" not in out[1][1]


def test_a_brief_says_so_when_a_cited_entry_has_no_translation(monkeypatch):
    import sim.report.document as document

    def partly(path=SOURCES, lang=None):
        entries = source_entries(path, lang)
        entries["b-11"].update(text=source_entries()["b-11"]["text"], lang="en")
        return entries

    monkeypatch.setattr(document, "source_entries", partly)
    with language("sv"):
        note = document.source_blocks(["b-11"])[1][1]
        assert _("The sources are quoted in their own language or in English.") in note
