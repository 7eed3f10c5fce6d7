"""The alliance's rules and the public ledger against hand computations."""

from types import SimpleNamespace

import numpy as np
import pytest

from sim.model import tables
from sim.model.core.columns import AgentColumns
from sim.model.core.finance import outside_tax, unemployment_benefit
from sim.model.core.ledger import Ledger
from sim.model.core.per_run import RunValues
from sim.model.core.recorder import SERIES, Recorder
from sim.model.policy.alliance import Alliance
from tests.conftest import spec_for


# the policy arm's tables: the core's plus the alliance's
def alliance_pop():
    return AgentColumns(columns=tables.columns(Alliance))


def alliance_recorder(n_months):
    return Recorder(n_months, series=[*SERIES, *Alliance.SERIES])


def alliance_ledger(n_months):
    return Ledger(n_months, spending=Alliance.SPENDING)


def members(n, month_admitted, engaged_months_per_member, qualifying=None):
    """``n`` members admitted in ``month_admitted``; member i was engaged in its first k_i months."""
    pop = alliance_pop()
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
    policy = spec.policy  # 12 engaged months per 36
    state = policy.new_state()
    pop = members(3, 120, [12, 11, 36])
    rec = alliance_recorder(200)
    policy.review(state, pop, SimpleNamespace(month=120 + 34), rec)  # period not over yet
    assert pop.member.all()
    policy.review(state, pop, SimpleNamespace(month=120 + 35), rec)  # last month of the period
    assert pop.member.tolist() == [True, False, True]
    assert rec.series["ends_work_requirement"][155] == 1
    assert rec.series["membership_months_ended"][155] == 36  # admitted in month 120


def test_the_time_account_ends_employment_once_used_up():
    spec = spec_for(policy="skuda")  # a time account of 24 salaried months
    policy, state = spec.policy, spec.policy.new_state()
    pop = members(2, 100, [36, 36])
    pop.paid_months[:] = [23, 24]
    rec = alliance_recorder(200)
    policy.review(state, pop, SimpleNamespace(month=110), rec)
    assert pop.member.tolist() == [True, False]
    assert rec.series["ends_time_account"][110] == 1


def budget_world(n_members, room_for, **changes):
    """A spec whose salary budget sustains ``room_for`` members, and ``n_members`` members."""
    spec = spec_for(**{"policy.overhead_share": 0.0, "policy.open_training_share": 0.0,
                       "policy.hiring_margin": 0.0, **changes})
    ec = spec.country.employer_contribution_rate
    cost = 12 * spec.policy.planned_salary_share * spec.policy.salary * (1 + ec)
    spec = spec.with_policy(funding_m=(room_for + 0.5) * cost / 1e6)
    pop = alliance_pop()
    pop.add(n_members, member=np.ones(n_members, bool),
            member_since=np.arange(n_members) * 12, qualifying_months=np.full(n_members, 100),
            active=np.ones(n_members, bool))
    return spec, pop


def january(spec, year, n):
    """A hiring month's context for ``n`` agents: every draw 0, so ties keep their order and
    everyone eligible applies (the admission rule's own streams are real ones)."""
    from sim.model.core.rng import Streams

    streams, month, uids = Streams(seed=0), spec.burn_in_months + 12 * year, np.arange(n)
    return SimpleNamespace(month=month, horizon_month=12 * year,
                           money_scale=1.0, people_per_agent=1.0, country=spec.country,
                           demand=1.0, demand_level=1.0, runs=RunValues([spec]),
                           uniform=lambda name: np.zeros(n), streams=streams, uids=uids,
                           stream=lambda name: (streams.counters(uids, month), streams.key(name)),
                           happens=lambda name, p: np.zeros(n) < p)


def test_a_shortfall_means_furlough_then_lay_offs_last_in_first_out():
    spec, pop = budget_world(4, room_for=2)  # layoff_after_years = 2 (teateralliansen)
    policy, state = spec.policy, spec.policy.new_state()
    ledger, rec = alliance_ledger(spec.total_months), alliance_recorder(spec.total_months)
    for year in (0, 1):  # two years of shortfall: everyone keeps the job at half pay
        policy.open_year(state, pop, january(spec, year, 4), ledger, rec)
        assert pop.member.all() and state.furlough == pytest.approx(2 / 4)
    policy.open_year(state, pop, january(spec, 2, 4), ledger, rec)  # the third: lay-offs
    assert pop.member.tolist() == [True, True, False, False]  # the last two admitted go
    assert state.furlough == 1.0
    january_3 = spec.burn_in_months + 24
    assert rec.series["ends_budget"][january_3] == 2
    # laid off in January before its pay: admitted in months 24 and 36, they served to December
    assert rec.series["membership_months_ended"][january_3] == (january_3 - 24) + (january_3 - 36)


def test_furlough_cuts_every_salary_pro_rata():
    spec, pop = budget_world(4, room_for=3)
    policy, state = spec.policy, spec.policy.new_state()
    ledger, rec = alliance_ledger(spec.total_months), alliance_recorder(spec.total_months)
    ctx = january(spec, 0, 4)
    policy.open_year(state, pop, ctx, ledger, rec)
    assert state.furlough == pytest.approx(3 / 4)
    engaged = np.array([False, False, True, True])
    salary = policy.pay(state, pop, ctx, engaged, ledger, rec)
    s = spec.policy.salary
    # idle: the full salary; engaged: partial_month_pay of it; both x 3/4
    part = spec.policy.partial_month_pay
    assert salary.tolist() == pytest.approx([0.75 * s, 0.75 * s, 0.75 * part * s, 0.75 * part * s])
    assert rec.series["furloughed"][ctx.month] == 4


def test_hiring_rounds_only_when_due_and_enough_places_are_free():
    # every engaged month qualifies here (the 64 months of history pass the 60-month test)
    spec, pop = budget_world(0, room_for=30, **{"policy.round_every_years": 2,
                                                 "policy.min_vacancies": 20,
                                                 "admission.qualifying_share": 1.0})
    policy, state = spec.policy, spec.policy.new_state()
    admission = spec.rules.admission
    pop = alliance_pop()
    pop.add(40, active=np.ones(40, bool), age_months=np.full(40, 40 * 12),
            engaged_bits=np.full(40, 2**64 - 1, np.uint64),
            engaged_bits_2=np.full(40, 2**64 - 1, np.uint64))
    ledger, rec = alliance_ledger(400), alliance_recorder(400)
    for year, expected in ((0, 30), (1, 30), (2, 30)):
        ctx = january(spec, year, 40)
        policy.open_year(state, pop, ctx, ledger, rec)
        policy.admit(state, pop, ctx, admission, rec)
        assert np.count_nonzero(pop.member) == expected, year
    # year 0 hires 30; in year 2 (due) no place is free, so no round
    assert rec.series["hiring_rounds"][spec.burn_in_months:].sum() == 1
    pop.member[:12] = False  # 12 places free: fewer than min_vacancies in the next due year
    ctx = january(spec, 4, 40)
    policy.open_year(state, pop, ctx, ledger, rec)
    policy.admit(state, pop, ctx, admission, rec)
    assert np.count_nonzero(pop.member) == 18
    pop.member[:] = False
    pop.member[:5] = True  # 25 free in an off year (5): no round; in year 6 there is one
    for year, expected in ((5, 5), (6, 30)):
        ctx = january(spec, year, 40)
        policy.open_year(state, pop, ctx, ledger, rec)
        policy.admit(state, pop, ctx, admission, rec)
        assert np.count_nonzero(pop.member) == expected, year


def test_salaries_are_cut_pro_rata_when_the_budget_runs_out():
    spec = spec_for()
    policy = spec.policy
    state = policy.new_state()
    state.grant, state.salary_budget = 1e6, 50_000.0
    pop = alliance_pop()
    pop.add(5, member=np.ones(5, bool))
    ledger, rec = alliance_ledger(10), alliance_recorder(10)
    ctx = SimpleNamespace(month=0, money_scale=1.0, country=spec.country, runs=RunValues([spec]))
    salary = policy.pay(state, pop, ctx, np.zeros(5, bool), ledger, rec)
    ec = spec.country.employer_contribution_rate
    assert salary.sum() * (1 + ec) == pytest.approx(50_000.0)
    assert salary[0] == pytest.approx(50_000.0 / (1 + ec) / 5)
    assert policy.pay(state, pop, ctx, np.zeros(5, bool), ledger, rec).sum() == 0  # none left


def test_leavers_pay_tax_until_retirement():
    ledger = alliance_ledger(24)
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
    pop = alliance_pop()
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
    ledger = alliance_ledger(1)
    for flow, amount in {"grant": 100, "grant_returned": 10, "income_tax": 20,
                         "contributions": 15, "unemployment_benefit": 7, "sickness_benefit": 3,
                         "health_care": 2, "leavers_tax": 5}.items():
        ledger.add(flow, 0, amount)
    assert ledger.net_cost()[0] == 100 - 10 - 20 - 15 + 7 + 3 + 2 - 5


def test_the_state_tops_up_the_grant_while_demand_is_down():
    spec = spec_for(**{"policy.crisis_topup_m": 5.0, "policy.crisis_measure": "topup"})
    policy = spec.policy
    for demand, expected in ((1.0, 40e6), (0.4, 45e6)):
        state = policy.new_state()
        ctx = january(spec, 0, 0)
        ctx.demand = demand
        policy.open_year(state, alliance_pop(), ctx, alliance_ledger(spec.total_months),
                         alliance_recorder(spec.total_months))
        assert state.grant == pytest.approx(expected)
