"""Crisis measures of the alliance (issue 23): one-year re-start posts for freelancers with many
short engagements (TeaterAlliansen 2021), beside the top-up and plain furlough. Hand-computed
eligibility, funding, hiring order and end of term."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.core.columns import NO_MONTH
from sim.model.policy.alliance import age_histogram, engagement_starts
from sim.model.rules.base import window_mask
from tests.conftest import spec_for
from tests.test_alliance_and_ledger import alliance_ledger, alliance_pop, alliance_recorder, january


def bits(months_ago: list[int]) -> np.uint64:
    return np.uint64(sum(1 << k for k in months_ago))


def test_engagement_starts_by_hand():
    history = np.array([
        bits([0, 1, 2, 3]),           # one engagement of 4 months: 1 start
        bits([0, 2, 4, 6, 8, 10]),    # six one-month engagements: 6 starts
        bits([35, 36, 37]),           # starts at 37 (outside 36 months), runs into month 35
        bits([1, 2, 5, 6, 30]),       # three engagements, five months
    ])
    starts, months = engagement_starts(history, window_mask(36))
    assert starts.tolist() == [1, 6, 0, 3]
    assert months.tolist() == [4, 6, 1, 5]


def test_age_histogram_by_hand():
    counts = age_histogram(np.array([18.0, 24.9, 25.0, 47.5, 64.9, 71.0]))
    assert counts.tolist() == [2, 1, 0, 0, 0, 1, 0, 0, 1, 1]  # 64.9 in 60-64, 71 in the last


def restart_world(n=10, members=5, **overrides):
    spec = spec_for(**{"policy.crisis_measure": "restart", "policy.restart_share": 0.4,
                       "policy.restart_min_starts": 3, "policy.restart_min_months": 4,
                       **overrides})
    pop = alliance_pop()
    many_short = bits([0, 2, 4, 6, 8])          # 5 starts, 5 months
    some = bits([0, 1, 4, 5, 10, 11])           # 3 starts, 6 months
    few_long = bits(list(range(20)))            # 1 start, 20 months
    too_little = bits([0, 3, 6])                # 3 starts, 3 months
    history = [many_short, some, few_long, too_little, some] + [few_long] * (n - 5)
    pop.add(n, active=np.ones(n, bool), engaged_bits=np.array(history, dtype=np.uint64),
            member=np.arange(n) >= n - members)
    return spec, pop


def test_who_is_eligible_for_a_restart_post():
    spec, pop = restart_world()
    # rows 0-4 are not members; 0, 1 and 4 have 3+ starts and 4+ months; 2 has one start, 3
    # only three months; rows 5-9 are members (not eligible)
    assert np.flatnonzero(spec.policy.restart_eligible(pop)).tolist() == [0, 1, 4]


def open_and_admit(spec, pop, state, year, demand):
    ctx = january(spec, year, len(pop))
    ctx.demand = demand
    ledger, rec = alliance_ledger(spec.total_months), alliance_recorder(spec.total_months)
    spec.policy.open_year(state, pop, ctx, ledger, rec)
    spec.policy.admit(state, pop, ctx, spec.rules.admission, rec)
    return ctx, ledger, rec


def test_restart_posts_open_after_a_full_year_of_crisis_and_end_after_their_term():
    spec, pop = restart_world()
    policy, state = spec.policy, spec.policy.new_state()
    open_and_admit(spec, pop, state, 0, demand=1.0)  # no crisis
    open_and_admit(spec, pop, state, 1, demand=0.4)  # first year of a crisis: not yet
    assert state.crisis_years == 1 and np.count_nonzero(pop.member) == 5
    ctx, ledger, rec = open_and_admit(spec, pop, state, 2, demand=0.4)
    # 0.4 x 5 members = 2 posts, funded at 12 months of full salary with contributions
    ec = spec.country.employer_contribution_rate
    assert state.grant == pytest.approx(40e6 + 2 * 12 * policy.salary * (1 + ec))
    assert ledger.flows["grant"][ctx.month] == pytest.approx(state.grant)
    # the two with most engagements started: row 0 (5), then row 1 or 4 (3 each, by the draw,
    # all 0 here: the stable order keeps row 1)
    assert pop.member[:5].tolist() == [True, True, False, False, False]
    assert pop.restart_until[[0, 1]].tolist() == [ctx.month + 12] * 2
    assert (pop.restart_until[2:] == NO_MONTH).all()
    assert rec.series["restart_hired"][ctx.month] == 2
    # the crisis goes on: no second round of posts; the first ones end after 12 months
    ctx, _, rec = open_and_admit(spec, pop, state, 3, demand=0.4)
    assert pop.member[:5].tolist() == [False] * 5
    assert rec.series["ends_restart_ended"][ctx.month] == 2
    assert state.grant == pytest.approx(40e6)


@pytest.mark.parametrize("measure", ["furlough", "topup"])
def test_other_measures_hire_no_restart_posts(measure):
    spec, pop = restart_world(**{"policy.crisis_measure": measure})
    state = spec.policy.new_state()
    for year in range(4):
        open_and_admit(spec, pop, state, year, demand=0.4)
        assert np.count_nonzero(pop.member) == 5
    assert state.grant == pytest.approx(45e6 if measure == "topup" else 40e6)
