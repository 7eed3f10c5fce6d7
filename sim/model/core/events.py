"""Booking the month's events into the columns, the registry and the month's counts.

Where it sits: the rules decide *who* has a health episode (phase ``health``) or a birth (phase
``family``); these kernels apply the consequences to the active rows in one pass each and
return the counts the recorder needs (one per run of a batch, over the run's rows
``pop.bounds``). Exits are booked by ``AgentColumns.record_exits``.
"""

from __future__ import annotations

import numpy as np

from sim.model.core.columns import check_rows
from sim.model.core.jit import kernel
from sim.model.core.recorder import MAX_AGE

EPISODE_COUNTS = ("episodes", "episodes_precarious", "active_at_onset", "precarious_at_onset",
                  "episode_months", "episodes_long")


def book_episodes(pop, starts: np.ndarray, months: np.ndarray) -> dict[str, np.ndarray]:
    """Active rows in ``starts`` fall ill for ``months`` (per row, from the health rule's
    ``spell_months``); counts for the recorder: the episodes, those among the precarious, the
    active and the precarious at risk (not already ill, the rates' denominators), the months
    the new spells will last and how many last more than 12."""
    check_rows(starts, len(pop), "the health rule's onset_probability")
    check_rows(months, len(pop), "the health rule's spell_months")
    counts = _book_episodes(starts, months.astype(np.int16, copy=False), pop.active,
                            pop.precarious, pop.sick_months_left, pop.spell_months, pop.bounds,
                            np.empty((len(EPISODE_COUNTS), pop.groups)))
    return dict(zip(EPISODE_COUNTS, counts, strict=True))


@kernel
def _book_episodes(starts, months, active, precarious, sick_months_left, spell_months, bounds,
                   out):
    for g in range(bounds.size - 1):
        episodes = episodes_precarious = n_active = n_precarious = total = long = 0
        for i in range(bounds[g], bounds[g + 1]):
            a = active[i]
            at_risk = a and sick_months_left[i] == 0  # an episode under way: not at risk
            n_active += at_risk
            n_precarious += at_risk & precarious[i]
            if starts[i] and a:
                length = max(months[i], 1)
                sick_months_left[i] = length
                spell_months[i] = length
                episodes += 1
                episodes_precarious += precarious[i]
                total += length
                long += length > 12
        out[0, g], out[1, g], out[2, g], out[3, g] = (episodes, episodes_precarious, n_active,
                                                      n_precarious)
        out[4, g], out[5, g] = total, long
    return out


def book_births(pop, births: np.ndarray, month: int, women_births_by_age) -> dict[str, np.ndarray]:
    """Active rows in ``births`` have a child this month. Counts for the recorder; women's
    births are added by age to ``women_births_by_age`` (one row per run; ``None``: not
    counted, burn-in)."""
    check_rows(births, len(pop), "the fertility rule's step")
    count = women_births_by_age is not None
    by_age = women_births_by_age if count else np.zeros((pop.groups, MAX_AGE))
    n, first_women, first_age_months = _book_births(
        births, pop.active, pop.female, pop.age_months, pop.uid, pop.children,
        pop.last_birth_month, pop.registry["first_birth_age_months"], month,
        by_age.reshape(pop.groups, MAX_AGE), pop.bounds, np.empty((3, pop.groups)))
    return {"births": n, "first_births_women": first_women,
            "first_birth_age_sum": first_age_months / 12.0}


@kernel
def _book_births(births, active, female, age_months, uid, children, last_birth_month,
                 first_birth_age_months, month, women_births_by_age, bounds, out):
    for g in range(bounds.size - 1):
        n = first_women = 0
        first_age_months = 0.0
        for i in range(bounds[g], bounds[g + 1]):
            if not (births[i] and active[i]):
                continue
            n += 1
            age = age_months[i]
            if children[i] == 0:
                first_birth_age_months[uid[i]] = age
                if female[i]:
                    first_women += 1
                    first_age_months += age
            if female[i]:
                women_births_by_age[g, min(age // 12, MAX_AGE - 1)] += 1
            children[i] += 1
            last_birth_month[i] = month
        out[0, g], out[1, g], out[2, g] = n, first_women, first_age_months
    return out
