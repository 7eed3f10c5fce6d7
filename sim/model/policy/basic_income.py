"""A basic income for artists: a flat payment to freelancers drawn by lottery.

The third instrument, and the worked example of docs/extending.md. It follows Ireland's Basic
Income for the Arts (pilot 2022-2025, permanent from 2026; rules and sources in
docs/sources.md, "Basic income for artists"): a flat weekly payment for three years to artists
drawn at random among the eligible applicants, taxed as income. Here it runs in the model's
Swedish and Norwegian worlds. Where it sits in the monthly step (``sim/model/core/loop.py``;
interface in ``sim/model/policy/base.py``):

* ``open_year`` (January of a horizon year): the money arrives; ``admin_share`` of it pays the
  administration. A year that opens a cycle (every ``duration_years`` from ``start_year``) ends
  the last cycle's payments.
* ``admit`` (January, in a year that opens a cycle): the lottery. The money after
  administration pays ``budget // amount`` recipients a year. They are drawn among the
  eligible: active, engaged at least ``min_engaged_months`` of the last ``window_months``, and
  not drawn in the last ``rest_cycles`` cycles. Each eligible freelancer draws a uniform number
  from the stream ``basic_income_lottery``; the lowest draws win.
* ``transfers_runs`` (every month, after ``pay``): each recipient receives ``amount / 12``, a
  transfer, not pay: taxed and earning social rights as the country's ``taxed`` and
  ``social_rights`` say (``transfer_rules``); no employer's contribution is due. Recipients
  draw no unemployment benefit unless ``unemployment_benefit_while_paid``.
* ``on_exits``: a recipient who leaves the profession stops receiving it.
* ``close_year``: what was not spent goes back to the state.

The payment is ``amount_share`` of the country's ``population_median_income`` a year. Nothing
else changes: recipients keep freelancing with the same chances of engagements, and the payment
acts on exits, births and health only through the household's money and social rights.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from sim.model.core.columns import NO_MONTH
from sim.model.core.params import ConfigError, param
from sim.model.policy.base import N_, Description, Policy, Transfer
from sim.model.rules.base import HISTORY_MONTHS, window_counts
from sim.model.tables import ratio

# ---------------------------------------------------------------- what it declares
COLUMNS: dict[str, tuple[type, object, str]] = {
    "basic_income_monthly": (np.float64, 0.0, "monthly basic income received (0: none)"),
    "basic_income_drawn": (np.int32, NO_MONTH, "month of the latest lottery that drew this agent"),
}

SERIES: dict[str, tuple[str, str]] = {
    "basic_income_recipients": ("agents", "basic-income recipients"),
    "basic_income_recipients_engaged": ("agents", "recipients with an outside engagement"),
    "basic_income_recipient_exits": ("agents", "recipients who left the sector this month"),
    "basic_income_eligible": ("agents", "eligible freelancers at this month's lottery"),
    "basic_income_eligible_skill_sum": ("SD", "sum of the eligible's skill at the lottery"),
    "basic_income_drawn": ("agents", "freelancers drawn at this month's lottery"),
    "basic_income_drawn_skill_sum": ("SD", "sum of the drawn's skill at the lottery"),
}

SPENDING: dict[str, str] = {
    "basic_income_paid": "basic income paid to recipients",
    "basic_income_administration": "administration of the basic income and its lottery",
}

OUTCOMES: dict[str, tuple[str, str]] = {
    "basic_income_recipients": ("people", "mean number of basic-income recipients"),
    "basic_income_drawn_per_year": ("people/year", "freelancers drawn at the lotteries per year"),
    "basic_income_spend_m": ("million currency/year",
                             "basic-income spending (payments and administration)"),
    "basic_income_recipient_exit_rate": ("exits/recipient-year",
                                         "exits from the sector of recipients"),
    "basic_income_recipient_outside_work_share": ("share",
                                                  "recipient-months with an outside engagement"),
    "basic_income_eligible_per_draw": ("eligible/drawn",
                                       "eligible freelancers per freelancer drawn"),
    "basic_income_eligible_mean_skill": ("SD", "mean skill of the eligible at the lotteries"),
    "basic_income_drawn_mean_skill": ("SD", "mean skill of those drawn at the lotteries"),
}

BY_COUNTRY = ("taxed", "social_rights")  # the fields that hold one value per country preset


@dataclass
class BasicIncomeState:
    """Run state of one arm (money in the country's currency)."""

    grant: float = 0.0  # this year's money
    spent: float = 0.0

    @property
    def active(self) -> bool:
        return self.grant > 0


# ---------------------------------------------------------------- the parameters
@dataclass(frozen=True)
class BasicIncome(Policy):
    name: str = param("-", doc="preset name")
    label: str = param("-", doc="short name for tables, charts and briefs")
    funding_m: float = param("million currency/year", 0, 100_000, "yearly state grant")
    start_year: int = param("horizon year", 0, 1000, "year of the first lottery")
    admin_share: float = param("share of grant", 0, 1, "administration and the lottery",
                               hi_open=True)
    wage_share: float = param("share", 0, 1, "share of the administration paid as wages, "
                              "taxed like other pay")
    amount_share: float = param("share of median income", 0, 2,
                                "yearly payment / the country's population_median_income",
                                lo_open=True)
    duration_years: int = param("years", 1, 10, "a cycle: payments run this long, then a new "
                                "lottery")
    rest_cycles: int = param("cycles", 0, 10, "cycles a recipient sits out before entering "
                             "the lottery again")
    window_months: int = param("months", 1, HISTORY_MONTHS, "window of the eligibility test")
    min_engaged_months: int = param("months", 0, HISTORY_MONTHS,
                                    "engaged months in the window needed to enter the lottery")
    unemployment_benefit_while_paid: bool = param(
        "-", doc="recipients may draw unemployment benefit in idle months")
    taxed: dict = param("-", doc="the payment is taxed like earned income, by country preset")
    social_rights: dict = param("-", doc="the payment is pensionable income and qualifying "
                                "income of sickness and parental benefit, by country preset")

    COLUMNS = COLUMNS
    SERIES = SERIES
    STOCKS = frozenset({"basic_income_recipients", "basic_income_recipients_engaged"})
    SPENDING = SPENDING
    OUTCOMES = OUTCOMES
    KIND = N_("a flat basic income paid to freelancers drawn by lottery; nobody is employed")
    NOUN = N_("the basic income")
    REACH = "basic_income_recipients"  # the outcome that counts the people it supports
    REACH_WORDS = N_("goes to about {n} freelancers at a time")
    REACH_SERIES = "basic_income_recipients"  # the series that counts them month by month
    ASSUMPTIONS = ("policy.funding_m", "policy.amount_share", "policy.admin_share",
                   "policy.duration_years", "policy.rest_cycles", "policy.window_months",
                   "policy.min_engaged_months", "policy.unemployment_benefit_while_paid",
                   "policy.taxed", "policy.social_rights")
    LEAVES_OUT = (
        N_("The lottery is a plain draw among the eligible: the check of the sample for adequate "
           "representation, people who do not apply, and offers declined and drawn again are left "
           "out."),
        N_("Eligibility is engaged months in a recent window; the proofs of income and activity, "
           "memberships, age and residence are not modelled."),
        N_("One amount for every sector, a share of the country's median income; no tapering-off "
           "at the end of a cycle."),
        N_("The payment has no effect of its own on engagements, time spent on the art or the "
           "wish to stay: it acts only through the household's money and social rights."),
        N_("A recipient who leaves the profession stops receiving the payment; the money goes "
           "back to the state."),
    )

    per_run = ("funding_m",)  # may differ between runs of a batch (sim/model/core/per_run.py)

    # ------------------------------------------------------------ checks and description
    def check(self, path: str) -> None:
        if self.min_engaged_months > self.window_months:
            raise ConfigError(f"{path}.min_engaged_months", self.min_engaged_months,
                              f"at most {path}.window_months ({self.window_months})")
        for field in BY_COUNTRY:
            rules = getattr(self, field)
            if not isinstance(rules, dict) or not rules or not all(
                    isinstance(v, bool) for v in rules.values()):
                raise ConfigError(f"{path}.{field}", rules,
                                  "a mapping from country preset to true or false")
        if set(self.social_rights) != set(self.taxed):
            raise ConfigError(f"{path}.social_rights", sorted(self.social_rights),
                              f"the same country presets as {path}.taxed: {sorted(self.taxed)}")

    def check_world(self, path: str, spec) -> None:
        if spec.country.name not in self.taxed:
            raise ConfigError("country", spec.country.name,
                              f"{' or '.join(self.taxed)}, the countries whose rules "
                              f"{path}={self.name} holds")
        if self.start_year >= spec.horizon_years:
            raise ConfigError(f"{path}.start_year", self.start_year,
                              f"below horizon_years ({spec.horizon_years}), or nobody is drawn")

    @property
    def title(self) -> str:  # neither Sweden nor Norway runs one: say whose scheme it copies
        return self.label + N_(" (after Ireland's scheme)")

    def amount(self, country) -> float:
        """The yearly payment in ``country`` (the spec's ``Country``), in its currency."""
        return self.amount_share * country.population_median_income

    def describe(self, spec, notes=None) -> Description:
        """The default description, with the country's own value of each rule that differs by
        country and the yearly payment in the country's currency."""
        notes = notes or {}
        country = spec.country
        base = super().describe(spec, notes)
        assumptions = []
        for item in base.assumptions:
            field = item.key.split(".", 1)[1]
            if field in BY_COUNTRY:  # the spec's country's value, under its own key
                key = f"{item.key}.{country.name}"
                item = dataclasses.replace(item, key=key, value=item.value[country.name],
                                           source=notes.get(key, item.source))
            elif field == "amount_share":
                item = dataclasses.replace(item, meaning=f"{item.meaning}: "
                                           f"{self.amount(country):,.0f} {country.currency}/year")
            assumptions.append(item)
        return dataclasses.replace(base, assumptions=tuple(assumptions))

    def new_state(self) -> BasicIncomeState:
        return BasicIncomeState()

    # ------------------------------------------------------------ yearly: money and lottery
    def opens_cycle(self, horizon_year: int) -> bool:
        return (horizon_year >= self.start_year
                and (horizon_year - self.start_year) % self.duration_years == 0)

    def open_year(self, state, pop, ctx, ledger, recorder) -> None:
        year = ctx.horizon_month // 12
        if self.opens_cycle(year):
            pop.basic_income_monthly[:] = 0.0  # the last cycle's payments end
        state.grant = (self.funding_m * 1e6 / ctx.people_per_agent
                       if year >= self.start_year else 0.0)
        state.spent = 0.0
        if state.active:
            ledger.add("grant", ctx.month, state.grant)
            self._spend(state, ledger, "basic_income_administration", ctx.month,
                        state.grant * self.admin_share)

    def admit(self, state, pop, ctx, admission, recorder) -> None:
        """The lottery (``admission``, the alliance's ranking rule, is not used: luck decides)."""
        m = ctx.month
        if not state.active or not self.opens_cycle(ctx.horizon_month // 12):
            return
        amount = self.amount(ctx.country)
        places = int(state.grant * (1.0 - self.admin_share) // amount)
        eligible = self.eligible(pop, m)
        rows = np.flatnonzero(eligible)
        recorder.set("basic_income_eligible", m, rows.size)
        recorder.set("basic_income_eligible_skill_sum", m, pop.skill[rows].sum())
        if places <= 0 or rows.size == 0:
            return
        if places < rows.size:  # a lottery: the lowest draws of the eligible win
            draw = ctx.uniform("basic_income_lottery")[rows]
            rows = rows[np.argpartition(draw, places - 1)[:places]]
        pop.basic_income_monthly[rows] = amount / 12.0
        pop.basic_income_drawn[rows] = m
        recorder.set("basic_income_drawn", m, rows.size)
        recorder.set("basic_income_drawn_skill_sum", m, pop.skill[rows].sum())

    def eligible(self, pop, month: int) -> np.ndarray:
        """Who enters the lottery held in ``month`` (a January)."""
        engaged = window_counts(pop, (self.window_months,))[:, 0]
        last_allowed = month - 12 * self.duration_years * (1 + self.rest_cycles)
        rested = pop.basic_income_drawn <= last_allowed  # NO_MONTH: never drawn
        return pop.active & (engaged >= self.min_engaged_months) & rested

    def close_year(self, state, pop, ctx, ledger, recorder) -> None:
        if state.active:
            ledger.add("grant_returned", ctx.month, max(0.0, state.grant - state.spent))

    def wage_lines(self) -> dict[str, float]:
        return {"basic_income_administration": self.wage_share}  # taxed back like other pay

    @staticmethod
    def _spend(state, ledger, item: str, month: int, amount: float) -> None:
        ledger.spend(item, month, amount)
        state.spent += amount

    # ------------------------------------------------------------ monthly: the payment
    def transfers_runs(self, states, pop, ctx, engaged, ledgers, recorders) -> np.ndarray | None:
        paid = pop.basic_income_monthly  # zero for everyone else (and for leavers)
        if not paid.any():
            return None
        per_run = np.bincount(pop.group, weights=paid, minlength=pop.groups)
        for g in np.flatnonzero(per_run):
            self._spend(states[g], ledgers[g], "basic_income_paid", ctx.month, per_run[g])
        return paid.copy()

    def transfer_rules(self, country) -> Transfer:
        return Transfer(taxed=self.taxed[country.name],
                        social_rights=self.social_rights[country.name])

    def no_unemployment_benefit(self, pop) -> np.ndarray | None:
        return None if self.unemployment_benefit_while_paid else pop.basic_income_monthly > 0

    # ------------------------------------------------------------ monthly: what it does not do
    # nobody is employed and no rule's odds change: no salary, no modifiers, no review
    def pay(self, state, pop, ctx, engaged, ledger, recorder) -> np.ndarray:
        return np.zeros(len(pop))

    def pay_runs(self, states, pop, ctx, engaged, ledgers, recorders) -> np.ndarray:
        return np.zeros(len(pop))

    def write_modifiers(self, state, pop, ctx) -> None:
        pass

    def write_modifiers_runs(self, states, pop, ctx) -> None:
        pass

    def review(self, state, pop, ctx, recorder) -> None:
        pass

    def review_runs(self, states, pop, ctx, recorders) -> None:
        pass

    # ------------------------------------------------------------ hooks of the core
    def on_exits(self, states, pop, ctx, rows, reasons, recorders) -> None:
        """A recipient who leaves the profession stops receiving the payment."""
        paid = rows[pop.basic_income_monthly[rows] > 0]
        if not paid.size:
            return
        exits = np.bincount(pop.group[paid], minlength=pop.groups)
        for g, recorder in enumerate(recorders):
            recorder.set("basic_income_recipient_exits", ctx.month, exits[g])
        pop.basic_income_monthly[paid] = 0.0

    def record_month(self, states, pop, ctx, engaged, salary, recorders) -> None:
        paid = pop.active & (pop.basic_income_monthly > 0)
        if not paid.any():
            return
        sums = {"basic_income_recipients": paid,
                "basic_income_recipients_engaged": paid & engaged}
        for name, rows in sums.items():
            counts = np.bincount(pop.group, weights=rows, minlength=pop.groups)
            for g, recorder in enumerate(recorders):
                recorder.set(name, ctx.month, counts[g])

    # ------------------------------------------------------------ outcomes
    def outcome_values(self, series, spending, years) -> dict[str, float]:
        s = series
        months = s["basic_income_recipients"].sum()  # recipient-months
        drawn, eligible = s["basic_income_drawn"].sum(), s["basic_income_eligible"].sum()
        return {
            "basic_income_recipients": float(s["basic_income_recipients"].mean()),
            "basic_income_drawn_per_year": float(drawn / years),
            "basic_income_spend_m": float(spending.sum() / 1e6 / years),
            "basic_income_recipient_exit_rate": ratio(s["basic_income_recipient_exits"].sum(),
                                                      months / 12),
            "basic_income_recipient_outside_work_share": ratio(
                s["basic_income_recipients_engaged"].sum(), months),
            "basic_income_eligible_per_draw": ratio(eligible, drawn),
            "basic_income_eligible_mean_skill": ratio(
                s["basic_income_eligible_skill_sum"].sum(), eligible),
            "basic_income_drawn_mean_skill": ratio(s["basic_income_drawn_skill_sum"].sum(),
                                                   drawn),
        }


__all__ = ["BasicIncome", "BasicIncomeState"]
