"""The interactive app (``python -m sim.app``): its data without a browser, then the page itself
in a real browser (the system's Chromium driven by Playwright; no browser is downloaded).

The browser tests start the server on a free port beside one finished sweep and one broken one.
The first checks the controls (by their labels) and the finished sweep are shown and the broken
sweep is one line, moves the funding slider, runs a one-year live paired run and waits for the
month counter to reach its end and the charts to appear; the second types a negative seed and
checks the command line's refusal appears on the page and the Start button comes back. The
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

from sim.app import charts
from sim.app.world import (
    World,
    alliances,
    app_scale,
    finished_sweeps,
    funding_effects,
    level_name,
    nearest_level,
    snapshot,
)
from sim.study.paired import paired_months, run_pair
from tests.conftest import spec_for

CHROMIUM = Path(os.environ.get("SIM_APP_CHROMIUM", "/usr/bin/chromium"))  # the OS's Chromium
ROOT = Path(__file__).resolve().parent.parent


def test_paired_months_ends_where_run_pair_ends():
    """Watching a run month by month changes nothing: the last pair equals run_pair's."""
    spec = spec_for(**{"alliance.funding_m": 30})
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
    assert state.series["alliance"]["members"].size == 24
    assert state.series["baseline"]["members"].max() == 0
    # the same luck: the arms differ only through the alliance
    assert np.all(state.series["alliance"]["spend_cum_m"] > 0)
    assert np.all(state.series["baseline"]["spend_cum_m"] == 0)
    fig = charts.live_figure(state)
    fig.savefig(io.BytesIO(), format="png")


def test_only_fitting_alliances_are_offered():
    assert alliances("theatre", "sweden") == ["teateralliansen", "generic"]
    assert set(alliances("theatre", "norway")) == {"skuda", "generic"}
    assert alliances("journalism", "sweden") == ["generic"]
    assert app_scale(2500) == 3 and app_scale(300) == 1


def fake_sweep(root: Path) -> Path:
    """A finished funding sweep of theatre in Sweden as ``aggregate`` leaves it (summary and job
    markers only: what the app reads)."""
    folder = root / "funding_sweep"
    rows = []
    for level in (0.0, 40.0, 80.0):
        job = f"alliance.funding_m={level:g}"
        config = {"sector": {"name": "theatre"}, "country": {"name": "sweden"},
                  "alliance": {"name": "teateralliansen"}, "demand": {"model": "market"}}
        (folder / job).mkdir(parents=True)
        (folder / job / "COMPLETE.json").write_text(json.dumps({"config": config}))
        for outcome, per_m in (("active_workforce", 0.9), ("experienced_workforce", 1.0),
                               ("public_cost_m", 0.75), ("retention_10y", 0.0)):
            effect = per_m * level
            rows.append({"job": job, "alliance.funding_m": level, "outcome": outcome,
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
    assert set(near["alliance.funding_m"]) == {40.0}
    assert level_name(near, "SEK") == "a grant of 40 million SEK a year"
    # another world, or another labour market, has no finished sweep here
    assert finished_sweeps(tmp_path, World(sector="dance", alliance="dansalliansen")) == []
    assert finished_sweeps(tmp_path, World(demand="steady")) == []
    assert finished_sweeps(tmp_path / "nothing", World()) == []


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


def test_the_app_in_a_browser(browser, app, tmp_path):  # browser first: a skip costs nothing
    url, opened = app
    page = browser.new_page(viewport={"width": 1400, "height": 1900})
    page.goto(url, timeout=120_000)
    start = page.get_by_role("button", name=re.compile("start live run", re.I))
    start.wait_for(timeout=120_000)
    for label in ("Sector", "Country", "Alliance", "Labour market (demand)", "Horizon (years)",
                  "Seed"):
        assert page.get_by_text(label, exact=True).count() >= 1, label
    # the choices by their labels, not their config values
    for shown in ("Freelance actors", "Sweden", "TeaterAlliansen", "a fixed pool of roles"):
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
