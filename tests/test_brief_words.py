"""What a reader of a brief reads in words: the currency and benefits of the country simulated in
the reader's language, headlines that never make a part larger than its whole, chart titles that
state what the headlines state, and where each language's brief is written (issue 20)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim import compose_config
from sim.report.document import tagged
from sim.report.i18n import currency, language, million, thousand
from sim.report.words import assumption_words, benefit
from tests.conftest import run_module

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- currency and benefits
@pytest.mark.parametrize(("lang", "cur", "unit", "prose", "small", "amount"), [
    ("en", "SEK", "M SEK", "million SEK", "thousand SEK", "SEK"),
    ("en", "NOK", "M NOK", "million NOK", "thousand NOK", "NOK"),
    ("sv", "SEK", "mnkr", "miljoner kronor", "tkr", "kr"),
    ("sv", "NOK", "mn NOK", "miljoner norska kronor", "tusen NOK", "NOK"),
    ("nb", "NOK", "mill. kr", "millioner kroner", "tusen kr", "kr"),
    ("nb", "SEK", "mill. SEK", "millioner svenske kroner", "tusen SEK", "SEK"),
])
def test_the_currency_is_the_countrys_and_the_words_the_readers(lang, cur, unit, prose, small,
                                                                amount):
    """"kr" and "kronor"/"kroner" only for the reader's own currency: a Norwegian reads
    "millioner kroner" as NOK, so a Swedish run says "millioner svenske kroner" to them."""
    with language(lang):
        assert (million(cur), million(cur, prose=True), thousand(cur), currency(cur)) == (
            unit, prose, small, amount)


NATIONAL = {"sweden": ("a-kassa", "föräldrapenning"), "norway": ("dagpenger", "foreldrepenger")}


@pytest.mark.parametrize("lang", ["en", "sv", "nb"])
@pytest.mark.parametrize(("country", "cur"), [("sweden", "SEK"), ("norway", "NOK")])
def test_benefits_are_named_as_the_country_simulated_names_them(lang, country, cur):
    other = next(c for c in NATIONAL if c != country)
    with language(lang):
        takeup = assumption_words("country.benefit_takeup", 0.5, cur, country=country)[0]
        parental = assumption_words("country.parental_replacement", 0.8, cur, country=country)[0]
        salary = assumption_words("policy.salary", 27000, cur, country=country)[1]
        said = " ".join([takeup, parental, benefit("unemployment", country)])
    assert NATIONAL[country][0] in takeup and NATIONAL[country][1] in parental.lower()
    assert not any(name in said for name in NATIONAL[other]), said
    home = {"sv": "SEK", "nb": "NOK"}.get(lang)
    assert salary.endswith("kr i månaden" if home == cur == "SEK" else
                           "kr i måneden" if home == cur else f"{cur} a month" if lang == "en"
                           else f"{cur} i m" + ("ånaden" if lang == "sv" else "åneden")), salary


def run_config(*overrides: str) -> dict:
    return OmegaConf.to_container(compose_config(list(overrides)), resolve=True)


def run_summary(active=(25.5, 20.0, 31.0), experienced=(29.2, 26.0, 32.4)) -> pd.DataFrame:
    """A single run's summary table (as ``python -m sim`` writes it) in which the alliance keeps
    more experienced people than people in all: fewer newcomers stay."""
    rows = {"alliance_members": (0, 80, 80, 80, 80), "active_workforce": (2500, 2525.5, *active),
            "experienced_workforce": (1200, 1229.2, *experienced),
            "retention_10y": (0.40, 0.38, -0.02, -0.04, 0.0),
            "births_per_year": (60, 61, 1, -1, 3), "public_cost_m": (-1800, -1790, 10, 8, 12)}
    out = []
    for outcome, values in rows.items():
        if len(values) == 5:
            base, alli, eff, lo, hi = values
        else:
            (base, alli, (eff, lo, hi)) = values[0], values[1], values[2:]
        out.append({"outcome": outcome, "baseline": base, "policy": alli, "effect": eff,
                    "baseline_ci_low": base, "baseline_ci_high": base, "policy_ci_low": alli,
                    "policy_ci_high": alli, "effect_ci_low": lo, "effect_ci_high": hi})
    return pd.DataFrame(out)


def run_brief(tmp_path: Path, lang: str, *overrides: str, choices: dict | None = None) -> str:
    from sim.report.run_brief import write_run_brief

    with language(lang):
        write_run_brief(run_summary(), run_config(*overrides), choices, 2, tmp_path)
    return (tmp_path / tagged("brief.md", lang)).read_text(encoding="utf-8")


@pytest.mark.parametrize(("lang", "overrides", "said", "never"), [
    ("nb", [], ["millioner svenske kroner", "SEK i måneden", "a-kassa"],
     ["millioner kroner", " kr ", "dagpenger"]),
    ("sv", ["policy=skuda"], ["miljoner norska kronor", "NOK i månaden", "dagpenger"],
     ["miljoner kronor", " kr ", "a-kassa"]),
    ("sv", [], ["miljoner kronor", "kr i månaden", "a-kassa"], ["NOK", "dagpenger"]),
    ("nb", ["policy=skuda"], ["millioner kroner", "kr i måneden", "dagpenger"],
     ["NOK", "SEK", "a-kassa"]),
    ("en", ["policy=skuda"], ["million NOK", "NOK a month", "dagpenger"], ["SEK", "a-kassa"]),
])
def test_run_brief_names_the_currency_and_benefits_of_the_country(tmp_path, lang, overrides,
                                                                  said, never):
    text = run_brief(tmp_path, lang, *overrides)
    words = text.split("## ")  # up to the sources, which are quoted as written
    words = "## ".join(p for p in words if not p.startswith(("Källor", "Kilder", "Sources",
                                                               "Appendix", "Bilaga", "Vedlegg")))
    for s in said:
        assert s in words, (s, lang, overrides)
    for s in never:
        assert s not in re.sub(r"\(docs/sources\.md[^)]*\)|\[[^\]]*\]\(#[^)]*\)", " ", words), (
            s, lang, overrides)


# ---------------------------------------------------------------- the part and the whole
FEWER = {"en": "fewer newcomers stay", "sv": "färre nykomlingar stannar",
         "nb": "færre nykommere blir værende"}
OF_THEM = {"en": "of them", "sv": "varav", "nb": "hvorav"}


def funding_sweep(summary: pd.DataFrame, levels=(0.0, 40.0)):
    """A funding sweep as the report reads it (no simulation): one job per level, the run
    summary's values at every funded level."""
    import types

    jobs = pd.DataFrame({"job": [f"policy.funding_m={lv:g}" for lv in levels],
                         "policy.funding_m": list(levels)})
    rows = [{**r, "job": j, "policy.funding_m": lv} for j, lv in zip(jobs["job"], levels,
                                                                         strict=True)
            for r in summary.to_dict("records")]
    spec = {"charts": ["funding"], "x": "policy.funding_m", "headline_level": 40,
            "title": None, "assumptions": [], "left_out": []}
    return types.SimpleNamespace(markers=[{"report": spec, "seeds": [0, 1], "config": {}}],
                                 swept=["policy.funding_m"], jobs=jobs, currency="SEK",
                                 summary=pd.DataFrame(rows), contrast=pd.DataFrame(),
                                 experiment="funding_sweep")


@pytest.mark.parametrize("lang", ["en", "sv", "nb"])
def test_headlines_never_make_the_experienced_a_part_larger_than_the_whole(tmp_path, lang):
    """25.5 more people working, 29.2 more experienced: never "29.2 of them"; the brief says in
    words that fewer newcomers stay (single run and sweep alike)."""
    from sim.report.brief import headlines

    text = run_brief(tmp_path, lang)
    first = re.search(r"^- (.*)$", text, flags=re.M)[1]
    with language(lang):
        sweep_first = headlines(funding_sweep(run_summary()), "SEK")[0]
    for line in (first, sweep_first):
        assert OF_THEM[lang] not in line, line
        assert FEWER[lang] in line, line
        assert re.search(r"29[.,]2", line) and re.search(r"\b26 \(95", line), line
        assert re.search(r"3[.,]7", line), line  # the fewer less-experienced people, in number


def test_the_part_is_said_as_a_part_when_it_is_one(tmp_path):
    from sim.report.brief import headlines

    summary = run_summary(active=(40.0, 35.0, 45.0), experienced=(29.2, 26.0, 32.4))
    line = headlines(funding_sweep(summary), "SEK")[0]
    assert "40 (95% CI 35 to 45) more people working in the profession, 29" in line
    assert "of them" in line and "newcomers" not in line


# ---------------------------------------------------------------- a sweep over the grant
TINY = ["seeds=2", "population.scale=20", "burn_in_years=1", "horizon_years=11"]


@pytest.fixture(scope="module")
def adhoc_sweep(tmp_path_factory):
    """``python -m sim -m policy.funding_m=0,40,80`` (an ad-hoc sweep over the grant), tiny."""
    folder = tmp_path_factory.mktemp("adhoc") / "sweep"
    proc = run_module("sim", ["-m", "policy.funding_m=0,40,80", *TINY, f"hydra.sweep.dir={folder}",
                              "hydra/launcher=basic"], ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return folder


@pytest.fixture(scope="module")
def adhoc_briefs(adhoc_sweep, tmp_path_factory):
    """The ad-hoc sweep's brief written once in each language: ``lang -> (folder, charts)``,
    the charts as ``saved_charts`` records them."""
    from sim.report import briefs
    from sim.study.aggregate import load

    written = {}
    for lang in ("en", "sv", "nb"):
        with pytest.MonkeyPatch.context() as mp:
            seen = saved_charts(mp)
            out = tmp_path_factory.mktemp(f"brief-{lang}")
            briefs.write_report(load(adhoc_sweep), out, lang)
        written[lang] = (out, seen)
    return written


def saved_charts(monkeypatch):
    """(stem, figure) of every chart the briefs save from now on, as saved."""
    from sim.report import brief
    from sim.report.charts import smallest_printed_pt

    seen, save = [], brief.save_chart

    def recording(fig, out, stem):
        path = save(fig, out, stem)
        seen.append((stem, fig, smallest_printed_pt(fig)))
        return path

    monkeypatch.setattr(brief, "save_chart", recording)
    return seen


@pytest.mark.parametrize("lang", ["en", "sv", "nb"])
def test_the_sweep_chart_states_the_headlines_number_and_prints_readably(adhoc_briefs, lang):
    out, seen = adhoc_briefs[lang]
    text = (out / tagged("brief.md", lang)).read_text(encoding="utf-8")
    timeline = [fig for stem, fig, _pt in seen if stem == "workforce_over_time"]
    assert timeline
    title = timeline[0]._suptitle.get_text().replace("\n", " ")
    number = re.search(r"\d[\d\s\xa0.,−-]* \(95", title)[0]
    assert number in text.replace("\n", " "), (number, title)  # the headline's number
    assert "up to" not in title and "upp till" not in title and "opptil" not in title
    labels = [ax.get_xlabel() for ax in timeline[0].axes if ax.get_xlabel()]
    assert set(labels) == {{"en": "years from today", "sv": "år från i dag",
                            "nb": "år fra i dag"}[lang]}
    printed = [pt for stem, _fig, pt in seen if stem == "workforce_over_time"]
    assert printed[0] >= 7.95, printed  # at 8 pt or more on A4


@pytest.mark.parametrize("lang", ["en", "sv", "nb"])
def test_each_funding_charts_title_is_one_of_the_briefs_headlines(adhoc_briefs, lang):
    """Issue 24: each claim is worded once (sim/report/sentences.py). The title of each chart of
    the funding brief is one of its headline sentences, word for word, in every language."""
    out, seen = adhoc_briefs[lang]
    text = (out / tagged("brief.md", lang)).read_text(encoding="utf-8")
    headlines = {" ".join(line[2:].split()) for line in text.split("\n## ")[1].splitlines()
                 if line.startswith("- ")}
    titles = {}
    for stem, fig, _pt in seen:
        texts = [fig._suptitle.get_text()] if fig._suptitle else [ax.get_title() for ax in fig.axes]
        titles[stem] = " ".join(" ".join(texts).split())
    for stem in ("talent_vs_funding", "public_cost_vs_funding", "cost_per_worker_year",
                 "births_vs_funding", "workforce_over_time"):
        assert titles[stem] in headlines, (stem, titles[stem], headlines)


# ---------------------------------------------------------------- languages side by side
def test_rendering_another_language_keeps_the_english_brief(adhoc_sweep):
    """``python -m sim.aggregate <folder> report.language=sv`` (then nb) adds brief.sv.* and
    brief.nb.* beside brief.html and brief.md, which stay as they were, with their charts."""

    aggregate = adhoc_sweep / "aggregate"
    english = {name: (aggregate / name).read_bytes()
               for name in ("brief.html", "brief.md", "workforce_over_time.png")}
    for lang in ("sv", "nb"):
        proc = run_module("sim.aggregate", [str(adhoc_sweep), f"report.language={lang}"], ROOT)
        assert proc.returncode == 0, proc.stderr[-2000:]
    for name, content in english.items():
        assert (aggregate / name).read_bytes() == content, name
    for lang in ("sv", "nb"):
        page = (aggregate / f"brief.{lang}.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in page
        md = (aggregate / f"brief.{lang}.md").read_text(encoding="utf-8")
        assert f"(workforce_over_time.{lang}.png)" in md
        assert (aggregate / f"workforce_over_time.{lang}.png").is_file()
    assert "(workforce_over_time.png)" in english["brief.md"].decode()


# ---------------------------------------------------------------- sources in the reader's words
SKUDA_CHOICES = {"experiment": None, "policy": "skuda", "country": "norway", "sector": "dance",
                 "demand": "market", "admission": "qualifying_windows", "exit": "stress_hazard",
                 "income": "markov_engagement", "fertility": "hadwiger", "health": "stress_episodes"}


@pytest.mark.parametrize(("lang", "title", "same"), [
    ("sv", "Offentligfinansiella parametrar (Sverige och Norge, 2024)", "samma som för TeaterAlliansen"),
    ("nb", "Parametere for offentlige finanser (Sverige og Norge, 2024)",
     "det samme som for TeaterAlliansen"),
    ("en", "Public-finance parameters (Sweden and Norway, 2024)", "the same as TeaterAlliansen"),
])
def test_sources_are_cited_as_the_project_has_them_in_the_readers_words(tmp_path, lang, title,
                                                                        same):
    """A SKUDA brief: source titles in the reader's language; SKUDA's salary is TeaterAlliansen's
    by assumption (said so), its qualifying rule is its own; the appendix cites docs/sources.md,
    never the fact sheets the project does not ship (behaviour.md, alliances.md)."""
    text = run_brief(tmp_path, lang, "policy=skuda", choices=SKUDA_CHOICES)
    assert title in text
    if lang != "en":
        assert "Public-finance parameters" not in text
    rows = {line.split("|")[1].strip(): line for line in text.splitlines()
            if line.startswith("| ") and line.count("|") == 4}
    with language(lang):
        salary = assumption_words("policy.salary", 1, "NOK")[0]
        rule = assumption_words("admission.qualifying_share", 1, "NOK")[0]
    assert same in rows[salary], rows[salary]
    assert "#a-1-1" not in rows[rule], rows[rule]  # SKUDA's own rule: not TeaterAlliansen's source
    appendix = text.split("## ")[-1]
    assert "behaviour.md" not in appendix and "alliances.md" not in appendix, appendix
    assert "[docs/sources.md#b-11](#b-11)" in appendix


# ---------------------------------------------------------------- every sweep over the grant
TITLE = {"en": "talent, births and net public cost at each funding level",
         "sv": "talanger, födslar och offentlig nettokostnad vid varje bidragsnivå",
         "nb": "talenter, fødsler og offentlig nettokostnad ved hvert tilskuddsnivå"}


@pytest.mark.parametrize("lang", ["en", "sv", "nb"])
def test_an_adhoc_sweep_over_the_grant_gets_the_funding_studys_brief(adhoc_briefs, lang):
    """``-m policy.funding_m=0,40,80`` (issue 20 item 7): the funding study's title and charts
    against the grant (and, with few levels, the workforce over time), headlines of a funded
    level only, no "Compared with" lines repeating them, one demand model (the sweep ran one)."""
    from sim.report import brief
    from sim.report.i18n import _

    out, _seen = adhoc_briefs[lang]
    text = (out / tagged("brief.md", lang)).read_text(encoding="utf-8")
    first = text.splitlines()[0]
    with language(lang):
        assert first.endswith(_(brief.funding_study_report()["title"])), first
        from sim.report.words import demand_words

        under = _("Under {demand}:").format(demand=demand_words("market"))
    assert "comparison" not in first and TITLE[lang] in first
    for chart in ("talent_vs_funding", "public_cost_vs_funding", "cost_per_worker_year",
                  "births_vs_funding", "workforce_over_time"):
        assert f"({tagged(chart + '.png', lang)})" in text, chart
    headlines = text.split("## ")[1]
    assert "Compared with" not in headlines and "Jämfört med" not in headlines
    assert "Sammenlignet med" not in headlines
    assert re.search(r"\b40 (million|miljoner|millioner)", headlines), headlines
    assert not re.search(r"\b0 (million|miljoner|millioner)", headlines), headlines
    assert under not in headlines  # one demand model: no "Under ...:" paragraphs


def test_a_sweep_over_the_grant_and_both_demand_models_reports_each(tmp_path):
    """``-m policy.funding_m=0,40 demand=market,steady``: the headline under each demand model,
    the charts of the default (market), as in the funding study's brief."""
    folder = tmp_path / "sweep"
    proc = run_module("sim", ["-m", "policy.funding_m=0,40", "demand=market,steady", *TINY,
                              f"hydra.sweep.dir={folder}", "hydra/launcher=basic"], ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = (folder / "aggregate" / "brief.md").read_text(encoding="utf-8")
    assert TITLE["en"] in text.splitlines()[0]
    market, steady = text.index("Under a shared pool of roles:"), text.index("Under steady demand")
    assert market < steady
    assert text[market:steady].count("with a grant of 40 million SEK") == 1
    assert text[steady:].count("with a grant of 40 million SEK") == 1
    assert "(talent_vs_funding.png)" in text and "Why they differ" in text


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_a_single_runs_chart_titles_are_its_briefs_headlines(tmp_path, monkeypatch, lang):
    """Issue 24: the single run's cohort chart and public-cost chart are titled with the brief's
    own headline sentences (ten-year retention, the net effect on public finances), word for
    word, in the reader's language."""
    from sim.report import charts

    titles, save = {}, charts._save

    def recording(fig, path):
        texts = [fig._suptitle.get_text()] if fig._suptitle else [ax.get_title() for ax in fig.axes]
        titles[Path(path).name.split(".")[0]] = " ".join(" ".join(texts).split())
        return save(fig, path)

    monkeypatch.setattr(charts, "_save", recording)
    ran = run_module("sim", [*TINY, f"report.language={lang}", f"hydra.run.dir={tmp_path}"], ROOT)
    assert ran.returncode == 0, ran.stderr[-2000:]
    text = (tmp_path / tagged("brief.md", lang)).read_text(encoding="utf-8")
    headlines = {" ".join(line[2:].split()) for line in text.split("\n## ")[1].splitlines()
                 if line.startswith("- ")}
    for stem in ("cohort_survival", "public_cost"):
        assert titles[stem] in headlines, (stem, titles[stem], headlines)
