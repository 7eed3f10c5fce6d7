"""Briefs and charts in Swedish and Norwegian (report.language, sim/report/i18n.py).

The catalogues are complete (every extracted message has a translation with the same
placeholders), the extracted template is up to date with the code and configs, and a tiny
funding sweep written in sv and in nb leaves no English in its brief or in its charts' texts.
"""

from __future__ import annotations

import html
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

from sim.report.i18n import LOCALE_DIR, _, language, localise_axes, localise_number, number
from tests.conftest import run_module

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("sv", "nb")
TINY = ["seeds=2", "population.scale=20", "demand=market", "burn_in_years=1", "horizon_years=11"]
# Common English words; none may be left in a Swedish or Norwegian brief or chart. (Words that
# are also Swedish or Norwegian, such as "per", "extra", "for", "in", are not listed.)
ENGLISH_WORDS = """the and with without grant grants million millions year years people cost costs
alliance alliance's of to more is are by an at each net freelancers freelancer births birth
funding public assumption assumptions source sources what model leaves out from not change
workforce experienced retention benefit benefits taxes chart charts headline numbers date how
made represents which that this those they keeps kept newcomers profession month months
against zero includes saving every level levels studied pays itself share pay work working
extra-experienced about than less times fewer higher none value key note appendix researchers
"""
ENGLISH = frozenset(ENGLISH_WORDS.split())


def catalogue(lang: str):
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=lang)


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def template_ids(path: Path) -> set:
    with path.open("rb") as f:
        return {m.id for m in read_po(f) if m.id}


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_has_a_translation_with_the_same_placeholders(lang):
    template = template_ids(LOCALE_DIR / "messages.pot")
    translated = {m.id: m.string for m in catalogue(lang) if m.id}
    missing = sorted(str(m) for m in template if not translated.get(m))
    assert not missing, f"{lang}: messages without a translation: {missing}"
    for msgid, msgstr in translated.items():
        if isinstance(msgid, tuple):
            continue
        assert fields(msgstr) <= fields(msgid), (lang, msgid, msgstr)
        assert msgstr.count("\n") == msgid.count("\n"), (lang, msgid)  # chart titles keep lines


def test_template_is_up_to_date(tmp_path):
    """Re-extracting the messages from the code and configs gives the committed template."""
    out = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F",
                    "sim/report/locale/babel.cfg", "-k", "N_", "-k", "ngettext:1,2", "-o", str(out), "."],
                   cwd=ROOT, check=True, capture_output=True)
    assert template_ids(out) == template_ids(LOCALE_DIR / "messages.pot"), (
        "run pybabel extract (sim/report/i18n.py says how) and translate the new messages")


def test_every_left_out_item_is_a_message():
    left_out = yaml.safe_load((ROOT / "configs" / "config.yaml").read_text())["report"]["left_out"]
    for lang in LANGS:
        with language(lang):
            assert all(_(item) != item for item in left_out), lang


def test_numbers_are_written_as_the_reader_expects():
    with language("sv"):
        assert number(12345.6, 1).replace("\xa0", " ") == "12 345,6"
        assert localise_number("1,234.5").replace("\xa0", " ") == "1 234,5"
    with language("nb"):
        assert number(1000).replace("\xa0", " ") == "1 000"
    assert number(12345.6, 1) == "12,345.6"


def english_words(text: str) -> list[str]:
    text = re.sub(r"[\w./#-]+\.(?:md|yaml|json)\S*|https?://\S+", " ", text)  # file names, URLs
    words = re.findall(r"[A-Za-z][A-Za-z']*", text)
    return sorted({w for w in words if w.lower() in ENGLISH})


def visible_text(page: str) -> str:
    """The brief's visible text up to its source list (sources are quoted in their own language
    or in English, and the researchers' appendix lists config notes), without proper nouns that
    are allowed: source titles, the model's name, the command."""
    from sim.report.words import source_entries

    page = re.sub(r"<style.*?</style>|<code>.*?</code>|<img[^>]*>", " ", page, flags=re.S)
    if '<div class="source"' in page:  # up to the Sources heading
        page = page.split('<div class="source"')[0].rsplit("<h2", 1)[0]
    page = page.split('<h2 class="appendix"')[0]
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    for entry in source_entries().values():
        text = text.replace(entry["title"], " ")
    return re.sub(r"alliance-sim[^;\n]*", " ", text)


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("i18n_sweep")
    proc = run_module("sim", ["-m", "experiment=funding_sweep", "policy.funding_m=0,40", *TINY,
                              "report.language=sv", f"hydra.sweep.dir={folder}", "hydra/launcher=basic"],
                      ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return folder


def chart_texts(fig) -> list[str]:
    texts = [t.get_text() for t in fig.texts]
    if fig._suptitle is not None:
        texts.append(fig._suptitle.get_text())
    for ax in fig.axes:
        texts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        texts += [t.get_text() for t in ax.texts]
        texts += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        legend = ax.get_legend()
        if legend is not None:
            texts += [t.get_text() for t in legend.get_texts()]
    return texts


def record_chart_texts(monkeypatch, module) -> list[str]:
    """Every text of the charts ``module`` saves from now on (titles, labels, legends, ticks),
    collected as the chart is saved; the list fills as charts are written."""
    name = "save_chart" if hasattr(module, "save_chart") else "_save"  # briefs / run charts
    texts, save = [], getattr(module, name)

    def recording_save(fig, out, *stem):
        localise_axes(fig)  # as the report's save does first
        fig.canvas.draw()  # tick labels exist only once drawn
        texts.extend(chart_texts(fig))
        return save(fig, out, *stem)

    monkeypatch.setattr(module, name, recording_save)
    return texts


@pytest.mark.parametrize("lang", LANGS)
def test_funding_sweep_brief_and_charts_have_no_english(sweep_folder, lang, tmp_path, monkeypatch):
    from sim.report import brief, briefs
    from sim.study.aggregate import load

    if lang == "sv":  # the sweep itself wrote its brief in Swedish
        page = (sweep_folder / "aggregate" / "brief.sv.html").read_text(encoding="utf-8")
        assert '<html lang="sv">' in page
    texts = record_chart_texts(monkeypatch, brief)
    briefs.write_report(load(sweep_folder), tmp_path, lang)  # re-rendered: no simulation
    page = (tmp_path / f"brief.{lang}.html").read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in page
    text = visible_text(page)
    assert not english_words(text), f"{lang} brief: English words {english_words(text)}"
    assert any(t.strip() for t in texts)
    left = {t: english_words(t) for t in texts if english_words(t)}
    assert not left, f"{lang} charts: {left}"
    decimal = [t for t in texts if re.search(r"\d\.\d", t)]
    assert not decimal, f"{lang} charts: decimal points {decimal}"
    # a Swedish sweep: kronor to a Swede, Swedish kronor to a Norwegian (tests/test_brief_words.py)
    assert "miljoner kronor" in text if lang == "sv" else "millioner svenske kroner" in text


def test_single_run_brief_in_norwegian(tmp_path):
    """``python -m sim report.language=nb``: the run's brief and its two charts in Norwegian."""
    proc = run_module("sim", ["seeds=2", "population.scale=20", "burn_in_years=1", "horizon_years=11",
                              "report.language=nb", f"hydra.run.dir={tmp_path}"], ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    page = (tmp_path / "brief.nb.html").read_text(encoding="utf-8")
    assert '<html lang="nb">' in page
    text = visible_text(page)
    assert not english_words(text), english_words(text)
    assert "millioner svenske kroner" in text  # the default run is Swedish


@pytest.mark.parametrize(("study", "swept", "lang"), [
    ("sectors", "sector=theatre,dance", "nb"), ("funding_cut", "policy.cut_share=0,0.12", "sv")])
def test_other_studies_briefs_and_charts_have_no_english(study, swept, lang, tmp_path, monkeypatch):
    from sim.report import brief, briefs
    from sim.study.aggregate import load

    folder = tmp_path / "sweep"
    proc = run_module("sim", ["-m", f"experiment={study}", swept, *TINY, "output.charts=false",
                              f"hydra.sweep.dir={folder}", "hydra/launcher=basic"], ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    texts = record_chart_texts(monkeypatch, brief)
    briefs.write_report(load(folder), tmp_path, lang)
    text = visible_text((tmp_path / f"brief.{lang}.html").read_text(encoding="utf-8"))
    assert not english_words(text), english_words(text)
    left = {t: english_words(t) for t in texts if english_words(t)}
    assert not left, left
    assert not [t for t in texts if re.search(r"\d\.\d", t)]


@pytest.mark.parametrize("lang", LANGS)
def test_sensitivity_brief_has_no_english(lang, tmp_path):
    """The sensitivity study's brief and chart (synthetic indices: no runs needed)."""
    import types

    import pandas as pd

    from sim.report.brief import write_sensitivity_report

    params = ["policy.member_exit_hr", "exit.beta_buffer", "sector.outside_wage"]
    outcomes = ["effect.retention_10y", "effect.experienced_workforce", "effect.public_cost_m"]
    indices = pd.DataFrame([{"outcome": o, "parameter": p, "importance": 0.1 * (i + 1),
                             "relative": (i + 1) / 6} for o in outcomes
                            for i, p in enumerate(params)])
    s = types.SimpleNamespace(method="morris", problem={"num_vars": len(params)})
    config = yaml.safe_load((ROOT / "configs" / "sector" / "theatre.yaml").read_text())
    markers = [{"seeds": [0, 1], "config": {"sector": config["sector"],
                                            "country": {"name": "sweden"},
                                            "policy": {"label": "TeaterAlliansen"}},
                "report": {"language": lang}}]
    write_sensitivity_report(indices, s, markers, tmp_path)
    page = (tmp_path / f"brief.{lang}.html").read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in page
    text = visible_text(page)
    assert "morris" in text  # the method, in the text the English scan saw
    assert not english_words(text), english_words(text)


def test_app_charts_in_swedish():
    """The app's charts (python -m sim.app, language selector) say their words in Swedish."""
    import pandas as pd

    from sim.app import figures
    from sim.app.view import SWEEP_OUTCOMES

    effects = pd.DataFrame([{"outcome": o, "policy.funding_m": x, "effect": x / 10,
                             "effect_ci_low": x / 20, "effect_ci_high": x / 5}
                            for o in SWEEP_OUTCOMES for x in (0.0, 40.0)])
    with language("sv"):
        fig = figures.sweep_figure(effects, 40.0, "SEK", _("Finished sweeps for this world"))
        fig.canvas.draw()
        texts = chart_texts(fig)
    left = {t: english_words(t) for t in texts if english_words(t)}
    assert not left, left
    assert any("mnkr" in t for t in texts)


@pytest.mark.parametrize("lang", LANGS)
def test_uncertainty_lines_of_the_funding_brief(lang):
    """The sentences a funding brief quotes from a sibling uncertainty study (its own brief:
    test_uncertainty_brief_and_charts_have_no_english)."""
    import pandas as pd

    from sim.report.description import named
    from sim.report.uncertainty_brief import drivers_sentence, worlds_sentence

    drivers = pd.DataFrame([{"level": 40.0, "outcome": "effect.public_cost_m", "rank": i + 1,
                             "parameter": p, "spearman": rho} for i, (p, rho) in enumerate(
        [("sector.outside_wage", 0.6), ("exit.beta_buffer", -0.3), ("nobody.knows", 0.2)])])
    params = pd.DataFrame({"parameter": ["sector.outside_wage"], "meaning": ["pay of leavers"]})
    with language(lang):
        who = named({"noun": "the alliance"})
        text = " ".join([worlds_sentence(p, 50, who) for p in (0.0, 0.01, 0.42, 0.99, 1.0)]
                        + [drivers_sentence(drivers, params, 40.0, "effect.public_cost_m",
                                            _("the net cost"))])
    assert not english_words(re.sub(r"`[^`]+`", " ", text)), english_words(text)
    assert "0,60" in text


def test_the_same_sweep_in_another_language_reuses_its_jobs(sweep_folder):
    """report.language is not part of a job: the same command in nb skips every finished job and
    writes the brief again in Norwegian (and needs no new folder)."""
    proc = run_module("sim", ["-m", "experiment=funding_sweep", "policy.funding_m=0,40", *TINY,
                              "report.language=nb", f"hydra.sweep.dir={sweep_folder}",
                              "hydra/launcher=basic"], ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stderr.count("already complete") == 2, proc.stderr[-2000:]
    aggregate = sweep_folder / "aggregate"
    page = (aggregate / "brief.nb.html").read_text(encoding="utf-8")
    assert '<html lang="nb">' in page
    # each language beside the others: the Swedish brief of the first command is still there
    assert '<html lang="sv">' in (aggregate / "brief.sv.html").read_text(encoding="utf-8")
    assert "workforce_over_time.sv.png" not in (aggregate / "brief.nb.md").read_text()
    assert (aggregate / "talent_vs_funding.sv.png").is_file()
    from sim.cli.preflight import default_sweep_dir

    assert default_sweep_dir("funding_sweep", ["seeds=2", "report.language=sv"]) == \
        default_sweep_dir("funding_sweep", ["seeds=2"])


def synthetic_uncertainty_tables(draws: int = 16):
    """Every table of an uncertainty study from made-up samples (no simulation): the study's
    own analysis of a random design at two grants."""
    import numpy as np
    import pandas as pd

    from sim import compose_config
    from sim.study import uncertainty as unc
    from sim.study.sensitivity import model_config

    cfg = compose_config(["experiment=uncertainty", f"uncertainty.draws={draws}",
                          "uncertainty.levels=[20,40]"])
    s = unc.settings(cfg)
    rng = np.random.default_rng(3)
    # baseline levels at the middle of each fact's range, except in every fourth world, which
    # misses them all (so both the kept and the rejected worlds are drawn)
    facts, _ = unc.judged(s, model_config(cfg, "uncertainty"))
    middle = {f"baseline.{f.outcome}": f.centre * f.relative_to for f in facts}

    def value(d, name):
        if name in middle:
            return middle[name] * (3.0 if d % 4 == 0 else 1.0)
        return rng.normal(-1.0 if name == "effect.public_cost_m" else 5.0, 3.0)

    rows = [{"draw": d, "level": lv, "seed": seed, "outcome": name, "value": value(d, name)}
            for d in range(draws) for lv in (20.0, 40.0) for seed in (0, 1) for name in s.evaluated]
    samples = pd.DataFrame(rows)
    return unc.analyse(s, samples, model_config(cfg, "uncertainty")), s, cfg


@pytest.mark.parametrize("lang", LANGS)
def test_uncertainty_brief_and_charts_have_no_english(lang, tmp_path, monkeypatch):
    """The uncertainty study's own brief, acceptability curve and cost-effectiveness plane."""
    from omegaconf import OmegaConf

    from sim.report import uncertainty_brief as uncertainty

    tables, s, cfg = synthetic_uncertainty_tables()
    config = OmegaConf.to_container(cfg, resolve=True)
    markers = [{"seeds": [0, 1], "currency": "SEK", "config": config,
                "report": {"language": lang, "headline_level": 40}}]
    texts = record_chart_texts(monkeypatch, uncertainty)
    uncertainty.write_uncertainty_report(tables, s, markers, tmp_path)
    page = (tmp_path / f"brief.{lang}.html").read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in page
    text = visible_text(page)
    assert not english_words(text), f"{lang} brief: English words {english_words(text)}"
    appendix = html.unescape(re.sub(r"<[^>]+>", " ", page.split('<div class="source"')[-1]))
    assert ("scenariosökning" if lang == "sv" else "scenariosøk") in appendix
    assert len(texts) > 10
    left = {t: english_words(t) for t in texts if english_words(t)}
    assert not left, f"{lang} charts: {left}"
    assert not [t for t in texts if re.search(r"\d\.\d", t)]
    assert ("rimliga världar" if lang == "sv" else "plausible verdener") in text
    # a Swedish study: kronor to a Swede, Swedish kronor to a Norwegian (test_brief_words.py)
    assert ("mnkr" if lang == "sv" else "svenske kroner") in " ".join(texts)


@pytest.mark.parametrize("lang, words", [("sv", "vård, pensioner"),
                                         ("nb", "pensjon")])
def test_every_part_of_the_cost_chart_is_in_the_readers_language(lang, words):
    """A part whose label starts with the country's benefit ("{sickness}, care, ...") was left
    in English: only a bare placeholder is not a message."""
    from sim.report.charts import COST_PARTS, part_label

    with language(lang):
        labels = [part_label(label, "sweden") for label in COST_PARTS]
    assert any(words in label for label in labels), labels
    assert not any("care" in label or "benefits" in label for label in labels), labels
