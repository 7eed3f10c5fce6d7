"""The interactive app (``python -m sim.app``): its data without a browser, the page's components
rendered without a browser, then the page itself in a real browser (the system's Chromium driven
by Playwright; no browser is downloaded).

The policy picker offers every preset that can run in the chosen sector and country, found in
the config files (the real alliances only in their own world, the presets that declare no
country and no sectors everywhere), and the page names the chosen policy only through its
description: with the working grants chosen and a few months simulated, no text of the page and
no title, label or legend of its charts says "alliance" (in English, Swedish and Norwegian).

The browser tests start the server on a free port beside one finished sweep and one broken one.
The first checks the controls (by their labels) and the finished sweep are shown and the broken
sweep is one line, moves the funding slider, runs a one-year live paired run and waits for the
month counter to reach its end and the charts to appear; the second chooses the working grants,
runs a one-year live run and reads the page in each language; the third types a negative seed
and checks the command line's refusal appears on the page and the Start button comes back. The
server's log must hold the broken sweep's details and no SameSite-cookie warning. Screenshots go
to pytest's tmp folder (the path is printed). They skip, saying why, where Chromium or
Playwright is missing. Input checks without a browser: tests/test_app_input.py.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.app import figures
from sim.app.view import (
    World,
    app_scale,
    countries,
    finished_sweeps,
    funding_effects,
    level_name,
    nearest_level,
    policies,
    reach_series,
    sectors,
    snapshot,
)
from sim.report import i18n
from sim.report.i18n import language
from sim.run.config import alliance_homes
from sim.run.paired import paired_months, run_pair
from tests.conftest import spec_for

CHROMIUM = Path(os.environ.get("SIM_APP_CHROMIUM", "/usr/bin/chromium"))  # the OS's Chromium
ROOT = Path(__file__).resolve().parent.parent


def test_paired_months_ends_where_run_pair_ends():
    """Watching a run month by month changes nothing: the last pair equals run_pair's."""
    spec = spec_for(**{"policy.funding_m": 30})
    months = list(paired_months(spec, 3))
    assert len(months) == 12 * spec.horizon_years + 1  # after the burn-in, then every month
    last, expected = months[-1], run_pair(spec, 3)
    out, want = last.outcomes(), expected.outcomes()
    assert out.keys() == want.keys()
    assert all(out[k] == want[k] or (math.isnan(out[k]) and math.isnan(want[k])) for k in want)


def test_live_snapshot_and_chart():
    spec = spec_for()
    pairs = paired_months(spec, 1)
    for _ in range(25):  # the burn-in, then 24 months
        pair = next(pairs)
    state = snapshot(pair, "running")
    assert (state.month, state.months) == (24, 12 * spec.horizon_years)
    assert state.series["policy"]["reach"].size == 24  # the alliance's members
    assert state.series["policy"]["reach"].max() > 0
    assert state.series["baseline"]["reach"].max() == 0
    # the same luck: the arms differ only through the alliance
    assert np.all(state.series["policy"]["spend_cum_m"] > 0)
    assert np.all(state.series["baseline"]["spend_cum_m"] == 0)
    fig = figures.live_figure(state)
    fig.savefig(io.BytesIO(), format="png")


def test_the_picker_offers_every_policy_that_can_run_in_the_world():
    """The real alliances first, and only in their own sector and country; then every preset
    whose config file declares no country and no sectors (the hypothetical alliance, the
    working grants and any other), found in the config files, never listed here by name."""
    homes = alliance_homes()
    anywhere = sorted(name for name, home in homes.items() if home == (None, None))
    assert {"generic", "stipends"} <= set(anywhere)
    assert policies("theatre", "sweden") == ["teateralliansen", *anywhere]
    assert policies("theatre", "norway") == ["skuda", *anywhere]
    assert policies("journalism", "sweden") == anywhere
    for sector in sectors():
        for country in countries():
            real = {name for name, (home, home_sectors) in homes.items()
                    if home == country and sector in home_sectors}
            offered = policies(sector, country)
            assert set(offered) == real | set(anywhere), (sector, country)
            assert set(offered[:len(real)]) == real  # the real ones first
    assert app_scale(2500) == 3 and app_scale(300) == 1


@pytest.mark.parametrize("policy", ["teateralliansen", "stipends"])
def test_the_live_count_of_people_supported_is_the_series_of_the_reach_outcome(policy):
    """The live chart's "people it supports" is the monthly series whose horizon mean is the
    outcome the description names as its reach (alliance_members, grant_holders)."""
    spec = spec_for(policy=policy, horizon_years=2)
    *_, last = paired_months(spec, 4)
    state = snapshot(last, "done")
    reach = state.policy["reach"]
    assert reach_series(reach, spec) is not None
    drawn = state.series["policy"]["reach"]
    assert drawn.size == 24 and drawn.max() > 0
    assert drawn.mean() == pytest.approx(last.outcomes()[f"policy.{reach}"], rel=1e-9)
    assert reach_series("", spec) is None and reach_series("no_such_outcome", spec) is None


def fake_sweep(root: Path, policy: str = "teateralliansen") -> Path:
    """A finished funding sweep of ``policy`` in theatre in Sweden as ``aggregate`` leaves it
    (summary and job markers only: what the app reads)."""
    folder = root / "funding_sweep"
    rows = []
    for level in (0.0, 40.0, 80.0):
        job = f"policy.funding_m={level:g}"
        config = {"sector": {"name": "theatre"}, "country": {"name": "sweden"},
                  "policy": {"name": policy}, "demand": {"model": "market"}}
        (folder / job).mkdir(parents=True)
        (folder / job / "COMPLETE.json").write_text(json.dumps({"config": config}))
        for outcome, per_m in (("active_workforce", 0.9), ("experienced_workforce", 1.0),
                               ("public_cost_m", 0.75), ("retention_10y", 0.0)):
            effect = per_m * level
            rows.append({"job": job, "policy.funding_m": level, "outcome": outcome,
                         "unit": "-", "effect": effect, "effect_ci_low": effect - 5,
                         "effect_ci_high": effect + 5, "n_seeds": 10})
    (folder / "aggregate").mkdir()
    pd.DataFrame(rows).to_parquet(folder / "aggregate" / "summary.parquet")
    return folder


def test_finished_sweeps_of_the_chosen_world(tmp_path):
    fake_sweep(tmp_path)
    found = finished_sweeps(tmp_path, World())
    assert [name for name, _ in found] == ["funding_sweep"]
    rows = found[0][1]
    effects = funding_effects(rows)
    assert sorted(effects["outcome"].unique()) == ["active_workforce", "experienced_workforce",
                                                   "public_cost_m"]
    near = nearest_level(rows, 50)
    assert set(near["policy.funding_m"]) == {40.0}
    assert level_name(near, "SEK") == "a grant of 40 million SEK a year"
    # another world, or another labour market, has no finished sweep here
    assert finished_sweeps(tmp_path, World(sector="dance", policy="dansalliansen")) == []
    assert finished_sweeps(tmp_path, World(demand="steady")) == []
    assert finished_sweeps(tmp_path / "nothing", World()) == []


# ------------------------------------------------------------------------ the page's components
TRAITS_NOT_TEXT = {"template", "class_", "style_", "v_model", "tag", "color", "type", "layout",
                   "style", "attributes", "hide_details", "format", "value"}  # value: an image


def widget_texts(widget, path: str = "") -> list[tuple[str, str]]:
    """Every string a rendered component shows: (widget.trait, text), the labels, hints, items
    and children of its widgets and their HTML; not its styles, classes or templates."""
    import ipywidgets

    found = []
    if isinstance(widget, ipywidgets.Widget):
        for key in widget.keys:
            if not key.startswith("_") and key not in TRAITS_NOT_TEXT:
                found += widget_texts(getattr(widget, key, None), f"{type(widget).__name__}.{key}")
    elif isinstance(widget, str) and widget.strip():
        found.append((path, widget))
    elif isinstance(widget, list | tuple):
        for item in widget:
            found += widget_texts(item, path)
    elif isinstance(widget, dict):
        for key, item in widget.items():
            found += widget_texts(item, f"{path}.{key}")
    return found


def figure_texts(fig) -> list[str]:
    """Every text of a matplotlib figure: titles, axis labels, legends, the suptitle."""
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text) if t.get_text().strip()]


@pytest.fixture
def page_reactives():
    """The page's module-level state, restored after the test."""
    from sim.app import page

    names = ("sector", "country", "policy", "demand", "funding", "seed", "horizon", "run_count",
             "stop", "live", "app_language")
    before = {name: getattr(page, name).value for name in names}
    yield page
    for name, value in before.items():
        getattr(page, name).set(value)


def test_a_sector_or_country_change_keeps_a_policy_that_still_runs(page_reactives):
    page = page_reactives
    page.sector.set("theatre")
    page.country.set("sweden")
    page.policy.set("stipends")
    page.country.set("norway")
    page._choose_policy()
    assert page.policy.value == "stipends"  # it runs anywhere
    page.policy.set("teateralliansen")
    page._choose_policy()
    assert page.policy.value == "skuda"  # the real alliance of Norway's theatre


@pytest.mark.parametrize("lang", ["en", "sv", "nb"])
def test_with_working_grants_chosen_no_text_or_chart_says_alliance(lang, page_reactives,
                                                                    monkeypatch, tmp_path):
    """Working grants chosen, a finished sweep of them and a live run three months in: every
    text of the page's components and every title, label and legend of its charts names the
    policy through its description. Only the picker's other options may name an alliance."""
    import solara

    page = page_reactives
    fake_sweep(tmp_path, "stipends")
    monkeypatch.setattr(page, "SWEEPS", tmp_path)
    drawn = {"live_figure": [], "sweep_figure": []}  # what the page drew, by chart

    def recording(name):
        draw = getattr(figures, name)

        def record(*args, **kwargs):
            drawn[name].append(draw(*args, **kwargs))
            return drawn[name][-1]
        return record
    for name in drawn:
        monkeypatch.setattr(figures, name, recording(name))
    page.app_language.set({code: name for name, code in page.LANGUAGES.items()}[lang])
    page.sector.set("theatre")
    page.country.set("sweden")
    page.policy.set("stipends")
    page.funding.set(40.0)
    page.run_count.set(0)  # no live run of the page's own: the state below is set by hand
    pairs = paired_months(spec_for(policy="stipends"), 1)
    for _ in range(1 + 3):  # the burn-in, then three months
        pair = next(pairs)
    page.live.set(snapshot(pair, "running", page.world()))

    texts = []
    for component in (page.Page, page.Controls):  # the page holds both panels
        box, rc = solara.render(component(), handle_error=False)
        texts += widget_texts(box)
        rc.close()
    picker = [text for where, text in texts if where == "Select.label"]
    with language(lang):
        assert i18n._("Policy") in picker and i18n._("Alliance") not in picker
        label = i18n._("Working grants")
    options = [(where, text) for where, text in texts if where.startswith("Select.items")]
    assert ("Select.items.text", label) in options  # the working grants are offered ...
    shown = [text for where, text in texts if not where.startswith("Select.items")]
    assert any(label in text for text in shown)  # ... and named as the run's policy
    said = [text for text in shown if "allian" in text.lower()]
    assert said == [], said
    assert drawn["live_figure"] and drawn["sweep_figure"]  # both charts were drawn
    for fig in drawn["live_figure"] + drawn["sweep_figure"]:
        titles = figure_texts(fig)
        assert [t for t in titles if "allian" in t.lower()] == [], titles
    if lang == "en":
        live = figure_texts(drawn["live_figure"][-1])
        sweep = figure_texts(drawn["sweep_figure"][-1])
        assert "with the working-grant scheme" in live and "without the working-grant scheme" in live
        assert any(t.startswith("The working-grant scheme pays working grants to") for t in live)
        assert any("effect of the working-grant scheme" in t for t in sweep)
        assert "Freelance artists with and without the working-grant scheme" in shown


# ------------------------------------------------------------------------ in a real browser
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def browser():
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set "
                    "SIM_APP_CHROMIUM to the system's Chromium)")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="Playwright for Python is missing: uv sync")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


@pytest.fixture
def app(tmp_path):
    """The app served on a free port, with one finished sweep and one whose summary is broken;
    a ``BROWSER`` command that would leave a file proves the server opens no browser of its
    own."""
    sweeps = tmp_path / "sweeps"
    fake_sweep(sweeps)
    (sweeps / "broken_sweep" / "aggregate").mkdir(parents=True)
    (sweeps / "broken_sweep" / "aggregate" / "summary.parquet").write_bytes(b"not a table")
    opened = tmp_path / "browser-opened"
    opener = tmp_path / "opener.sh"
    opener.write_text(f"#!/bin/sh\necho \"$@\" > {opened}\n")
    opener.chmod(0o755)
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "sim.app", "--port", str(port),
                             "--sweeps", str(sweeps)], cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT, env={**os.environ, "BROWSER": str(opener)},
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.3)
    try:
        if proc.poll() is not None:
            pytest.fail(f"the app server exited: {(tmp_path / 'server.log').read_text()}")
        yield url, opened
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
    served = (tmp_path / "server.log").read_text()
    assert f"open {url}" in served
    assert "samesite" not in served.lower()  # Solara's cookie warning is silenced (only it)


def screenshots(tmp_path: Path) -> None:
    """Keep the screenshots where ``SIM_APP_SCREENSHOTS`` says (e.g. to look at them after CI)."""
    print(f"screenshots: {tmp_path}")
    keep = os.environ.get("SIM_APP_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for png in tmp_path.glob("app_*.png"):
            shutil.copy(png, Path(keep) / png.name)


@pytest.mark.slow  # a server and a browser
def test_the_app_in_a_browser(browser, app, tmp_path):  # browser first: a skip costs nothing
    url, opened = app
    page = browser.new_page(viewport={"width": 1400, "height": 1900})
    page.goto(url, timeout=120_000)
    start = page.get_by_role("button", name=re.compile("start live run", re.I))
    start.wait_for(timeout=120_000)
    for label in ("Sector", "Country", "Policy", "Labour market (demand)", "Horizon (years)",
                  "Seed"):
        assert page.get_by_text(label, exact=True).count() >= 1, label
    # the choices by their labels, not their config values
    for shown in ("Freelance actors", "Sweden", "TeaterAlliansen", "a shared pool of roles"):
        assert page.get_by_text(shown, exact=True).first.is_visible(), shown
    for value in ("theatre", "sweden", "teateralliansen", "market"):
        assert page.get_by_text(value, exact=True).count() == 0, value
    # (a) the finished sweep of this world, at once: the chart and the nearest level's effects
    page.get_by_text("the level nearest the chosen funding").wait_for(timeout=30_000)
    assert page.get_by_text("a grant of 40 million SEK a year").first.is_visible()
    # the broken sweep: one line that names it, no traceback and no file of the server
    broken = page.locator(".sweep-error")
    assert "broken_sweep cannot be shown" in broken.inner_text()
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "ArrowInvalid" not in body and ".py" not in body
    page.screenshot(path=tmp_path / "app_loaded.png", full_page=True)

    # move the funding control: five steps of 5 from the preset's 40
    page.get_by_role("slider").first.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.get_by_text("Funding: 65 M SEK/year").wait_for(timeout=30_000)
    page.get_by_text("a grant of 80 million SEK a year").wait_for(timeout=30_000)  # now nearest

    # a one-year live run: choose the horizon, start, watch the counter reach its end
    page.locator(".v-select").filter(has_text="Horizon (years)").click()
    page.locator(".v-menu__content .v-list-item").filter(
        has_text=re.compile(r"^\s*1\s*$")).click()
    start.click()
    page.get_by_text(re.compile(r"Month \d+ of 12")).wait_for(timeout=180_000)
    page.get_by_text(re.compile(r"Month 12 of 12 .*done")).wait_for(timeout=180_000)
    page.get_by_text("Net public cost so far").wait_for(timeout=30_000)
    assert page.get_by_text("mean of the last 12 months").first.is_visible()  # the January step
    charts_shown = page.locator("img").count()
    assert charts_shown >= 2  # the sweep's chart and the live run's
    page.screenshot(path=tmp_path / "app_live_done.png", full_page=True)
    screenshots(tmp_path)
    assert not opened.exists(), "the server opened a browser by itself"


def choose(page, control: str, option: str | re.Pattern) -> None:
    """Pick ``option`` in the drop-down labelled ``control`` (the menu that opens)."""
    page.locator(".v-select").filter(has_text=control).click()
    page.locator(".v-menu__content.menuable__content__active .v-list-item").filter(
        has_text=option).click()


@pytest.mark.slow  # a server and a browser
def test_working_grants_in_a_browser_in_every_language(browser, app, tmp_path):
    """Working grants chosen and a one-year live run done: the page names them as their
    description does, in English, Swedish and Norwegian, and says "alliance" nowhere (the
    picker's other options are in a closed menu). Screenshots: app_stipends_<lang>.png."""
    from sim.app.view import description
    from sim.report.description import named

    url, _opened = app
    d = description("stipends", "theatre", "sweden")
    page = browser.new_page(viewport={"width": 1400, "height": 1700})
    page.goto(url, timeout=120_000)
    start = page.get_by_role("button", name=re.compile("start live run", re.I))
    start.wait_for(timeout=120_000)
    choose(page, "Policy", "Working grants")
    page.get_by_text("Freelance artists with and without the working-grant scheme").wait_for(
        timeout=30_000)
    assert page.get_by_text("Working grants (Konstnärsnämnden): working grants paid").is_visible()
    choose(page, "Horizon (years)", re.compile(r"^\s*1\s*$"))
    start.click()
    page.get_by_text(re.compile(r"Month 12 of 12 .*done")).wait_for(timeout=180_000)
    page.get_by_text("This run:").wait_for(timeout=30_000)
    assert "Working grants ·" in page.locator("body").inner_text()
    for name, lang in (("English", "en"), ("svenska", "sv"), ("norsk bokmål", "nb")):
        if lang != "en":
            choose(page, "Language / språk", name)
        with language(lang):
            heading = i18n._("Freelance artists with and without {policy}").format(**named(d))
            ran = i18n._("This run:")
        page.get_by_text(heading, exact=True).wait_for(timeout=30_000)
        page.get_by_text(ran).wait_for(timeout=30_000)
        page.wait_for_timeout(1500)  # the live chart redrawn in the new language
        body = page.locator("body").inner_text()
        assert "allian" not in body.lower(), [line for line in body.splitlines()
                                               if "allian" in line.lower()]
        page.screenshot(path=tmp_path / f"app_stipends_{lang}.png", full_page=True)
    screenshots(tmp_path)


@pytest.mark.slow  # a server and a browser
def test_a_negative_seed_in_a_browser(browser, app, tmp_path):
    """Issue 20: -5 in Seed and Start left the page at "Burn-in…" with Stop enabled. Now the
    command line's refusal is on the page and the Start button comes back; so for 2**40."""
    url, _opened = app
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(url, timeout=120_000)
    start = page.get_by_role("button", name=re.compile("start live run", re.I))
    stop = page.get_by_role("button", name=re.compile("^stop$", re.I))
    start.wait_for(timeout=120_000)
    seed = page.get_by_label("Seed")
    for typed, said in (("-5", "seed=-5; allowed: "), ("2**40", "seed='2**40'; allowed: ")):
        seed.fill(typed)
        start.click()
        error = page.locator(".v-alert").filter(has_text=said)
        error.wait_for(timeout=60_000)
        assert error.inner_text().strip().startswith("Seed: invalid config: ")
        assert start.is_enabled() and not stop.is_enabled()
        assert page.locator(".live-status").count() == 0  # no "Burn-in…" left behind
    page.screenshot(path=tmp_path / "app_seed_refused.png", full_page=True)
    screenshots(tmp_path)
