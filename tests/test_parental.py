"""Parental leave, parental benefit and pension rights against hand computations."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim.model.core import parental
from sim.model.core.columns import AgentColumns
from sim.model.core.finance import settle_month
from sim.model.core.ledger import Ledger
from sim.model.rules.base import Earnings
from tests.conftest import spec_for

EIGHT_MONTHS = np.uint64(0xFF)


def parents(**columns):
    pop = AgentColumns()
    n = len(next(iter(columns.values())))
    pop.add(n, **{k: np.asarray(v) for k, v in columns.items()})
    return pop


def test_swedish_parental_benefit_by_hand():
    """A mother with 60,000 a month and eight qualifying months: 77.6% of the 47,750 ceiling;
    a father with seven qualifying months: the basic 7,600; nobody gets a lump sum."""
    c = spec_for().country
    pop = parents(female=[True, False], recent_income=[60_000.0, 30_000.0],
                  earning_bits=[EIGHT_MONTHS, np.uint64(0x7F)])
    assert parental.qualified(pop, c).tolist() == [True, False]
    out = parental.start_leave(pop, np.array([True, True]), c)
    assert pop.parental_benefit.tolist() == pytest.approx([0.776 * 47_750, 7_600])
    assert pop.parental_months_left.tolist() == [c.mother_leave_months, c.father_leave_months]
    assert pop.parental_months_left.tolist() == [10, 4]
    assert out == {"lump_sum": 0.0, "births_qualified": 1}


def test_norwegian_lump_sum_for_mothers_without_the_right():
    c = spec_for(policy="skuda").country
    # Norway: 6 of the last 10 months; the second mother has 5
    pop = parents(female=[True, True, False], recent_income=[40_000.0, 40_000.0, 40_000.0],
                  earning_bits=[np.uint64(0b1111110000), np.uint64(0b0000011111), np.uint64(0)])
    out = parental.start_leave(pop, np.array([True, True, True]), c)
    assert pop.parental_benefit.tolist() == pytest.approx([40_000.0, 0.0, 0.0])  # 100%, no basic
    assert out == {"lump_sum": pytest.approx(92_648.0), "births_qualified": 1}


def test_a_month_of_leave_pays_the_benefit_and_no_work():
    """On leave: no fees, no side income, no a-kassa; the fixed benefit is taxed like income,
    pensionable, and the state pays the old-age contribution on it."""
    spec = spec_for()
    c, s = spec.country, spec.sector
    pop = parents(female=[True], recent_income=[20_000.0], recent_fees=[18_000.0],
                  insured=[True], parental_months_left=[3], parental_benefit=[15_520.0],
                  buffer=[50_000.0])
    batch = Ledger(2, groups=1)  # the monthly step books one amount per run of a batch
    ledger = batch.group(0)
    ctx = SimpleNamespace(sector=s, country=c, month=0, money_scale=1.0)
    counts = settle_month(pop, ctx, Earnings(fees=np.zeros(1), side=np.array([5_000.0])),
                          np.array([False]), np.zeros(1), batch)
    assert ledger.flows["parental_benefit"][0] == pytest.approx(15_520.0)
    assert ledger.flows["unemployment_benefit"][0] == 0.0
    tax = c.income_tax_rate * (15_520 - c.basic_deduction)  # below the state-tax threshold
    assert ledger.flows["income_tax"][0] == pytest.approx(tax)
    assert ledger.flows["benefit_pension_contributions"][0] == pytest.approx(0.1021 * 15_520)
    assert counts["pension_rights"] == pytest.approx(0.185 * 15_520)
    assert pop.income[0] == 0.0  # nothing earned
    assert pop.recent_income[0] == 20_000.0  # the qualifying income is protected on leave
    assert pop.leave_bits[0] & np.uint64(1)  # the month counts as leave for the alliances
    assert pop.earning_bits[0] & np.uint64(1)  # and as an income month for the next child


def test_nobody_on_parental_leave_is_engaged_or_owed_a_salary():
    from sim.model.core.loop import make_context
    from sim.model.freelance import ArmModel

    spec = spec_for(demand="steady")  # everyone who can work does: no pool to share
    model = ArmModel(spec, 2, "policy")
    model.run(spec.burn_in_months + 13)
    pop = model.pop
    away = pop.parental_months_left > 0
    assert away.any(), "some parent should be on leave after 13 horizon months"
    ctx = make_context(model)
    from sim.model.core import decisions

    engaged = decisions.engagements(pop, ctx, np.full(len(pop), 10.0), "test")  # everyone wants work
    assert not engaged[away].any() and engaged[~away & (pop.sick_months_left == 0)].all()


def test_pension_rights_stop_at_the_ceiling():
    spec = spec_for()
    c = spec.country
    pop = parents(female=[False], recent_income=[90_000.0], buffer=[0.0])
    ctx = SimpleNamespace(sector=spec.sector, country=c, month=0, money_scale=1.0)
    counts = settle_month(pop, ctx, Earnings(fees=np.array([90_000.0]), side=np.zeros(1)),
                          np.array([True]), np.zeros(1), Ledger(1, groups=1))
    assert counts["pension_rights"] == pytest.approx(0.185 * c.pension_income_cap)
    assert counts["pension_contributions"] == pytest.approx(0.1021 * 90_000)
