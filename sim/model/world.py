"""Parameter blocks of the world the rules act in: population, sector, country, demand.

Where it sits: built once from the config (``sim.run.config.build_spec``) before the simulation and
read, never written, by the monthly step. Values and their sources live in ``configs/``;
units, ranges and meanings live here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.core.params import ConfigError, param


@dataclass(frozen=True)
class Population:
    size: int = param("people", 1, 10_000_000, "freelancers in the real sector (the sector preset's "
                      "number for the country); the pool the model keeps near this size")
    scale: float = param("people per agent", 0.01, 10_000, "precision: each agent stands for "
                         "`scale` people; counts and money are reported in real people and "
                         "currency at any scale", lo_open=False)
    entry_rate: float = param("1/year", 0, 1, "yearly entrants as a share of `size` (the "
                              "sector preset's rate for the country)")
    entry_age_mean: float = param("years", 16, 60, "mean age at entry")
    entry_age_sd: float = param("years", 0, 20, "SD of age at entry")
    female_share: float = param("share", 0, 1, "share of women among entrants")
    initial_tenure_mean: float = param("years", 0, 40, "mean tenure of the initial population")
    initial_partnered: float = param("share", 0, 1, "share partnered at entry")

    @property
    def agents(self) -> int:
        """Agents simulated at the start: the real size over the scale (at least one)."""
        return max(1, round(self.size / self.scale))


@dataclass(frozen=True)
class Sector:
    name: str = param("-", doc="preset name")
    label: str = param("-", doc="who the agents are, for charts and briefs")
    freelancers: dict = param("people", doc="real number of freelancers in the sector, by "
                              "country preset name (population.size reads it)")
    entry_rate: dict = param("1/year", doc="yearly entrants as a share of the sector's "
                             "freelancers, by country preset name (population.entry_rate reads "
                             "it); calibrated so the baseline pool stays near its real size")
    fee_median: float = param("currency/month", 0, None, "median pay per engaged month (SEK)",
                              lo_open=True)
    fee_sigma: float = param("log points", 0, 5, "SD of the log-normal part of the fee level")
    fee_pareto_alpha: float = param("-", 1, 20, "Pareto tail index of the fee level",
                                    lo_open=True)
    fee_tail_max: float = param("x median", 1, None, "largest Pareto factor of the fee level "
                                "(the best-paid freelancer's pay over the median's, before the "
                                "log-normal part)")
    side_income_median: float = param("currency/month", 0, None, "median side income, idle month")
    side_income_sigma: float = param("log points", 0, 5, "SD of log side income across agents")
    side_income_engaged_share: float = param("share", 0, 1, "side income kept in engaged months")
    living_cost: float = param("currency/month", 0, None, "consumption need", lo_open=True)
    outside_wage: float = param("currency/month", 0, None, "pay of the outside option",
                                lo_open=True)
    public_fee_share: float = param("share", 0, 1, "share of the sector's engagement fees paid "
                                    "from public budgets (theatres, companies and productions "
                                    "the state funds); demand=market: the public budgets pay "
                                    "this share of the work a pool beyond its fixed size adds")
    initial_buffer_months: float = param("months", 0, 60, "savings at entry, in living costs")
    surplus_saving: float = param("share", 0, 1, "share of income above living costs saved")
    debt_limit_months: float = param("months", 0, 60, "largest debt, in living costs")
    physical_career_age: float | None = param("years", 16, 80,
                                              "age from which physical wear raises exit (null: none)")
    # how the chance of work changes with age (sources.md#age-profile): a kink at the knot age,
    # then a straight line in log-odds per decade, for each sex
    age_knot_women: float = param("years", 16, 90, "women: age from which the chance of work "
                                  "changes with age")
    age_slope_women: float = param("log-odds per decade", -5, 5, "women: change in the log-odds "
                                   "of an engagement per decade beyond the knot age")
    age_knot_men: float = param("years", 16, 90, "men: age from which the chance of work changes "
                                "with age")
    age_slope_men: float = param("log-odds per decade", -5, 5, "men: change in the log-odds of an "
                                 "engagement per decade beyond the knot age")
    retirement_age: float = param("years", 30, 90, "age at which everyone leaves")

    per_run = ("outside_wage", "fee_tail_max", "public_fee_share", "age_slope_women",
               "age_slope_men")  # may differ between runs
    # (sim/model/core/per_run.py)


@dataclass(frozen=True)
class Country:
    name: str = param("-", doc="preset name")
    currency: str = param("-", doc="currency of all money amounts")
    wage_scale: float = param("country currency per SEK", 0, None,
                              "converts the sector's SEK amounts", lo_open=True)
    income_tax_rate: float = param("share", 0, 1, "flat local income tax")
    basic_deduction: float = param("currency/month", 0, None, "untaxed income per month")
    state_tax_rate: float = param("share", 0, 1, "extra tax above the threshold")
    state_tax_threshold: float = param("currency/month", 0, None, "monthly threshold of state tax")
    employer_contribution_rate: float = param("share of gross pay", 0, 1,
                                              "social contributions on pay")
    benefit_replacement: float = param("share", 0, 1, "unemployment benefit / reference income")
    benefit_cap: float = param("currency/month", 0, None, "maximum unemployment benefit")
    benefit_floor: float = param("currency/month", 0, None, "basic benefit for the eligible")
    benefit_work_months: int = param("months", 0, 12, "engaged months in the last 12 to qualify")
    benefit_takeup: float = param("share", 0, 1, "share of freelancers insured and claiming")
    outside_unemployment: float = param("share", 0, 1, "share of months a leaver who works "
                                        "outside the sector is out of work (then on "
                                        "unemployment benefit, as benefit_takeup says)")
    sickness_replacement: float = param("share", 0, 1, "sickness benefit / reference income")
    sickness_income_cap: float = param("currency/month", 0, None, "income ceiling of sick pay")
    sickness_employer_days: int = param("days", 0, 30, "first days of a spell the employer pays "
                                        "(sick pay); the public benefit starts after them")
    sickness_waiting_days: int = param("days", 0, 30, "first days of a spell without public "
                                       "benefit for someone without an employer")
    parental_replacement: float = param("share", 0, 1, "parental benefit / benefit-qualifying "
                                        "income (SGI), when qualified")
    parental_income_cap: float = param("currency/month", 0, None,
                                       "income ceiling of the parental benefit")
    parental_basic_level: float = param("currency/month", 0, None,
                                        "parental benefit without qualifying income")
    parental_lump_sum: float = param("currency", 0, None,
                                     "one-off payment at birth to a mother without qualifying "
                                     "income")
    parental_income_threshold: float = param("currency/month", 0, None,
                                             "income that makes a month count towards "
                                             "qualifying")
    parental_qualifying_months: int = param("months", 0, 64, "qualifying months needed...")
    parental_qualifying_window: int = param("months", 1, 64, "...in this many last months")
    mother_leave_months: int = param("months", 0, 36, "parental leave of a mother")
    father_leave_months: int = param("months", 0, 36, "parental leave of a father")
    pension_contribution_rate: float = param("share", 0, 1,
                                             "old-age pension contribution on pay and benefits "
                                             "(part of the employer contribution on pay; paid "
                                             "by the state on benefits)")
    pension_accrual_rate: float = param("share", 0, 1, "pension rights earned per unit of "
                                        "pensionable income")
    pension_income_cap: float = param("currency/month", 0, None,
                                      "ceiling of pensionable income")
    vat_share: float = param("share of consumption spending", 0, 1, "VAT the state collects "
                             "per unit of household consumption spending (VAT included): "
                             "freelancers, leavers outside the sector and the policy's staff",
                             hi_open=True)
    health_cost_per_episode: float = param("currency", 0, None, "public care cost of an episode")
    tfr: float = param("children per woman", 0, 10, "national total fertility rate")
    population_median_income: float = param("currency/year", 0, None,
                                            "median income of the working-age population",
                                            lo_open=True)
    discount_rate: float = param("1/year", 0, 0.2, "real discount rate of the country's public "
                                 "appraisals: present values of money and of person-years over "
                                 "the horizon (public_cost_pv_m)")

    # may differ between runs of a batch (sim/model/core/per_run.py)
    per_run = ("benefit_takeup", "outside_unemployment")

    def check(self, path: str) -> None:
        if self.benefit_floor > self.benefit_cap:
            raise ConfigError(f"{path}.benefit_floor", self.benefit_floor,
                              f"at most {path}.benefit_cap ({self.benefit_cap:g})")
        if self.parental_qualifying_months > self.parental_qualifying_window:
            raise ConfigError(f"{path}.parental_qualifying_months", self.parental_qualifying_months,
                              f"at most {path}.parental_qualifying_window "
                              f"({self.parental_qualifying_window})")


@dataclass(frozen=True)
class Demand:
    model: str = param("-", choices=("steady", "market"),
                       doc="steady: each freelancer's chance of work is independent of others'; "
                           "market: a fixed pool of engagement-months is shared out each month")
    engaged_share: float = param("share of the sector's people", 0, 1,
                                 "engagement-months per month at demand 1, as a share of "
                                 "population.size: market: the pool offered; steady: the "
                                 "reference beyond which engaged months are added work, whose "
                                 "public share of fees is a public cost", lo_open=True)
    level: float = param("index", 0, None, "sector demand outside shocks (1 = calibrated)",
                         lo_open=True)
    displacement: float = param(
        "share", 0, 1, "market: share of the work gained by people a policy keeps in the "
        "profession that is taken from others (1: a fixed pool of engagement-months; 0: the pool "
        "grows with the people active, each bringing their share of work)")
    shock_depth: float = param("share", 0, 1, "fall in demand during the shock")
    shock_start_year: float = param("horizon year", 0, 1000, "start of the shock")
    shock_months: int = param("months", 0, 1200, "months at the bottom")
    recovery_months: int = param("months", 0, 1200, "linear recovery after the shock")

    per_run = ("displacement",)  # may differ between runs of a batch (sim/model/core/per_run.py)

    def pool(self, horizon_month: int, agents: int, active: float | None = None,
             displacement: float = 1.0) -> int | None:
        """Engagement-months offered this month (market) to a sector of ``agents`` simulated
        freelancers, moved by the demand index and shocks; None under steady demand. With
        ``displacement`` d below 1 the pool follows the people ``active`` in part: it is that of
        a sector of d x agents + (1 - d) x active, so of the work a person kept in the profession
        finds, the share d is taken from others and 1 - d is new."""
        if self.model != "market":
            return None
        if displacement == 1.0 or active is None:
            return int(round(self.engaged_share * agents * self.index(horizon_month)))
        size = displacement * agents + (1.0 - displacement) * active
        return int(round(self.engaged_share * size * self.index(horizon_month)))

    def index(self, horizon_month: int) -> float:
        """Demand multiplier in a month counted from the start of the horizon (negative in burn-in)."""
        start = round(self.shock_start_year * 12)
        t = horizon_month - start
        if self.shock_depth == 0 or t < 0:
            return self.level
        if t < self.shock_months:
            return self.level * (1 - self.shock_depth)
        if t < self.shock_months + self.recovery_months:
            done = (t - self.shock_months + 1) / (self.recovery_months + 1)
            return self.level * (1 - self.shock_depth * (1 - done))
        return self.level
