"""Entry of freelancers into the sector (monthly step, phase ``enter``, every January).

The population is open: an initial population spread over career stages at month 0, then a
cohort of ``population.entry_rate * population.agents`` entrants each January (agents: the
real size over ``population.scale``, the people each agent stands for). Cohort sizes are
fixed numbers, not draws, so both arms of a comparison see exactly the same entrants (same
uids, same traits, drawn from ``init_*`` streams keyed by uid).
"""

from __future__ import annotations

import numpy as np

from sim.model.core.context import StepContext, precarity


def cohort_size(population, month: int) -> int:
    """Entrants in ``month``: the initial population at month 0, a yearly cohort each January."""
    if month == 0:
        return population.agents
    if month % 12 == 0:
        return int(round(population.entry_rate * population.agents))
    return 0


def enter(model, ctx: StepContext) -> np.ndarray:
    """Add this month's entrants to the columns; returns their rows."""
    pop, spec, month = model.pop, model.spec, ctx.month
    n = cohort_size(spec.population, month)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    p, s = spec.population, spec.sector
    uids = pop.next_uids(n)  # n in each group of a batch
    draw = model.streams
    age = p.entry_age_mean + p.entry_age_sd * draw.normal("init_age", uids, month)
    age = np.clip(age, 16.0, s.retirement_age - 5.0)
    tenure = np.zeros(uids.size)
    if month == 0:  # the initial population is spread over career stages
        u = draw.uniform("init_tenure", uids, month)
        tenure = np.minimum(-np.log1p(-u) * p.initial_tenure_mean, s.retirement_age - 1 - age)
        age = age + tenure
    living = s.living_cost * ctx.money_scale
    tenure_m = (tenure * 12).astype(np.int32)
    rows = pop.add(
        n,
        female=draw.uniform("init_sex", uids, month) < p.female_share,
        age_months=(age * 12).astype(np.int32),
        entry_month=month - tenure_m,
        tenure_months=tenure_m,
        buffer=s.initial_buffer_months * living,
        insured=draw.uniform("init_insured", uids, month)
        < ctx.runs.per_row("country", "benefit_takeup", np.arange(uids.size) // n),
        partnered=draw.uniform("init_partner", uids, month) < p.initial_partnered,
        recent_income=living,
    )
    ctx.uids = pop.uid
    model.rules.income.init_agents(pop, rows, ctx)
    model.rules.fertility.init_agents(pop, rows, ctx)
    pop.precarious[rows] = precarity(pop.engaged_bits[rows], pop.buffer[rows], living,
                                     np.empty(rows.size, dtype=np.bool_))
    return rows
