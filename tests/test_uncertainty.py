"""The uncertainty study (probabilistic sensitivity analysis): the acceptability curve, the Latin
hypercube, paying for itself, PRIM, bad settings, and a tiny study end to end."""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf
from scipy.stats import qmc

from sim import ConfigError, compose_config
from sim.study import uncertainty as unc
from sim.study.checks import checked_spec
from sim.study.prim import find_box, peel
from sim.study.sensitivity import model_config
from tests.conftest import run_module


def study(*overrides: str):
    return compose_config(["experiment=uncertainty", *overrides])


# ---------------------------------------------------------------- the acceptability curve
def test_acceptability_hand_computed_with_an_undefined_ratio():
    ratio = [50.0, np.nan, -10.0, 200.0]  # NaN: no extra workers, never acceptable
    assert unc.acceptability(ratio, [-20, 0, 50, 100, 300, 1e9]).tolist() == [
        0.0, 0.25, 0.5, 0.5, 0.75, 0.75]


ratios = st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                            st.just(np.nan)), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(ratio=ratios, thresholds=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=30))
def test_the_acceptability_curve_is_a_monotone_probability(ratio, thresholds):
    t = np.sort(np.asarray(thresholds))
    p = unc.acceptability(ratio, t)
    assert np.all((p >= 0) & (p <= 1))
    assert np.all(np.diff(p) >= 0)
    r = np.asarray(ratio, dtype=float)
    brute = [np.mean(~np.isnan(r) & (r <= x)) for x in t]  # the definition, draw by draw
    assert np.allclose(p, brute)


# ---------------------------------------------------------------- paying for itself
def test_pays_for_itself_and_the_cost_per_worker_year_on_a_hand_built_table():
    s = unc.settings(study("uncertainty.draws=4", "uncertainty.chunks=1"))
    # per draw, two seeds of (net public cost effect, extra workers):
    #   draw 0: cost -2, 0 (mean -1: pays);   workers 10, 10 -> -100 k per worker-year
    #   draw 1: cost 1, 3 (mean 2);          workers 4, 0   -> 1000 (the ratio of the means,
    #                                                            not the mean of the ratios)
    #   draw 2: cost 0, 0 (mean 0: pays);    workers -1, -1 -> undefined
    #   draw 3: cost 5, -1 (mean 2);         workers -3, 3  -> undefined (no extra workers)
    cost = {0: (-2, 0), 1: (1, 3), 2: (0, 0), 3: (5, -1)}
    workers = {0: (10, 10), 1: (4, 0), 2: (-1, -1), 3: (-3, 3)}
    rows = []
    for d in range(4):
        for i, seed in enumerate((0, 1)):
            for name in s.evaluated:
                value = {"effect.public_cost_m": cost[d][i],
                         "effect.active_workforce": workers[d][i]}.get(name, 1.0)
                rows.append({"draw": d, "level": 40.0, "seed": seed, "outcome": name, "value": value})
    samples = pd.DataFrame(rows)
    values = pd.DataFrame({"draw": range(4), **{k: 0.0 for k in s.names}})
    table = unc.draws_table(s, samples, values).assign(plausible=True)  # every world counts
    assert table["pays_for_itself"].tolist() == [True, False, True, False]
    ratio = table["effect.cost_per_retained_worker_year_k"].to_numpy()
    assert ratio[:2].tolist() == [-100.0, 1000.0] and np.isnan(ratio[2:]).all()
    summary = unc.summary_table(s, table, samples).iloc[0]
    assert summary["p_pays_for_itself"] == 0.5 and summary["draws_paying"] == 2
    assert summary["p_cost_effectiveness_undefined"] == 0.5
    assert summary["draws"] == summary["draws_plausible"] == 4
    # a world that does not match the data does not count: draw 0 (pays) rejected
    table.loc[table["draw"] == 0, "plausible"] = False
    summary = unc.summary_table(s, table, samples).iloc[0]
    assert summary["draws"] == 4 and summary["draws_plausible"] == 3
    assert summary["p_pays_for_itself"] == pytest.approx(1 / 3) and summary["draws_paying"] == 1
    table["plausible"] = True
    curve = unc.acceptability_table(s, table).set_index("threshold")["probability"]
    assert curve[0.0] == 0.25  # only draw 0 both pays and keeps workers
    # with threshold_max null the grid reaches the costliest world (draw 1: 1000 k)
    assert curve.index.max() == 1000.0 and curve[1000.0] == 0.5 and curve[990.0] == 0.25
    assert unc.acceptability(ratio, [999, 1000, 10**9]).tolist() == [0.25, 0.5, 0.5]
    # the median counts the undefined draws as the most expensive
    med = unc.intervals_table(s, table).set_index("outcome").loc[s.cost_effectiveness, "median"]
    assert med == 1000.0


def test_noise_share_is_the_within_world_variance_over_seeds():
    # two worlds, two seeds: means 1 and 3 (variance 2), within-world variances 2 and 2
    samples = pd.DataFrame({"draw": [0, 0, 1, 1], "value": [0.0, 2.0, 2.0, 4.0]})
    assert unc.noise_share(samples) == pytest.approx((2.0 / 2) / 2.0)
    assert np.isnan(unc.noise_share(pd.DataFrame({"draw": [0, 1], "value": [1.0, 2.0]})))


# ---------------------------------------------------------------- the Latin hypercube
def test_every_marginal_has_one_draw_per_stratum_inside_its_support():
    s = unc.settings(study("uncertainty.draws=24", "uncertainty.chunks=4"))
    u = unc.unit_design(s)
    X = unc.design(s)
    assert u.shape == X.shape == (24, len(s.names))
    for j, key in enumerate(s.names):
        assert sorted(np.floor(u[:, j] * 24).astype(int)) == list(range(24)), key
        d = unc.distribution(s, key)
        assert np.allclose(d.frozen().cdf(X[:, j]), u[:, j])  # the values keep the strata
        if d.dist in ("uniform", "triangular"):
            assert ((X[:, j] >= d.low) & (X[:, j] <= d.high)).all(), key
        if d.dist == "lognormal":
            assert (X[:, j] > 0).all()
    lognormal = unc.distribution(s, "health.insecurity_or").frozen()
    assert lognormal.ppf([0.025, 0.975]) == pytest.approx([1.06, 1.57])  # the source's 95% CI


def test_the_design_is_the_same_in_every_chunk_and_for_the_same_seed():
    designs = [unc.design(unc.settings(study("uncertainty.draws=16", f"uncertainty.chunk={c}")))
               for c in (0, 3, 7)]
    assert all(np.array_equal(designs[0], d) for d in designs[1:])
    assert np.array_equal(designs[0], unc.design(unc.settings(study("uncertainty.draws=16"))))
    other = unc.design(unc.settings(study("uncertainty.draws=16", "uncertainty.sample_seed=1")))
    assert not np.array_equal(designs[0], other)


def test_integer_keys_are_rounded_as_the_model_sees_them():
    cfg = study("uncertainty.draws=10", "uncertainty.chunks=1")
    s = unc.settings(cfg)
    values = unc.parameter_values(s, model_config(cfg, "uncertainty"))
    months = values["admission.rank_window_months"]
    assert all(isinstance(v, int) for v in months)
    column = s.names.index("admission.rank_window_months")
    assert (months == np.round(unc.design(s)[:, column])).all()


# ---------------------------------------------------------------- PRIM
def planted(n=400, noise=0.0):
    X = pd.DataFrame(qmc.LatinHypercube(d=4, rng=7).random(n), columns=list("abcd"))
    y = ((X["a"] < 0.3) & (X["c"] > 0.6)).to_numpy()
    flip = qmc.LatinHypercube(d=1, rng=8).random(n)[:, 0] < noise
    return X, y ^ flip


def test_prim_finds_a_planted_box():
    X, y = planted()
    box, trajectory = find_box(X, y, alpha=0.05, min_mass=0.05, min_coverage=0.5)
    limits = box.restricted(X)
    assert set(limits) == {"a", "c"}
    assert limits["a"][1] == pytest.approx(0.3, abs=0.03) and limits["c"][0] == pytest.approx(0.6, abs=0.03)
    assert box.density == 1.0 and box.coverage >= 0.9
    assert box.mass == pytest.approx(box.contains(X).mean())
    assert (np.diff(trajectory["mass"]) < 0).all() and (trajectory["mass"] >= 0.05).all()
    assert trajectory["coverage"].iloc[0] == 1.0 and trajectory["density"].iloc[0] == pytest.approx(y.mean())


def test_prim_finds_the_planted_box_through_noise_and_respects_the_minimum_mass():
    X, y = planted(noise=0.1)
    box, _ = find_box(X, y, alpha=0.05, min_mass=0.05, min_coverage=0.4)
    assert {"a", "c"} <= set(box.restricted(X))
    assert box.density > 0.7 > 2 * y.mean()
    assert all(b.mass >= 0.1 for b in peel(X, y, alpha=0.05, min_mass=0.1))


# ---------------------------------------------------------------- bad settings
def with_parameter(cfg, key, **entry):
    params = OmegaConf.to_container(cfg.uncertainty.parameters)
    params[key] = {**params.get(key, {"basis": "assumption", "source": "test"}), **entry}
    OmegaConf.update(cfg, "uncertainty.parameters", params, merge=False)
    return cfg


@pytest.mark.parametrize("key,entry,named", [
    ("policy.salary", {"low": 30000, "high": 21000}, "uncertainty.parameters.policy.salary.high"),
    ("policy.salary", {"dist": "beta"}, "uncertainty.parameters.policy.salary.dist"),
    ("policy.salary", {"mode": 40000}, "uncertainty.parameters.policy.salary.mode"),
    ("policy.salary", {"dist": "uniform"}, "uncertainty.parameters.policy.salary.mode"),
    ("policy.salary", {"basis": "hunch"}, "uncertainty.parameters.policy.salary.basis"),
    ("policy.salary", {"colour": "red"}, "uncertainty.parameters.policy.salary.colour"),
    ("policy.nope", {"dist": "uniform", "low": 0, "high": 1}, "uncertainty.parameters.policy.nope"),
    ("country.benefit_takeup", {"dist": "normal", "low": 0.3, "high": 1.4, "mode": None},
     "uncertainty.parameters.country.benefit_takeup"),  # draws above 1, a share
])
def test_bad_distributions_are_refused_naming_the_key(key, entry, named):
    cfg = with_parameter(study("uncertainty.draws=20"), key, **entry)
    with pytest.raises(ConfigError) as err:
        checked_spec(cfg)
    assert err.value.key == named, str(err.value)


@pytest.mark.parametrize("override,named", [
    ("uncertainty.levels=[0,40]", "uncertainty.levels"),
    ("uncertainty.levels=[40,40]", "uncertainty.levels"),
    ("uncertainty.draws=1", "uncertainty.draws"),
    ("uncertainty.chunk=8", "uncertainty.chunk"),
    ("uncertainty.net_cost=effect.nope", "uncertainty.net_cost"),
    ("uncertainty.cost_effectiveness=effect.public_cost_m", "uncertainty.cost_effectiveness"),
    ("uncertainty.level_label='{grant}'", "uncertainty.level_label"),
    ("uncertainty.outcomes=[effect.nope]", "uncertainty.outcomes"),
])
def test_bad_settings_are_refused_naming_the_key(override, named):
    with pytest.raises(ConfigError) as err:
        checked_spec(study(override))
    assert err.value.key == named, str(err.value)


def test_a_bad_setting_stops_the_command_before_anything_runs(tmp_path):
    proc = run_module("sim", ["-m", "experiment=uncertainty", "uncertainty.levels=[0,40]",
                              f"hydra.sweep.dir={tmp_path / 'x'}"], tmp_path)
    assert proc.returncode == 2 and "uncertainty.levels" in proc.stderr
    assert not (tmp_path / "x").exists()


# ---------------------------------------------------------------- end to end
TINY = ["population.size=150", "burn_in_years=1", "horizon_years=11", "hydra/launcher=basic"]


@pytest.mark.slow  # a whole uncertainty study and a funding sweep end to end
def test_a_tiny_uncertainty_study_writes_its_tables_chart_and_brief_and_the_funding_brief_quotes_it(
        tmp_path):
    # a world of 150 freelancers after one year of burn-in matches no data: the mechanics are
    # tested here with every world kept (tests/test_plausible.py judges worlds)
    proc = run_module("sim", ["-m", "experiment=uncertainty", "uncertainty.draws=8", "seeds=1", *TINY,
                              "uncertainty.cutoff=null", "uncertainty.refit_entry=false",
                              f"hydra.sweep.dir={tmp_path / 'uncertainty'}"], tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "8/8 jobs complete" in proc.stderr
    out = tmp_path / "uncertainty" / "aggregate"
    table = pd.read_parquet(out / "uncertainty.parquet")
    s = unc.settings(study("uncertainty.draws=8"))
    assert len(table) == 8 * 3 and sorted(table["level"].unique()) == [20.0, 40.0, 80.0]
    assert set(s.names) | {"effect.public_cost_m", "effect.cost_per_retained_worker_year_k",
                           "pays_for_itself"} <= set(table.columns)
    values = table[table["level"] == 40.0].set_index("draw")[s.names]
    X = unc.design(s)
    assert np.allclose(values["policy.member_exit_hr"].to_numpy(), X[:, 0])  # the design ran
    assert (pd.read_csv(out / "uncertainty.csv").shape == table.shape)

    curve = pd.read_csv(out / "acceptability.csv")
    assert list(curve.columns) == ["level", "threshold", "probability"]
    for _, g in curve.groupby("level"):
        p = g.sort_values("threshold")["probability"].to_numpy()
        assert ((p >= 0) & (p <= 1)).all() and (np.diff(p) >= 0).all()
    summary = pd.read_csv(out / "summary.csv")
    for _, row in summary.iterrows():
        share = (table[table["level"] == row["level"]]["effect.public_cost_m"] <= 0).mean()
        assert row["p_pays_for_itself"] == pytest.approx(share)
    for name in ("acceptability.png", "cost_effectiveness_plane.png", "brief.html", "scenarios.csv",
                 "drivers.csv", "intervals.csv", "parameters.csv", "provenance.json"):
        assert (out / name).exists(), name
    brief = (out / "brief.md").read_text()
    assert re.search(r"In (\d+|none|fewer than 1|more than 9|every one) of (10|the 8) plausible "
                     r"worlds", brief)
    assert "(acceptability.png)" in brief and "scenario discovery" in brief
    assert "data:image/png;base64," in (out / "brief.html").read_text()

    # a funding sweep of the same world beside it quotes the plausible worlds in its headlines
    proc = run_module("sim", ["-m", "experiment=funding_sweep", "policy.funding_m=0,40", "seeds=2", *TINY,
                              f"hydra.sweep.dir={tmp_path / 'funding_sweep'}"], tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    funding = (tmp_path / "funding_sweep" / "aggregate" / "brief.md").read_text()
    headlines = funding.split("## Headline numbers")[1].split("##")[0]
    assert "plausible worlds" in headlines and "8 of 8 worlds drawn" in headlines


# ---------------------------------------------------------------- words and the funding brief
@pytest.mark.parametrize("p,text", [
    (0.0, "In none of the 50 plausible worlds does the alliance pay for itself"),
    (0.04, "In fewer than 1 of 10 plausible worlds the alliance pays for itself"),
    (0.26, "In 3 of 10 plausible worlds the alliance pays for itself"),
    (0.97, "In more than 9 of 10 plausible worlds the alliance pays for itself"),
    (1.0, "In every one of the 50 plausible worlds the alliance pays for itself"),
])
def test_the_plausible_worlds_sentence(p, text):
    from sim.report.description import named
    from sim.report.uncertainty_brief import worlds_sentence

    assert worlds_sentence(p, 50, named({"noun": "the alliance"})) == text


def fake_uncertainty_study(folder, config):
    from sim.run.io import write_json

    out = folder / "uncertainty" / "aggregate"
    out.mkdir(parents=True)
    pd.DataFrame({"level": [40.0], "draws": [50], "p_pays_for_itself": [0.3]}).to_parquet(
        out / "summary.parquet")
    pd.DataFrame({"level": [40.0, 40.0], "outcome": ["effect.experienced_workforce",
                                                     "effect.public_cost_m"],
                  "median": [50.0, 2.0], "low": [30.0, -10.0], "high": [70.0, 12.0]}).to_parquet(
        out / "intervals.parquet")
    pd.DataFrame({"level": [40.0], "outcome": ["effect.public_cost_m"],
                  "parameter": ["exit.beta_buffer"], "spearman": [0.8], "rank": [1.0]}).to_parquet(
        out / "drivers.parquet")
    pd.DataFrame({"parameter": ["exit.beta_buffer"], "meaning": ["effect of savings"]}).to_parquet(
        out / "parameters.parquet")
    write_json(out / "provenance.json", {"world": unc.world(config), "settings": {
        "net_cost": "effect.public_cost_m", "interval": 0.9}})


def test_the_funding_brief_quotes_a_study_of_the_same_world_only(tmp_path):
    from types import SimpleNamespace

    from sim.report.uncertainty_brief import funding_brief_lines

    config = {"policy": {"label": "TeaterAlliansen"}, "sector": {"name": "theatre"},
              "country": {"name": "sweden"}, "population": {"size": 5000},
              "burn_in_years": 10, "horizon_years": 30}
    fake_uncertainty_study(tmp_path, config)
    from sim.report.description import EMPTY

    described = {**EMPTY, "noun": "the alliance"}  # the description a sweep job's marker carries
    sweep = SimpleNamespace(folder=tmp_path / "funding_sweep",
                            markers=[{"config": config, "policy": described}])
    lines = funding_brief_lines(sweep, 40.0, "SEK")
    assert "50 (90% of worlds: 30 to 70) more experienced freelancers" in lines[0]
    assert "net public cost of 2 (90% of worlds: -10 to 12) million SEK" in lines[0]
    assert lines[1].startswith("In 3 of 10 plausible worlds the alliance pays for itself.")
    assert "mostly effect of savings." in lines[1] and "`exit.beta_buffer`" not in lines[1]
    assert "ran 40 only, not 80" in funding_brief_lines(sweep, 80.0, "SEK")[0]
    other = {**config, "population": {"size": 2000}}
    elsewhere = SimpleNamespace(folder=sweep.folder, markers=[{"config": other}])
    (note,) = funding_brief_lines(elsewhere, 40.0, "SEK")
    assert "describes another world (population.size 5000 there, 2000 here)" in note
    assert funding_brief_lines(SimpleNamespace(folder=tmp_path / "x" / "y", markers=[]), 40.0, "SEK") == []


def test_the_acceptability_chart_is_not_squeezed_by_one_costly_world():
    import pandas as pd

    from sim.report.uncertainty_brief import _chart_top
    from sim.study.uncertainty import acceptability

    thresholds = np.arange(0, 100_001, 100.0)
    ratios = np.r_[np.linspace(700, 1500, 39), 95_000.0]  # one world with almost no extra workers
    accept = pd.DataFrame({"level": 40.0, "threshold": thresholds,
                           "probability": acceptability(ratios, thresholds)})
    top = _chart_top(accept)
    assert 1500 <= top <= 1500 * 1.15 + 100  # 39 of 40 worlds (97.5%) reached at 1,500
    nobody = accept.assign(probability=0.0)  # no world keeps extra workers: the whole range
    assert _chart_top(nobody) == thresholds.max()


@pytest.mark.parametrize("study", ["uncertainty", "sensitivity"])
def test_one_setting_decides_the_number_of_chunks_and_the_sweep_follows(study):
    from sim import compose_config
    from sim.cli.preflight import expand_jobs, sweep_params

    cfg = compose_config([f"experiment={study}", f"{study}.chunks=3"], with_hydra=True)
    assert sweep_params(cfg) == {f"{study}.chunk": "range(0,3)"}
    assert len(expand_jobs([], sweep_params(cfg))) == 3
    if study == "uncertainty":  # fewer draws than chunks: the extra chunks hold no draw
        checked_spec(compose_config(["experiment=uncertainty", "uncertainty.draws=6"]))


@pytest.mark.parametrize("lang", ["en", "sv", "nb"])
def test_the_uncertainty_headline_never_makes_the_experienced_a_part_larger_than_the_whole(
        tmp_path, lang):
    """Medians of 25.5 more people working and 29.2 more experienced (issue 20 item 4, in the
    uncertainty brief): the words of the other briefs' headline (sim.report.sentences.workforce_kept),
    never "29.2 of them"; and the brief's reproduce line is the command it is given."""
    import re

    from omegaconf import OmegaConf

    from sim.report import uncertainty_brief as uncertainty
    from tests.test_brief_words import FEWER, OF_THEM
    from tests.test_i18n import synthetic_uncertainty_tables

    tables, s, cfg = synthetic_uncertainty_tables()
    intervals = tables["intervals"]
    for outcome, median in ((uncertainty._denominator(s), 25.5),
                            ("effect.experienced_workforce", 29.2)):
        at = (intervals["level"] == 40.0) & (intervals["outcome"] == outcome)
        intervals.loc[at, ["median", "low", "high"]] = [median, median - 10, median + 10]
    markers = [{"seeds": [0, 1], "currency": "SEK", "report": {"language": lang,
                                                               "headline_level": 40},
                "config": OmegaConf.to_container(cfg, resolve=True)}]
    command = "python -m sim -m experiment=uncertainty uncertainty.draws=16 'uncertainty.levels=[20,40]'"
    md = uncertainty.write_uncertainty_report(tables, s, markers, tmp_path, command=command)
    text = md.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if re.search(r"\b29 \(19", line))
    assert OF_THEM[lang] not in line and FEWER[lang] in line, line
    assert re.search(r"\b3[.,]7 ", line), line  # the fewer less-experienced people, in number
    assert f"`{command}`" in text


@pytest.mark.parametrize("lang", ["en", "sv", "nb"])
def test_the_acceptability_charts_title_is_the_briefs_own_headline_sentences(tmp_path, monkeypatch,
                                                                             lang):
    """Issue 24: a claim is worded once. The acceptability chart's title is the headline on the
    cost per retained worker-year and the one on how often the grant pays for itself, word for
    word, in every language."""
    from omegaconf import OmegaConf

    from sim.report import uncertainty_brief as uncertainty
    from tests.test_i18n import synthetic_uncertainty_tables

    seen, save = {}, uncertainty.save_chart

    def recording(fig, out, stem):
        seen[stem] = [ax.get_title() for ax in fig.axes]
        return save(fig, out, stem)

    monkeypatch.setattr(uncertainty, "save_chart", recording)
    tables, s, cfg = synthetic_uncertainty_tables()
    markers = [{"seeds": [0, 1], "currency": "SEK", "report": {"language": lang, "headline_level": 40},
                "config": OmegaConf.to_container(cfg, resolve=True)}]
    text = uncertainty.write_uncertainty_report(tables, s, markers, tmp_path).read_text(encoding="utf-8")
    headlines = {" ".join(line[2:].split()) for line in text.split("\n## ")[1].splitlines()
                 if line.startswith("- ")}
    (title,) = seen["acceptability"]
    title = " ".join(title.split())
    # the cost per retained worker-year, then how often the grant pays for itself
    assert any(title == f"{a} {b}" for a in headlines for b in headlines if a != b), (title, headlines)
