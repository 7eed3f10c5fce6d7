"""The interactive app's page (Solara, on which Mesa's SolaraViz is built): choose a world and a
grant, see the finished sweeps of that world at once, and watch a live paired run month by month.

Where it sits: the top layer. ``python -m sim.app`` serves ``Page``; the data come from
``sim/app/world.py``, the charts from ``sim/app/charts.py``, the run from
``sim.study.paired.paired_months`` (the same pairing as every other run). State lives in
Solara reactive variables, one set per browser session.
"""

from __future__ import annotations

import html
import os
import threading
import time
from pathlib import Path

import solara

from sim.app import charts
from sim.app.world import (
    AGENTS,
    HORIZONS,
    SWEEP_OUTCOMES,
    LiveState,
    World,
    alliances,
    countries,
    currency,
    default_funding,
    demands,
    finished_sweeps,
    fmt,
    funding_effects,
    level_name,
    live_spec,
    nearest_level,
    sectors,
    snapshot,
)
from sim.model.core.params import ConfigError
from sim.report.i18n import _, language
from sim.study.paired import paired_months

SWEEPS = Path(os.environ.get("SIM_APP_SWEEPS", "results/sweeps"))  # set by ``python -m sim.app``
CELL = " style='padding: 2px 14px 2px 0; text-align: left'"  # a table cell of the sweep panel
REFRESH_SECONDS = 0.5  # redraw the live charts at most this often

sector = solara.reactive("theatre")
country = solara.reactive("sweden")
alliance = solara.reactive("teateralliansen")
demand = solara.reactive("market")
funding = solara.reactive(40.0)
seed = solara.reactive(0)
horizon = solara.reactive(10)
run_count = solara.reactive(0)  # a new value starts a live run
stop = solara.reactive(False)
live = solara.reactive(LiveState())
LANGUAGES = {"English": "en", "svenska": "sv", "norsk bokmål": "nb"}  # as report.language
app_language = solara.reactive(  # python -m sim.app --language sv starts in Swedish
    {code: name for name, code in LANGUAGES.items()}.get(os.environ.get("SIM_APP_LANGUAGE", "en"),
                                                         "English"))


def lang() -> str:
    """The page's language code (en, sv, nb), as the briefs' ``report.language``."""
    return LANGUAGES.get(app_language.value, "en")


def world() -> World:
    return World(sector=sector.value, country=country.value, alliance=alliance.value,
                 demand=demand.value)


def _choose_alliance(*_ignored) -> None:
    """After a sector or country change: keep the alliance if it still fits, else the first that
    does; then the grant of that preset."""
    options = alliances(sector.value, country.value)
    if alliance.value not in options:
        alliance.set(options[0])
        funding.set(default_funding(world()))


def _on_alliance(_name: str) -> None:
    funding.set(default_funding(world()))


def _start() -> None:
    stop.set(False)
    run_count.set(run_count.value + 1)


def _run(cancel: threading.Event) -> None:
    """The live run's thread: the shared burn-in, then both arms month by month."""
    if run_count.value == 0:
        return
    chosen, grant, start_seed = world(), funding.value, seed.value
    with language(lang()):
        live.set(LiveState(phase="preparing", message=_("Composing the config…")))
        try:
            spec = live_spec(chosen, grant, horizon.value)
        except ConfigError as err:
            live.set(LiveState(phase="error", message=str(err)))
            return
        live.set(LiveState(phase="burn-in", months=12 * spec.horizon_years,
                           currency=spec.country.currency, scale=spec.population.scale,
                           message=_("Burn-in: {years} years shared by both arms…").format(
                               years=spec.burn_in_years)))
    shown = 0.0
    for pair in paired_months(spec, start_seed):
        if cancel.is_set():
            return
        done = pair.baseline.month >= spec.total_months
        if stop.value:
            live.set(snapshot(pair, "stopped"))
            return
        if done or time.monotonic() - shown >= REFRESH_SECONDS:
            live.set(snapshot(pair, "done" if done else "running"))
            shown = time.monotonic()


@solara.component
def Controls():
    solara.Select("Language / språk", values=list(LANGUAGES), value=app_language)
    with language(lang()):
        _controls()


def _controls():
    from sim.report.i18n import localise_number, million

    solara.Select(_("Sector"), values=sectors(), value=sector, on_value=_choose_alliance)
    solara.Select(_("Country"), values=countries(), value=country, on_value=_choose_alliance)
    solara.Select(_("Alliance"), values=alliances(sector.value, country.value), value=alliance,
                  on_value=_on_alliance)
    if alliance.value == "generic":
        solara.Text(_("generic: a hypothetical TeaterAlliansen-type alliance (no real alliance "
                      "exists for this sector and country)"), style={"font-size": "0.8em"})
    solara.Select(_("Labour market (demand)"), values=demands(), value=demand)
    solara.SliderFloat(_("Funding: {amount} {million}/year").format(
        amount=localise_number(f"{funding.value:g}"), million=million(currency(country.value))),
        value=funding, min=0, max=200, step=5, thumb_label=False)
    solara.Select(_("Horizon (years)"), values=list(HORIZONS), value=horizon)
    solara.InputInt(_("Seed"), value=seed)


@solara.component
def SweepPanel():
    """(a) Results of finished sweeps for the chosen world, shown at once."""
    with language(lang()):
        _sweep_panel()


def _sweep_panel():
    chosen = world()
    found = solara.use_memo(lambda: finished_sweeps(SWEEPS, chosen), [chosen])
    money = currency(chosen.country)
    with solara.Card(_("Finished sweeps for this world")):
        if not found:
            command = (f"uv run python -m sim -m study=funding_sweep sector={chosen.sector} "
                       f"country={chosen.country} alliance={chosen.alliance} "
                       f"demand={chosen.demand}")
            solara.HTML(unsafe_innerHTML=(
                _("No finished sweep of this world in {folder}. A funding sweep produces one "
                  "(about 4 minutes on 2 cores; add {quicker} for a quicker one):").format(
                      folder=f"<code>{html.escape(str(SWEEPS))}</code>",
                      quicker="<code>alliance.funding_m=0,20,40,80 seeds=10</code>")
                + f"<pre>{html.escape(command)}</pre>"), classes=["sweep-note"])
            return
        for name, rows in found:
            effects = funding_effects(rows)
            seeds = int(rows["n_seeds"].max())
            if effects is not None:
                solara.FigureMatplotlib(
                    charts.sweep_figure(effects, funding.value, money,
                                        _("{name}: effect of the alliance (alliance − baseline), "
                                          "mean and 95% CI over {seeds} paired seeds").format(
                                              name=name, seeds=seeds)),
                    dependencies=[name, funding.value, chosen, lang()], format="png")
            solara.HTML(unsafe_innerHTML=_level_table(name, nearest_level(rows, funding.value),
                                                      money), classes=["sweep-table"])


def _level_table(name: str, rows, money: str) -> str:
    """The effects of the sweep level nearest the chosen funding, as an HTML table."""
    from sim.report.i18n import current, localise_number, million

    def num(value):  # three significant digits in the page's notation
        return localise_number(fmt(value))
    sep = ", " if current() == "en" else "; "  # a decimal comma needs another separator

    head = "".join(f"<th{CELL}>{html.escape(_(label).format(million=million(money)))}</th>"
                   for label in SWEEP_OUTCOMES.values())
    body = []
    for _job, job_rows in rows.groupby("job", sort=False):
        cells = []
        for outcome in SWEEP_OUTCOMES:
            r = job_rows[job_rows["outcome"] == outcome]
            cells.append(f"<td{CELL}>–</td>" if r.empty else
                         f"<td{CELL}>{num(r['effect'].iloc[0])} [{num(r['effect_ci_low'].iloc[0])}{sep}"
                         f"{num(r['effect_ci_high'].iloc[0])}]</td>")
        body.append(f"<tr><td{CELL}>{html.escape(level_name(job_rows))}</td>{''.join(cells)}</tr>")
    nearest = _("{name}: the level nearest the chosen funding (effect [95% CI])").format(name=name)
    return (f"<p>{html.escape(nearest)}</p>"
            f"<table style='border-collapse: collapse'><tr><th{CELL}>{_('sweep level')}</th>{head}</tr>"
            f"{''.join(body)}</table>")


@solara.component
def LivePanel():
    """(b) A live paired run, month by month, with progress and a start/stop button."""
    solara.use_thread(_run, dependencies=[run_count.value], intrusive_cancel=False)
    with language(lang()):
        _live_panel()


def _live_panel():
    state = live.value
    running = state.phase in ("preparing", "burn-in", "running")
    with solara.Card(_("Live paired run")):
        solara.Text(_("Both arms share the burn-in and every random number; the live run is "
                      "coarse (about {agents} agents per arm, each standing for several people) "
                      "so it runs fast. Totals are in real people and currency.").format(
                          agents=AGENTS), style={"font-size": "0.85em"})
        with solara.Row():
            solara.Button(_("Start live run"), on_click=_start, disabled=running, color="primary")
            solara.Button(_("Stop"), on_click=lambda: stop.set(True), disabled=not running)
        if state.phase == "error":
            solara.Error(state.message)
            return
        if state.phase == "idle":
            solara.Text(_("Press Start to run the chosen world and grant."))
            return
        solara.ProgressLinear(True if state.phase in ("preparing", "burn-in") else state.progress)
        if state.phase in ("preparing", "burn-in"):
            solara.Text(state.message, classes=["live-status"])
            return
        from sim.report.i18n import localise_number, million, ngettext

        status = {"running": _("running"), "done": _("done"), "stopped": _("stopped")}[state.phase]
        solara.HTML(tag="div", unsafe_innerHTML=f"<b>{_('This run:')}</b> "
                                                f"{html.escape(state.describes)}")
        solara.HTML(tag="div", unsafe_innerHTML=html.escape(
            _("Month {month} of {months} (year {year}), {status} · {agents} agents per arm, "
              "{people} per agent").format(
                month=state.month, months=state.months,
                year=localise_number(f"{state.month / 12:.1f}"), status=status,
                agents=localise_number(f"{state.agents:,}"),
                people=ngettext("{n} person", "{n} people", 1 if state.scale == 1 else 2).format(
                    n=localise_number(f"{state.scale:g}")))),
            classes=["live-status"])
        solara.FigureMatplotlib(charts.live_figure(state),
                                dependencies=[state.month, state.phase, lang()], format="png")
        if state.month:
            base = state.series["baseline"]["net_cost_cum_m"][-1]
            ally = state.series["alliance"]["net_cost_cum_m"][-1]
            solara.Text(_("Net public cost so far (taxes and contributions received minus "
                          "benefits, care and the grant paid; negative: the state takes in more; "
                          "the grant is paid each January and what is left is returned in "
                          "December): without alliance {without} {million}, with alliance "
                          "{with_} {million}.").format(
                              without=localise_number(f"{base:,.0f}"),
                              with_=localise_number(f"{ally:,.0f}"),
                              million=million(state.currency)), style={"font-size": "0.85em"})


@solara.component
def Page():
    with language(lang()):
        solara.Title(_("Alliance simulator"))
        with solara.Sidebar():
            Controls()
        solara.HTML(tag="h2", unsafe_innerHTML=html.escape(
            _("Freelance artists with and without an alliance")))
    SweepPanel()
    LivePanel()
