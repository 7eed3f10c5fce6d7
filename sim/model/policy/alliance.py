"""The alliance: a state-funded employer of established freelancers (the default policy).

Where it sits in the monthly step (order in ``sim/model/core/loop.py``; interface in
``sim/model/policy/base.py``):

* ``open_year`` (January of a horizon year): re-start posts whose term is over end; the grant
  arrives, plus what the state adds in a crisis (a year that starts with sector demand below
  its level), as ``crisis_measure`` says: nothing (``furlough``: the alliance cuts salaries if
  its money runs short), ``crisis_topup_m`` more grant (``topup``, as in 2020,
  alliances-2.md), or, once a crisis has lasted ``restart_after_years`` full years, the money
  for **re-start posts** (``restart``: TeaterAlliansen hired 36 actors on one-year posts in
  2021, alliances-2.md) for ``restart_share`` of the members, paid at the full salary; open
  training seats are drawn; the salary budget is compared with what the members will cost. A
  shortfall is met by **furlough**: every salary is cut pro rata for the year (SKUDA furloughed
  93 of about 103 employees in June 2020, alliances-2.md). Only a shortfall that persists beyond
  ``layoff_after_years`` leads to lay-offs, last in first out (assumption: the statutory order
  of the Swedish and Norwegian employment acts; no alliance documents another).
* ``admit``: a **hiring round** when one is due (every ``round_every_years``) and at least
  ``min_vacancies`` places are free, keeping ``hiring_margin`` of the salary budget free for
  years when members are idle more often (Dansalliansen: every second year, when about 10 contracts
  are vacant; TeaterAlliansen: "när TeaterAlliansen har ekonomiska möjligheter"). The admission
  rule decides who is eligible and in what order. Re-start posts are filled after the round,
  outside the admission rule: freelancers with at least ``restart_min_starts`` engagements
  started and ``restart_min_months`` engaged months in the last ``restart_window_months``,
  ranked by engagements started (many short engagements, the group the 2021 posts were for).
  They are members for ``restart_months`` (column ``restart_until``).
* ``write_modifiers``: members' exit hazard x ``member_exit_hr``; precarious members' birth
  probability x ``precarious_member_birth_hr``; every member bears ``member_insecurity_share``
  of the health penalty of precarity (the salary secures income, the conditional contract
  leaves some insecurity; column ``insecurity_share``); members' and trained freelancers'
  engagement log-odds + the networking boosts.
* ``pay``: a member in a month without engagement (and not sick) is owed the salary; in an
  engaged month ``partial_month_pay`` of it (leave is taken per engagement, so a month can be
  partly paid, alliances-2.md); minus ``fee_offset`` of recent fees (Musikalliansen). In the
  first month of a sick spell the alliance, as employer, pays sick pay for the country's
  ``sickness_employer_days`` (``sickness_replacement`` of the salary); the state pays the rest.
  Salaries are scaled by the year's furlough and never exceed the money left.
* ``review``: employment ends at the end of a work period with fewer than
  ``work_requirement_months`` engaged months, or when the time account of ``max_paid_months``
  salaried months is used up.
* ``close_year``: what was not spent goes back to the state; December's ages of the members.

What it owns (``sim/model/policy/base.py``): the columns ``member``, ``member_since``,
``paid_months`` and ``trained_month``, which only the policy arm's population holds; the
member, hiring and furlough series of the recorder (``SERIES``; ``on_births``, ``on_exits`` and
``record_month`` keep them); the ledger's spending lines ``SPENDING``; its outcomes
(``sim/model/policy/alliance_catalogue.py``, computed by ``outcome_values``). Members are
employed: they draw no unemployment benefit (``employed``), and their salary is earned income.

The grant and ``min_vacancies`` are real amounts; the simulated population is the real one over
``population.scale`` (people per agent), so both are divided by the scale and a grant buys the
same real number of members at any scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.core.columns import EXIT_REASONS, NO_MONTH
from sim.model.core.jit import inline, kernel, popcount
from sim.model.core.params import ConfigError, param
from sim.model.policy.alliance_catalogue import END_REASONS, OUTCOMES
from sim.model.policy.base import N_, Policy
from sim.model.rules.base import window_mask
from sim.model.tables import december_mean, ratio

RETIRED = next(code for code, name in EXIT_REASONS.items() if name == "retired")

# name -> (dtype, fill value for new rows, meaning): the alliance's own per-agent state
COLUMNS: dict[str, tuple[type, object, str]] = {
    "member": (np.bool_, False, "employed by the alliance"),
    "member_since": (np.int32, NO_MONTH, "month of admission"),
    "paid_months": (np.int32, 0, "months of alliance salary received (time account)"),
    "trained_month": (np.int32, NO_MONTH, "month of the latest open training"),
    "restart_until": (np.int32, NO_MONTH, "month a re-start post ends (none: an ordinary "
                      "membership or none)"),
}

# women's ages at which members' births are compared with the other women's, by 5-year band
# (25-29 .. 40-44): series of births and of women per band, members and the others
FERTILE_BANDS = (25, 30, 35, 40)
FERTILE_BIRTHS = tuple(f"{who}_births_women_{lo}" for who in ("member", "other")
                       for lo in FERTILE_BANDS)
FERTILE_WOMEN = tuple(f"{who}_women_{lo}" for who in ("member", "other") for lo in FERTILE_BANDS)
AGE_BANDS = tuple(range(20, 70, 5))  # members' ages by 5-year band (20-24, ..., 65-69)


def age_band_names(what: str) -> list[str]:
    """Series names of a 5-year age histogram: ``<what>_age_20`` .. ``<what>_age_65``."""
    return [f"{what}_age_{lo}" for lo in AGE_BANDS]

# name -> (unit, meaning): the alliance's monthly series
SERIES: dict[str, tuple[str, str]] = {
    "members": ("agents", "alliance members"),
    "member_idle": ("agents", "members paid by the alliance this month"),
    "member_engaged": ("agents", "members with an outside engagement"),
    "member_exits": ("agents", "members who left the sector this month"),
    "member_births": ("births", "births to members this month"),
    **{f"{who}_births_women_{lo}": ("births", f"births to women {words} aged {lo}-{lo + 4}")
       for who, words in (("member", "members"), ("other", "who are not members"))
       for lo in FERTILE_BANDS},
    **{f"{who}_women_{lo}": ("agents", f"active women {words} aged {lo}-{lo + 4}")
       for who, words in (("member", "members"), ("other", "who are not members"))
       for lo in FERTILE_BANDS},
    "hiring_rounds": ("rounds", "hiring rounds held this month"),
    "eligible": ("agents", "freelancers eligible at this month's hiring round"),
    "applicants": ("agents", "eligible freelancers who applied at this month's hiring round"),
    "places": ("places", "places offered at this month's hiring round"),
    "admitted": ("agents", "admitted at this month's hiring round"),
    "furloughed": ("agents", "members paid less than owed (furlough or the year's money spent)"),
    **{f"ends_{reason}": ("memberships", f"memberships ended: {text}")
       for reason, text in END_REASONS.items()},
    "membership_months_ended": ("months", "total length of the memberships that ended"),
    "member_age_sum": ("years", "sum of the members' ages"),
    "member_tenure_sum": ("years", "sum of the members' years in the profession"),
    "member_age_p10": ("years", "December: 10th percentile of members' ages"),
    "member_age_p90": ("years", "December: 90th percentile of members' ages"),
    # who is hired: at a round's month, over that round's hires
    "hired_age_sum": ("years", "sum of the ages of this month's hires"),
    "hired_years_sum": ("years", "sum of this month's hires' years in the profession"),
    "hired_under_30": ("agents", "this month's hires younger than 30"),
    **{f"hired_{what}_{q}": ("years", f"{q[1:]}th percentile of this month's hires' {words}")
       for what, words in (("age", "ages"), ("years", "years in the profession"))
       for q in ("p10", "p90")},
    # age histograms (5-year bands; the last band holds everyone 65 or older, the first everyone
    # under 25): of this month's hires, and of the members in December (0 in other months)
    **{name: ("agents", f"hires aged {lo}-{lo + 4} this month")
       for name, lo in zip(age_band_names("hired"), AGE_BANDS, strict=True)},
    **{name: ("agents", f"December: members aged {lo}-{lo + 4}")
       for name, lo in zip(age_band_names("december_member"), AGE_BANDS, strict=True)},
    "restart_hired": ("agents", "hired on re-start posts this month"),
}

# the alliance's spending of its grant: name -> meaning
SPENDING: dict[str, str] = {
    "salaries": "salaries paid to members",
    "salary_contributions": "employer's contributions on the salaries",
    "overhead": "administration",
    "training": "open training places",
}


@dataclass
class AllianceState:
    """Run state of one arm's alliance (money in the country's currency)."""

    grant: float = 0.0
    salary_budget: float = 0.0
    salary_spent: float = 0.0
    spent: float = 0.0
    capacity: int = 0  # members the year's salary budget sustains
    hiring_capacity: int = 0  # members it sustains with the hiring margin kept free
    furlough: float = 1.0  # share of salary paid this year (1: no furlough)
    shortfall_years: int = 0  # consecutive years the budget fell short
    crisis_years: int = 0  # consecutive years that started in a crisis (demand below its level)
    restart_places: int = 0  # re-start posts funded this year, to fill after the round
    restart_done: bool = False  # this crisis has had its re-start posts
    paid_share: float = 0.4  # salary-months owed per member-month (for planning)
    member_months: int = 0
    owed_salary_months: float = 0.0

    @property
    def active(self) -> bool:
        return self.grant > 0


@dataclass(frozen=True)
class Alliance(Policy):
    name: str = param("-", doc="preset name")
    label: str = param("-", doc="the real alliance it represents, for tables, charts and briefs")
    country: str | None = param("-", doc="country preset it belongs to (null: any)")
    sectors: list | None = param("-", doc="sector presets it employs (null: any)")
    hypothetical: bool = param("-", doc="true when the grant is not a real one (said in briefs)")
    enabled: bool = param("-", doc="false runs the policy arm without an alliance")
    funding_m: float = param("million currency/year", 0, 100_000, "yearly state grant")
    start_year: int = param("horizon year", 0, 1000, "first year of operation")
    cut_share: float = param("share", 0, 1, "share of the grant cut from `cut_year` on")
    cut_year: int | None = param("horizon year", 0, 1000, "first year of the cut (null: none)")
    crisis_measure: str = param("-", choices=("furlough", "topup", "restart"),
                                doc="what the state adds in a crisis: nothing (the alliance "
                                    "furloughs if money runs short), a top-up of the grant, or "
                                    "one-year re-start posts")
    crisis_topup_m: float = param("million currency/year", 0, 100_000,
                                  "crisis_measure=topup: extra grant in years that start with "
                                  "demand below its level")
    restart_share: float = param("posts per member", 0, 5, "crisis_measure=restart: re-start "
                                 "posts per ordinary member, once a crisis")
    restart_months: int = param("months", 1, 60, "term of a re-start post")
    restart_after_years: int = param("years", 0, 20, "full years a crisis lasts before the "
                                     "re-start posts open")
    restart_window_months: int = param("months", 1, 64, "window in which the engagements of "
                                       "re-start applicants count")
    restart_min_starts: int = param("engagements", 0, 64, "engagements started in the window "
                                    "to be eligible for a re-start post")
    restart_min_months: int = param("months", 0, 64, "engaged months in the window to be "
                                    "eligible for a re-start post")
    salary: float = param("currency/month", 0, None, "salary in months without engagements (SEK)",
                          lo_open=True)
    partial_month_pay: float = param("share of salary", 0, 1,
                                     "paid in an engaged month (days between engagements)")
    fee_offset: float = param("share", 0, 1, "salary reduced by this share of recent fees")
    overhead_share: float = param("share of grant", 0, 1, "administration")
    wage_share: float = param("share", 0, 1, "share of the administration and training costs "
                              "paid as wages and fees to staff and trainers, taxed like other pay")
    open_training_share: float = param("share of grant", 0, 1, "training open to non-members")
    training_cost: float = param("currency/participant", 0, None, "cost of one training place",
                                 lo_open=True)
    planned_salary_share: float = param("share", 0, 1, "salary-months owed per member-month, "
                                        "planned in year one", lo_open=True)
    member_engagement_boost: float = param("log-odds", 0, 5, "networking and agency for members")
    training_engagement_boost: float = param("log-odds", 0, 5, "effect of open training")
    training_lag_months: int = param("months", 0, 120, "delay before training pays off")
    member_exit_hr: float = param("hazard ratio", 0, 10, "exit hazard of members")
    training_exit_hr: float = param("hazard ratio", 0, 10, "exit hazard once training pays off")
    precarious_member_birth_hr: float = param("ratio", 0, 10,
                                              "birth probability of precarious members")
    member_insecurity_share: float = param("share", 0, 1, "share of the health penalty of "
                                           "precarity that members still bear")
    work_requirement_months: int = param("months", 0, 64, "engaged months needed per period")
    work_period_months: int = param("months", 1, 64, "length of a work-requirement period")
    max_paid_months: int | None = param("months", 1, None, "time account of paid months (null: none)")
    round_every_years: int = param("years", 1, 50, "a hiring round at most this often")
    hiring_margin: float = param("share", 0, 1, "of the salary budget kept free when hiring")
    min_vacancies: int = param("places", 1, 10_000, "free places needed to hold a round")
    layoff_after_years: int | None = param("years", 0, 50,
                                           "years of shortfall before lay-offs (null: never)")

    # what it owns (sim/model/policy/base.py)
    COLUMNS = COLUMNS
    SERIES = SERIES
    STOCKS = frozenset({"members", "member_idle", "member_engaged", "furloughed",
                        *FERTILE_WOMEN,
                        "member_age_sum", "member_tenure_sum"})
    NOT_TOTALS = frozenset({"member_age_p10", "member_age_p90", "hiring_rounds", "hired_age_p10",
                            "hired_age_p90", "hired_years_p10", "hired_years_p90"})
    SPENDING = SPENDING
    OUTCOMES = OUTCOMES
    KIND = N_("a state-funded employer that pays established freelancers a salary between "
              "engagements")
    NOUN = N_("the alliance")
    REACH = "alliance_members"
    REACH_SERIES = "members"
    REACH_WORDS = N_("employs about {n} freelancers")
    # the config keys that drive its results most (config.yaml's report.assumptions)
    ASSUMPTIONS = ("policy.salary", "policy.member_engagement_boost",
                   "policy.member_exit_hr", "policy.precarious_member_birth_hr",
                   "admission.qualifying_share", "admission.apply_idle",
                   "admission.rank_window_months", "sector.age_slope_women")
    LEAVES_OUT = (
        N_("Who applies depends only on how much of the last two years was without work: no "
           "survey of the alliances' applicants was found."),
    )

    # may differ between the runs of a batch (sim/model/core/per_run.py): the yearly methods run
    # run by run on the run's own policy, the monthly ones read one value per run
    per_run = ("funding_m", "salary", "overhead_share", "wage_share", "member_engagement_boost",
               "member_exit_hr", "precarious_member_birth_hr", "member_insecurity_share")

    def check(self, path: str) -> None:
        if self.work_requirement_months > self.work_period_months:
            raise ConfigError(f"{path}.work_requirement_months", self.work_requirement_months,
                              f"at most {path}.work_period_months ({self.work_period_months})")
        if self.overhead_share + self.open_training_share > 1:
            raise ConfigError(f"{path}.open_training_share", self.open_training_share,
                              f"at most 1 - {path}.overhead_share ({1 - self.overhead_share:g})")
        if self.sectors is not None and not (
                isinstance(self.sectors, list | tuple) and all(isinstance(s, str) for s in self.sectors)):
            raise ConfigError(f"{path}.sectors", self.sectors, "a list of sector presets or null")

    def check_world(self, path: str, spec) -> None:
        country, sector = spec.country.name, spec.sector.name
        if self.enabled and self.start_year >= spec.horizon_years:
            raise ConfigError(f"{path}.start_year", self.start_year,
                              f"below horizon_years ({spec.horizon_years}), or the alliance never runs")
        if self.cut_year is not None and self.cut_year < self.start_year:
            raise ConfigError(f"{path}.cut_year", self.cut_year,
                              f"at least {path}.start_year ({self.start_year}) or null")
        if self.country is not None and country != self.country:
            raise ConfigError("country", country, f"{self.country}, where {self.label} ({path}="
                              f"{self.name}) works; or choose the alliance of that country, or "
                              f"{path}=generic for a hypothetical one")
        if self.sectors is not None and sector not in self.sectors:
            raise ConfigError("sector", sector, f"{' or '.join(self.sectors)}, the sectors "
                              f"{self.label} ({path}={self.name}) employs; or choose the alliance "
                              f"of that sector, or {path}=generic for a hypothetical one")

    @property
    def title(self) -> str:
        return self.label + (" (hypothetical grant)" if self.hypothetical else "")

    def grant_m(self, year: int) -> float:
        """Grant in horizon year ``year`` (millions per year); zero before the start."""
        if not self.enabled or year < self.start_year:
            return 0.0
        if self.cut_year is not None and year >= self.cut_year:
            return self.funding_m * (1.0 - self.cut_share)
        return self.funding_m

    def new_state(self) -> AllianceState:
        return AllianceState(paid_share=self.planned_salary_share)

    # the monthly methods below serve one run (``pay``, ``review``) or a batch (``*_runs``),
    # with one implementation each: ``pay`` is ``pay_runs`` on one run; ``review`` reviews
    # whatever the state, ``review_runs`` only while a run has money (the step's rule)

    # ------------------------------------------------------------------ yearly
    def open_year(self, state, pop, ctx, ledger, recorder) -> None:
        m, year = ctx.month, ctx.horizon_month // 12
        # the grant in the simulated population's money: real money / people per agent
        per_agent = 1e6 / ctx.people_per_agent
        state.grant = self.grant_m(year) * per_agent if ctx.horizon_month >= 0 else 0.0
        over = np.flatnonzero(pop.member & (pop.restart_until != NO_MONTH)
                              & (pop.restart_until <= m))
        pop.restart_until[over] = NO_MONTH
        self._end(pop, over, "restart_ended", ctx, recorder, served_this_month=False)
        crisis = ctx.demand < ctx.demand_level
        state.crisis_years = state.crisis_years + 1 if crisis else 0
        state.restart_done = state.restart_done and crisis
        state.restart_places = 0
        if state.grant > 0 and crisis and self.crisis_measure == "topup":
            state.grant += self.crisis_topup_m * per_agent
        state.salary_spent = state.spent = 0.0
        members = np.flatnonzero(pop.member)
        if state.grant <= 0:
            self._end(pop, members, "budget", ctx, recorder, served_this_month=False)
            state.capacity = state.hiring_capacity = 0
            state.furlough = 1.0
            return
        ledger.add("grant", m, state.grant)
        state.salary_budget = state.grant * (1.0 - self.overhead_share - self.open_training_share)
        self._train(state, pop, ctx, ledger)
        if state.member_months:  # plan with last year's salary-months owed per member-month
            state.paid_share = max(0.05, state.owed_salary_months / state.member_months)
        state.member_months, state.owed_salary_months = 0, 0.0
        member_year = self.member_year_cost(state, ctx)
        state.capacity = int(state.salary_budget // member_year)
        state.hiring_capacity = int(state.salary_budget * (1 - self.hiring_margin) // member_year)
        state.furlough = 1.0
        self._fund_restart(state, pop, ctx, ledger)  # after the capacity: it is extra money
        if members.size <= state.capacity:
            state.shortfall_years = 0
            return
        state.shortfall_years += 1
        if self.layoff_after_years is not None and state.shortfall_years > self.layoff_after_years:
            # a persistent shortfall: lay off, last in first out (ties: fewest qualifying months)
            order = np.lexsort((pop.uid[members], pop.qualifying_months[members],
                                -pop.member_since[members]))
            self._end(pop, members[order[: members.size - state.capacity]], "budget", ctx,
                      recorder, served_this_month=False)
        else:  # furlough: everyone's salary cut pro rata for the year
            state.furlough = state.capacity / members.size

    def _fund_restart(self, state, pop, ctx, ledger) -> None:
        """``crisis_measure=restart``: once a crisis has lasted ``restart_after_years`` full
        years, the state funds ``restart_share`` posts per member for ``restart_months`` at the
        full salary (money not spent returns in December, as the rest of the grant)."""
        if (self.crisis_measure != "restart" or state.restart_done
                or state.crisis_years <= self.restart_after_years):
            return
        state.restart_done = True
        places = round(self.restart_share * np.count_nonzero(pop.member))
        if places <= 0:
            return
        ec = ctx.country.employer_contribution_rate
        money = places * self.restart_months * self.salary * ctx.money_scale * (1 + ec)
        state.grant += money
        state.salary_budget += money
        state.restart_places = places
        ledger.add("grant", ctx.month, money)

    def member_year_cost(self, state, ctx) -> float:
        """Planned cost of one member-year: salary-months owed x salary x employer contributions."""
        ec = ctx.country.employer_contribution_rate
        return 12 * state.paid_share * self.salary * ctx.money_scale * (1 + ec)

    def admit(self, state, pop, ctx, admission, recorder) -> None:
        year = ctx.horizon_month // 12
        if not state.active:
            return
        places = state.hiring_capacity - int(np.count_nonzero(pop.member))
        due = (year - self.start_year) % self.round_every_years == 0
        if due and places >= max(1, round(self.min_vacancies / ctx.people_per_agent)):
            self._round(pop, ctx, admission, recorder, places)
        if state.restart_places:
            self._hire_restart(state, pop, ctx, recorder)

    def _round(self, pop, ctx, admission, recorder, places: int) -> None:
        """An ordinary hiring round of ``places``: the admission rule picks among its applicants."""
        m = ctx.month
        recorder.set("hiring_rounds", m, 1)
        recorder.set("eligible", m, np.count_nonzero(admission.eligible(pop, ctx)))
        recorder.set("applicants", m, np.count_nonzero(admission.applicants(pop, ctx)))
        recorder.set("places", m, places)
        admitted = admission.select(pop, ctx, places)
        if admitted.size:  # who is hired: their ages and years in the profession
            age, years = pop.age_months[admitted] / 12.0, pop.tenure_months[admitted] / 12.0
            recorder.set("hired_age_sum", m, float(age.sum()))
            recorder.set("hired_years_sum", m, float(years.sum()))
            recorder.set("hired_under_30", m, int(np.count_nonzero(age < 30)))
            for what, values in (("age", age), ("years", years)):
                p10, p90 = np.percentile(values, [10, 90])
                recorder.set(f"hired_{what}_p10", m, p10)
                recorder.set(f"hired_{what}_p90", m, p90)
            for name, n in zip(age_band_names("hired"), age_histogram(age), strict=True):
                recorder.set(name, m, n)
        pop.member[admitted] = True
        pop.member_since[admitted] = m
        pop.paid_months[admitted] = 0
        recorder.set("admitted", m, admitted.size)

    def restart_eligible(self, pop) -> np.ndarray:
        """Rows eligible for a re-start post: active non-members with at least
        ``restart_min_starts`` engagements started and ``restart_min_months`` engaged months in
        the last ``restart_window_months`` (an engagement starts in a month engaged after one
        that was not)."""
        starts, months = engagement_starts(pop.engaged_bits,
                                           window_mask(self.restart_window_months))
        return (pop.active & ~pop.member & (starts >= self.restart_min_starts)
                & (months >= self.restart_min_months))

    def _hire_restart(self, state, pop, ctx, recorder) -> None:
        """Fill the year's re-start posts: the eligible with the most engagements started first
        (ties by a draw, stream ``restart_rank``)."""
        rows = np.flatnonzero(self.restart_eligible(pop))
        starts, _ = engagement_starts(pop.engaged_bits[rows], window_mask(self.restart_window_months))
        order = np.lexsort((ctx.uniform("restart_rank")[rows], -starts))
        hired = rows[order[:state.restart_places]]
        state.restart_places = 0
        m = ctx.month
        pop.member[hired] = True
        pop.member_since[hired] = m
        pop.paid_months[hired] = 0
        pop.restart_until[hired] = m + self.restart_months
        recorder.set("restart_hired", m, hired.size)

    def close_year(self, state, pop, ctx, ledger, recorder) -> None:
        member_ages = pop.age_months[pop.active & pop.member] / 12.0
        for name, n in zip(age_band_names("december_member"), age_histogram(member_ages),
                           strict=True):
            recorder.set(name, ctx.month, n)
        if member_ages.size:
            p10, p90 = np.percentile(member_ages, [10, 90])
            recorder.set("member_age_p10", ctx.month, p10)
            recorder.set("member_age_p90", ctx.month, p90)
        if state.grant > 0:
            ledger.add("grant_returned", ctx.month, max(0.0, state.grant - state.spent))

    def _train(self, state, pop, ctx, ledger) -> None:
        cost = self.training_cost * ctx.money_scale
        seats = int(state.grant * self.open_training_share // cost)
        # one training per freelancer: it keeps paying off, so a second seat would be wasted
        candidates = np.flatnonzero(pop.active & ~pop.member & (pop.trained_month == NO_MONTH))
        if seats <= 0 or candidates.size == 0:
            return
        draw = ctx.uniform("open_training")[candidates]
        if seats < candidates.size:  # the seats go to the lowest draws (a lottery)
            candidates = candidates[np.argpartition(draw, seats)[:seats]]
        pop.trained_month[candidates] = ctx.month
        self._spend(state, ledger, "training", ctx.month, candidates.size * cost)

    def wage_lines(self) -> dict[str, float]:
        return {"overhead": self.wage_share, "training": self.wage_share}

    @staticmethod
    def _spend(state, ledger, item: str, month: int, amount: float) -> None:
        ledger.spend(item, month, amount)
        state.spent += amount

    @staticmethod
    def _end(pop, rows, reason: str, ctx, recorder, served_this_month: bool = True) -> None:
        """End the memberships at ``rows`` for ``reason`` (a key of ``END_REASONS``); in
        January, before the month's pay, this month is not served (``served_this_month``)."""
        if rows.size:
            served = ctx.month + (1 if served_this_month else 0) - pop.member_since[rows]
            recorder.series[f"ends_{reason}"][ctx.month] += rows.size
            recorder.series["membership_months_ended"][ctx.month] += float(np.sum(served))
            pop.member[rows] = False
            pop.member_since[rows] = NO_MONTH
            pop.restart_until[rows] = NO_MONTH

    # ------------------------------------------------------------------ hooks of the core
    def employed(self, pop) -> np.ndarray:
        return pop.member  # members are employed: no unemployment benefit

    def on_births(self, states, pop, ctx, born, recorders) -> None:
        counts = _births_to_members(born, pop.active, pop.member, pop.female, pop.age_months,
                                    pop.bounds, np.zeros((1 + 2 * len(FERTILE_BANDS), pop.groups)))
        for g, recorder in enumerate(recorders):
            if states[g].active:  # an arm without money counts nothing (it is the baseline)
                for name, value in zip(("member_births", *FERTILE_BIRTHS), counts[:, g],
                                       strict=True):
                    recorder.set(name, ctx.month, value)

    def on_exits(self, states, pop, ctx, rows, reasons, recorders) -> None:
        """Leaving the sector ends a membership: counted by why (left or retired) and its length."""
        was_member = pop.member[rows]
        if not was_member.any():
            return
        members, retired = rows[was_member], reasons[was_member] == RETIRED
        groups, m = pop.group[members], ctx.month
        left_n = np.bincount(groups[~retired], minlength=pop.groups)
        retired_n = np.bincount(groups[retired], minlength=pop.groups)
        months = np.bincount(groups, weights=m + 1 - pop.member_since[members],
                             minlength=pop.groups)
        for g, recorder in enumerate(recorders):
            recorder.set("member_exits", m, left_n[g] + retired_n[g])
            recorder.series["ends_left_sector"][m] += left_n[g]
            recorder.series["ends_retirement"][m] += retired_n[g]
            recorder.series["membership_months_ended"][m] += months[g]
        pop.member[members] = False
        pop.member_since[members] = NO_MONTH
        pop.restart_until[members] = NO_MONTH

    def record_month(self, states, pop, ctx, engaged, salary, recorders) -> None:
        counts = _member_counts(pop.active, pop.member, engaged, salary, pop.age_months,
                                pop.tenure_months, pop.female, pop.bounds,
                                np.empty((5 + len(FERTILE_WOMEN), pop.groups)))
        members, idle, outside, age_months, tenure_months = counts[:5]
        for g, recorder in enumerate(recorders):
            for name, value in (("members", members[g]), ("member_idle", idle[g]),
                                ("member_engaged", outside[g]),
                                ("member_age_sum", age_months[g] / 12.0),
                                ("member_tenure_sum", tenure_months[g] / 12.0)):
                recorder.set(name, ctx.month, value)
            if states[g].active:  # the women at risk, only while the alliance runs
                for name, value in zip(FERTILE_WOMEN, counts[5:, g], strict=True):
                    recorder.set(name, ctx.month, value)

    def outcome_values(self, series, spending, years) -> dict[str, float]:
        s = series
        member_years = s["members"].sum() / 12
        spend = spending.sum()
        ends = {reason: s[f"ends_{reason}"].sum() for reason in END_REASONS}
        total_ends = sum(ends.values())
        return {
            "alliance_members": float(s["members"].mean()),
            "member_exit_rate": ratio(s["member_exits"].sum(), member_years),
            "member_birth_rate": ratio(s["member_births"].sum(), member_years),
            "member_birth_rate_women_25_44": ratio(
                sum(s[f"member_births_women_{lo}"].sum() for lo in FERTILE_BANDS),
                sum(s[f"member_women_{lo}"].sum() for lo in FERTILE_BANDS) / 12),
            "member_birth_ratio_women_25_44": standardised_birth_ratio(s),
            "alliance_spend_m": spend / 1e6 / years,
            "member_outside_work_share": ratio(s["member_engaged"].sum(), s["members"].sum()),
            "applicants_per_place": ratio(s["applicants"].sum(), s["places"].sum()),
            "eligible_per_place": ratio(s["eligible"].sum(), s["places"].sum()),
            "cost_per_member_k": ratio(spend / 1e3, member_years),
            # who the members are and why their memberships end (nan without members)
            "member_mean_age": ratio(s["member_age_sum"].sum(), s["members"].sum()),
            "member_age_p10": december_mean(s["member_age_p10"]),
            "member_age_p90": december_mean(s["member_age_p90"]),
            "member_years_in_profession": ratio(s["member_tenure_sum"].sum(), s["members"].sum()),
            # who is hired (a round's percentiles, weighted by its hires)
            "member_age_at_hire": ratio(s["hired_age_sum"].sum(), s["admitted"].sum()),
            "member_age_at_hire_p10": ratio(s["hired_age_p10"] @ s["admitted"], s["admitted"].sum()),
            "member_age_at_hire_p90": ratio(s["hired_age_p90"] @ s["admitted"], s["admitted"].sum()),
            "member_years_in_profession_at_hire": ratio(s["hired_years_sum"].sum(),
                                                        s["admitted"].sum()),
            "member_years_in_profession_at_hire_p10": ratio(s["hired_years_p10"] @ s["admitted"],
                                                            s["admitted"].sum()),
            "member_years_in_profession_at_hire_p90": ratio(s["hired_years_p90"] @ s["admitted"],
                                                            s["admitted"].sum()),
            "hired_under_30_share": ratio(s["hired_under_30"].sum(), s["admitted"].sum()),
            "membership_years": ratio(s["membership_months_ended"].sum() / 12, total_ends),
            "member_leave_rate": ratio(total_ends, member_years),
            **{f"member_leave_rate_{reason}": ratio(n, member_years) for reason, n in ends.items()},
            "new_members_per_year": float(s["admitted"].sum() / years),
            "hiring_rounds_per_year": float(s["hiring_rounds"].sum() / years),
            "furlough_share": ratio(s["furloughed"].sum(), s["members"].sum()),
            "restart_posts_per_year": float(s["restart_hired"].sum() / years),
        }

    # ------------------------------------------------------------------ monthly
    def write_modifiers(self, state, pop, ctx) -> None:
        """The modifier columns follow from each row's membership, training and precarity
        alone, so one pass serves every run of a batch (``write_modifiers_runs``)."""
        runs = ctx.runs
        _modifiers(pop.member, pop.precarious, pop.trained_month, pop.group, ctx.month,
                   self.training_lag_months, runs.values("policy", "member_engagement_boost"),
                   self.training_engagement_boost, runs.values("policy", "member_exit_hr"),
                   self.training_exit_hr, runs.values("policy", "precarious_member_birth_hr"),
                   ctx.runs.values("policy", "member_insecurity_share"),
                   pop.engagement_boost, pop.exit_hr, pop.birth_hr, pop.insecurity_share)

    def write_modifiers_runs(self, states, pop, ctx) -> None:
        self.write_modifiers(None, pop, ctx)  # the modifiers do not read the run's state

    def pay(self, state, pop, ctx, engaged, ledger, recorder) -> np.ndarray:
        return self.pay_runs([state], pop, ctx, engaged, [ledger], [recorder])

    def pay_runs(self, states, pop, ctx, engaged, ledgers, recorders) -> np.ndarray:
        m, runs = ctx.month, len(states)
        salary = np.zeros(len(pop))
        paying = np.array([state.active for state in states], dtype=np.bool_)
        if not paying.any():
            return salary
        room, furlough = np.zeros(runs), np.ones(runs)
        # one value per span of pop.bounds: a batch's runs, or the one run of a run's rows
        overhead = ctx.runs.values("policy", "overhead_share")[pop.run_numbers]
        salary_level = ctx.runs.values("policy", "salary")[pop.run_numbers] * ctx.money_scale
        for g in np.flatnonzero(paying):
            state = states[g]
            if overhead[g]:
                self._spend(state, ledgers[g], "overhead", m, state.grant * overhead[g] / 12)
            room[g] = max(0.0, state.salary_budget - state.salary_spent)
            furlough[g] = state.furlough
        ec = ctx.country.employer_contribution_rate
        sums = _salaries(
            pop.member, engaged, pop.sick_months_left, pop.spell_months, pop.parental_months_left,
            pop.recent_fees, pop.paid_months, salary_level,
            min(ctx.country.sickness_employer_days, 30) / 30 * ctx.country.sickness_replacement,
            self.partial_month_pay, self.fee_offset,
            furlough, 1 + ec, room, paying, pop.bounds, salary, np.zeros((4, runs)))
        for g in np.flatnonzero(paying):
            state, ledger = states[g], ledgers[g]
            cost, members, owed_months, furloughed = sums[:, g]
            state.salary_spent += cost
            self._spend(state, ledger, "salaries", m, cost / (1 + ec))
            self._spend(state, ledger, "salary_contributions", m, cost - cost / (1 + ec))
            state.member_months += int(members)
            state.owed_salary_months += owed_months  # the need for salary, not what was affordable
            recorders[g].set("furloughed", m, furloughed)
        return salary

    def review(self, state, pop, ctx, recorder) -> None:
        self._review_runs(pop, ctx, [recorder])

    def review_runs(self, states, pop, ctx, recorders) -> None:
        # a year without money ends every membership in January: nothing to review until then
        if any(state.active for state in states):
            self._review_runs(pop, ctx, recorders)

    def _review_runs(self, pop, ctx, recorders) -> None:
        max_paid = -1 if self.max_paid_months is None else self.max_paid_months
        reason = _review(pop.member, pop.member_since, pop.engaged_bits, pop.paid_months, ctx.month,
                         self.work_period_months, window_mask(self.work_period_months),
                         self.work_requirement_months, max_paid,
                         np.zeros(len(pop), dtype=np.int8))
        if not reason.any():  # most months nobody's membership ends: skip the two searches
            return
        bounds = pop.bounds
        for g, recorder in enumerate(recorders):
            run = reason[bounds[g]:bounds[g + 1]]
            if not run.any():
                continue
            for code, name in ((1, "work_requirement"), (2, "time_account")):
                self._end(pop, bounds[g] + np.flatnonzero(run == code), name, ctx, recorder)


def age_histogram(ages: np.ndarray) -> np.ndarray:
    """Counts per 5-year band of ``AGE_BANDS`` (ages in years; the first band takes everyone
    younger, the last everyone older)."""
    bands = np.clip((np.asarray(ages) // 5).astype(np.int64) - AGE_BANDS[0] // 5, 0,
                    len(AGE_BANDS) - 1)
    return np.bincount(bands, minlength=len(AGE_BANDS))


def engagement_starts(engaged_bits: np.ndarray, mask: np.uint64) -> tuple[np.ndarray, np.ndarray]:
    """Per row: engagements started (an engaged month after one that was not) and engaged
    months, within the months of ``mask`` (bit 0 = the latest month)."""
    return _engagement_starts(engaged_bits, mask, np.empty(engaged_bits.size, np.int64),
                              np.empty(engaged_bits.size, np.int64))


@kernel
def _engagement_starts(bits, mask, starts, months):
    for i in range(bits.size):
        b = bits[i]
        starts[i] = popcount(b & ~(b >> np.uint64(1)) & mask)
        months[i] = popcount(b & mask)
    return starts, months


@kernel
def _modifiers(member, precarious, trained_month, group, month, lag, member_boost, training_boost,
               member_exit_hr, training_exit_hr, birth_hr_precarious, insecurity_member,
               boost, exit_hr, birth_hr, insecurity_share):
    """The alliance's modifier columns; open training keeps paying off after it ends.
    ``member_boost``, ``member_exit_hr`` and ``birth_hr_precarious`` hold one value per run
    (``group``), as does ``insecurity_member``."""
    for i in range(member.size):
        trained = trained_month[i] > NO_MONTH and month - trained_month[i] >= lag
        m = member[i]
        g = group[i]
        boost[i] = member_boost[g] * m + training_boost * trained
        exit_hr[i] = (member_exit_hr[g] if m else 1.0) * (training_exit_hr if trained else 1.0)
        insecure_member = m and precarious[i]
        birth_hr[i] = birth_hr_precarious[g] if insecure_member else 1.0
        insecurity_share[i] = insecurity_member[g] if m else 1.0


@kernel
def _salaries(member, engaged, sick_months_left, spell_months, parental_months_left, recent_fees,
              paid_months, salary_level, sick_first_share, partial_share, fee_offset, furlough,
              cost_factor, room, paying, bounds, salary, out):
    """Salary per row of each run that is ``paying`` (rows ``bounds``): members are owed
    the run's ``salary_level`` in a month without engagement (and ``partial_share`` of it in an engaged
    month) minus ``fee_offset`` of recent fees, none on sick or parental leave except
    ``sick_first_share`` of the level in a sick spell's first month (the employer's days), times the run's
    ``furlough``; if that costs (times ``cost_factor``, the employer's contributions) more than
    the run's ``room``, all its salaries are cut pro rata. Per run, into ``out``: the cost, the
    number of members, the salary-months owed (before any cut) and the number of members paid
    less than owed."""
    for g in range(bounds.size - 1):
        if not paying[g]:
            continue
        owed_total = owed_months = 0.0
        members = owed_n = 0
        start, end = bounds[g], bounds[g + 1]
        level = salary_level[g]
        for i in range(start, end):
            owed = 0.0
            if member[i]:  # members are always active: an exit ends membership in the same month
                members += 1
                if (sick_months_left[i] | parental_months_left[i]) == 0:
                    share = partial_share if engaged[i] else 1.0
                    owed = max(0.0, level * share - fee_offset * recent_fees[i])
                    owed_months += owed / level
                elif parental_months_left[i] == 0 and sick_months_left[i] == spell_months[i]:
                    owed = level * sick_first_share  # sick pay; then (and on leave) the state pays
            salary[i] = owed * furlough[g]
            owed_n += owed > 0
            owed_total += salary[i]
        cost = owed_total * cost_factor
        scale = 1.0
        if cost > room[g]:
            scale, cost = room[g] / cost, room[g]
        for i in range(start, end):
            salary[i] *= scale
            # the time account counts idle months that were paid as salary (not as sick pay)
            paid_months[i] += salary[i] > 0 and not engaged[i] and sick_months_left[i] == 0
        out[0, g], out[1, g], out[2, g] = cost, members, owed_months
        out[3, g] = owed_n if (furlough[g] < 1.0 or scale < 1.0) else 0
    return out


@kernel
def _review(member, member_since, engaged_bits, paid_months, month, period, period_mask,
            requirement, max_paid, reason):
    """Why each membership ends this month (0: it does not): 1, at the end of a work period
    (its last month just recorded) with fewer than ``requirement`` engaged months; 2, the time
    account of ``max_paid`` salaried months (-1: none) is used up."""
    for i in range(member.size):
        if not member[i]:  # most rows: skip the integer modulo
            continue
        due = (month - member_since[i] + 1) % period == 0
        if due and popcount(engaged_bits[i] & period_mask) < requirement:
            reason[i] = 1
        elif max_paid >= 0 and paid_months[i] >= max_paid:
            reason[i] = 2
    return reason


def standardised_birth_ratio(series) -> float:
    """Births to women members aged 25-44 over the births they would have had at the other
    women's rates of their own 5-year band (indirect standardisation: members are older than
    the other women, and births fall with age); nan without exposure."""
    observed = expected = 0.0
    for lo in FERTILE_BANDS:
        observed += series[f"member_births_women_{lo}"].sum()
        rate = ratio(series[f"other_births_women_{lo}"].sum(), series[f"other_women_{lo}"].sum())
        if np.isfinite(rate):
            expected += rate * series[f"member_women_{lo}"].sum()
    return ratio(observed, expected)


@inline
def _fertile_band(female, age_months):
    """The index of a woman's band in FERTILE_BANDS (-1: a man, or outside 25-44)."""
    band = age_months // 60 - 5  # 25-29 -> 0
    return band if female and 0 <= band < 4 else -1


@kernel
def _births_to_members(births, active, member, female, age_months, bounds, out):
    """Per run: births to members (row 0), then births to women by band of FERTILE_BANDS, to
    members (rows 1-4) and to the others (rows 5-8) (``births`` marks the month's births among
    the active)."""
    for g in range(bounds.size - 1):
        for i in range(bounds[g], bounds[g + 1]):
            if not (births[i] and active[i]):
                continue
            out[0, g] += member[i]
            band = _fertile_band(female[i], age_months[i])
            if band >= 0:
                out[1 + band + (0 if member[i] else 4), g] += 1
    return out


@kernel
def _member_counts(active, member, engaged, salary, age_months, tenure_months, female, bounds,
                   out):
    """Per run: members, members paid this month, members engaged outside, the sums of the
    members' ages and years in the profession (in months), then the active women by band of
    FERTILE_BANDS who are members (rows 5-8) and who are not (rows 9-12)."""
    for g in range(bounds.size - 1):
        members = idle = outside = 0
        age = tenure = 0
        for k in range(8):
            out[5 + k, g] = 0
        for i in range(bounds[g], bounds[g + 1]):
            band = _fertile_band(female[i], age_months[i]) if active[i] else -1
            if band >= 0:
                out[5 + band + (0 if member[i] else 4), g] += 1
            if not (member[i] and active[i]):  # members are always active
                continue
            members += 1
            age += age_months[i]
            tenure += tenure_months[i]
            idle += salary[i] > 0
            outside += engaged[i]
        out[0, g], out[1, g], out[2, g], out[3, g], out[4, g] = members, idle, outside, age, tenure
    return out
