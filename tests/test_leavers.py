"""Leavers outside the sector, both sides of the ledger (issue 22): in work they pay tax and
contributions on the outside wage, out of work (the country's unemployment rate) they draw the
unemployment benefit of that wage as often as freelancers claim one. Hand-computed flows."""

from __future__ import annotations

import dataclasses

import pytest

from sim.model.core.finance import outside_flows
from sim.model.core.ledger import FLOWS, Ledger
from tests.conftest import spec_for


def test_a_swedish_leaver_month_by_hand():
    spec = spec_for()
    s, c = spec.sector, spec.country
    assert (s.outside_wage, c.outside_unemployment, c.benefit_takeup) == (25_000, 0.077, 0.5)
    # in work: 32.37% above the 1,500 basic deduction (no state tax below 51,000), plus 31.42%
    in_work = 0.3237 * (25_000 - 1_500) + 0.3142 * 25_000  # 7,606.95 + 7,855 = 15,461.95
    # out of work: 80% of 25,000 = 20,000, within the floor 11,220 and the cap 26,400
    tax, benefit, rights, _vat = outside_flows(s, c)
    assert tax == pytest.approx((1 - 0.077) * in_work)  # 14,271.38 a month
    assert benefit == pytest.approx(0.077 * 0.5 * 20_000)  # 770 a month
    # rights: 18.5% of the pay in work and of the benefit drawn (both under the ceiling)
    assert rights == pytest.approx(0.185 * ((1 - 0.077) * 25_000 + 0.077 * 0.5 * 20_000))


def test_the_benefit_is_capped_and_a_leaver_always_in_work_draws_none():
    spec = spec_for()
    s, c = spec.sector, spec.country
    rich = dataclasses.replace(s, outside_wage=50_000)
    assert outside_flows(rich, c)[1] == pytest.approx(0.077 * 0.5 * 26_400)  # the cap
    always = dataclasses.replace(c, outside_unemployment=0.0)
    tax, benefit, _rights, _vat = outside_flows(s, always)
    assert benefit == 0 and tax == pytest.approx(0.3237 * 23_500 + 0.3142 * 25_000)


def test_a_norwegian_leaver_is_out_of_work_at_norways_rate():
    c = spec_for(country="norway", policy="skuda").country
    assert c.outside_unemployment == 0.036


def test_the_leavers_benefit_is_a_cost_and_their_tax_a_return():
    assert FLOWS["leavers_benefit"][0] == +1 and FLOWS["leavers_tax"][0] == -1
    ledger = Ledger(1)
    ledger.add("leavers_tax", 0, 100.0)
    ledger.add("leavers_benefit", 0, 30.0)
    assert ledger.net_cost()[0] == -100.0 + 30.0


def test_each_month_books_the_leavers_working_age_count_times_each_flow():
    """Both flows are the month's leavers of working age times one leaver's flow: nothing
    before the horizon's first leavers, then in the fixed ratio of the hand-computed flows."""
    from sim.run.paired import run_pair

    spec = spec_for()
    pair = run_pair(spec, 1)
    tax, benefit, _rights, _vat = outside_flows(spec.sector, spec.country)
    for arm in (pair.baseline, pair.policy):
        flows = arm.ledger.flows
        h0 = spec.burn_in_months
        assert not flows["leavers_tax"][:h0].any() and not flows["leavers_benefit"][:h0].any()
        booked = flows["leavers_tax"][h0:] > 0
        assert booked.sum() > 12  # leavers accumulate over the horizon
        ratio = flows["leavers_benefit"][h0:][booked] / flows["leavers_tax"][h0:][booked]
        assert ratio == pytest.approx(benefit / tax, rel=1e-12)
