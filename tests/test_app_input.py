"""What the interactive app (``python -m sim.app``) accepts and how it refuses, without a browser:
the server's address (issue 19, item 8), the live run's values checked as the command line checks
them and failures that end the run on the page (issue 20, item 1), broken sweep tables that
become one line on the page (issue 19, item 8), and the labels, the smoothed active count and the
quiet cookie warning (issue 20, item 14). The page itself, in Chromium: tests/test_app.py.
"""

from __future__ import annotations

import logging
import socket
import string
import threading
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.app import __main__ as app_main
from sim.app.view import (
    World,
    country_label,
    demand_label,
    level_name,
    live_spec,
    policy_help,
    policy_label,
    read_sweeps,
    sector_label,
    smoothed,
    snapshot,
)
from sim.model.core.params import ConfigError
from sim.report.i18n import language
from sim.run.config import build_spec, compose_config
from sim.run.paired import paired_months
from tests.conftest import spec_for
from tests.test_app import fake_sweep


# ------------------------------------------------------------------------ the server's address
@pytest.mark.parametrize("host", ["", " ", "bad host!", "999.1.1.1", "8.8.8.8", "[::1]"])
def test_a_host_that_is_empty_or_not_of_this_machine_is_refused_first(host, capsys):
    assert app_main.main(["--host", host, "--port", "8765"]) == 2
    out, err = capsys.readouterr()
    assert out == ""  # no "open http://..." before the refusal
    assert err.count("\n") == 1 and err.startswith(f"error: --host {host!r}: ")
    assert "allowed: " in err


def test_a_port_in_use_is_refused_in_one_line(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert app_main.main(["--port", str(port)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == f"error: --port {port}: another program listens there; " \
                                 "allowed: a free port\n"
    assert app_main.main(["--port", "0"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_the_address_check_accepts_what_the_user_names():
    assert app_main.check_address("127.0.0.1", 0) is None
    assert app_main.check_address("localhost", 0) is None


def test_only_the_cookie_warning_of_solara_is_silenced():
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        app_main._quiet_cookie_warning()
        warnings.warn_explicit("Cookies with samesite=none require https, but ...", UserWarning,
                               "starlette.py", 1, module="solara.server.starlette")
        warnings.warn_explicit("Cookies with samesite=none require https, but ...", UserWarning,
                               "other.py", 1, module="somewhere.else")
        warnings.warn("another warning", UserWarning, stacklevel=1)
    assert [str(w.message)[:7] for w in seen] == ["Cookies", "another"]


# ------------------------------------------------------------------------ a live run's values
@pytest.mark.parametrize("key, typed", [("seed", "-5"), ("seed", "abc"), ("seed", "1.5"),
                                        ("seed", "1099511627776"), ("seed", ""),
                                        ("policy.funding_m", "-3"), ("horizon_years", "0")])
def test_the_app_refuses_what_the_command_line_refuses_with_its_message(key, typed):
    values = {"funding_m": 40, "horizon_years": 1, "seed": 0}
    values[{"policy.funding_m": "funding_m"}.get(key, key)] = typed
    with pytest.raises(ConfigError) as app:
        live_spec(World(), values["funding_m"], values["horizon_years"], values["seed"])
    with pytest.raises(ConfigError) as cli:  # python -m sim <key>=<typed>
        build_spec(compose_config([f"{key}={typed}"]))
    assert app.value.key == key
    assert str(app.value) == str(cli.value)


@pytest.mark.parametrize("typed", ["2**40", "${oc.env:HOME}", "0,1", "-0.5"])
def test_odd_seeds_are_refused_naming_the_seed(typed):
    with pytest.raises(ConfigError) as err:
        live_spec(World(), 40, 1, typed)
    assert err.value.key == "seed"


def test_a_good_seed_is_the_run_seed():
    spec, seed = live_spec(World(), 40, 1, " 7 ")
    assert seed == 7 and spec.horizon_years == 1 and spec.policy.funding_m == 40


@pytest.fixture
def page_state():
    from sim.app import page

    before = (page.seed.value, page.horizon.value, page.run_count.value)
    yield page
    page.seed.set(before[0])
    page.horizon.set(before[1])
    page.run_count.set(before[2])
    page.live.set(page.LiveState())


def test_a_refused_seed_ends_the_run_with_the_error_on_the_page(page_state):
    page = page_state
    page.seed.set("-5")
    page.run_count.set(page.run_count.value + 1)
    page._run(threading.Event())
    state = page.live.value
    assert state.phase == "error"  # not running: the Start button is back
    assert state.message.startswith("Seed: invalid config: seed=-5; allowed: ")


def test_any_failure_of_a_live_run_ends_it_on_the_page(page_state, monkeypatch, caplog):
    page = page_state

    def fails(spec, seed):
        yield from ()
        raise RuntimeError("expected non-negative integer")

    monkeypatch.setattr(page, "paired_months", fails)
    page.seed.set("1")
    page.horizon.set(1)
    page.run_count.set(page.run_count.value + 1)
    with caplog.at_level(logging.ERROR, logger="sim.app"):
        page._run(threading.Event())
    state = page.live.value
    assert state.phase == "error"
    assert "RuntimeError: expected non-negative integer" in state.message
    assert "Traceback" not in state.message
    assert any(r.exc_info for r in caplog.records)  # the details: in the server's log


# ------------------------------------------------------------------------ broken sweep tables
def test_a_broken_sweep_table_is_named_and_logged_not_raised(tmp_path, caplog):
    fake_sweep(tmp_path)
    for name, write in (("garbage", lambda p: p.write_bytes(b"not parquet")),
                        ("columns", lambda p: pd.DataFrame({"x": [1]}).to_parquet(p)),
                        ("escapes", lambda p: pd.DataFrame({
                            "job": ["../funding_sweep/policy.funding_m=40"], "outcome": ["a"],
                            "effect": [1.0], "effect_ci_low": [0.0], "effect_ci_high": [2.0],
                            "n_seeds": [3]}).to_parquet(p)),
                        ("words", lambda p: pd.DataFrame({
                            "job": ["j"], "outcome": ["a"], "effect": ["lots"],
                            "effect_ci_low": [0.0], "effect_ci_high": [2.0],
                            "n_seeds": [3]}).to_parquet(p))):
        (tmp_path / name / "aggregate").mkdir(parents=True)
        write(tmp_path / name / "aggregate" / "summary.parquet")
    with caplog.at_level(logging.WARNING, logger="sim.app"):
        found, broken = read_sweeps(tmp_path, World())
    assert [name for name, _ in found] == ["funding_sweep"]
    assert broken == ["columns", "escapes", "garbage", "words"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert str(tmp_path / "garbage" / "aggregate" / "summary.parquet") in logged


# ------------------------------------------------------------------------ labels and the chart
def test_the_controls_show_labels_in_the_pages_language():
    with language("en"):
        assert sector_label("theatre") == "Freelance actors"
        assert country_label("sweden") == "Sweden"
        assert policy_label("teateralliansen", "theatre", "sweden") == "TeaterAlliansen"
        assert policy_label("generic", "dance", "norway") == "A TeaterAlliansen-type alliance"
        assert policy_label("stipends", "journalism", "norway") == "Working grants"
        # the help under the picker: the title when it says more than the label, and the kind
        assert policy_help("teateralliansen", "theatre", "sweden").startswith(
            "A state-funded employer that pays established freelancers a salary")
        assert policy_help("generic", "theatre", "sweden").startswith(
            "A TeaterAlliansen-type alliance (hypothetical grant): a state-funded employer")
        assert policy_help("stipends", "theatre", "sweden") == (
            "Working grants (Konstnärsnämnden): working grants paid to freelancers chosen by "
            "artistic merit; nobody is employed")
        assert policy_label("skuda", "theatre", "sweden") == "skuda"  # cannot run there
        assert policy_help("skuda", "theatre", "sweden") == ""
        assert demand_label("market") == "a shared pool of roles"
        rows = pd.DataFrame({"job": ["j"], "policy.funding_m": [40.0], "outcome": ["x"]})
        assert level_name(rows, "SEK") == "a grant of 40 million SEK a year"
    with language("sv"):
        assert sector_label("theatre") == "Frilansande skådespelare"
        assert country_label("norway") == "Norge"
        assert policy_label("stipends", "theatre", "sweden") == "Arbetsstipendier"
        assert "40 miljoner kronor" in level_name(rows, "SEK")
    with language("nb"):
        assert sector_label("music") == "Frilansende musikere"


ROOT = Path(__file__).resolve().parent.parent
APP_SENTENCES = (  # the app's own sentences, once in sim/app/words.py, now in the catalogues
    "Active freelancers, mean of the last 12 months (with {policy} {gap} now)",
    "Active freelancers, mean of the last 12 months",
    "Freelance artists: a policy simulator",
    "Freelance artists with and without {policy}",
    "Policy",
    "People {policy} supports",
    "{Policy} names no count of the people it supports",
    "spending by {policy}",
    "extra net public cost (with {policy} − without)",
    "{name}: effect of {policy} (with {policy} − without), mean and 95% CI over {seeds} paired "
    "seeds",
    "Net public cost so far (taxes and contributions received minus benefits, care and the grant "
    "paid; negative: the state takes in more; the grant is paid each January and what is left is "
    "returned in December): without {policy} {without} {million}, with {policy} {with_} "
    "{million}.",
    "Newcomers enter the profession together each January, so the monthly count of active "
    "freelancers (thin lines) steps up by a year's cohort then and falls as people leave during "
    "the year; the thick lines are the mean of the last 12 months, which has no such step.",
    "The live run stopped with an error: {error}. Nothing of it is kept; the details are in "
    "the server's log.",
    "The finished sweep {name} cannot be shown: its results table (aggregate/summary.parquet) "
    "cannot be read. The details are in the server's log; aggregating the sweep again writes a "
    "new table: {command}",
)


@pytest.mark.parametrize("lang", ["sv", "nb"])
def test_the_apps_own_sentences_are_translated_with_the_same_placeholders(lang):
    from sim.report.i18n import _

    def fields(text):
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    assert not (ROOT / "sim" / "app" / "words.py").exists()
    with language(lang):
        untranslated = [message for message in APP_SENTENCES if _(message) == message]
        assert untranslated == [], f"not in the {lang} catalogue: {untranslated}"
        for message in APP_SENTENCES:
            assert fields(_(message)) == fields(message), (lang, message)


def test_the_active_count_is_smoothed_over_12_months():
    assert np.allclose(smoothed(np.arange(1, 25)), [*((np.arange(1, 13) + 1) / 2),
                                                     *np.arange(7, 19) + 0.5])
    spec = spec_for(horizon_years=3)
    pairs = paired_months(spec, 2)
    for _ in range(1 + 36):
        pair = next(pairs)
    state = snapshot(pair, "done")
    for arm in ("baseline", "policy"):
        monthly, mean = state.series[arm]["active"], state.series[arm]["active_mean"]
        assert mean.shape == monthly.shape
        # the monthly count steps up each January (the yearly cohort); its 12-month mean does not
        assert np.abs(np.diff(mean)).max() < 0.25 * np.abs(np.diff(monthly)).max()
