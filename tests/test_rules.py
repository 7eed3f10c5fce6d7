"""Rules against hand-computed expectations."""

import math
from types import SimpleNamespace

import numpy as np
import pytest

from sim.model.core.population import NO_MONTH, Population
from sim.model.rules.admission import SeniorityQueue
from sim.model.rules.base import engaged_in_last
from sim.model.rules.exit import StressHazardExit
from sim.model.rules.fertility import HadwigerFertility, hadwiger_asfr
from sim.model.rules.health import StressEpisodes
from sim.model.rules.income import MarkovEngagement
from tests.conftest import spec_for


def one_agent(**values):
    pop = Population()
    pop.add(1, **{k: np.array([v]) for k, v in values.items()})
    return pop


def ctx_for(spec, pop, month=0, **extra):
    base = dict(month=month, sector=spec.sector, country=spec.country, money_scale=1.0,
                demand=1.0, engagement_boost=0.0, trained=False,
                precarious=np.zeros(len(pop), dtype=bool), uids=pop.uid)
    base.update(extra)
    return SimpleNamespace(**base)


def test_engagement_probability_by_hand():
    spec = spec_for()
    rule = spec.rules.income
    assert isinstance(rule, MarkovEngagement)
    pop = one_agent(engaged=True, skill=1.0, network=rule.network_ref)
    p = rule.engagement_probability(pop, ctx_for(spec, pop, demand=0.5))
    x = math.log(rule.p_stay / (1 - rule.p_stay)) + rule.beta_skill * 1.0 + math.log(0.5)
    assert p[0] == pytest.approx(1 / (1 + math.exp(-x)))


def test_exit_hazard_by_hand():
    spec = spec_for()
    rule = spec.rules.exit
    assert isinstance(rule, StressHazardExit)
    living, outside = spec.sector.living_cost, spec.sector.outside_wage
    # late career, 3 months' savings (term 0), income = outside wage (term 0), idle 7 months,
    # aged 40, member
    pop = one_agent(tenure_months=60, buffer=3 * living, recent_income=outside, idle_streak=7,
                    age_months=480, member=True)
    total, physical = rule.hazard(pop, ctx_for(spec, pop))
    expected = rule.base_late * math.exp(rule.beta_idle) * rule.member_hr
    assert total[0] == pytest.approx(expected)
    assert physical[0] == 0


def test_physical_wear_hazard_for_dancers():
    spec = spec_for(sector="dance")
    rule = spec.rules.exit
    pop = one_agent(tenure_months=60, buffer=3 * spec.sector.living_cost,
                    recent_income=spec.sector.outside_wage, age_months=12 * 39)
    _, physical = rule.hazard(pop, ctx_for(spec, pop))
    years_past = 39 - spec.sector.physical_career_age
    assert physical[0] == pytest.approx(rule.physical_base * math.exp(rule.physical_slope * years_past))


def test_hadwiger_schedule_integrates_to_tfr():
    ages = np.arange(10, 60, 0.01)
    total = hadwiger_asfr(ages, 1.45, 3.6, 31.8).sum() * 0.01
    assert total == pytest.approx(1.45, rel=0.01)


def test_partnered_share_matches_the_chain():
    rule = HadwigerFertility(hadwiger_b=3.6, hadwiger_c=31.8, min_age=15, max_age=50,
                             partner_formation=0.02, partner_dissolution=0.005, partner_age_gap=2,
                             birth_gap_months=15, higher_parity_hr=0.35, insecurity_hr=0.8,
                             member_relief=0.5)
    share = 0.0
    for _ in range(12 * 10):  # iterate the chain for 10 years from age 18
        share = share * (1 - 0.005) + (1 - share) * 0.02
    assert rule.partnered_share(np.array([28.0]))[0] == pytest.approx(share)


def test_membership_removes_half_the_fertility_penalty():
    spec = spec_for()
    rule = spec.rules.fertility
    common = dict(female=True, age_months=30 * 12, partnered=True, last_birth_month=NO_MONTH)
    pops = [one_agent(member=m, **common) for m in (False, True)]
    secure, insecure, member = (
        rule.birth_hazard(p, ctx_for(spec, p, month=100, precarious=np.array([prec])))[0]
        for p, prec in ((pops[0], False), (pops[0], True), (pops[1], True)))
    assert insecure == pytest.approx(secure * rule.insecurity_hr)
    assert member == pytest.approx(secure * (1 - (1 - rule.insecurity_hr) * (1 - rule.member_relief)))


def test_health_onset_by_hand():
    rule = StressEpisodes(onset=0.01, insecurity_or=1.5, drops_or=2.0, drops_needed=2,
                          member_relief=0.5, episode_months=1)
    pop = one_agent(drop_bits=np.uint64(0b101), member=True)
    p = rule.onset_probability(pop, SimpleNamespace(precarious=np.array([True])))
    assert p[0] == pytest.approx(0.01 * (1 + 0.5 * 0.5) * 2.0)


def test_engaged_in_last_counts_bits():
    bits = np.array([0b1011, 0, 2**64 - 1], dtype=np.uint64)
    assert engaged_in_last(bits, 2).tolist() == [2, 0, 2]
    assert engaged_in_last(bits, 64).tolist() == [3, 0, 64]


def test_seniority_queue_takes_the_most_qualified_eligible():
    rule = SeniorityQueue(recent_window_months=36, recent_min_engaged=12, min_qualifying_months=60,
                          max_age=60)
    pop = Population()
    full = np.uint64(2**36 - 1)
    pop.add(5, qualifying_months=np.array([100, 200, 50, 150, 300]),
            engaged_bits=np.array([full, full, full, full, 0], dtype=np.uint64),
            age_months=np.full(5, 40 * 12))
    ctx = SimpleNamespace(uniform=lambda name: np.zeros(5))
    assert rule.eligible(pop, ctx).tolist() == [True, True, False, True, False]
    assert rule.select(pop, ctx, 2).tolist() == [1, 3]
    assert rule.select(pop, ctx, 10).tolist() == [1, 3, 0]


def test_demand_shock_shape():
    d = spec_for(**{"demand.shock_depth": 0.6, "demand.shock_start_year": 1,
                    "demand.shock_months": 6, "demand.recovery_months": 3}).demand
    assert d.index(11) == 1.0
    assert d.index(12) == pytest.approx(0.4) and d.index(17) == pytest.approx(0.4)
    assert d.index(18) == pytest.approx(1 - 0.6 * 0.75)
    assert d.index(21) == 1.0


def test_funding_cut_schedule():
    a = spec_for(**{"alliance.cut_share": 0.12, "alliance.cut_year": 2}).alliance
    assert [a.grant_m(y) for y in (0, 1, 2, 5)] == pytest.approx([40, 40, 35.2, 35.2])
