"""The monthly step: the one place where the order of events is written down.

Each month, for one arm, in this order (``STEP_ORDER``):

1. ``enter``           January: the yearly cohort of entrants joins (month 0: initial population).
2. ``policy_year``     January of a horizon year: the policy's year opens (money, furlough,
                       lay-offs) and it hires if a round is due; then it writes its modifiers.
3. ``health``          episodes start (from last month's precarity); the sick cannot work.
4. ``income``          engagements (the income rule's odds, the policy's boost), pay, side income.
5. ``policy_pay``      salaries paid by the policy, and its transfers (money that is not pay).
6. ``public_finance``  unemployment, sickness and parental benefits, income tax, contributions,
                       pension rights, care costs; public fees for added work.
7. ``household``       consumption and its VAT, savings, idle spells, income history and yearly
                       income statistics; then the policy rewrites its modifiers with this
                       month's precarity.
8. ``family``          births (fertility rule x the policy's modifier), which start parental
                       leave (``sim/model/core/parental.py``), and partnerships.
9. ``exit``            permanent exits (exit rule x the policy's modifier); the policy is told
                       who left (``on_exits``).
10. ``policy_review``  the policy's work requirement and time account.
11. ``record``         monthly aggregates (the core's, then the policy's ``record_month``).
12. ``age``            ageing and experience; December: year-end statistics, the policy's
                       accounts.
13. ``policy_wages``   the income tax and contributions on what the policy paid its staff and
                       trainers this month (``wage_lines``), and the VAT on what they consume
                       out of it, flow back; compaction.

Every phase works on whole columns; nothing here loops over agents. Random decisions meet the
policy's modifier columns in ``sim/model/core/decisions.py``. The core knows the policy only
through its interface (``sim/model/policy/base.py``): its modifier columns, the salary ``pay``
returns (earned income), the transfers ``transfers_runs`` returns (not pay, taxed and earning
rights as ``transfer_rules`` says), the rows it bars from unemployment benefit
(``no_unemployment_benefit``: by default those it ``employed``), and the hooks
``on_births``, ``on_exits`` and ``record_month``, through which it keeps its own columns and
series.

The same step runs a batch of G runs (``sim.run_many``): one population with a group of rows
per run, each run with its own random streams, per-run parameters (``ctx.runs``,
``sim/model/core/per_run.py``), ledger row, recorder row, policy object and policy state.
Every phase still makes one pass over all rows; what a run sums up is summed over its own rows;
the yearly parts (the policy's year and hiring round, December's statistics) run run by run on
views of the run's rows. A single run is a batch of one.
"""

from __future__ import annotations

import numpy as np

from sim.model.core import decisions, parental
from sim.model.core.columns import NO_MONTH
from sim.model.core.context import StepContext
from sim.model.core.events import book_births, book_episodes
from sim.model.core.finance import settle_month
from sim.model.core.recorder import close_year, record_month
from sim.model.demography import enter

STEP_ORDER = ("enter", "policy_year", "health", "income", "policy_pay", "public_finance",
              "household", "family", "exit", "policy_review", "record", "age", "policy_wages")


def make_context(model) -> StepContext:
    spec = model.spec
    ctx = StepContext(month=model.month, burn_in_months=spec.burn_in_months, sector=spec.sector,
                      country=spec.country, population=spec.population,
                      streams=model.streams, uids=model.pop.uid, runs=model.runs)
    ctx.demand = spec.demand.index(ctx.horizon_month)
    ctx.demand_level = spec.demand.level
    return ctx


def market_pools(model, ctx) -> np.ndarray | None:
    """Each run's pool of engagement-months this month under demand=market (None: steady),
    from the people active after this month's entry where a run's ``demand.displacement`` is
    below 1 (``Demand.pool``)."""
    spec, pop = model.spec, model.pop
    if spec.demand.model != "market":
        return None
    displacement = ctx.runs.values("demand", "displacement")
    active = (np.bincount(pop.group[pop.active], minlength=pop.groups)
              if (displacement < 1.0).any() else np.zeros(pop.groups))
    return np.array([spec.demand.pool(ctx.horizon_month, spec.population.agents, float(a), float(d))
                     for a, d in zip(active, displacement, strict=True)], dtype=np.int64)


def public_fees(model, ctx, pop) -> np.ndarray | None:
    """Each run's fees this month that public budgets pay for added work: that many
    engagement-months at the month's mean fee, times ``sector.public_fee_share``. Under
    demand=market the added work is what a pool adds beyond its fixed size (``ctx.extra_pool``,
    displacement below 1): the fixed pool's fees are paid from budgets set whatever the policy
    does, so they are no effect of it; None: a fixed pool. Under demand=steady (``ctx.pool`` is
    None: each chance of work independent, so networking creates work) it is the engaged active
    months beyond a reference the same in both arms, ``demand.engaged_share`` x the simulated
    people (``population.agents``) x the demand index: the calibrated baseline's engaged share."""
    steady = ctx.extra_pool is None  # a market always has a pool (None: demand=steady)
    if not steady and not ctx.extra_pool.any():
        return None
    engaged = pop.active & pop.engaged
    fees = np.bincount(pop.group[engaged], weights=pop.fees[engaged], minlength=pop.groups)
    months = np.bincount(pop.group[engaged], minlength=pop.groups)
    mean_fee = np.divide(fees, months, out=np.zeros(pop.groups), where=months > 0)
    share = ctx.runs.values("sector", "public_fee_share")
    if steady:  # the months the freelancers found beyond the reference
        demand, agents = model.spec.demand, model.spec.population.agents
        extra = months - demand.engaged_share * agents * ctx.demand
    else:
        extra = ctx.extra_pool
    return share * extra * mean_fee


def monthly_step(model) -> None:
    # the batch's ledger and recorder (a row per run) and each run's own (views of a row)
    pop, rules, batch_ledger, batch_rec = model.pop, model.rules, model.ledgers, model.recorders
    policy, policies, states = model.policy, model.policies, model.policy_states
    run_ledgers, run_recorders = model.run_ledgers, model.run_recorders
    ctx = make_context(model)
    m = ctx.month
    s, c = ctx.sector, ctx.country

    # 1. enter
    entrants = enter(model, ctx)
    ctx.uids = pop.uid
    ctx.pool = market_pools(model, ctx)  # after entry: a pool may follow the people active
    if ctx.pool is not None:  # the part beyond the pool's fixed size, which budgets pay anew
        fixed = model.spec.demand.pool(ctx.horizon_month, model.spec.population.agents)
        ctx.extra_pool = ctx.pool - fixed
    # 2. policy_year (run by run, on views of each run's rows)
    if policy is not None:
        if m % 12 == 0 and ctx.horizon_month >= 0:
            for g in range(pop.groups):
                rows = pop.rows_of(g)
                run_ctx = ctx.for_rows(rows)
                policies[g].open_year(states[g], rows, run_ctx, run_ledgers[g], run_recorders[g])
                policies[g].admit(states[g], rows, run_ctx, model.specs[g].rules.admission,
                                  run_recorders[g])
        policy.write_modifiers_runs(states, pop, ctx)
    # 3. health (precarity as of last month)
    ctx.precarious = pop.precarious  # as of last month's household phase (entrants: at entry)
    onset = rules.health.onset_probability(pop, ctx)
    starts = decisions.health_onsets(pop, ctx, onset, "the health rule's onset_probability")
    counts = book_episodes(pop, starts, rules.health.spell_months(pop, ctx, starts))
    batch_ledger.add("health_care", m, counts["episodes"] * c.health_cost_per_episode)
    # 4. income
    log_odds = rules.income.engagement_log_odds(pop, ctx)
    engaged = decisions.engagements(pop, ctx, log_odds, "the income rule's engagement_log_odds")
    earn = rules.income.earn(pop, ctx, engaged)
    engaged &= pop.active
    # 5. policy_pay
    salary = (policy.pay_runs(states, pop, ctx, engaged, run_ledgers, run_recorders)
              if policy is not None else np.zeros(len(pop)))  # per row; made once for the phases that read it
    transfer = (policy.transfers_runs(states, pop, ctx, engaged, run_ledgers, run_recorders)
                if policy is not None else None)  # per row, or None: no transfers
    rules_of_transfer = policy.transfer_rules(ctx.country) if transfer is not None else None
    # 6. public_finance and 7. household (one pass, sim/model/core/finance.py)
    barred = policy.no_unemployment_benefit(pop) if policy is not None else None
    counts |= settle_month(
        pop, ctx, earn, engaged, salary, batch_ledger, barred, transfer,
        transfer_taxed=rules_of_transfer is not None and rules_of_transfer.taxed,
        transfer_rights=rules_of_transfer is not None and rules_of_transfer.social_rights)
    ctx.precarious = pop.precarious  # this month's, set by the household phase
    fees = public_fees(model, ctx, pop)
    if fees is not None:
        batch_ledger.add("public_fees", m, fees)
    if policy is not None:
        policy.write_modifiers_runs(states, pop, ctx)
    # 8. family
    p_birth = rules.fertility.birth_probability(pop, ctx)
    born = decisions.births(pop, ctx, p_birth, "the fertility rule's birth_probability")
    rules.fertility.update_partnerships(pop, ctx)
    counts |= book_births(pop, born, m, batch_rec.by_age["women_births"] if ctx.horizon_month >= 0 else None)
    if policy is not None:
        policy.on_births(states, pop, ctx, born, run_recorders)
    leave = parental.start_leave(pop, born, c)  # from next month, at the benefit fixed now
    batch_ledger.add("parental_benefit", m, leave["lump_sum"])
    counts["births_qualified"] = leave["births_qualified"]
    # 9. exit
    total, physical = rules.exit.hazard(pop, ctx)
    leave, reason = decisions.exits(pop, ctx, total, physical, f"{type(rules.exit).__name__}.hazard")
    exit_counts, retire_at, runs, left = pop.record_exits(leave, reason, m, round(s.retirement_age * 12))
    if policy is not None:
        policy.on_exits(states, pop, ctx, left, reason[left], run_recorders)
    if ctx.horizon_month >= 0:  # leavers of the measured years who do not retire take the
        batch_ledger.add_leavers(m + 1, retire_at, runs)  # outside job (burn-in leavers: same in both arms)
    leavers = batch_ledger.leavers_working(m)
    batch_ledger.add("leavers_tax", m, leavers * model.leaver_tax)
    batch_ledger.add("leavers_benefit", m, leavers * model.leaver_benefit)
    batch_ledger.add("pension_rights", m, leavers * model.leaver_rights)
    batch_ledger.add("vat", m, leavers * model.leaver_vat)
    # 10. policy_review
    if policy is not None:
        policy.review_runs(states, pop, ctx, run_recorders)
    # 11. record
    counts["entrants"] = entrants.size // pop.groups  # the same cohort in every run
    counts["engagement_pool"] = 0 if ctx.pool is None else ctx.pool
    counts |= exit_counts
    record_month(batch_rec, pop, ctx, counts, engaged)
    if policy is not None:
        policy.record_month(states, pop, ctx, engaged, salary, run_recorders)
    # 12. age
    pop.age_one_month()
    if ctx.calendar_month == 11:
        for g in range(pop.groups):
            rows = pop.rows_of(g)
            close_year(run_recorders[g], rows, m)
            if policy is not None:
                policies[g].close_year(states[g], rows, ctx.for_rows(rows), run_ledgers[g],
                                       run_recorders[g])
    # 13. policy_wages: what the policy paid this month as wages and fees to its staff and
    # trainers is taxed like other pay (its spending lines say which, ``Policy.wage_lines``)
    if policy is not None:
        for g in range(pop.groups):
            tax, contributions, rights, vat = model.wage_returns[g]
            for line, share in policies[g].wage_lines().items():
                cost = run_ledgers[g].spending[line][m] * share
                run_ledgers[g].add("income_tax", m, cost * tax)
                run_ledgers[g].add("contributions", m, cost * contributions)
                run_ledgers[g].add("pension_rights", m, cost * rights)
                run_ledgers[g].add("vat", m, cost * vat)
    pop.compact()
    model.month += 1


__all__ = ["STEP_ORDER", "monthly_step", "NO_MONTH"]
