"""docs/extending.md and its worked example, the basic income (configs/policy/basic_income.yaml):
the doc shows the shipped files verbatim, one recipient's month is booked as the country's rules
say (hand-computed), zero funding changes nothing, and in a run the lottery draws as many
recipients as the money pays, at random, paid from the policy's own spending lines."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from sim import run_pair
from sim.model import tables
from sim.model.core.columns import NO_MONTH, AgentColumns
from sim.model.core.ledger import Ledger
from sim.model.core.recorder import SERIES, Recorder
from sim.model.core.rng import Streams
from sim.model.policy.base import Transfer
from sim.model.policy.basic_income import BasicIncome
from tests.conftest import spec_for
from tests.test_crn_and_reproducibility import assert_arms_identical
from tests.test_stipends import ALL_MONTHS, COUNTRIES, one_month

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "extending.md"
FENCE = re.compile(r"^```(python|yaml)\n(.*?)^```$", re.M | re.S)
FROM_FILE = re.compile(r"# (\S+\.(?:py|yaml))\n")  # a block's first line naming its file


def basic_income_spec(country="sweden", **overrides):
    return spec_for(policy="basic_income", **COUNTRIES[country], **overrides)


# ---------------------------------------------------------------- the doc shows the files
def file_blocks() -> dict[str, list[str]]:
    """path -> the bodies of the doc's fenced blocks marked as coming from that file, in order."""
    blocks: dict[str, list[str]] = {}
    for m in FENCE.finditer(DOC.read_text(encoding="utf-8")):
        first = FROM_FILE.match(m[2])
        if first:
            blocks.setdefault(first[1], []).append(m[2][first.end():])
    return blocks


def test_the_doc_shows_the_shipped_files_verbatim_and_whole():
    """Each marked block is the next whole lines of its file; between two blocks the doc skips
    only blank lines, so the blocks of a file, in order, are the whole file."""
    blocks = file_blocks()
    assert set(blocks) == {"sim/model/policy/basic_income.py", "configs/policy/basic_income.yaml"}
    for path, parts in blocks.items():
        text = (ROOT / path).read_text(encoding="utf-8")
        at = 0
        for i, part in enumerate(parts):
            while text.startswith("\n", at):  # blank lines between two blocks
                at += 1
            line = text.count("\n", 0, at) + 1
            assert part.strip("\n") and text.startswith(part, at), (
                f"{path}: block {i + 1} of docs/extending.md is not the file from line {line}")
            at += len(part)
        assert not text[at:].strip(), (
            f"{path}: the doc leaves out the file from line {text.count(chr(10), 0, at) + 1}")


def test_the_doc_names_what_a_reader_runs():
    doc = DOC.read_text(encoding="utf-8")
    for command in ("uv run python -m sim policy=basic_income",
                    "uv run python -m sim -m policy=teateralliansen,stipends,basic_income",
                    "uv run pytest tests/test_extending.py"):
        assert command in doc, command
    assert "docs/sources.md#basic-income" in doc or "sources.md#basic-income" in doc


def test_the_names_do_not_collide_with_the_cores_or_the_other_instruments():
    from sim.model.catalogue import CORE_OUTCOMES
    from sim.model.core.columns import COLUMNS
    from sim.model.policy.alliance import Alliance
    from sim.model.policy.stipends import Stipends

    others = (Alliance, Stipends)
    assert not set(BasicIncome.COLUMNS) & set(COLUMNS).union(*(p.COLUMNS for p in others))
    assert not set(BasicIncome.SERIES) & set(SERIES).union(*(p.SERIES for p in others))
    assert not set(BasicIncome.SPENDING) & set().union(*(p.SPENDING for p in others))
    assert not set(BasicIncome.OUTCOMES) & set(CORE_OUTCOMES).union(*(p.OUTCOMES for p in others))


# ---------------------------------------------------------------- one recipient by hand
def recipient(spec, **columns):
    """One active, insured freelancer of the policy arm, paid the country's basic income."""
    pop = AgentColumns(columns=tables.columns(spec.policy))
    values = {"active": [True], "insured": [True], "engaged_bits": [ALL_MONTHS],
              "recent_fees": [20_000.0], "recent_income": [20_000.0], "buffer": [100_000.0],
              "basic_income_monthly": [spec.policy.amount(spec.country) / 12], **columns}
    pop.add(1, **{k: np.asarray(v) for k, v in values.items()})
    return pop


@pytest.mark.parametrize("country,monthly,currency", [
    ("sweden", 0.484 * 290_400 / 12, "SEK"),  # 11,712.80 SEK a month
    ("norway", 0.484 * 530_000 / 12, "NOK"),  # 21,376.67 NOK a month
])
def test_one_idle_recipients_month_is_taxed_and_earns_rights(country, monthly, currency):
    spec = basic_income_spec(country)
    c, s = spec.country, spec.sector
    assert c.currency == currency
    assert spec.policy.transfer_rules(c) == Transfer(taxed=True, social_rights=True)
    pop = recipient(spec)
    ledger, counts, state = one_month(spec, pop)
    flows = {k: v[0, 0] for k, v in ledger.flows.items()}
    # the payment is the policy's own spending line
    assert ledger.spending["basic_income_paid"][0, 0] == pytest.approx(monthly) == state.spent
    assert ledger.spending["basic_income_administration"][0, 0] == 0.0  # booked in January
    # taxed like earned income (below the state-tax threshold in both countries)
    assert monthly < c.state_tax_threshold
    tax = c.income_tax_rate * (monthly - c.basic_deduction)
    assert flows["income_tax"] == pytest.approx(tax)
    assert flows["contributions"] == 0.0  # nobody employs a recipient
    assert flows["unemployment_benefit"] == 0.0  # idle and qualified, but paid (assumption)
    # social rights: pension rights, and the state's old-age contribution as on a benefit
    assert counts["pension_rights"] == pytest.approx(c.pension_accrual_rate * monthly)
    assert flows["benefit_pension_contributions"] == pytest.approx(
        c.pension_contribution_rate * monthly)
    # qualifying income of sickness and parental benefit, but not earned income
    assert pop.recent_income[0] == pytest.approx(20_000 + (monthly - 20_000) / 12)
    assert pop.earning_bits[0] & np.uint64(1)
    assert pop.income[0] == 0.0
    # the household: living costs, then part of the surplus
    net, living = monthly - tax, s.living_cost * c.wage_scale
    spend = living + (1 - s.surplus_saving) * max(net - living, 0.0)
    assert pop.buffer[0] == pytest.approx(100_000 + net - spend)


def test_with_unemployment_benefit_while_paid_an_idle_recipient_draws_both():
    spec = basic_income_spec("sweden")
    spec = spec.with_policy(unemployment_benefit_while_paid=True)
    c = spec.country
    ledger, _, _ = one_month(spec, recipient(spec))
    benefit = min(max(c.benefit_replacement * 20_000, c.benefit_floor), c.benefit_cap)
    assert ledger.flows["unemployment_benefit"][0, 0] == pytest.approx(benefit)
    assert ledger.spending["basic_income_paid"][0, 0] > 0


# ---------------------------------------------------------------- the lottery, by hand
def applicants(n, seed=0, **columns):
    spec = basic_income_spec()
    pop = AgentColumns(columns=tables.columns(spec.policy))
    values = {"active": np.ones(n, bool), "engaged_bits": np.full(n, ALL_MONTHS),
              "uid": np.arange(n), "skill": np.random.default_rng(seed).normal(size=n),
              **columns}
    pop.add(n, **values)
    return spec, pop


def january(spec, year, pop, seed=0):
    """The step context of the lottery month as the loop builds it, reduced to what the policy
    reads: the draws come from the run's common-random-number streams."""
    month = spec.burn_in_months + 12 * year
    streams = Streams(seed)
    return SimpleNamespace(month=month, horizon_month=12 * year, people_per_agent=1.0,
                           country=spec.country,
                           uniform=lambda decision: streams.uniform(decision, pop.uid, month))


def lottery(spec, pop, year=0, seed=0):
    policy, state = spec.policy, spec.policy.new_state()
    recorder = Recorder(spec.total_months, series=[*SERIES, *BasicIncome.SERIES])
    ledger = Ledger(spec.total_months, spending=BasicIncome.SPENDING)
    ctx = january(spec, year, pop, seed)
    policy.open_year(state, pop, ctx, ledger, recorder)
    policy.admit(state, pop, ctx, None, recorder)
    return set(np.flatnonzero(pop.basic_income_monthly > 0).tolist()), recorder, ledger


def funding_for(spec, places: float) -> float:
    """funding_m that pays ``places`` recipients a year after administration."""
    return places * spec.policy.amount(spec.country) / (1 - spec.policy.admin_share) / 1e6


def test_the_lottery_draws_what_the_money_pays_at_random_and_monotonically():
    spec, _ = applicants(1)
    drawn = {}
    for places in (100, 250):
        s = spec.with_policy(funding_m=funding_for(spec, places + 0.5))
        _, pop = applicants(1000)
        drawn[places], rec, ledger = lottery(s, pop)
        m = s.burn_in_months
        assert len(drawn[places]) == places == rec.series["basic_income_drawn"][m]
        assert rec.series["basic_income_eligible"][m] == 1000
        assert ledger.flows["grant"][m] == pytest.approx(s.policy.funding_m * 1e6)
        # random, not by merit: the drawn are like the pool, not its most skilled
        chosen = pop.skill[sorted(drawn[places])]
        assert abs(chosen.mean() - pop.skill.mean()) < 0.2
        assert chosen.mean() < np.sort(pop.skill)[-places:].mean() - 0.8
    # common random numbers: an agent meets the same luck at any funding level, so more money
    # draws the same people and more
    assert drawn[100] < drawn[250]
    _, pop = applicants(1000)
    assert lottery(spec.with_policy(funding_m=funding_for(spec, 100.5)), pop, seed=1)[0] != drawn[100]


def test_eligibility_window_and_sitting_out_a_cycle():
    # engaged 1 and 2 months in the window of 60; the third only 61 months ago
    bits = np.array([1, 0b11, 1 << 60], dtype=np.uint64)
    spec, pop = applicants(3, engaged_bits=bits)
    m = spec.burn_in_months
    assert spec.policy.eligible(pop, m).tolist() == [False, True, False]
    # a recipient of the last cycle sits the next one out and may enter the one after
    spec, pop = applicants(1)
    for cycles_ago, ok in ((0, True), (1, False), (2, True)):
        pop.basic_income_drawn[0] = m - 36 * cycles_ago if cycles_ago else NO_MONTH
        assert bool(spec.policy.eligible(pop, m)[0]) is ok, cycles_ago


# ---------------------------------------------------------------- whole runs
@pytest.mark.parametrize("country", sorted(COUNTRIES))
def test_zero_funding_arms_are_bit_identical(country):
    pair = run_pair(basic_income_spec(country, **{"policy.funding_m": 0}), seed=3)
    assert_arms_identical(pair)
    out = pair.outcomes()
    assert all(out[k] == 0 or np.isnan(out[k]) for k in out if k.startswith("effect."))


def test_a_run_draws_what_the_money_pays_at_random_and_books_it_as_the_policys():
    # 1,200 freelancers at 3 per agent: 400 agents; 40 M SEK a year pays
    # floor(40e6 / 3 x (1 - 0.034) / 140,553.6) = 91 agents (273 real people) each cycle
    spec = basic_income_spec(**{"population.size": 1200, "population.scale": 3})
    places = int(40e6 / 3 * (1 - 0.034) // (0.484 * 290_400))
    assert places == 91
    pair = run_pair(spec, seed=5)
    rec, ledger = pair.policy.recorder.series, pair.policy.ledger
    h0 = spec.burn_in_months
    lotteries = [h0 + 36 * k for k in range(-(-spec.horizon_years // 3))]
    assert np.flatnonzero(rec["basic_income_drawn"]).tolist() == lotteries
    for m in lotteries:
        assert rec["basic_income_eligible"][m] > places  # the money, not the pool, binds
        assert rec["basic_income_drawn"][m] == places
    # at random: the drawn's mean skill is the pool's, within sampling error
    out = pair.outcomes()
    pool, drawn = out["policy.basic_income_eligible_mean_skill"], out["policy.basic_income_drawn_mean_skill"]
    assert abs(drawn - pool) < 0.25
    # the payments and administration are the policy's spending lines, and all of its spending
    paid, admin = ledger.spending["basic_income_paid"], ledger.spending["basic_income_administration"]
    assert set(ledger.spending) >= {"basic_income_paid", "basic_income_administration"}
    monthly = 0.484 * 290_400 / 12
    assert paid[h0] == pytest.approx(places * monthly)  # the lottery's first month
    assert admin[h0] == pytest.approx(40e6 / 3 * 0.034)
    assert paid[:h0].sum() == 0 and pair.baseline.ledger.policy_spend().sum() == 0
    assert out["policy.basic_income_spend_m"] == pytest.approx(out["policy.grant_net_m"])
    assert out["policy.basic_income_recipients"] > 0 and out["baseline.basic_income_recipients"] == 0
    # the money is paid as transfers: no salary, no employer's contribution on it
    assert pair.policy.recorder.series["basic_income_recipients"][h0] > 0


def test_describe_gives_the_countrys_rules_and_the_amount_in_its_currency():
    for country, amount in (("sweden", "140,554 SEK/year"), ("norway", "256,520 NOK/year")):
        spec = basic_income_spec(country)
        d = spec.policy.describe(spec)
        assert d.label == "Basic income for artists" and d.kind and d.leaves_out
        assert d.title == "Basic income for artists (after Ireland's scheme)"
        values = {a.key: a.value for a in d.assumptions}
        assert values[f"policy.taxed.{country}"] is True
        assert values[f"policy.social_rights.{country}"] is True
        share = next(a for a in d.assumptions if a.key == "policy.amount_share")
        assert share.meaning.endswith(amount)
        assert d.reach == "basic_income_recipients" and "{n}" in d.reach_words
