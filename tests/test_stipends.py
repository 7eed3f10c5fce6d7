"""Working grants (configs/policy/stipends.yaml, issue 21 step 2): the preset runs, costs
nothing at zero funding, pays one recipient as the country's rules say (hand-computed ledger
flows), chooses by skill and keeps the limit on grant-years in a row."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim import run_model, run_pair
from sim.model import tables
from sim.model.core.columns import NO_MONTH, AgentColumns
from sim.model.core.finance import settle_month
from sim.model.core.ledger import Ledger
from sim.model.core.recorder import SERIES, Recorder
from sim.model.policy.base import Transfer
from sim.model.policy.stipends import Stipends
from sim.model.rules.base import Earnings
from tests.conftest import TINY, run_module, spec_for
from tests.test_crn_and_reproducibility import assert_arms_identical

COUNTRIES = {"sweden": {}, "norway": {"country": "norway"}}
ALL_MONTHS = np.uint64(2**64 - 1)  # engaged in every month of the history


def stipends_spec(country="sweden", **overrides):
    return spec_for(policy="stipends", **COUNTRIES[country], **overrides)


# ---------------------------------------------------------------- the preset runs
def test_the_preset_runs_through_run_model():
    out = run_model(seed=1, policy="stipends", **TINY)
    assert out["policy.grant_holders"] > 0 and out["baseline.grant_holders"] == 0
    assert out["policy.grants_spend_m"] > 0
    # the core's outcomes are there, unchanged in name
    for name in ("active_workforce", "public_cost_m", "births_per_year", "retention_5y"):
        assert f"effect.{name}" in out
    # the grant paid (net of what went back) is the working grants' spending
    assert out["policy.grant_net_m"] == pytest.approx(out["policy.grants_spend_m"])


@pytest.mark.parametrize("country", sorted(COUNTRIES))
def test_the_preset_runs_on_the_command_line(tmp_path, country):
    args = [f"{k}={v}" for k, v in TINY.items()] + [f"country={country}"]
    proc = run_module("sim", ["policy=stipends", "output.charts=false", "seeds=2", *args,
                              f"hydra.run.dir={tmp_path}"], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    metrics = pd.read_parquet(tmp_path / "metrics.parquet")
    holders = metrics[(metrics.arm == "policy") & (metrics.outcome == "grant_holders")]
    assert len(holders) == 2 and (holders.value > 0).all()


def test_describe_names_the_council_of_the_country():
    for country, title, currency in (("sweden", "Working grants (Konstnärsnämnden)", "SEK"),
                                     ("norway", "Working grants (Statens kunstnerstipend)", "NOK")):
        spec = stipends_spec(country)
        d = spec.policy.describe(spec)
        assert (d.title, d.label, d.currency) == (title, "Working grants", currency)
        keys = [a.key for a in d.assumptions]
        assert f"policy.taxed.{country}" in keys and "policy.admin_share" in keys
        assert d.leaves_out and d.kind


def test_the_policys_names_do_not_collide_with_the_cores_or_the_alliances():
    from sim.model.catalogue import CORE_OUTCOMES
    from sim.model.core.columns import COLUMNS
    from sim.model.policy.alliance import Alliance

    assert not set(Stipends.COLUMNS) & (set(COLUMNS) | set(Alliance.COLUMNS))
    assert not set(Stipends.SERIES) & (set(SERIES) | set(Alliance.SERIES))
    assert not set(Stipends.SPENDING) & set(Alliance.SPENDING)
    assert not set(Stipends.OUTCOMES) & (set(CORE_OUTCOMES) | set(Alliance.OUTCOMES))


def test_an_unknown_country_is_refused():
    from sim.model.core.params import ConfigError

    spec = stipends_spec()
    with pytest.raises(ConfigError, match="country"):
        spec.policy.check_world("policy", SimpleNamespace(
            country=SimpleNamespace(name="denmark"), horizon_years=6))


# ---------------------------------------------------------------- zero funding
@pytest.mark.parametrize("country", sorted(COUNTRIES))
def test_zero_funding_arms_are_bit_identical(country):
    pair = run_pair(stipends_spec(country, **{"policy.funding_m": 0}), seed=3)
    assert_arms_identical(pair)
    out = pair.outcomes()
    assert all(out[k] == 0 or np.isnan(out[k]) for k in out if k.startswith("effect."))


# ---------------------------------------------------------------- one recipient by hand
def recipient(spec, **columns):
    """One active freelancer of the grants arm holding a grant of the spec's country."""
    pop = AgentColumns(columns=tables.columns(spec.policy))
    amount = spec.policy.amount[spec.country.name]
    values = {"active": [True], "insured": [True], "engaged_bits": [ALL_MONTHS],
              "recent_fees": [20_000.0], "recent_income": [20_000.0], "buffer": [100_000.0],
              "grant_monthly": [amount / 12], "grant_end": [500], **columns}
    pop.add(1, **{k: np.asarray(v) for k, v in values.items()})
    return pop


def one_month(spec, pop):
    """The recipient's month without engagement or side income: the policy's transfer, then
    the public-finance and household phases. Returns the batch ledger and the counts."""
    policy, state = spec.policy, spec.policy.new_state()
    ledger = Ledger(2, groups=1, spending=policy.SPENDING)
    ctx = SimpleNamespace(sector=spec.sector, country=spec.country, month=0,
                          money_scale=spec.country.wage_scale)
    transfer = policy.transfers_runs([state], pop, ctx, np.zeros(1, bool), [ledger.group(0)],
                                     [None])
    rules = policy.transfer_rules(spec.country)
    counts = settle_month(pop, ctx, Earnings(fees=np.zeros(1), side=np.zeros(1)),
                          np.zeros(1, bool), np.zeros(1), ledger,
                          policy.no_unemployment_benefit(pop), transfer,
                          transfer_taxed=rules.taxed, transfer_rights=rules.social_rights)
    return ledger, counts, state


def test_a_swedish_grant_is_untaxed_earns_no_rights_and_reaches_the_savings():
    spec = stipends_spec("sweden")
    c, s = spec.country, spec.sector
    assert spec.policy.transfer_rules(c) == Transfer(taxed=False, social_rights=False)
    pop = recipient(spec)
    grant = 70_000 / 12
    ledger, counts, state = one_month(spec, pop)
    flows = {k: v[0, 0] for k, v in ledger.flows.items()}
    assert ledger.spending["grants_paid"][0, 0] == pytest.approx(grant) == state.spent
    assert flows["income_tax"] == 0.0  # tax-free
    assert flows["contributions"] == 0.0  # nobody employs a holder: no employer's contribution
    assert flows["unemployment_benefit"] == 0.0  # idle and qualified, but a holder (assumption)
    assert flows["benefit_pension_contributions"] == 0.0
    assert counts["pension_rights"] == 0.0 and counts["pension_contributions"] == 0.0
    # the grant reaches the savings whole: below living costs, all of it is spent on living
    living = s.living_cost
    assert pop.buffer[0] == pytest.approx(100_000 + grant - living)
    # it is not qualifying income (SGI): the 12-month average falls as in a month of nothing
    assert pop.recent_income[0] == pytest.approx(20_000 - 20_000 / 12)
    assert not pop.earning_bits[0] & np.uint64(1)
    assert pop.income[0] == 0.0  # not earned income
    # without the grant the same freelancer would draw the a-kassa: the rule is the policy's
    no_grant = recipient(spec, grant_monthly=[0.0])
    ledger, _, _ = one_month(spec, no_grant)
    benefit = min(max(c.benefit_replacement * 20_000, c.benefit_floor), c.benefit_cap)
    assert ledger.flows["unemployment_benefit"][0, 0] == pytest.approx(benefit)


def test_a_norwegian_grant_is_taxed_like_wages_and_earns_rights():
    spec = stipends_spec("norway")
    c, s = spec.country, spec.sector
    assert spec.policy.transfer_rules(c) == Transfer(taxed=True, social_rights=True)
    pop = recipient(spec)
    grant = 268_222 / 12
    ledger, counts, _ = one_month(spec, pop)
    flows = {k: v[0, 0] for k, v in ledger.flows.items()}
    assert ledger.spending["grants_paid"][0, 0] == pytest.approx(grant)
    tax = c.income_tax_rate * (grant - c.basic_deduction)  # below the trinnskatt threshold
    assert grant < c.state_tax_threshold
    assert flows["income_tax"] == pytest.approx(tax)
    assert flows["contributions"] == 0.0  # still no employer
    assert flows["unemployment_benefit"] == 0.0
    assert counts["pension_rights"] == pytest.approx(c.pension_accrual_rate * grant)
    living = s.living_cost * c.wage_scale
    net = grant - tax
    assert net > living
    spend = living + (1 - s.surplus_saving) * (net - living)
    assert pop.buffer[0] == pytest.approx(100_000 + net - spend)
    # qualifying income for sickness and parental benefit
    assert pop.recent_income[0] == pytest.approx(20_000 + (grant - 20_000) / 12)
    assert pop.earning_bits[0] & np.uint64(1)
    assert pop.income[0] == 0.0  # still not earned income


def test_without_a_policy_the_transfer_path_changes_nothing():
    spec = stipends_spec("norway")
    results = []
    for transfer in (None, np.zeros(1)):
        pop = recipient(spec, grant_monthly=[0.0])
        ledger = Ledger(1, groups=1)
        ctx = SimpleNamespace(sector=spec.sector, country=spec.country, month=0, money_scale=1.35)
        counts = settle_month(pop, ctx, Earnings(fees=np.array([30_000.0]), side=np.zeros(1)),
                              np.ones(1, bool), np.zeros(1), ledger, None, transfer,
                              transfer_taxed=True, transfer_rights=True)
        results.append(({k: v.tobytes() for k, v in ledger.flows.items()},
                        {k: np.asarray(v).tobytes() for k, v in counts.items()},
                        pop.buffer.tobytes(), pop.recent_income.tobytes()))
    assert results[0] == results[1]


# ---------------------------------------------------------------- who receives a grant
def applicants(n, **columns):
    spec = stipends_spec()
    pop = AgentColumns(columns=tables.columns(spec.policy))
    values = {"active": np.ones(n, bool), "engaged_bits": np.full(n, ALL_MONTHS),
              "uid": np.arange(n), **columns}
    pop.add(n, **values)
    return spec, pop


def january(spec, year):
    return SimpleNamespace(month=spec.burn_in_months + 12 * year, horizon_month=12 * year,
                           people_per_agent=1.0, country=spec.country)


def award(spec, pop, state, year, recorder=None):
    policy = spec.policy
    recorder = recorder or Recorder(spec.total_months, series=[*SERIES, *Stipends.SERIES])
    ledger = Ledger(spec.total_months, spending=Stipends.SPENDING)
    ctx = january(spec, year)
    policy.open_year(state, pop, ctx, ledger, recorder)
    policy.admit(state, pop, ctx, None, recorder)
    return ledger, recorder


def funding_for(spec, grants: float) -> float:
    """funding_m that buys ``grants`` grant-years after administration."""
    amount = spec.policy.amount[spec.country.name]
    return grants * amount / (1 - spec.policy.admin_share) / 1e6


def test_grants_go_to_the_most_skilled_not_to_the_longest_serving():
    skill = [0.1, 2.0, -1.0, 1.5, 0.9, 1.2]
    qualifying = [300, 10, 400, 20, 250, 30]  # the longest-serving are the least skilled
    spec, pop = applicants(6, skill=np.array(skill), qualifying_months=np.array(qualifying))
    spec = spec.with_policy(funding_m=funding_for(spec, 3.5))  # three grants
    state = spec.policy.new_state()
    ledger, rec = award(spec, pop, state, 0)
    holders = np.flatnonzero(pop.grant_monthly > 0).tolist()
    assert holders == [1, 3, 5]  # skill 2.0, 1.5, 1.2
    assert rec.series["grants_awarded"][spec.burn_in_months] == 3
    assert rec.series["grant_applicants"][spec.burn_in_months] == 6
    # the money: the grant in, administration spent at once
    m = spec.burn_in_months
    assert ledger.flows["grant"][m] == pytest.approx(spec.policy.funding_m * 1e6)
    assert ledger.spending["grants_administration"][m] == pytest.approx(
        spec.policy.funding_m * 1e6 * spec.policy.admin_share)


def test_a_working_professional_only():
    """Fewer engaged months in the last two years than min_engaged_months: not eligible."""
    spec, pop = applicants(2, skill=np.array([3.0, 0.0]),
                           engaged_bits=np.array([1, 0b111], dtype=np.uint64))
    assert spec.policy.min_engaged_months == 2
    spec = spec.with_policy(funding_m=funding_for(spec, 2.5))
    award(spec, pop, spec.policy.new_state(), 0)
    assert (pop.grant_monthly > 0).tolist() == [False, True]


def test_no_swedish_grant_after_two_years_in_a_row():
    spec, pop = applicants(1, skill=np.array([1.0]))
    spec = spec.with_policy(funding_m=funding_for(spec, 5))
    state = spec.policy.new_state()
    held = []
    for year in range(6):
        award(spec, pop, state, year)
        held.append(bool(pop.grant_monthly[0] > 0))
    # one-year grants: two in a row, a year without, then again
    assert held == [True, True, False, True, True, False]


def test_norwegian_grants_run_five_years_and_may_follow_each_other():
    spec = stipends_spec("norway")
    pop = AgentColumns(columns=tables.columns(spec.policy))
    pop.add(1, active=np.array([True]), engaged_bits=np.array([ALL_MONTHS]),
            skill=np.array([1.0]))
    spec = spec.with_policy(funding_m=funding_for(spec, 5))
    state = spec.policy.new_state()
    ends = []
    for year in range(6):  # the horizon's years
        award(spec, pop, state, year)
        ends.append(int(pop.grant_end[0]) - spec.burn_in_months)
    assert ends == [60] * 5 + [120]  # one five-year grant, then the next at once
    assert pop.grant_years_in_row[0] == 10


def test_in_a_run_nobody_holds_swedish_grants_more_than_two_years_in_a_row():
    pair = run_pair(stipends_spec(), seed=2)
    pop = pair.policy.pop
    assert pop.grant_years_in_row.max() == 2  # reached, never passed
    assert (pop.grant_end[pop.grant_end != NO_MONTH] % 12 == 0).all()  # awarded in January


def test_validation_runs_the_real_alliances_and_skips_facts_working_grants_do_not_have():
    """stipends is an instrument to compare, not a real alliance with published facts: it is no
    default case of python -m sim.validate, and named as a case its members' facts do not apply."""
    from sim.study.validate import default_cases, validate

    cases = default_cases()
    assert "stipends" not in cases and "generic" not in cases and "teateralliansen" in cases
    table = validate(["stipends"], seeds=2, scale=8)
    assert len(table) and not table["outcome"].str.contains("member|applicants").any()
