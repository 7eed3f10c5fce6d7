"""The interactive app's page (Solara, on which Mesa's SolaraViz is built): choose a world and a
grant, see the finished sweeps of that world at once, and watch a live paired run month by month.

Where it sits: the top layer. ``python -m sim.app`` serves ``Page``; the data come from
``sim/app/view.py``, the charts from ``sim/app/figures.py``, the run from
``sim.run.paired.paired_months`` (the same pairing as every other run). State lives in
Solara reactive variables, one set per browser session.
"""

from __future__ import annotations

import html
import logging
import os
import threading
import time
from pathlib import Path

import solara

from sim.app import figures
from sim.app.view import (
    AGENTS,
    HORIZONS,
    SWEEP_OUTCOMES,
    LiveState,
    World,
    countries,
    country_label,
    currency,
    default_funding,
    demand_label,
    demands,
    fmt,
    funding_effects,
    level_name,
    live_spec,
    nearest_level,
    policies,
    policy_help,
    policy_label,
    read_sweeps,
    sector_label,
    sectors,
    snapshot,
)
from sim.app.view import description as policy_description
from sim.model.core.params import ConfigError
from sim.report.description import EMPTY, named
from sim.report.i18n import _, language
from sim.run.paired import paired_months

log = logging.getLogger("sim.app")
SWEEPS = Path(os.environ.get("SIM_APP_SWEEPS", "results/sweeps"))  # set by ``python -m sim.app``
SWEEPS_SHOWN = os.environ.get("SIM_APP_SWEEPS_SHOWN", str(SWEEPS))  # as the user named it
CELL = " style='padding: 2px 14px 2px 0; text-align: left'"  # a table cell of the sweep panel
REFRESH_SECONDS = 0.5  # redraw the live charts at most this often

sector = solara.reactive("theatre")
country = solara.reactive("sweden")
policy = solara.reactive(World().policy)
demand = solara.reactive("market")
funding = solara.reactive(40.0)
seed = solara.reactive("0")  # as typed: checked as the command line checks seed=<text>
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
    return World(sector=sector.value, country=country.value, policy=policy.value,
                 demand=demand.value)


def chosen_policy() -> dict:
    """The chosen policy's description in the chosen world (as data); what the page knows of
    it. ``EMPTY`` (it says "the policy") if the preset cannot run there."""
    return policy_description(policy.value, sector.value, country.value) or dict(EMPTY)


def _choose_policy(*_ignored) -> None:
    """After a sector or country change: keep the policy if it can still run there, else the
    first that can; then the grant of that preset."""
    options = policies(sector.value, country.value)
    if policy.value not in options:
        policy.set(options[0])
        funding.set(default_funding(world()))


def _on_policy(_name: str) -> None:
    funding.set(default_funding(world()))


def _start() -> None:
    stop.set(False)
    run_count.set(run_count.value + 1)


def _run(cancel: threading.Event) -> None:
    """The live run's thread: the shared burn-in, then both arms month by month. Whatever goes
    wrong ends the run with one line on the page (the details go to the server's log), so the
    Start button comes back."""
    if run_count.value == 0:
        return
    chosen, grant, start_seed, years = world(), funding.value, seed.value, horizon.value
    page_language = lang()
    try:
        _live(cancel, chosen, grant, start_seed, years, page_language)
    except ConfigError as err:  # a value the command line refuses too: say which control
        with language(page_language):
            control = _control_name(err.key)
            live.set(LiveState(phase="error", message=f"{control}: {err}" if control else str(err)))
    except Exception as err:  # noqa: BLE001 - any failure ends the run, visibly
        log.exception("the live run (%s, %s, seed %r) stopped", chosen, grant, start_seed)
        reason = " ".join(str(err).split())[:200]
        with language(page_language):
            live.set(LiveState(phase="error", message=_(
                "The live run stopped with an error: {error}. Nothing of it is kept; the details "
                "are in the server's log.").format(
                    error=f"{type(err).__name__}: {reason}" if reason else type(err).__name__)))


def _live(cancel: threading.Event, chosen, grant, start_seed, years, page_language) -> None:
    with language(page_language):
        live.set(LiveState(phase="preparing", message=_("Composing the config…")))
        spec, first_seed = live_spec(chosen, grant, years, start_seed)
        live.set(LiveState(phase="burn-in", months=12 * spec.horizon_years,
                           currency=spec.country.currency, scale=spec.population.scale,
                           message=_("Burn-in: {years} years shared by both arms…").format(
                               years=spec.burn_in_years)))
    shown = 0.0
    for pair in paired_months(spec, first_seed):
        if cancel.is_set():
            return
        done = pair.baseline.month >= spec.total_months
        if stop.value:
            live.set(snapshot(pair, "stopped", chosen))
            return
        if done or time.monotonic() - shown >= REFRESH_SECONDS:
            live.set(snapshot(pair, "done" if done else "running", chosen))
            shown = time.monotonic()


def _control_name(key: str) -> str:
    """The control on the page that sets a config key (empty if none does)."""
    return {"seed": _("Seed"), "horizon_years": _("Horizon (years)"), "sector": _("Sector"),
            "country": _("Country"), "policy": _("Policy"),
            "policy.funding_m": _("Funding: {amount} {million}/year").split(":")[0],
            "demand": _("Labour market (demand)")}.get(key, "")


@solara.component
def Choice(label: str, options: dict[str, str], value: solara.Reactive, on_value=None,
           hint: str = ""):
    """A drop-down of config values shown by their labels (``{value: label}``); ``hint``: a
    line under it on what the chosen value is."""
    def choose(new):
        value.set(new)
        if on_value is not None:
            on_value(new)
    solara.v.Select(label=label, v_model=value.value, on_v_model=choose,
                    items=[{"text": text, "value": key} for key, text in options.items()],
                    hint=hint, persistent_hint=bool(hint))


@solara.component
def Controls():
    solara.Select("Language / språk", values=list(LANGUAGES), value=app_language)
    with language(lang()):
        _controls()


def _controls():
    from sim.report.i18n import localise_number, million

    Choice(_("Sector"), {s: sector_label(s) for s in sectors()}, sector,
           on_value=_choose_policy)
    Choice(_("Country"), {c: country_label(c) for c in countries()}, country,
           on_value=_choose_policy)
    Choice(_("Policy"), {p: policy_label(p, sector.value, country.value)
                         for p in policies(sector.value, country.value)}, policy,
           on_value=_on_policy, hint=policy_help(policy.value, sector.value, country.value))
    Choice(_("Labour market (demand)"), {d: demand_label(d) for d in demands()}, demand)
    solara.SliderFloat(_("Funding: {amount} {million}/year").format(
        amount=localise_number(f"{funding.value:g}"), million=million(currency(country.value))),
        value=funding, min=0, max=200, step=5, thumb_label=False)
    solara.Select(_("Horizon (years)"), values=list(HORIZONS), value=horizon)
    solara.InputText(_("Seed"), value=seed, continuous_update=True)


@solara.component
def SweepPanel():
    """(a) Results of finished sweeps for the chosen world, shown at once."""
    with language(lang()):
        _sweep_panel()


def _sweep_panel():
    chosen = world()
    found, broken = solara.use_memo(lambda: read_sweeps(SWEEPS, chosen), [chosen])
    money = currency(chosen.country)
    with solara.Card(_("Finished sweeps for this world")):
        for name in broken:
            _unreadable(name)
        if not found:
            command = (f"uv run python -m sim -m experiment=funding_sweep sector={chosen.sector} "
                       f"country={chosen.country} policy={chosen.policy} "
                       f"demand={chosen.demand}")
            solara.HTML(unsafe_innerHTML=(
                _("No finished sweep of this world in {folder}. A funding sweep produces one "
                  "(about 4 minutes on 2 cores; add {quicker} for a quicker one):").format(
                      folder=f"<code>{html.escape(str(SWEEPS))}</code>",
                      quicker="<code>policy.funding_m=0,20,40,80 seeds=10</code>")
                + f"<pre>{html.escape(command)}</pre>"), classes=["sweep-note"])
            return
        for name, rows in found:
            try:
                effects = funding_effects(rows)
                seeds = int(rows["n_seeds"].max())
                figure = None if effects is None else figures.sweep_figure(
                    effects, funding.value, money,
                    _("{name}: effect of {policy} (with {policy} − without), mean and 95% CI "
                      "over {seeds} paired seeds").format(name=name, seeds=seeds,
                                                           **named(chosen_policy())))
                table = _level_table(name, nearest_level(rows, funding.value), money)
            except Exception:  # noqa: BLE001 - one line on the page, the details in the log
                log.warning("the finished sweep %s cannot be shown", name, exc_info=True)
                _unreadable(name)
                continue
            if figure is not None:
                solara.FigureMatplotlib(figure, dependencies=[name, funding.value, chosen, lang()],
                                        format="png")
            solara.HTML(unsafe_innerHTML=table, classes=["sweep-table"])


def _unreadable(name: str) -> None:
    """One line for a sweep whose results cannot be read: which, and how to rewrite them."""
    command = f"uv run python -m sim.aggregate {Path(SWEEPS_SHOWN) / name}"
    solara.Error(_("The finished sweep {name} cannot be shown: its results table "
                   "(aggregate/summary.parquet) cannot be read. The details are in the "
                   "server's log; aggregating the sweep again writes a new table: {command}"
                   ).format(name=name, command=command), classes=["sweep-error"])


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
        body.append(f"<tr><td{CELL}>{html.escape(level_name(job_rows, money))}</td>"
                    f"{''.join(cells)}</tr>")
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
                                                f"{html.escape(state.describes())}")
        solara.HTML(tag="div", unsafe_innerHTML=html.escape(
            _("Month {month} of {months} (year {year}), {status} · {agents} agents per arm, "
              "{people} per agent").format(
                month=state.month, months=state.months,
                year=localise_number(f"{state.month / 12:.1f}"), status=status,
                agents=localise_number(f"{state.agents:,}"),
                people=ngettext("{n} person", "{n} people", 1 if state.scale == 1 else 2).format(
                    n=localise_number(f"{state.scale:g}")))),
            classes=["live-status"])
        solara.FigureMatplotlib(figures.live_figure(state),
                                dependencies=[state.month, state.phase, lang()], format="png")
        solara.HTML(tag="p", unsafe_innerHTML=html.escape(_(
            "Newcomers enter the profession together each January, so the monthly count of "
            "active freelancers (thin lines) steps up by a year's cohort then and falls as people "
            "leave during the year; the thick lines are the mean of the last 12 months, which "
            "has no such step.")), style="font-size: 0.85em", classes=["active-note"])
        if state.month:
            base = state.series["baseline"]["net_cost_cum_m"][-1]
            with_policy = state.series["policy"]["net_cost_cum_m"][-1]
            solara.Text(_("Net public cost so far (taxes and contributions received minus "
                          "benefits, care and the grant paid; negative: the state takes in more; "
                          "the grant is paid each January and what is left is returned in "
                          "December): without {policy} {without} {million}, with {policy} "
                          "{with_} {million}.").format(
                              without=localise_number(f"{base:,.0f}"),
                              with_=localise_number(f"{with_policy:,.0f}"),
                              million=million(state.currency), **named(state.policy or EMPTY)),
                        style={"font-size": "0.85em"})


@solara.component
def Page():
    with language(lang()):
        solara.Title(_("Freelance artists: a policy simulator"))
        with solara.Sidebar():
            Controls()
        solara.HTML(tag="h2", unsafe_innerHTML=html.escape(
            _("Freelance artists with and without {policy}").format(**named(chosen_policy()))))
    SweepPanel()
    LivePanel()
