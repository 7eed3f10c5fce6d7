"""VAT on consumption (issue 22, a ledger that treats both sides alike): ``country.vat_share`` of
what the freelancers, the leavers outside the sector and the policy's staff and trainers consume
flows back to the state (flow ``vat``). Each is consumption by the household's rule: living costs
plus ``1 - surplus_saving`` of the net income above them. Hand-computed."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

from sim.model import tables
from sim.model.core.columns import AgentColumns
from sim.model.core.finance import outside_flows, settle_month, wage_vat
from sim.model.core.ledger import FLOWS, Ledger
from sim.model.rules.base import Earnings
from sim.run.paired import run_pair
from tests.conftest import spec_for

ALL_MONTHS = np.uint64(2**64 - 1)  # engaged in every month of the history
LIVING, KEEP = 12_000, 0.7  # theatre: living cost (SEK a month), 1 - surplus_saving


def sweden_tax(income):
    """Income tax of a Swedish month below the state-tax threshold (51,000 SEK)."""
    return 0.3237 * max(income - 1_500, 0)


def consumed(net):
    return LIVING + KEEP * max(net - LIVING, 0)


def one_month(spec, salary=0.0, employed=False, **columns):
    """One row's month without engagement or side income (public finance and household phases);
    returns the flows booked."""
    pop = AgentColumns(columns=tables.columns(spec.policy))
    values = {"active": [True], "insured": [True], "engaged_bits": [ALL_MONTHS],
              "recent_fees": [20_000.0], "recent_income": [20_000.0], "buffer": [100_000.0],
              **columns}
    pop.add(1, **{k: np.asarray(v) for k, v in values.items()})
    ledger = Ledger(1, groups=1)
    ctx = SimpleNamespace(sector=spec.sector, country=spec.country, month=0,
                          money_scale=spec.country.wage_scale)
    settle_month(pop, ctx, Earnings(fees=np.zeros(1), side=np.zeros(1)), np.zeros(1, bool),
                 np.array([salary]), ledger, np.array([employed]))
    return {k: v[0, 0] for k, v in ledger.flows.items()}


def test_the_swedish_share_and_the_sign():
    spec = spec_for()
    assert spec.country.vat_share == 0.123  # 0.56 x 25% = 14% before VAT: 0.14 / 1.14
    assert spec_for(country="norway", policy="skuda").country.vat_share == 0.130
    assert (spec.sector.living_cost, spec.sector.surplus_saving) == (LIVING, 0.3)
    assert FLOWS["vat"][0] == -1  # it flows back
    ledger = Ledger(1)
    ledger.add("grant", 0, 100.0)
    ledger.add("vat", 0, 12.0)
    assert ledger.net_cost()[0] == 100.0 - 12.0


def test_a_member_paid_a_salary_by_hand():
    """25,000 SEK of salary in an idle month: 17,393.05 after tax, 15,775.14 consumed."""
    flows = one_month(spec_for(), salary=25_000.0, employed=True)
    net = 25_000 - sweden_tax(25_000)
    assert flows["income_tax"] == pytest.approx(sweden_tax(25_000))
    assert flows["unemployment_benefit"] == 0.0
    assert flows["vat"] == pytest.approx(0.123 * consumed(net))  # 1,940.34
    assert flows["vat"] == pytest.approx(0.123 * 15_775.135)


def test_an_idle_non_member_on_benefit_by_hand():
    """80% of 20,000 recent fees as a-kassa: 11,306.35 after tax, below the living cost, which
    the household still consumes (from its savings)."""
    flows = one_month(spec_for())
    benefit = 0.8 * 20_000
    assert flows["unemployment_benefit"] == pytest.approx(benefit)
    assert benefit - sweden_tax(benefit) < LIVING
    assert flows["vat"] == pytest.approx(0.123 * LIVING)  # 1,476


def test_at_the_debt_floor_only_what_is_consumed_is_taxed():
    """An uninsured row without income at its debt limit consumes nothing (it cannot borrow
    more), so it pays no VAT; an inactive row's consumption is not counted."""
    spec = spec_for()
    floor = -spec.sector.debt_limit_months * LIVING
    assert one_month(spec, insured=[False], buffer=[floor])["vat"] == 0.0
    assert one_month(spec, insured=[False], buffer=[floor + 5_000.0])["vat"] == pytest.approx(
        0.123 * 5_000)
    assert one_month(spec, salary=25_000.0, employed=True, active=[False])["vat"] == 0.0


def test_a_leaver_by_hand():
    """In work 92.3% of the months (25,000 outside, 17,393.05 after tax); out of work and on the
    benefit 3.85% (20,000, 14,011.55 after tax); out of work without it 3.85% (living costs)."""
    spec = spec_for()
    wage_net = 25_000 - sweden_tax(25_000)
    benefit_net = 20_000 - sweden_tax(20_000)
    expected = 0.123 * ((1 - 0.077) * consumed(wage_net) + 0.077 * 0.5 * consumed(benefit_net)
                        + 0.077 * 0.5 * LIVING)
    assert outside_flows(spec.sector, spec.country)[3] == pytest.approx(expected)  # 1,851.81
    assert expected == pytest.approx(0.123 * (0.923 * 15_775.135 + 0.0385 * 13_408.085
                                              + 0.0385 * 12_000))


def test_one_krona_of_staff_pay_by_hand():
    """Staff paid the outside wage: the VAT on what they consume, per krona of wage plus the
    employer's 31.42%."""
    spec = spec_for()
    net = 25_000 - sweden_tax(25_000)
    assert wage_vat(spec.sector, spec.country) == pytest.approx(
        0.123 * consumed(net) / 25_000 / 1.3142)  # 0.0591 per krona


def test_norway_scales_the_living_cost():
    spec = spec_for(country="norway", policy="skuda")
    s, c = spec.sector, spec.country
    wage = s.outside_wage * 1.35
    net = wage - (0.22 * (wage - 7_300) + 0.17 * max(wage - 25_000, 0))
    living = s.living_cost * 1.35
    spend = living + (1 - s.surplus_saving) * max(net - living, 0)
    assert wage_vat(s, c) == pytest.approx(0.130 * spend / wage / (1 + 0.141))


def test_without_vat_nothing_else_moves():
    """At vat_share 0 the flow is zero and every other flow, in both arms, is bit-identical to
    the run with VAT: counting it changes no one's behaviour."""
    on, off = spec_for(), spec_for(**{"country.vat_share": 0.0})
    a, b = run_pair(on, 2), run_pair(off, 2)
    for arm in ("baseline", "policy"):
        with_vat, without = getattr(a, arm).ledger.flows, getattr(b, arm).ledger.flows
        assert not without["vat"].any()
        assert with_vat["vat"][on.burn_in_months:].min() > 0
        for name in FLOWS.keys() - {"vat"}:
            assert np.array_equal(with_vat[name], without[name]), (arm, name)
    out_a, out_b = a.outcomes(), b.outcomes()
    assert out_b["effect.vat_m"] == 0.0
    assert out_a["effect.vat_m"] > 0  # the people kept consume more than they would outside
    assert out_a["effect.public_cost_m"] == pytest.approx(
        out_b["effect.public_cost_m"] - out_a["effect.vat_m"])
    assert out_a["policy.active_workforce"] == out_b["policy.active_workforce"]


def test_the_leavers_and_staff_vat_scale_with_the_share():
    """Every part of the flow is linear in vat_share."""
    spec = spec_for()
    doubled = dataclasses.replace(spec.country, vat_share=0.246)
    assert outside_flows(spec.sector, doubled)[3] == pytest.approx(
        2 * outside_flows(spec.sector, spec.country)[3])
    assert wage_vat(spec.sector, doubled) == pytest.approx(2 * wage_vat(spec.sector, spec.country))
