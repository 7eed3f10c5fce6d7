"""Briefs for readers outside the team: plain words, rounding, sources that resolve, a real title,
date and version, config keys only in the appendix, and the CI-includes-zero wording."""

import re
from pathlib import Path

import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim import compose_config
from sim.report.words import (
    ASSUMPTION_WORDS,
    cited_anchors,
    interval,
    link_citations,
    rounded,
    source_entries,
)
from sim.run.io import write_json
from sim.study.sweep import COMPLETE
from tests.conftest import write_job_tables

ROOT = Path(__file__).resolve().parents[1]
ANCHORS = set(source_entries())


# ---------------------------------------------------------------- words and numbers
@pytest.mark.parametrize(("args", "said"), [
    ((62.3, 53.6, 71.0), "62 (95% CI 54 to 71)"),
    ((36.3, 22.3, 50.2), "36 (95% CI 22 to 50)"),
    ((-0.0578, -0.221, 0.105), "-0.06 (95% CI -0.22 to 0.10)"),
    ((844.0, 805.0, 886.0), "840 (95% CI 800 to 890)"),
    ((30.2, 0.4, 55.0), "30 (95% CI 0 to 55)"),
    ((154.0, 153.2, 154.9), "154 (95% CI 153 to 155)"),
    ((0.0, 0.0, 0.0), "0 (95% CI 0 to 0)"),
])
def test_intervals_are_rounded_to_their_width(args, said):
    assert interval(*args) == said


def test_rounded_numbers_have_no_false_precision():
    assert [rounded(x) for x in (62.3, 0.702, 1234.5, 50.0)] == ["62", "0.7", "1,200", "50"]
    assert rounded(float("nan")) == "n/a"


def test_every_citation_in_the_configs_and_docs_resolves_to_an_entry_of_sources_md():
    cites = re.compile(r"(behaviour\.md[^,;)\"\]]{0,14}|alliances(-2)?\.md[^,;)\"\]]{0,8}|\bA §[\d.]+)")
    files = [*(ROOT / "configs").rglob("*.yaml"), ROOT / "docs" / "model.md"]
    unresolved = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            for m in cites.finditer(line):
                if not cited_anchors(line[m.start():m.start() + 40]):
                    unresolved.append(f"{path.name}: {m.group(0)}")
    assert not unresolved, unresolved


def test_docs_link_only_to_anchors_that_exist_and_never_outside_the_project():
    model = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    assert "../shared" not in model and "shared/reference" not in model
    links = re.findall(r"\]\(sources\.md#([\w-]+)\)", model)
    assert links and set(links) <= ANCHORS
    inner = re.findall(r"\]\(#([\w-]+)\)", (ROOT / "docs" / "sources.md").read_text(encoding="utf-8"))
    assert set(inner) <= ANCHORS
    assert link_citations("a rate (behaviour.md B.11)") == "a rate ([behaviour.md B.11](sources.md#b-11))"


def test_every_assumption_a_brief_lists_has_plain_words():
    from omegaconf import OmegaConf

    from sim.report.description import assumptions_listed, describe_config

    config = OmegaConf.to_container(compose_config({}), resolve=True)
    keys = set(assumptions_listed(config["report"]["assumptions"], describe_config(config)))
    assert keys <= set(ASSUMPTION_WORDS), keys - set(ASSUMPTION_WORDS)


# ---------------------------------------------------------------- briefs
OUTCOMES = {  # outcome: (baseline, effect per seed) at the funded level
    "alliance_members": (0.0, [150, 152, 154]),
    "active_workforce": (2500.0, [40, 42, 44]),
    "experienced_workforce": (1000.0, [45, 47, 49]),
    "retention_10y": (0.18, [-0.001, 0.0005, 0.001]),
    "births_per_year": (98.0, [-1.0, 0.1, 1.2]),  # a CI that includes zero
    "births_per_1000_person_years": (40.0, [-0.5, -0.6, -0.7]),
    "public_cost_m": (-2400.0, [30, 31, 33]),
    "grant_net_m": (0.0, [36, 36, 36]),
    "taxes_returned_m": (2500.0, [3, 2, 1]),
    "benefits_m": (46.0, [-3, -3, -2]),
    "health_care_m": (5.0, [-0.1, -0.1, 0.0]),
    "parental_benefit_m": (6.0, [0.0, -0.1, 0.0]),
    "cost_per_retained_worker_year_k": (0.0, [800, 840, 880]),
}


def _config() -> dict:
    composed = compose_config(["experiment=funding_sweep"])
    cfg = {k: OmegaConf.to_container(composed[k], resolve=True) if OmegaConf.is_config(composed[k])
           else composed[k] for k in composed if k not in ("hydra", "calibration", "targets")}
    return cfg  # resolved, as a job's marker holds it


def _job(folder: Path, level: float, config: dict, num: int, policy: dict | None = None) -> None:
    """A finished sweep job at grant ``level``; its marker carries the policy's description
    (``policy``; None: as the sweep writes it for ``config``)."""
    job = folder / f"policy.funding_m={level:g}"
    job.mkdir(parents=True)
    share = 1.0 if level else 0.0
    files = write_job_tables(job, {name: (base, [e * share for e in effects])
                                   for name, (base, effects) in OUTCOMES.items()}, 100.0)
    config = {**config, "policy": {**config["policy"], "funding_m": level}}
    choices = {"policy": "teateralliansen", "sector": "theatre", "country": "sweden",
               "exit": "stress_hazard", "fertility": "hadwiger", "health": "stress_episodes",
               "demand": "market", "admission": "qualifying_windows"}
    if policy is None:
        from sim.report.description import describe_config

        policy = describe_config(config, choices)
    write_json(job / COMPLETE, {
        "fingerprint": "f", "job_dir": job.name, "code": "abc", "git_commit": "c0ffee", "packages": {},
        "job_num": num,
        "overrides": [f"policy.funding_m={level:g}"], "experiment": "funding_sweep", "seeds": [0, 1, 2],
        "config": config, "currency": "SEK", "report": config["report"], "choices": choices,
        "policy": policy, "files": files})


def _check_brief(out: Path, title_words: str) -> tuple[str, str]:
    html = (out / "brief.html").read_text(encoding="utf-8")
    md = (out / "brief.md").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", html).group(1)
    assert title_words in title and "_" not in title
    assert '<html lang="en">' in html and "@media print" in html
    assert re.search(r"\d{4}-\d{2}-\d{2}", md.split("## Headline")[0])  # a date up front
    assert "alliance-sim" in md.split("## Headline")[0]  # the model version
    assert "TeaterAlliansen as it runs today" in md
    # config keys only in the appendix for researchers
    body, appendix = md.split("## Appendix for researchers")
    from sim.report.description import assumptions_listed, describe_config

    keys = set(assumptions_listed(_config()["report"]["assumptions"], describe_config(_config())))
    assert not [k for k in keys if k in body], "config keys outside the appendix"
    assert all(f"`{k}`" in appendix for k in keys)
    assert "behaviour.md" not in body and "alliances.md" not in body
    # every link to a source resolves in the brief and in docs/sources.md
    links = set(re.findall(r'href="#([\w-]+)"', html))
    ids = set(re.findall(r'id="([\w-]+)"', html))
    assert links and links <= ids and links <= ANCHORS
    assert set(re.findall(r"docs/sources\.md#([\w-]+)", md)) <= ANCHORS
    return md, html


def test_a_funding_brief_speaks_plainly_and_cites_sources_that_exist(tmp_path):
    from sim.report.briefs import write_report
    from sim.study.aggregate import load

    config = _config()
    for num, level in enumerate((0.0, 40.0)):
        _job(tmp_path / "sweep", level, config, num)
    sweep = load(tmp_path / "sweep")
    out = tmp_path / "report"
    out.mkdir()
    write_report(sweep, out)
    md, _ = _check_brief(out, "What TeaterAlliansen buys: talent, births and net public cost")
    headlines = md.split("## Headline numbers")[1].split("## ")[0]
    births = next(line for line in headlines.splitlines() if "births to freelancers" in line)
    assert "the 95% CI includes zero" in births
    people = next(line for line in headlines.splitlines() if "keeps" in line)
    assert "includes zero" not in people
    # rounded to the interval, not 47.0 or 46.99; 47 experienced against 42 in all: never "of
    # them", fewer newcomers stay (issue 20 item 4, tests/test_brief_words.py)
    assert "keeps 47 (95% CI 42 to 52) more people with ten or more years" in people
    assert "of them" not in people and "fewer newcomers stay" in people
    assert "Savings keep people in the profession | twice the savings: leaving 29% less likely" in md


def test_a_single_run_writes_a_short_brief(tmp_path):
    from sim.report.run_brief import write_run_brief
    from sim.study.stats import summarise

    config = _config()
    rows = [{"seed": s, "arm": arm, "outcome": o, "value": base + (e[s] if arm != "baseline" else 0)}
            for o, (base, e) in OUTCOMES.items() for s in range(3) for arm in ("baseline", "policy")]
    rows += [{"seed": s, "arm": "effect", "outcome": o, "value": e[s]}
             for o, (_, e) in OUTCOMES.items() for s in range(3)]
    from sim.model.outcomes import UNITS

    summary = summarise(pd.DataFrame(rows), UNITS)
    write_run_brief(summary, config, {"policy": "teateralliansen", "exit": "stress_hazard"}, 3,
                    tmp_path)
    md, _ = _check_brief(tmp_path, "What 40 million SEK a year buys: TeaterAlliansen")
    assert "the 95% CI includes zero" in md and "## Sources" in md
