"""The alliance's rules and the public ledger against hand computations."""

from types import SimpleNamespace

import numpy as np
import pytest

from sim.model.core.finance import outside_tax, unemployment_benefit
from sim.model.core.ledger import Ledger
from sim.model.core.population import Population
from sim.model.core.recorder import Recorder
from sim.model.policy.alliance import AllianceOrg
from tests.conftest import spec_for


def members(n, month_admitted, engaged_months_per_member, qualifying=None):
    """``n`` members admitted in ``month_admitted``; member i was engaged in its first k_i months."""
    pop = Population()
    bits = []
    for k in engaged_months_per_member:  # period of 36 months, engaged in the first k
        word = 0
        for month in range(k):
            word |= 1 << (35 - month)  # bit 0 = the latest month (month 35 of the period)
        bits.append(word)
    pop.add(n, member=np.ones(n, bool), member_since=np.full(n, month_admitted),
            engaged_bits=np.array(bits, dtype=np.uint64),
            qualifying_months=np.array(qualifying or [100] * n))
    return pop


def test_work_requirement_is_checked_on_the_period_just_ended():
    spec = spec_for()
    org = AllianceOrg(spec.alliance, spec.rules.admission)  # 12 engaged months per 36
    pop = members(3, 120, [12, 11, 36])
    rec = Recorder(200)
    org.review(pop, SimpleNamespace(month=120 + 34), rec)  # period not over yet
    assert pop.member.all()
    org.review(pop, SimpleNamespace(month=120 + 35), rec)  # last month of the period
    assert pop.member.tolist() == [True, False, True]
    assert rec.series["let_go"][155] == 1


def test_a_cut_lets_the_last_admitted_go_first():
    spec = spec_for(**{"alliance.overhead_share": 0.0, "alliance.open_training_share": 0.0})
    pop = Population()
    pop.add(4, member=np.ones(4, bool), member_since=np.array([0, 12, 24, 24]),
            qualifying_months=np.array([200, 150, 90, 80]), active=np.ones(4, bool))
    ec = spec.country.employer_contribution_rate
    cost = 12 * spec.alliance.planning_idle_share * spec.alliance.salary * (1 + ec)
    spec = spec.with_alliance(funding_m=2.5 * cost / 1e6)  # room for two members
    org = AllianceOrg(spec.alliance, spec.rules.admission)
    ctx = SimpleNamespace(month=spec.burn_in_months, horizon_month=0, money_scale=1.0,
                          country=spec.country, uniform=lambda name: np.zeros(4))
    org.open_year(pop, ctx, Ledger(spec.total_months), Recorder(spec.total_months))
    assert pop.member.tolist() == [True, True, False, False]


def test_salaries_are_cut_pro_rata_when_the_budget_runs_out():
    spec = spec_for()
    org = AllianceOrg(spec.alliance, spec.rules.admission)
    org.grant, org.salary_budget = 1e6, 50_000.0
    pop = Population()
    pop.add(5, member=np.ones(5, bool))
    ledger = Ledger(10)
    ctx = SimpleNamespace(month=0, money_scale=1.0, country=spec.country)
    salary = org.pay(pop, ctx, np.zeros(5, bool), ledger)
    ec = spec.country.employer_contribution_rate
    assert salary.sum() * (1 + ec) == pytest.approx(50_000.0)
    assert salary[0] == pytest.approx(50_000.0 / (1 + ec) / 5)
    assert org.pay(pop, ctx, np.zeros(5, bool), ledger).sum() == 0  # nothing left this year
    assert org._paid_member_months == 10  # the need is still counted for planning


def test_leavers_pay_tax_until_retirement():
    ledger = Ledger(24)
    ledger.add_leavers(3, np.array([10, 30, 2]))  # the third retires before starting: ignored
    assert [ledger.leavers_working(m) for m in (2, 3, 9, 10, 23)] == [0, 2, 2, 1, 1]
    spec = spec_for()
    s, c = spec.sector, spec.country
    wage = s.outside_wage
    expected = (c.income_tax_rate * (wage - c.basic_deduction)
                + c.employer_contribution_rate * wage)  # below the state-tax threshold
    assert outside_tax(s, c) == pytest.approx(expected)


def test_unemployment_benefit_by_hand():
    c = spec_for().country
    pop = Population()
    six = np.uint64(0b111111)
    pop.add(4, insured=np.array([True, True, False, True]),
            engaged_bits=np.array([six, six, six, np.uint64(0b11111)]),
            recent_fees=np.array([30_000.0, 5_000.0, 30_000.0, 30_000.0]))
    side = np.array([1_000.0, 0.0, 0.0, 0.0])
    got = unemployment_benefit(pop, c, np.zeros(4, bool), np.zeros(4, bool), side)
    assert got[0] == pytest.approx(min(c.benefit_cap, c.benefit_replacement * 30_000) - 1_000)
    assert got[1] == pytest.approx(c.benefit_floor)  # 80% of 5,000 is below the floor
    assert got[2] == 0 and got[3] == 0  # not insured; only 5 engaged months


def test_net_cost_signs():
    ledger = Ledger(1)
    for flow, amount in {"grant": 100, "grant_returned": 10, "income_tax": 20,
                         "contributions": 15, "unemployment_benefit": 7, "sickness_benefit": 3,
                         "health_care": 2, "leavers_tax": 5}.items():
        ledger.add(flow, 0, amount)
    assert ledger.net_cost()[0] == 100 - 10 - 20 - 15 + 7 + 3 + 2 - 5
