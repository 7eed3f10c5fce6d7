"""Working grants: the same money paid as grants to freelancers chosen by artistic merit.

The instrument of the arts councils (Sweden's Konstnärsnämnden, Norway's Statens kunstnerstipend;
rules and sources in docs/sources.md, "Working grants"). The country of the spec decides the
rules: every rule that differs between the councils is a mapping from country preset to value
(``amount``, ``duration_years``, ``max_years_in_row``, ``taxed``, ``social_rights``, ``agency``),
read with ``ctx.country.name``. Where it sits in the monthly step (``sim/model/core/loop.py``;
interface in ``sim/model/policy/base.py``):

* ``open_year`` (January of a horizon year): the money arrives; ``admin_share`` of it pays the
  administration; grants that ended last December stop.
* ``admit``: the year's awards. The money left after the grants still running buys
  ``capacity`` grant-years at ``amount``; a year awards at most a ``duration_years``-th of the
  capacity (rounded up), so cohorts of long grants overlap evenly instead of coming in waves.
  Applicants are the eligible active freelancers: engaged at least ``min_engaged_months`` of the
  last 24 months (a working professional whose work meets an audience again and again), holding
  no grant, and not barred by ``max_years_in_row`` consecutive grant-years. The grants go to
  the highest skill (artistic merit, judged by peers; ties by uid), never by qualifying time.
* ``transfers_runs`` (every month, after ``pay``): each holder receives ``amount / 12``, a
  transfer, not pay (``Transfer``): it is taxed and earns social rights only where the
  country's ``taxed`` and ``social_rights`` say so, and no employer's contribution is due on it.
  A Swedish grant is paid as a lump sum; the model pays it in twelve monthly parts because the
  artist spends it over the grant's year, while the model's household consumes most of any
  month's surplus at once (``sector.surplus_saving``).
* Nobody is employed: holders keep freelancing with the same chances of engagements (no
  salary between engagements, no networking boost, no modifier of any rule); the grant acts on
  exit, births and health only through the household's money, as every income does. Holders draw
  no unemployment benefit unless ``unemployment_benefit_while_held``.
* ``close_year``: what was not spent goes back to the state.

What it owns: the columns ``grant_monthly``, ``grant_end`` and ``grant_years_in_row``; its
series ``SERIES``, spending lines ``SPENDING`` and outcomes ``OUTCOMES`` (names that start with
``grant``, apart from the core's ledger flows ``grant`` and ``grant_returned``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from sim.model.core.columns import NO_MONTH
from sim.model.core.params import ConfigError, param
from sim.model.policy.base import N_, Assumption, Description, Policy, Transfer
from sim.model.rules.base import window_mask
from sim.model.tables import ratio

ACTIVITY_WINDOW_MONTHS = 24  # the window of ``min_engaged_months``

# name -> (dtype, fill value for new rows, meaning)
COLUMNS: dict[str, tuple[type, object, str]] = {
    "grant_monthly": (np.float64, 0.0, "monthly part of the working grant held (0: none)"),
    "grant_end": (np.int32, NO_MONTH, "first month after the latest working grant"),
    "grant_years_in_row": (np.int16, 0, "consecutive grant-years up to the latest grant's end"),
}

# name -> (unit, meaning)
SERIES: dict[str, tuple[str, str]] = {
    "grant_holders": ("agents", "working-grant holders"),
    "grant_holders_engaged": ("agents", "holders with an outside engagement"),
    "grant_holder_exits": ("agents", "holders who left the sector this month"),
    "grant_holder_births": ("births", "births to holders this month"),
    "grant_applicants": ("agents", "eligible applicants at this month's awards"),
    "grants_awarded": ("agents", "working grants awarded this month"),
    "grant_holder_age_sum": ("years", "sum of the holders' ages"),
    "grant_holder_tenure_sum": ("years", "sum of the holders' years in the profession"),
    "grant_holder_skill_sum": ("SD", "sum of the holders' skill"),
}

SPENDING: dict[str, str] = {
    "grants_paid": "working grants paid to holders",
    "grants_administration": "administration of the working grants",
}

OUTCOMES: dict[str, tuple[str, str]] = {
    "grant_holders": ("people", "mean number of working-grant holders"),
    "grants_awarded_per_year": ("people/year", "working grants awarded per year"),
    "grants_spend_m": ("million currency/year",
                       "working-grant spending (grants paid and administration)"),
    "cost_per_grant_holder_k": ("thousand currency/holder-year",
                                "working-grant spending per holder-year"),
    "grant_holder_exit_rate": ("exits/holder-year", "exits from the sector of holders"),
    "grant_holder_birth_rate": ("births/holder-year", "births to holders"),
    "grant_holder_outside_work_share": ("share", "holder-months with an outside engagement"),
    "grant_applicants_per_grant": ("applicants/grant", "eligible applicants per grant awarded"),
    "grant_holder_mean_age": ("years", "mean age of holders"),
    "grant_holder_years_in_profession": ("years", "mean years in the profession of holders"),
    "grant_holder_mean_skill": ("SD", "mean skill of holders (SD units of the skill column)"),
}

# the rules that differ by country: field -> (what each value must be, check)
BY_COUNTRY: dict[str, tuple[str, object]] = {
    "agency": ("a name", lambda v: isinstance(v, str) and v.strip() != ""),
    "amount": ("a positive amount", lambda v: _number(v) and v > 0),
    "duration_years": ("a whole number of years in [1, 10]",
                       lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 10),
    "max_years_in_row": ("a whole number of years, at least 1, or null",
                         lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool)
                                                 and v >= 1)),
    "taxed": ("true or false", lambda v: isinstance(v, bool)),
    "social_rights": ("true or false", lambda v: isinstance(v, bool)),
}


def _number(value) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


@dataclass
class StipendsState:
    """Run state of one arm's working grants (money in the country's currency)."""

    grant: float = 0.0  # this year's money
    spent: float = 0.0

    @property
    def active(self) -> bool:
        return self.grant > 0


@dataclass(frozen=True)
class Stipends(Policy):
    name: str = param("-", doc="preset name")
    label: str = param("-", doc="short name for tables, charts and briefs")
    funding_m: float = param("million currency/year", 0, 100_000, "yearly state grant")
    start_year: int = param("horizon year", 0, 1000, "first year of awards")
    admin_share: float = param("share of grant", 0, 1, "administration of the grants",
                               hi_open=True)
    wage_share: float = param("share", 0, 1, "share of the administration paid as wages to "
                              "staff and reviewers, taxed like other pay")
    min_engaged_months: int = param("months", 0, ACTIVITY_WINDOW_MONTHS,
                                    "engaged months in the last 24 needed to apply")
    unemployment_benefit_while_held: bool = param(
        "-", doc="holders may draw unemployment benefit in idle months")
    agency: dict = param("-", doc="the council that awards the grants, by country preset")
    amount: dict = param("currency/year", doc="a grant-year, by country preset")
    duration_years: dict = param("years", doc="length of a grant, by country preset")
    max_years_in_row: dict = param("years", doc="most consecutive grant-years a holder may "
                                   "reach with a new grant (null: no limit), by country preset")
    taxed: dict = param("-", doc="the grant is taxed like earned income, by country preset")
    social_rights: dict = param("-", doc="the grant is pensionable income and qualifying income "
                                "of sickness and parental benefit, by country preset")

    COLUMNS = COLUMNS
    SERIES = SERIES
    STOCKS = frozenset({"grant_holders", "grant_holders_engaged", "grant_holder_age_sum",
                        "grant_holder_tenure_sum", "grant_holder_skill_sum"})
    SPENDING = SPENDING
    OUTCOMES = OUTCOMES
    KIND = N_("working grants paid to freelancers chosen by artistic merit; nobody is employed")
    NOUN = N_("the working-grant scheme")
    REACH = "grant_holders"
    REACH_SERIES = "grant_holders"
    REACH_WORDS = N_("pays working grants to about {n} freelancers at a time")
    ASSUMPTIONS = ("policy.funding_m", "policy.admin_share", "policy.min_engaged_months",
                   "policy.unemployment_benefit_while_held", "policy.amount",
                   "policy.duration_years", "policy.max_years_in_row", "policy.taxed",
                   "policy.social_rights")
    LEAVES_OUT = (
        N_("Peer review is not modelled as noise: the grants go to the highest skill among the "
           "eligible; panels' disagreement, spreading grants over regions and art forms, and "
           "applicants who do not apply are left out."),
        N_("One amount per country, the theatre grant's, for every sector (the councils' amounts "
           "differ by art form), and one grant length per country (Konstnärsnämnden also awards "
           "two-year grants; Norway's grants run one to five years)."),
        N_("The grant has no effect of its own on engagements or on the wish to stay (recognition, "
           "time to develop the art): it acts only through the household's money."),
        N_("A holder who leaves the profession stops receiving the grant; the rest of the year's "
           "money goes back to the state (a Swedish lump sum would have been kept)."),
        N_("The market's pool of engagement-months does not respond to the freelancers."),
    )

    per_run = ("funding_m",)  # may differ between runs of a batch (sim/model/core/per_run.py)

    # ------------------------------------------------------------------ configuration
    def check(self, path: str) -> None:
        keys = None
        for field, (allowed, ok) in BY_COUNTRY.items():
            rules = getattr(self, field)
            if not isinstance(rules, dict) or not rules:
                raise ConfigError(f"{path}.{field}", rules,
                                  f"a mapping from country preset to {allowed}")
            for country, value in rules.items():
                if not ok(value):
                    raise ConfigError(f"{path}.{field}.{country}", value, allowed)
            if keys is None:
                keys = set(rules)
            elif set(rules) != keys:
                raise ConfigError(f"{path}.{field}", sorted(rules),
                                  f"the same country presets as {path}.agency: {sorted(keys)}")

    def check_world(self, path: str, spec) -> None:
        country = spec.country.name
        if country not in self.agency:
            raise ConfigError("country", country, f"{' or '.join(self.agency)}, the countries "
                              f"whose working-grant rules {path}={self.name} holds")
        if self.start_year >= spec.horizon_years:
            raise ConfigError(f"{path}.start_year", self.start_year,
                              f"below horizon_years ({spec.horizon_years}), or no grant is awarded")

    def rules_of(self, country: str) -> dict:
        """The rules of ``country`` (a country preset's name): field -> value."""
        return {field: getattr(self, field)[country] for field in BY_COUNTRY}

    @property
    def title(self) -> str:
        return self.label

    def describe(self, spec, notes=None) -> Description:
        """The spec's country's council names the grants ('Working grants (Konstnärsnämnden)');
        the assumptions hold that country's values."""
        notes = notes or {}
        country = spec.country.name
        base = super().describe(spec, notes)
        assumptions = []
        for item in base.assumptions:
            field = item.key.split(".", 1)[1]
            if field in BY_COUNTRY:
                key = f"{item.key}.{country}"
                item = Assumption(key, getattr(self, field)[country], item.unit, item.meaning,
                                  notes.get(key, notes.get(item.key)))
            assumptions.append(item)
        agency = self.agency.get(country)
        title = f"{self.label} ({agency})" if agency else self.label  # translated by its label
        return dataclasses.replace(base, title=title, assumptions=tuple(assumptions))

    def new_state(self) -> StipendsState:
        return StipendsState()

    # ------------------------------------------------------------------ yearly
    def open_year(self, state, pop, ctx, ledger, recorder) -> None:
        m, year = ctx.month, ctx.horizon_month // 12
        pop.grant_monthly[pop.grant_end <= m] = 0.0  # grants that ended last December stop
        funded = ctx.horizon_month >= 0 and year >= self.start_year
        state.grant = self.funding_m * 1e6 / ctx.people_per_agent if funded else 0.0
        state.spent = 0.0
        if state.grant <= 0:
            return
        ledger.add("grant", m, state.grant)
        self._spend(state, ledger, "grants_administration", m, state.grant * self.admin_share)

    def admit(self, state, pop, ctx, admission, recorder) -> None:
        """The year's awards, by skill among the eligible (``admission``, the alliance's
        qualifying-time rule, is not used: merit decides)."""
        if not state.active:
            return
        m, rules = ctx.month, self.rules_of(ctx.country.name)
        amount, duration = float(rules["amount"]), rules["duration_years"]
        budget = state.grant * (1.0 - self.admin_share)
        running = 12.0 * float(pop.grant_monthly[pop.active & (pop.grant_end > m)].sum())
        capacity = int(budget // amount)
        places = max(0, min(int((budget - running) // amount), -(-capacity // duration)))
        eligible = self.eligible(pop, m, rules)
        recorder.set("grant_applicants", m, np.count_nonzero(eligible))
        if places == 0 or not eligible.any():
            return
        rows = np.flatnonzero(eligible)
        chosen = rows[np.lexsort((pop.uid[rows], -pop.skill[rows]))[:places]]
        follows = pop.grant_end[chosen] == m  # the latest grant ended last December
        in_row = np.where(follows, pop.grant_years_in_row[chosen], 0) + duration
        pop.grant_years_in_row[chosen] = in_row
        pop.grant_end[chosen] = m + 12 * duration
        pop.grant_monthly[chosen] = amount / 12.0
        recorder.set("grants_awarded", m, chosen.size)

    def eligible(self, pop, month: int, rules: dict) -> np.ndarray:
        """Who may receive a grant awarded in ``month`` (a January) under ``rules``."""
        recent = np.bitwise_count(pop.engaged_bits & window_mask(ACTIVITY_WINDOW_MONTHS))
        ok = pop.active & (pop.grant_end <= month) & (recent >= self.min_engaged_months)
        most = rules["max_years_in_row"]
        if most is not None:  # a grant directly after one may not make the run too long
            ok &= ~((pop.grant_end == month)
                    & (pop.grant_years_in_row + rules["duration_years"] > most))
        return ok

    def close_year(self, state, pop, ctx, ledger, recorder) -> None:
        if state.grant > 0:
            ledger.add("grant_returned", ctx.month, max(0.0, state.grant - state.spent))

    def wage_lines(self) -> dict[str, float]:
        return {"grants_administration": self.wage_share}

    @staticmethod
    def _spend(state, ledger, item: str, month: int, amount: float) -> None:
        ledger.spend(item, month, amount)
        state.spent += amount

    # ------------------------------------------------------------------ monthly
    def write_modifiers(self, state, pop, ctx) -> None:
        """Nothing: the grant changes no rule's odds; it acts through money alone."""

    def write_modifiers_runs(self, states, pop, ctx) -> None:
        pass

    def pay(self, state, pop, ctx, engaged, ledger, recorder) -> np.ndarray:
        return np.zeros(len(pop))  # nobody is employed: no salary

    def pay_runs(self, states, pop, ctx, engaged, ledgers, recorders) -> np.ndarray:
        return np.zeros(len(pop))

    def transfers_runs(self, states, pop, ctx, engaged, ledgers, recorders) -> np.ndarray | None:
        paid = pop.grant_monthly  # zero for everyone without a grant (and for leavers)
        if not paid.any():
            return None
        per_run = np.bincount(pop.group, weights=paid, minlength=pop.groups)
        for g in np.flatnonzero(per_run):
            self._spend(states[g], ledgers[g], "grants_paid", ctx.month, per_run[g])
        return paid.copy()

    def transfer_rules(self, country) -> Transfer:
        return Transfer(taxed=self.taxed[country.name],
                        social_rights=self.social_rights[country.name])

    def no_unemployment_benefit(self, pop) -> np.ndarray | None:
        return None if self.unemployment_benefit_while_held else pop.grant_monthly > 0

    def review(self, state, pop, ctx, recorder) -> None:
        """Nothing: a grant runs its term whatever the holder does."""

    def review_runs(self, states, pop, ctx, recorders) -> None:
        pass

    # ------------------------------------------------------------------ hooks of the core
    def on_births(self, states, pop, ctx, born, recorders) -> None:
        births = np.bincount(pop.group, weights=born & pop.active & (pop.grant_monthly > 0),
                             minlength=pop.groups)
        for g, recorder in enumerate(recorders):
            recorder.set("grant_holder_births", ctx.month, births[g])

    def on_exits(self, states, pop, ctx, rows, reasons, recorders) -> None:
        """A holder who leaves the profession stops receiving the grant."""
        held = rows[pop.grant_monthly[rows] > 0]
        if not held.size:
            return
        exits = np.bincount(pop.group[held], minlength=pop.groups)
        for g, recorder in enumerate(recorders):
            recorder.set("grant_holder_exits", ctx.month, exits[g])
        pop.grant_monthly[held] = 0.0

    def record_month(self, states, pop, ctx, engaged, salary, recorders) -> None:
        holders = pop.active & (pop.grant_monthly > 0)
        if not holders.any():
            return
        group, n = pop.group, pop.groups
        sums = {"grant_holders": np.bincount(group, weights=holders, minlength=n),
                "grant_holders_engaged": np.bincount(group, weights=holders & engaged,
                                                     minlength=n),
                "grant_holder_age_sum": np.bincount(group, weights=holders * pop.age_months,
                                                    minlength=n) / 12.0,
                "grant_holder_tenure_sum": np.bincount(group, weights=holders * pop.tenure_months,
                                                       minlength=n) / 12.0,
                "grant_holder_skill_sum": np.bincount(group, weights=holders * pop.skill,
                                                      minlength=n)}
        for g, recorder in enumerate(recorders):
            for name, values in sums.items():
                recorder.set(name, ctx.month, values[g])

    # ------------------------------------------------------------------ outcomes
    def outcome_values(self, series, spending, years) -> dict[str, float]:
        s = series
        holder_months = s["grant_holders"].sum()
        holder_years = holder_months / 12
        spend = spending.sum()
        awarded = s["grants_awarded"].sum()
        return {
            "grant_holders": float(s["grant_holders"].mean()),
            "grants_awarded_per_year": float(awarded / years),
            "grants_spend_m": spend / 1e6 / years,
            "cost_per_grant_holder_k": ratio(spend / 1e3, holder_years),
            "grant_holder_exit_rate": ratio(s["grant_holder_exits"].sum(), holder_years),
            "grant_holder_birth_rate": ratio(s["grant_holder_births"].sum(), holder_years),
            "grant_holder_outside_work_share": ratio(s["grant_holders_engaged"].sum(),
                                                     holder_months),
            "grant_applicants_per_grant": ratio(s["grant_applicants"].sum(), awarded),
            "grant_holder_mean_age": ratio(s["grant_holder_age_sum"].sum(), holder_months),
            "grant_holder_years_in_profession": ratio(s["grant_holder_tenure_sum"].sum(),
                                                      holder_months),
            "grant_holder_mean_skill": ratio(s["grant_holder_skill_sum"].sum(), holder_months),
        }


__all__ = ["Stipends", "StipendsState"]
