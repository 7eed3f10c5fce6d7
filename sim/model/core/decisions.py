"""Where the policy's modifiers meet the behavioural rules: the month's random decisions.

Where it sits: phases ``health``, ``income``, ``family`` and ``exit`` of the monthly step
(``sim/model/core/loop.py``). A rule gives a probability (or log-odds, or a hazard) computed
from agent state alone; it never needs to know whom a policy supports. A policy writes
modifier columns (``exit_hr``, ``birth_hr``, ``onset_hr``, ``engagement_boost``, see
``sim/model/core/columns.py``). Here the core applies the modifiers to whatever the rule
returned and draws the decision from the decision's own random stream, so a researcher's rule
keeps the policy's effects without a line about the policy.
"""

from __future__ import annotations

import numpy as np

from sim.model.core.columns import check_rows
from sim.model.core.jit import kernel
from sim.model.core.rng import uniform_at


def health_onsets(pop, ctx, probability: np.ndarray, source: str) -> np.ndarray:
    """Rows whose health episode starts: ``probability x onset_hr``, capped at 1."""
    check_rows(probability, len(pop), source)
    return _scaled_draws(*ctx.stream("health_onset"), np.asarray(probability, dtype=np.float64),
                         pop.onset_hr, np.empty(len(pop), dtype=np.bool_))


def births(pop, ctx, probability: np.ndarray, source: str) -> np.ndarray:
    """Rows with a birth this month: ``probability x birth_hr``, capped at 1."""
    check_rows(probability, len(pop), source)
    return _scaled_draws(*ctx.stream("birth"), np.asarray(probability, dtype=np.float64),
                         pop.birth_hr, np.empty(len(pop), dtype=np.bool_))


def engagements(pop, ctx, log_odds: np.ndarray, source: str) -> np.ndarray:
    """Who has an outside engagement this month; the sick cannot work.

    Nobody on sick or parental leave works.
    Steady demand: each freelancer independently, P = 1 / (1 + exp(-(log_odds + boost))).
    Market (``ctx.pool`` set): the month's ``ctx.pool`` engagement-months go to the active who
    can work. The market clears by one shift of everyone's log-odds: those engaged are the
    ``pool`` with the smallest ``odds(u) / odds`` — steady demand's rule ``u < P`` is
    ``odds(u) / odds < 1`` — which is Pareto order sampling (Rosén 1997): a fixed number drawn,
    each with about the logistic probability at the shifted log-odds. One freelancer's extra
    odds (a policy's networking boost) then take work from the others, and the number engaged is
    the pool whoever is in the sector (in a batch: each run's pool among its own rows). ``u`` is
    the same ``engagement`` stream as under steady demand, so both arms of a comparison meet the
    same luck. ``exp`` runs in numpy's
    vectorised code (see sim/model/core/jit.py)."""
    check_rows(log_odds, len(pop), source)
    odds_against = np.add(log_odds, pop.engagement_boost)
    np.negative(odds_against, out=odds_against)
    np.exp(odds_against, out=odds_against)
    out = np.empty(len(pop), dtype=np.bool_)
    if ctx.pool is None:
        return _engaged(*ctx.stream("engagement"), odds_against, pop.sick_months_left,
                        pop.parental_months_left, out)
    keys = np.empty(len(pop))
    bounds = pop.bounds
    can_work = _market_keys(*ctx.stream("engagement"), odds_against, pop.sick_months_left,
                            pop.parental_months_left, pop.active, keys, bounds,
                            np.empty(pop.groups, dtype=np.int64))
    for g in range(pop.groups):  # each run of a batch has its own market
        run_keys, run_out = keys[bounds[g]:bounds[g + 1]], out[bounds[g]:bounds[g + 1]]
        pool = int(ctx.pool[g])  # this run's pool (sim/model/core/loop.py, market_pools)
        if pool >= can_work[g]:  # everyone who can work is engaged
            np.less(run_keys, np.inf, out=run_out)
        elif pool <= 0:
            run_out[:] = False
        else:
            _smallest(run_keys, pool, run_out)
    return out


def _smallest(keys: np.ndarray, k: int, out: np.ndarray) -> np.ndarray:
    """``out``: the rows of the ``k`` smallest keys (0 < k < len(keys)).

    The keys up to the k-th smallest value are those rows unless another key ties with it; a
    partition of the values is about a quarter faster than one of indices. Keys are continuous,
    so a tie is all but impossible; then ``argpartition`` breaks it, as it always did."""
    np.less_equal(keys, np.partition(keys, k - 1)[k - 1], out=out)
    if np.count_nonzero(out) != k:
        out[:] = False
        out[keys.argpartition(k - 1)[:k]] = True
    return out


def exits(pop, ctx, total: np.ndarray, physical: np.ndarray, source: str):
    """Rows that leave this month and their reason code (EXIT_REASONS). The policy's
    ``exit_hr`` scales the hazard net of physical wear; everyone leaves at retirement age."""
    n = len(pop)
    for name, values in (("total", total), ("physical", physical)):
        check_rows(values, n, f"{source} ({name})")
    leave, reason = np.empty(n, dtype=np.bool_), np.empty(n, dtype=np.int8)
    _leave_or_retire(*ctx.stream("exit"), np.asarray(total, dtype=np.float64),
                     np.asarray(physical, dtype=np.float64), pop.exit_hr, pop.age_months,
                     ctx.sector.retirement_age * 12, leave, reason)
    return leave, reason


@kernel
def _scaled_draws(counter, key, probability, scale, out):
    for i in range(out.size):
        out[i] = uniform_at(counter[i], key) < min(probability[i] * scale[i], 1.0)
    return out


@kernel
def _engaged(counter, key, odds_against, sick_months_left, parental_months_left, out):
    for i in range(out.size):
        # u < 1 / (1 + odds_against), without the division; nobody on sick or parental leave
        out[i] = uniform_at(counter[i], key) * (1.0 + odds_against[i]) < 1.0 \
            and (sick_months_left[i] | parental_months_left[i]) == 0
    return out


@kernel
def _market_keys(counter, key, odds_against, sick_months_left, parental_months_left, active, out,
                 bounds, can_work):
    """Order-sampling keys odds(u) / odds = u / (1 - u) x odds_against (smaller is earlier);
    +inf for those who cannot work (on leave or not active). ``can_work``: how many can work in
    each run of a batch (rows ``bounds``)."""
    for g in range(bounds.size - 1):
        n = 0
        for i in range(bounds[g], bounds[g + 1]):
            if (sick_months_left[i] | parental_months_left[i]) == 0 and active[i]:
                u = uniform_at(counter[i], key)
                out[i] = u / (1.0 - u) * odds_against[i]
                n += out[i] < np.inf  # as numpy's keys < inf would count them
            else:
                out[i] = np.inf
        can_work[g] = n
    return can_work


@kernel
def _leave_or_retire(counter, key, total, physical, exit_hr, age_months, retirement_months, leave,
                     reason):
    """Everyone retires at retirement age; below it one draw decides whether and why one leaves
    (reason 2, physical wear, for the part of the hazard due to wear)."""
    for i in range(leave.size):
        u = uniform_at(counter[i], key)
        if age_months[i] >= retirement_months:
            leave[i], reason[i] = True, 3
            continue
        h, wear = total[i], physical[i]
        if wear == 0.0:
            h = min(h * exit_hr[i], 1.0)
        elif exit_hr[i] != 1.0:  # scale the hazard net of wear: 1 - h = (1 - other)(1 - wear)
            other = 1.0 - (1.0 - h) / (1.0 - wear) if wear < 1.0 else 0.0
            h = 1.0 - (1.0 - min(other * exit_hr[i], 1.0)) * (1.0 - wear)
        leave[i], reason[i] = u < h, 2 if u < physical[i] else 1
