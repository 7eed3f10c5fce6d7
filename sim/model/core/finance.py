"""Phases ``public_finance`` and ``household`` of the monthly step, fused into one pass.

Where it sits: after ``income`` and ``policy_pay`` (``sim/model/core/loop.py``). For every row it
works out the unemployment and sickness benefits, the income tax, and then the household's
month: savings, idle spell, engagement and income-drop histories, 12-month income averages and
the calendar-year income statistics. The state's side is returned as sums over the active
rows (one set per run of a batch, over the run's rows ``pop.bounds``), which ``settle_month``
books in the ledger.

Parents on parental leave (``sim/model/core/parental.py``) do not work and are paid the
parental benefit fixed at the birth; their benefit-qualifying income is frozen meanwhile. Pay
and benefits are pensionable up to ``pension_income_cap``: ``pension_accrual_rate`` of it is
earned as pension rights, and the state pays ``pension_contribution_rate`` on the benefits.

Money a policy pays that is not pay for work (``Policy.transfers_runs``, e.g. a working grant)
is a second income path: it always reaches the household's savings and its income-drop history,
but never the earned-income statistics and never carries employer's contributions (nobody
employs its recipient). The policy declares the rest (``Transfer``): whether it is taxed like
earned income, and whether it earns social rights, i.e. counts as pensionable income and as the
qualifying income of the sickness and parental benefits (``recent_income``, ``earning_bits``),
on which the state then pays the old-age contribution as on its benefits.

Rules of the country (``configs/country/``): an insured freelancer who is idle, not sick and not
barred by the policy (``Policy.no_unemployment_benefit``: by default the rows it employs, paid
a salary between engagements) gets
``benefit_replacement`` of recent fees, between floor and cap, minus side income, if engaged
in at least ``benefit_work_months`` of the last 12 (the work condition of the Swedish a-kassa,
alliances.md section 6). Sickness benefit replaces ``sickness_replacement`` of
recent income up to a cap, from the country's first public day of a spell
(``sick_benefit_share``): after the employer's ``sickness_employer_days`` for someone with an
employer (the policy's employees, or a freelancer engaged the month before), after
``sickness_waiting_days`` for someone without. Income tax is a flat municipal rate above a
basic deduction plus the state rate above its threshold. Households consume living costs plus
``1 - surplus_saving`` of what is left and may borrow down to ``debt_limit_months`` of living
costs; ``vat_share`` of what they consume is VAT, which flows back to the state (flow
``vat``). The same consumption rule gives the VAT of those the ledger follows outside the
sector: leavers (``outside_flows``) and the policy's staff and trainers (``wage_vat``).
"""

from __future__ import annotations

import numpy as np

from sim.model.core.columns import LAST_12_MONTHS, check_rows
from sim.model.core.context import is_precarious
from sim.model.core.jit import inline, kernel, popcount

_ONE = np.uint64(1)
_TOP = np.uint64(63)


MONTH_DAYS = 30.0  # days of a month, for the first days of a sick spell


@inline
def sick_benefit_share(months_left, spell_months, has_employer, employer_days, waiting_days):
    """Share of a sick month the public sickness benefit pays: all of it, except the spell's
    first month (``months_left == spell_months``), whose first ``employer_days`` (with an
    employer, who pays them) or ``waiting_days`` (without one) it does not pay."""
    if months_left != spell_months:
        return 1.0
    days = employer_days if has_employer else waiting_days
    return max(0.0, 1.0 - days / MONTH_DAYS)


@inline
def income_tax(taxable, rate, basic_deduction, state_rate, state_threshold):
    """Income tax of one month's taxable income."""
    return rate * max(taxable - basic_deduction, 0.0) + state_rate * max(taxable - state_threshold, 0.0)


@inline
def _benefit(insured, idle, sick, employed, worked_12, recent_fees, side, work_months, replacement,
             floor, cap):
    if not insured or not idle or sick or employed or worked_12 < work_months:
        return 0.0
    level = min(max(replacement * recent_fees, floor), cap)
    return max(level - side, 0.0)


def consumption(net: float, s, c) -> float:
    """A household's consumption spending in a month with ``net`` income after tax (the
    household phase's rule: living costs plus ``1 - surplus_saving`` of the surplus over them)."""
    living = s.living_cost * c.wage_scale
    return living + (1.0 - s.surplus_saving) * max(net - living, 0.0)


def outside_tax(s, c) -> float:
    """Monthly income tax and contributions of one leaver in a month with a job outside the
    sector, at ``sector.outside_wage``."""
    wage = s.outside_wage * c.wage_scale
    tax = income_tax(wage, c.income_tax_rate, c.basic_deduction, c.state_tax_rate,
                     c.state_tax_threshold)
    return tax + c.employer_contribution_rate * wage


def wage_returns(s, c) -> tuple[float, float]:
    """(income tax, employer's contributions) that flow back per unit of labour cost (wage plus
    the employer's contributions) a policy pays its staff and trainers, people paid about
    ``sector.outside_wage`` (an assumption: their pay is not published)."""
    wage = s.outside_wage * c.wage_scale
    ec = c.employer_contribution_rate
    tax = income_tax(wage, c.income_tax_rate, c.basic_deduction, c.state_tax_rate,
                     c.state_tax_threshold)
    return tax / wage / (1.0 + ec), ec / (1.0 + ec)


def wage_rights(s, c) -> float:
    """Pension rights earned per unit of labour cost a policy pays its staff and trainers
    (``wage_returns``' people): the accrual on their pensionable pay."""
    wage = s.outside_wage * c.wage_scale
    return c.pension_accrual_rate * min(wage, c.pension_income_cap) / wage / (
        1.0 + c.employer_contribution_rate)


def wage_vat(s, c) -> float:
    """VAT that flows back per unit of labour cost a policy pays its staff and trainers
    (``wage_returns``' people, paid ``sector.outside_wage``): ``vat_share`` of what they consume
    out of their pay after income tax, by the household's rule (``consumption``)."""
    wage = s.outside_wage * c.wage_scale
    net = wage - income_tax(wage, c.income_tax_rate, c.basic_deduction, c.state_tax_rate,
                            c.state_tax_threshold)
    return c.vat_share * consumption(net, s, c) / wage / (1.0 + c.employer_contribution_rate)


def outside_flows(s, c) -> tuple[float, float, float, float]:
    """(taxes and contributions, unemployment benefit, pension rights, VAT) the state books each
    month for one leaver of working age, in expectation over the months in and out of work
    outside (pay and benefit earn rights up to ``pension_income_cap``).

    A leaver is out of work ``country.outside_unemployment`` of the months (the country's
    unemployment rate) and then draws the unemployment benefit of the outside wage (its
    replacement, floor and cap) as often as freelancers claim (``benefit_takeup``); in the
    other months the leaver pays ``outside_tax``. Outside the sector no work is taken from
    others: the economy is large and, in the long run, added labour supply is employed at the
    structural unemployment rate, unlike a sector whose roles are set by fixed budgets
    (``demand.displacement``); docs/model.md §3.3 and docs/sources.md#leavers say why.

    VAT: ``vat_share`` of what the leaver consumes by the household's rule (``consumption``) out
    of the net income of each kind of month: the outside wage after income tax with a job, the
    benefit after income tax when out of work and claiming it, nothing (living costs, from
    savings) when out of work without it.
    """
    u = c.outside_unemployment
    wage = s.outside_wage * c.wage_scale
    benefit = min(max(c.benefit_replacement * wage, c.benefit_floor), c.benefit_cap)
    claimed = u * c.benefit_takeup
    rights = c.pension_accrual_rate * ((1.0 - u) * min(wage, c.pension_income_cap)
                                       + claimed * min(benefit, c.pension_income_cap))
    tax_rules = (c.income_tax_rate, c.basic_deduction, c.state_tax_rate, c.state_tax_threshold)
    spend = ((1.0 - u) * consumption(wage - income_tax(wage, *tax_rules), s, c)
             + claimed * consumption(benefit - income_tax(benefit, *tax_rules), s, c)
             + (u - claimed) * consumption(0.0, s, c))
    return (1.0 - u) * outside_tax(s, c), claimed * benefit, rights, c.vat_share * spend


@kernel
def _benefits(insured, engaged, sick, employed, engaged_bits, recent_fees, side, work_months,
              replacement, floor, cap, out):
    for i in range(out.size):
        out[i] = _benefit(insured[i], not engaged[i], sick[i], employed[i],
                          popcount(engaged_bits[i] & LAST_12_MONTHS), recent_fees[i], side[i],
                          work_months, replacement, floor, cap)
    return out


def unemployment_benefit(pop, c, engaged, sick, side, employed=None) -> np.ndarray:
    """Benefit per row in this month (before this month enters the engagement history);
    ``employed``: rows the policy employs (none by default)."""
    employed = np.zeros(len(pop), dtype=np.bool_) if employed is None else employed
    return _benefits(pop.insured, engaged, sick, employed, pop.engaged_bits, pop.recent_fees, side,
                     c.benefit_work_months, c.benefit_replacement, c.benefit_floor, c.benefit_cap,
                     np.empty(len(pop)))


def settle_month(pop, ctx, earn, engaged, salary: np.ndarray, ledger,
                 employed: np.ndarray | None = None, transfer: np.ndarray | None = None,
                 transfer_taxed: bool = False,
                 transfer_rights: bool = False) -> dict[str, np.ndarray]:
    """Benefits, taxes and the household's month for every row; books the state's flows.
    ``salary``: the policy's salary per row (earned income like fees); ``employed``: rows that
    draw no unemployment benefit (``Policy.no_unemployment_benefit``; None: nobody);
    ``transfer``: the policy's payments per row that are not pay (None: none), taxed like
    earned income if ``transfer_taxed`` and earning social rights if ``transfer_rights``
    (``Policy.transfer_rules``).
    Updates every household column, ``precarious`` included. Returns the month's counts for the
    recorder: active freelancers paid unemployment benefit, pension rights earned and old-age
    pension contributions on their pay and benefits."""
    s, c, m = ctx.sector, ctx.country, ctx.month
    for name in ("fees", "side"):
        check_rows(getattr(earn, name), len(pop), f"the income rule's step ({name})")
    living = s.living_cost * ctx.money_scale
    income = np.empty(len(pop))
    if employed is None:
        employed = np.zeros(len(pop), dtype=np.bool_)
    if transfer is None:
        transfer = np.zeros(len(pop))
    else:
        check_rows(transfer, len(pop), "the policy's transfers")
    sums = _settle(
        pop.active, engaged, earn.fees, earn.side, salary, transfer, pop.sick_months_left,
        pop.spell_months, pop.parental_months_left, pop.parental_benefit, pop.insured, employed,
        pop.precarious,
        pop.buffer, pop.idle_streak, pop.engaged_bits, pop.engaged_bits_2, pop.engaged_bits_3,
        pop.leave_bits, pop.drop_bits, pop.earning_bits, pop.recent_income, pop.recent_fees,
        pop.qualifying_months, pop.year_income_sum, pop.year_income_sq, pop.year_months,
        pop.year_fees, income,
        work_months=c.benefit_work_months, replacement=c.benefit_replacement,
        floor=c.benefit_floor, cap=c.benefit_cap, sick_replacement=c.sickness_replacement,
        sick_cap=c.sickness_income_cap, employer_days=c.sickness_employer_days,
        waiting_days=c.sickness_waiting_days, tax_rate=c.income_tax_rate,
        basic_deduction=c.basic_deduction, state_rate=c.state_tax_rate,
        state_threshold=c.state_tax_threshold, living=living, surplus_saving=s.surplus_saving,
        debt_floor=-s.debt_limit_months * living, earning_threshold=c.parental_income_threshold,
        pension_cap=c.pension_income_cap, transfer_taxed=bool(transfer_taxed),
        transfer_rights=bool(transfer_rights), vat_share=c.vat_share, bounds=pop.bounds,
        sums=np.empty((9, pop.groups)))
    tax, earned, benefit, sick_pay, parental, pensionable, recipients, rights, vat = sums
    pop.engaged, pop.fees, pop.income = engaged, earn.fees, income
    ledger.add("income_tax", m, tax)
    ledger.add("contributions", m, c.employer_contribution_rate * earned)
    ledger.add("unemployment_benefit", m, benefit)
    ledger.add("sickness_benefit", m, sick_pay)
    ledger.add("parental_benefit", m, parental)
    # the state pays the old-age pension contribution on the benefits it pays (Sweden), and on
    # the transfers that earn rights (``rights``: their sum; zero without any)
    ledger.add("benefit_pension_contributions", m,
               c.pension_contribution_rate * (benefit + sick_pay + parental + rights))
    # both sides of pensions: the contributions count as revenue, the rights they buy as a cost
    ledger.add("pension_rights", m, c.pension_accrual_rate * pensionable)
    ledger.add("vat", m, vat)  # VAT on what the households consumed
    return {"benefit_recipients": recipients,
            "pension_rights": c.pension_accrual_rate * pensionable,
            "pension_contributions": c.pension_contribution_rate * (earned + benefit + sick_pay
                                                                    + parental + rights)}


@kernel
def _settle(active, engaged, fees, side, salary, transfer, sick_months_left, spell_months,
            parental_months_left,
            parental_benefit, insured, employed, precarious, buffer, idle_streak, engaged_bits,
            engaged_bits_2, engaged_bits_3, leave_bits, drop_bits, earning_bits, recent_income,
            recent_fees, qualifying_months, year_income_sum, year_income_sq, year_months,
            year_fees, income_now, *, work_months, replacement, floor, cap, sick_replacement,
            sick_cap, employer_days, waiting_days, tax_rate, basic_deduction, state_rate,
            state_threshold, living,
            surplus_saving, debt_floor, earning_threshold, pension_cap, transfer_taxed,
            transfer_rights, vat_share, bounds, sums):
    for g in range(bounds.size - 1):  # the rows of each run of a batch
        tax_sum = earned_sum = benefit_sum = sick_pay_sum = parental_sum = pensionable_sum = 0.0
        rights_sum = vat_sum = 0.0
        recipients = 0
        for i in range(bounds[g], bounds[g + 1]):
            # locals: each column is read once and written once
            works, fee, bits, income_avg = engaged[i], fees[i], engaged_bits[i], recent_income[i]
            # public_finance; a parent on leave works at nothing and is paid the parental benefit
            on_leave = parental_months_left[i] > 0
            side_i = 0.0 if on_leave else side[i]
            earned = fee + side_i + salary[i]
            sick = sick_months_left[i] > 0 and not on_leave
            benefit = 0.0 if on_leave else _benefit(
                insured[i], not works, sick, employed[i], popcount(bits & LAST_12_MONTHS),
                recent_fees[i], side_i, work_months, replacement, floor, cap)
            sick_pay = (sick_replacement * min(income_avg, sick_cap)
                        * sick_benefit_share(sick_months_left[i], spell_months[i],
                                             employed[i] or (bits & _ONE) != 0, employer_days,
                                             waiting_days) if sick else 0.0)
            parental = parental_benefit[i] if on_leave else 0.0
            # the policy's transfer (not pay): its taxed part and its part that earns rights
            # (each 0.0 without one: adding it changes no sum)
            paid = transfer[i]
            taxed = paid if transfer_taxed else 0.0
            entitled = paid if transfer_rights else 0.0
            income_base = earned + benefit + sick_pay + parental
            taxable = income_base + taxed
            rights_base = income_base + entitled  # pensionable and benefit-qualifying income
            tax = income_tax(taxable, tax_rate, basic_deduction, state_rate, state_threshold)
            if active[i]:
                tax_sum += tax
                earned_sum += earned
                benefit_sum += benefit
                sick_pay_sum += sick_pay
                parental_sum += parental
                # pay and benefits are pensionable up to the ceiling (Pensionsmyndigheten, NAV)
                pensionable_sum += min(rights_base, pension_cap)
                rights_sum += entitled
                recipients += benefit > 0
            # household: consume living costs and part of any surplus; borrow down to the floor
            net = taxable - tax + (paid - taxed)  # an untaxed transfer reaches the savings whole
            spend = living + (1.0 - surplus_saving) * max(net - living, 0.0)
            kept = buffer[i] + net - spend
            savings = max(kept, debt_floor)
            if active[i]:  # VAT on what is consumed: at the debt floor, only what is left
                vat_sum += vat_share * (spend if kept >= debt_floor else buffer[i] + net - debt_floor)
            buffer[i] = savings
            idle_streak[i] = 0 if works else idle_streak[i] + 1
            # 192 months of engagement history in three words (qualifying windows of up to 16 years)
            engaged_bits_3[i] = (engaged_bits_3[i] << _ONE) | (engaged_bits_2[i] >> _TOP)
            engaged_bits_2[i] = (engaged_bits_2[i] << _ONE) | (bits >> _TOP)
            bits = (bits << _ONE) | np.uint64(works)
            engaged_bits[i] = bits
            # sick and parental leave push qualifying windows back (admission rules)
            leave_bits[i] = (leave_bits[i] << _ONE) | np.uint64(sick or on_leave)
            earning_bits[i] = (earning_bits[i] << _ONE) | np.uint64(rights_base >= earning_threshold)
            dropped = earned + parental + paid < 0.75 * income_avg  # a drop of 25% or more
            drop_bits[i] = (drop_bits[i] << _ONE) | np.uint64(dropped)
            if not on_leave:  # the benefit-qualifying income is protected during parental leave
                recent_income[i] = income_avg + (earned + entitled - income_avg) / 12.0
                recent_fees[i] += (fee - recent_fees[i]) / 12.0
            income_now[i] = earned
            qualifying_months[i] += works
            year_income_sum[i] += earned
            year_income_sq[i] += earned * earned
            year_months[i] += active[i]
            year_fees[i] += fee
            precarious[i] = is_precarious(popcount(bits & LAST_12_MONTHS), savings, living)
        sums[0, g], sums[1, g], sums[2, g], sums[3, g] = tax_sum, earned_sum, benefit_sum, sick_pay_sum
        sums[4, g], sums[5, g], sums[6, g] = parental_sum, pensionable_sum, recipients
        sums[7, g], sums[8, g] = rights_sum, vat_sum
    return sums
