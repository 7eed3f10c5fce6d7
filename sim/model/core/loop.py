"""The monthly step: the one place where the order of events is written down.

Each month, for one arm, in this order (``STEP_ORDER``):

1. ``enter``           January: the yearly cohort of entrants joins (month 0: initial population).
2. ``alliance_year``   January of a horizon year: grant, open training, lay-offs, admission.
3. ``health``          episodes start (from last month's precarity); the sick cannot work.
4. ``income``          engagements, pay and side income (income rule; alliance networking).
5. ``alliance_pay``    salary for members in months without engagements, within the budget.
6. ``public_finance``  unemployment and sickness benefits, income tax, contributions, care costs.
7. ``household``       savings, idle spells, income history and yearly income statistics.
8. ``family``          partnership and births (fertility rule).
9. ``exit``            permanent exits (exit rule); membership ends with the career.
10. ``alliance_review`` work requirement and time account.
11. ``record``         monthly aggregates.
12. ``age``            ageing and experience; December: year-end statistics; compaction.

Every phase works on whole columns; nothing here loops over agents.
"""

from __future__ import annotations

import numpy as np

from sim.model.core.context import StepContext
from sim.model.core.events import book_births, book_episodes
from sim.model.core.finance import outside_tax, settle_month
from sim.model.core.population import NO_MONTH
from sim.model.core.recorder import close_year, record_month
from sim.model.demography import enter

STEP_ORDER = ("enter", "alliance_year", "health", "income", "alliance_pay", "public_finance",
              "household", "family", "exit", "alliance_review", "record", "age")


def make_context(model) -> StepContext:
    spec = model.spec
    ctx = StepContext(month=model.month, burn_in_months=spec.burn_in_months, sector=spec.sector,
                      country=spec.country, population=spec.population, alliance=spec.alliance,
                      streams=model.streams, uids=model.pop.uid)
    ctx.demand = spec.demand.index(ctx.horizon_month)
    return ctx


def monthly_step(model) -> None:
    pop, rules, ledger, rec = model.pop, model.rules, model.ledger, model.recorder
    ctx = make_context(model)
    m = ctx.month
    s, c = ctx.sector, ctx.country

    # 1. enter
    entrants = enter(model, ctx)
    ctx.uids = pop.uid
    # 2. alliance_year
    org = model.alliance
    if org is not None and m % 12 == 0 and ctx.horizon_month >= 0:
        org.open_year(pop, ctx, ledger, rec)
    # 3. health (precarity as of last month)
    ctx.precarious = pop.precarious  # as of last month's household phase (entrants: at entry)
    counts = book_episodes(pop, rules.health.start_episodes(pop, ctx), rules.health.episode_months)
    ledger.add("health_care", m, counts["episodes"] * c.health_cost_per_episode)
    # 4. income
    if org is not None:  # training keeps paying off after the grant stops
        ctx.trained, ctx.engagement_boost = org.networking(pop, ctx)
    earn = rules.income.step(pop, ctx)
    engaged = earn.engaged & pop.active
    # 5. alliance_pay
    salary = (org.pay(pop, ctx, engaged, ledger) if org is not None and org.active
              else np.zeros(len(pop)))  # per row; made once for the phases that read it
    # 6. public_finance and 7. household (one pass, sim/model/core/finance.py)
    settle_month(pop, ctx, earn, engaged, salary, ledger)
    ctx.precarious = pop.precarious  # this month's, set by the household phase
    # 8. family
    births = rules.fertility.step(pop, ctx)
    counts |= book_births(pop, births, m, rec.by_age["women_births"] if ctx.horizon_month >= 0 else None)
    # 9. exit
    leave, reason = rules.exit.decide(pop, ctx)
    counts["exits"], counts["member_exits"], retire_at = pop.record_exits(
        leave, reason, m, round(s.retirement_age * 12))
    ledger.add_leavers(m + 1, retire_at)  # leavers who do not retire take the outside job
    ledger.add("leavers_tax", m, ledger.leavers_working(m) * outside_tax(s, c))
    # 10. alliance_review
    if org is not None and org.active:
        org.review(pop, ctx, rec)
    # 11. record
    counts["entrants"] = entrants.size
    record_month(rec, pop, ctx, counts, engaged, salary)
    # 12. age
    pop.age_one_month()
    if ctx.calendar_month == 11:
        close_year(rec, pop, m)
        if org is not None:
            org.close_year(ctx, ledger)
    pop.compact()
    model.month += 1


__all__ = ["STEP_ORDER", "monthly_step", "NO_MONTH"]
