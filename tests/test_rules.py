"""Rules against hand-computed expectations."""

import dataclasses
import math
from types import SimpleNamespace

import numpy as np
import pytest

from sim.model import tables
from sim.model.core.columns import NO_MONTH, AgentColumns
from sim.model.core.per_run import RunValues
from sim.model.policy.alliance import Alliance
from sim.model.rules.admission import QualifyingWindows
from sim.model.rules.base import window_counts
from sim.model.rules.exit import StressHazardExit
from sim.model.rules.fertility import HadwigerFertility, hadwiger_asfr
from sim.model.rules.health import StressEpisodes
from sim.model.rules.income import MarkovEngagement
from tests.conftest import spec_for


def one_agent(**values):
    pop = AgentColumns(columns=tables.columns(Alliance))  # a policy arm's: rules ignore members
    pop.add(1, **{k: np.array([v]) for k, v in values.items()})
    return pop


def ctx_for(spec, pop, month=0, **extra):
    base = dict(month=month, sector=spec.sector, country=spec.country, money_scale=1.0,
                demand=1.0, precarious=np.zeros(len(pop), dtype=bool), uids=pop.uid,
                runs=RunValues([spec]))
    base.update(extra)
    return SimpleNamespace(**base)


def test_engagement_probability_by_hand():
    spec = spec_for()
    rule = spec.rules.income
    assert isinstance(rule, MarkovEngagement)
    pop = one_agent(engaged=True, skill=1.0, network=rule.network_ref)
    x = rule.engagement_log_odds(pop, ctx_for(spec, pop, demand=0.5))
    assert x[0] == pytest.approx(math.log(rule.p_stay / (1 - rule.p_stay)) + rule.beta_skill * 1.0
                                 + math.log(0.5))


def test_exit_hazard_by_hand():
    spec = spec_for()
    rule = spec.rules.exit
    assert isinstance(rule, StressHazardExit)
    living, outside = spec.sector.living_cost, spec.sector.outside_wage
    # late career, 3 months' savings (term 0), income = outside wage (term 0), idle 7 months,
    # aged 40; membership does not enter the rule (the policy's modifier does, in the core)
    pop = one_agent(tenure_months=60, buffer=3 * living, recent_income=outside, idle_streak=7,
                    age_months=480, member=True)
    total, physical = rule.hazard(pop, ctx_for(spec, pop))
    expected = rule.base_late * math.exp(rule.beta_idle)
    assert total[0] == pytest.approx(expected)
    assert physical[0] == 0


def test_physical_wear_hazard_for_dancers():
    spec = spec_for(policy="dansalliansen")
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
                             birth_gap_months=15, higher_parity_hr=0.35, insecurity_hr=0.8)
    share = 0.0
    for _ in range(12 * 10):  # iterate the chain for 10 years from age 18
        share = share * (1 - 0.005) + (1 - share) * 0.02
    assert rule.partnered_share(np.array([28.0]))[0] == pytest.approx(share)


def test_fertility_security_follows_the_expected_parental_benefit():
    """Insecurity is full at the basic parental benefit and gone once the benefit covers
    living costs (Sweden: 7,600 basic, 77.6% of the 12-month income, living cost 12,000)."""
    spec = spec_for()
    rule, c = spec.rules.fertility, spec.country
    common = dict(female=True, age_months=30 * 12, partnered=True, last_birth_month=NO_MONTH)
    qualifying = np.uint64(0xFF)  # income above the threshold in each of the last 8 months

    def p(**values):
        pop = one_agent(**common, **values)
        return rule.birth_probability(pop, ctx_for(spec, pop, month=100))[0]

    secure = p(earning_bits=qualifying, recent_income=20_000.0)  # 15,520 a month > 12,000
    assert p(earning_bits=np.uint64(0), recent_income=20_000.0) == pytest.approx(
        secure * rule.insecurity_hr)  # not qualified: the basic level, full penalty
    assert p(earning_bits=np.uint64(0x7F), recent_income=20_000.0) == pytest.approx(
        secure * rule.insecurity_hr)  # 7 of 8 months is not enough in Sweden
    benefit = c.parental_replacement * 12_000.0  # 9,312
    insecure = (12_000.0 - benefit) / (12_000.0 - c.parental_basic_level)
    assert p(earning_bits=qualifying, recent_income=12_000.0) == pytest.approx(
        secure * (1 - (1 - rule.insecurity_hr) * insecure))


def test_health_onset_by_hand():
    rule = StressEpisodes(onset=0.01, insecurity_or=1.5, drops_or=2.0, drops_needed=2,
                          short_months=3.0, long_share=0.3, long_months=18.0, max_months=24)
    pop = one_agent(drop_bits=np.uint64(0b101), member=True)
    spec = spec_for()
    spec = dataclasses.replace(spec, rules=dataclasses.replace(spec.rules, health=rule))
    ctx = SimpleNamespace(precarious=np.array([True]), runs=RunValues([spec]))
    assert rule.onset_probability(pop, ctx)[0] == pytest.approx(0.01 * 1.5 * 2.0)
    pop.insecurity_share[:] = 0.4  # a member bears 0.4 of the precarity penalty: 1 + 0.5 x 0.4
    assert rule.onset_probability(pop, ctx)[0] == pytest.approx(0.01 * 1.2 * 2.0)
    pop.sick_months_left[:] = 2  # none while an episode runs
    assert rule.onset_probability(pop, ctx)[0] == 0.0


def history(engaged_months_ago, leave_months_ago=(), **values):
    """One agent engaged exactly ``engaged_months_ago`` (0 = this month)."""
    words = [0, 0, 0]
    for k in engaged_months_ago:
        words[k // 64] |= 1 << (k % 64)
    return {"engaged_bits": words[0], "engaged_bits_2": words[1], "engaged_bits_3": words[2],
            "leave_bits": sum(1 << k for k in leave_months_ago), **values}


def population(*agents):
    pop = AgentColumns(columns=tables.columns(Alliance))  # the admission rule reads `member`
    columns = {name: np.array([a[name] for a in agents],
                              dtype=np.uint64 if "bits" in name else None) for name in agents[0]}
    pop.add(len(agents), **columns)
    return pop


def test_window_counts_span_the_three_history_words():
    pop = population(history([0, 1, 35, 36, 63, 64, 100, 127, 128, 179, 180, 191]))
    counts = window_counts(pop, (2, 36, 37, 64, 128, 180, 192))
    assert counts[0].tolist() == [2, 3, 4, 5, 8, 10, 12]
    with pytest.raises(ValueError):
        window_counts(pop, (193,))


def test_windows_are_pushed_back_by_months_on_leave_up_to_the_cap():
    # engaged 24 and 25 months ago; on sick leave in the last 3 months
    pop = population(history([24, 25], leave_months_ago=[0, 1, 2]))
    assert window_counts(pop, (24,))[0, 0] == 0
    assert window_counts(pop, (24,), leave_extension=1)[0, 0] == 1  # window of 25 months
    assert window_counts(pop, (24,), leave_extension=12)[0, 0] == 2  # 3 months on leave: 27


def windows_rule(**changes):
    values = dict(recent_window_months=36, recent_min_engaged=12, long_window_months=180,
                  long_min_engaged=60, rank_window_months=180, qualifying_share=1.0,
                  qualifying_concentration=2.0, apply_base=20.0, apply_idle=0.0,
                  leave_extension_months=0, max_age=60, reserved_share=0.0, reserved_max_age=30,
                  reserved_long_min_engaged=0)
    return QualifyingWindows(**{**values, **changes})


def round_ctx(pop, draw=0.0):
    """A hiring round's context: every tie-break draw ``draw``; everyone applies with the
    probability the rule gives (a uniform of 0 is below any positive probability)."""
    return SimpleNamespace(uniform=lambda name: np.full(len(pop), draw),
                           happens=lambda name, p: np.zeros(len(pop)) < p)


def test_admission_counts_qualifying_time_in_windows_and_ranks_inside_them():
    rule = windows_rule()
    pop = population(history(range(0, 120), age_months=40 * 12),   # 120 in the window
                     history(range(0, 60), age_months=35 * 12),    # 60: just eligible
                     history(range(0, 12), age_months=50 * 12),    # 12 in 15 years: no
                     history(range(36, 190), age_months=59 * 12),  # long but not recent: no
                     history(range(0, 180, 2), age_months=45 * 12),  # 90 in window, 18 recent
                     history(range(0, 192), age_months=61 * 12))   # too old
    ctx = round_ctx(pop)
    assert rule.eligible(pop, ctx).tolist() == [True, True, False, False, True, False]
    # ranked by qualifying months (here every engaged month) in the 15-year window, not by age
    assert rule.select(pop, ctx, 2).tolist() == [0, 4]
    assert rule.select(pop, ctx, 10).tolist() == [0, 4, 1]


def test_the_early_career_track_reserves_places_for_the_young():
    rule = windows_rule(reserved_share=0.5, reserved_max_age=30, reserved_long_min_engaged=12)
    pop = population(history(range(0, 150), age_months=45 * 12),
                     history(range(0, 140), age_months=44 * 12),
                     history(range(0, 20), age_months=27 * 12),
                     history(range(0, 14), age_months=28 * 12))
    ctx = round_ctx(pop)
    # two places: one reserved for the young (the better of the two), one for the general queue
    assert rule.select(pop, ctx, 2).tolist() == [2, 0]
    assert windows_rule().select(pop, ctx, 2).tolist() == [0, 1]  # without the track


def test_demand_shock_shape():
    d = spec_for(**{"demand.shock_depth": 0.6, "demand.shock_start_year": 1,
                    "demand.shock_months": 6, "demand.recovery_months": 3}).demand
    assert d.index(11) == 1.0
    assert d.index(12) == pytest.approx(0.4) and d.index(17) == pytest.approx(0.4)
    assert d.index(18) == pytest.approx(1 - 0.6 * 0.75)
    assert d.index(21) == 1.0


def test_funding_cut_schedule():
    a = spec_for(**{"policy.cut_share": 0.12, "policy.cut_year": 2}).policy
    assert [a.grant_m(y) for y in (0, 1, 2, 5)] == pytest.approx([40, 40, 35.2, 35.2])


def test_the_core_applies_the_exit_modifier_net_of_physical_wear():
    from sim.model.core import decisions
    from sim.model.core.rng import Streams, counters

    pop = AgentColumns()
    n = 2000
    pop.add(n, age_months=np.full(n, 40 * 12), exit_hr=np.where(np.arange(n) < n // 2, 0.5, 1.0))
    streams = Streams(7)
    ctx = SimpleNamespace(stream=lambda name: (counters(pop.uid, 3), streams.key(name)),
                          sector=SimpleNamespace(retirement_age=67))
    total, physical = np.full(n, 0.3), np.full(n, 0.1)  # 1 - 0.3 = (1 - other)(1 - 0.1)
    leave, reason = decisions.exits(pop, ctx, total, physical, "test")
    u = streams.uniform("exit", pop.uid, 3)
    other = 1 - 0.7 / 0.9
    halved = 1 - (1 - 0.5 * other) * 0.9  # only the hazard net of wear is halved
    expected = np.where(np.arange(n) < n // 2, u < halved, u < 0.3)
    assert np.array_equal(leave, expected)
    assert np.array_equal(reason[leave], np.where(u[leave] < 0.1, 2, 1))
