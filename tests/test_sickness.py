"""Sickness spells (issue 23): how long a health episode lasts, who pays its first days, and how
the alliance's income security reaches every member's health. Hand-computed cases and the
distribution of spell lengths against its closed form."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from sim.model import tables
from sim.model.core.columns import AgentColumns
from sim.model.core.finance import settle_month, sick_benefit_share
from sim.model.core.ledger import Ledger
from sim.model.core.per_run import RunValues
from sim.model.policy.alliance import Alliance
from sim.model.rules.base import Earnings
from sim.model.rules.health import StressEpisodes, _spell_months, geometric_months
from tests.conftest import spec_for

ALL_MONTHS = np.uint64(2**64 - 1)


def test_geometric_months_by_hand():
    # mean 3: the month ends a spell with probability 1/3; months = 1 + floor(ln(1-u) / ln(2/3))
    assert geometric_months(0.0, 3.0) == 1
    assert geometric_months(0.5, 3.0) == 2  # ln 0.5 / ln(2/3) = 1.71
    assert geometric_months(0.9, 3.0) == 6  # ln 0.1 / ln(2/3) = 5.68
    assert geometric_months(0.99, 1.0) == 1  # a mean of one month is always one month


def test_spell_lengths_follow_the_mixture():
    """200,000 spells against the closed form of the capped two-part geometric mixture."""
    n, short, share, long, cap = 200_000, 3.0, 0.3, 18.0, 24
    counters = np.arange(n, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    months = _spell_months(np.ones(n, bool), np.zeros(n, np.int64), counters, np.uint64(11),
                           counters, np.uint64(977), np.array([share]), short, long, cap,
                           np.zeros(n, np.int16))
    assert months.min() == 1 and months.max() == cap

    def survival(k, mean):  # P(length > k)
        return (1 - 1 / mean) ** k

    def capped_mean(mean):  # E[min(L, cap)] = sum over k < cap of P(L > k)
        return sum(survival(k, mean) for k in range(cap))

    mean = (1 - share) * capped_mean(short) + share * capped_mean(long)
    over_year = (1 - share) * survival(12, short) + share * survival(12, long)
    assert mean == pytest.approx(6.13, abs=0.01)  # 0.7 x 3.0 + 0.3 x 18 x (1 - (17/18)^24)
    assert over_year == pytest.approx(0.157, abs=0.001)
    se_mean = months.std() / math.sqrt(n)
    assert months.mean() == pytest.approx(mean, abs=4 * se_mean)
    p = over_year
    assert (months > 12).mean() == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / n))


def test_spells_are_drawn_only_at_onset():
    starts = np.array([True, False, True])
    months = _spell_months(starts, np.zeros(3, np.int64), np.arange(3, dtype=np.uint64),
                           np.uint64(1), np.arange(3, dtype=np.uint64), np.uint64(2),
                           np.array([1.0]), 3.0, 5.0, 2, np.zeros(3, np.int16))
    assert months[1] == 0 and set(months[[0, 2]]) <= {1, 2}  # capped at max_months 2


@pytest.mark.parametrize(("country", "employer", "days", "share"), [
    ("sweden", True, 14, 1 - 14 / 30),   # sjuklön days 1-14, Försäkringskassan from day 15
    ("sweden", False, 1, 1 - 1 / 30),    # without an employer: one karens day
    ("norway", True, 16, 1 - 16 / 30),   # arbeidsgiverperioden 16 days, NAV from day 17
    ("norway", False, 16, 1 - 16 / 30),  # frilansere bear 16 days
])
def test_the_first_public_day(country, employer, days, share):
    c = spec_for(country=country, policy="skuda" if country == "norway" else "teateralliansen").country
    got_days = c.sickness_employer_days if employer else c.sickness_waiting_days
    assert got_days == days
    first = sick_benefit_share(5, 5, employer, c.sickness_employer_days, c.sickness_waiting_days)
    assert first == pytest.approx(share)
    later = sick_benefit_share(4, 5, employer, c.sickness_employer_days, c.sickness_waiting_days)
    assert later == 1.0


def sick_month(spec, months_left, spell, engaged_last_month, employed=False):
    """The sickness benefit one sick Swedish freelancer gets this month (recent income 20,000)."""
    pop = AgentColumns(columns=tables.columns(spec.policy))
    bits = ALL_MONTHS if engaged_last_month else ALL_MONTHS ^ np.uint64(1)
    pop.add(1, active=np.array([True]), insured=np.array([True]), engaged_bits=np.array([bits]),
            recent_fees=np.array([20_000.0]), recent_income=np.array([20_000.0]),
            buffer=np.array([100_000.0]), sick_months_left=np.array([months_left]),
            spell_months=np.array([spell]))
    ledger = Ledger(1, groups=1)
    ctx = SimpleNamespace(sector=spec.sector, country=spec.country, month=0,
                          money_scale=spec.country.wage_scale)
    settle_month(pop, ctx, Earnings(fees=np.zeros(1), side=np.zeros(1)), np.zeros(1, bool),
                 np.zeros(1), ledger, np.array([employed]))
    return ledger.flows["sickness_benefit"][0, 0]


def test_sickness_benefit_by_hand():
    spec = spec_for()
    full = 0.8 * 20_000  # 80% of recent income, below the ceiling of 47,750
    assert sick_month(spec, 3, 3, engaged_last_month=True) == pytest.approx(full * 16 / 30)
    assert sick_month(spec, 3, 3, engaged_last_month=False) == pytest.approx(full * 29 / 30)
    assert sick_month(spec, 3, 3, False, employed=True) == pytest.approx(full * 16 / 30)
    assert sick_month(spec, 2, 3, engaged_last_month=True) == pytest.approx(full)


def test_the_alliance_pays_a_members_first_sick_days():
    spec = spec_for()
    policy = spec.policy
    state = policy.new_state()
    state.grant, state.salary_budget = 1e9, 1e9
    pop = AgentColumns(columns=tables.columns(Alliance))
    # a member idle and well, one in the first month of a spell, one in its second month
    pop.add(3, member=np.ones(3, bool), sick_months_left=np.array([0, 4, 3]),
            spell_months=np.array([0, 4, 4]))
    from sim.model.core.recorder import SERIES, Recorder
    rec = Recorder(1, series=[*SERIES, *Alliance.SERIES])
    ledger = Ledger(1, spending=Alliance.SPENDING)
    ctx = SimpleNamespace(month=0, money_scale=1.0, country=spec.country, runs=RunValues([spec]))
    salary = policy.pay(state, pop, ctx, np.zeros(3, bool), ledger, rec)
    level = policy.salary
    assert salary.tolist() == pytest.approx([level, level * 14 / 30 * 0.8, 0.0])
    assert pop.paid_months.tolist() == [1, 0, 0]  # sick pay does not draw on a time account


def test_every_member_bears_the_member_share_of_the_precarity_penalty():
    spec = spec_for()
    policy = spec.policy
    assert policy.member_insecurity_share == 0.4
    pop = AgentColumns(columns=tables.columns(Alliance))
    pop.add(4, member=np.array([True, True, False, False]),
            precarious=np.array([True, False, True, False]))
    ctx = SimpleNamespace(month=0, runs=RunValues([spec]))
    policy.write_modifiers(None, pop, ctx)
    assert pop.insecurity_share.tolist() == [0.4, 0.4, 1.0, 1.0]
    rule = spec.rules.health
    assert isinstance(rule, StressEpisodes)
    p = rule.onset_probability(pop, SimpleNamespace(precarious=pop.precarious, runs=ctx.runs))
    onset, excess = rule.onset, rule.insecurity_or - 1
    assert p.tolist() == pytest.approx([onset * (1 + 0.4 * excess), onset,
                                        onset * (1 + excess), onset])
