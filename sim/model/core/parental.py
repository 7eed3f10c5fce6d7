"""Parental leave and parental benefit (phase ``family``; paid in ``public_finance``).

Where it sits: a birth in the ``family`` phase starts the parent's leave, with its monthly
benefit fixed at the birth; from the next month the parent cannot work, is paid that benefit
by the state (``sim/model/core/finance.py``) and has the months marked as leave, which pushes
admission rules' qualifying windows back as those rules allow. The fertility rule reads
``expected_benefit`` for its economic-security factor, so the one formula decides both what a
parent is paid and how secure a would-be parent feels.

Rules of the country (``configs/country/``; Försäkringskassan and NAV, 2024):

* Qualifying: income (work, unemployment, sickness or parental benefit) of at least
  ``parental_income_threshold`` in ``parental_qualifying_months`` of the last
  ``parental_qualifying_window`` months (Sweden: 240 days in a row above the basic level;
  Norway: 6 of the last 10 months). Irregular freelance income often misses this; a policy's
  salary between engagements keeps it (alliances-2.md).
* Qualified: ``parental_replacement`` of the benefit-qualifying income (SGI, here the 12-month
  average of earned income) up to ``parental_income_cap``, at least ``parental_basic_level``.
* Not qualified: ``parental_basic_level`` per month (Sweden: 250 SEK a day), and mothers get
  ``parental_lump_sum`` once (Norway: engangsstønad).
* Leave: ``mother_leave_months`` for women, ``father_leave_months`` for men (how Nordic
  parents split the leave; the partner is not simulated).
"""

from __future__ import annotations

import numpy as np

from sim.model.core.jit import inline, kernel, popcount


def window_mask(months: int) -> np.uint64:
    """Bits of the last ``months`` months of a history column (bit 0 = this month)."""
    return np.uint64((1 << months) - 1) if months < 64 else np.uint64(2**64 - 1)


def qualified(pop, c) -> np.ndarray:
    """Rows that qualify for the income-related parental benefit now."""
    return _qualified(pop.earning_bits, window_mask(c.parental_qualifying_window),
                      c.parental_qualifying_months, np.empty(len(pop), dtype=np.bool_))


def expected_benefit(pop, c) -> np.ndarray:
    """Monthly parental benefit each row would get if a child were born now."""
    return _benefit_level(pop.earning_bits, pop.recent_income,
                          window_mask(c.parental_qualifying_window), c.parental_qualifying_months,
                          c.parental_replacement, c.parental_income_cap, c.parental_basic_level,
                          np.empty(len(pop)))


def start_leave(pop, born: np.ndarray, c) -> dict[str, np.ndarray]:
    """Parents of this month's births (active rows in ``born``) start their leave at the benefit
    fixed now; returns the lump sums paid and the count of births with the income-related
    benefit (one of each per run of a batch), for the ledger and the recorder."""
    if not born.any():  # most months of a small sector: nothing to start
        return {"lump_sum": np.zeros(pop.groups), "births_qualified": np.zeros(pop.groups)}
    # one pass; the benefit and the qualification are worked out for the parents only
    lump, n_qualified = _start_leave(born, pop.active, pop.female, pop.earning_bits,
                                     pop.recent_income, window_mask(c.parental_qualifying_window),
                                     c.parental_qualifying_months, c.parental_replacement,
                                     c.parental_income_cap, c.parental_basic_level,
                                     pop.parental_months_left, pop.parental_benefit,
                                     c.mother_leave_months, c.father_leave_months,
                                     c.parental_lump_sum, pop.bounds, np.empty((2, pop.groups)))
    return {"lump_sum": lump, "births_qualified": n_qualified}


@inline
def _qualifies(earning_bits, mask, months_needed):
    """Income of at least the threshold in ``months_needed`` of the window's months."""
    return popcount(earning_bits & mask) >= months_needed


@inline
def _level(earning_bits, recent_income, mask, months_needed, replacement, cap, basic):
    """The monthly benefit: a share of recent income up to the cap if qualified, at least the
    basic level."""
    if _qualifies(earning_bits, mask, months_needed):
        return max(replacement * min(recent_income, cap), basic)
    return basic


@kernel
def _qualified(earning_bits, mask, months_needed, out):
    for i in range(out.size):
        out[i] = _qualifies(earning_bits[i], mask, months_needed)
    return out


@kernel
def _benefit_level(earning_bits, recent_income, mask, months_needed, replacement, cap, basic, out):
    for i in range(out.size):
        out[i] = _level(earning_bits[i], recent_income[i], mask, months_needed, replacement, cap,
                        basic)
    return out


@kernel
def _start_leave(born, active, female, earning_bits, recent_income, mask, months_needed,
                 replacement, cap, basic, months_left, benefit, mother_months, father_months,
                 lump_sum, bounds, out):
    for g in range(bounds.size - 1):
        lump = 0.0
        n_qualified = 0
        for i in range(bounds[g], bounds[g + 1]):
            if born[i] and active[i]:
                is_qualified = _qualifies(earning_bits[i], mask, months_needed)
                months_left[i] = mother_months if female[i] else father_months
                benefit[i] = _level(earning_bits[i], recent_income[i], mask, months_needed,
                                    replacement, cap, basic)
                n_qualified += is_qualified
                if female[i] and not is_qualified:
                    lump += lump_sum
        out[0, g], out[1, g] = lump, n_qualified
    return out
