"""Booking the month's events into the columns, the registry and the month's counts.

Where it sits: the rules decide *who* has a health episode (phase ``health``) or a birth (phase
``family``); these kernels apply the consequences to the active rows in one pass each and
return the counts the recorder needs (one per run of a batch, over the run's rows
``pop.bounds``). Exits are booked by ``Population.record_exits``.
"""

from __future__ import annotations

import numpy as np

from sim.model.core.jit import kernel
from sim.model.core.population import check_rows
from sim.model.core.recorder import MAX_AGE


def book_episodes(pop, starts: np.ndarray, episode_months: int) -> dict[str, np.ndarray]:
    """Active rows in ``starts`` fall ill for ``episode_months``; counts for the recorder."""
    check_rows(starts, len(pop), "the health rule's start_episodes")
    counts = _book_episodes(starts, pop.active, pop.precarious, pop.sick_months_left,
                            episode_months, pop.bounds, np.empty((4, pop.groups)))
    return dict(zip(("episodes", "episodes_precarious", "active_at_onset", "precarious_at_onset"),
                    counts, strict=True))


@kernel
def _book_episodes(starts, active, precarious, sick_months_left, episode_months, bounds, out):
    for g in range(bounds.size - 1):
        episodes = episodes_precarious = n_active = n_precarious = 0
        for i in range(bounds[g], bounds[g + 1]):
            a = active[i]
            n_active += a
            n_precarious += a & precarious[i]
            if starts[i] and a:
                sick_months_left[i] = episode_months
                episodes += 1
                episodes_precarious += precarious[i]
        out[0, g], out[1, g], out[2, g], out[3, g] = (episodes, episodes_precarious, n_active,
                                                      n_precarious)
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
