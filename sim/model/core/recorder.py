"""Monthly aggregates of one arm (phase ``record``), the source of time series and outcomes.

Where it sits: the last phase of each month writes one value per variable; year-end summaries
(income variability, income concentration) are written in December. The core's variable
names and units are listed once, in ``SERIES``; a policy declares its own (``Policy.SERIES``),
and a recorder holds the table it was made with (``Recorder(n_months, series=...)``, by default
the core's): the model builds it from its spec, the core's series plus the policy's.

A batch of G runs keeps one recorder with a leading axis of G (``Recorder(n_months, groups=G)``);
``group(g)`` is run g's recorder, whose arrays are views of that row.
"""

from __future__ import annotations

import numpy as np

from sim.model.core.columns import exact_array
from sim.model.core.jit import kernel

# name -> (unit, meaning)
SERIES: dict[str, tuple[str, str]] = {
    "active": ("agents", "freelancers in the sector"),
    "experienced": ("agents", "active with 10 or more years in the profession"),
    "engaged": ("agents", "active with an outside engagement"),
    "entrants": ("agents", "new entrants this month"),
    "exits": ("agents", "agents who left this month"),
    "births": ("births", "births this month"),
    "episodes": ("episodes", "health episodes starting this month"),
    "episodes_precarious": ("episodes", "episodes starting among the precarious"),
    "episode_months": ("months", "months the episodes starting this month will last"),
    "episodes_long": ("episodes", "episodes starting this month that last more than 12 months"),
    "precarious": ("agents", "active agents in a precarious month"),
    "active_age_sum": ("years", "sum of the active's ages"),
    "benefit_recipients": ("agents", "active freelancers paid unemployment benefit"),
    "on_parental_leave": ("agents", "active freelancers on parental leave"),
    "births_qualified": ("births", "births whose parent qualified for income-related parental "
                                   "benefit"),
    "pension_rights": ("currency", "pension rights earned by active freelancers"),
    "pension_contributions": ("currency", "old-age pension contributions on their pay and "
                                          "benefits"),
    "engagements": ("engagement-months", "engagement-months worked this month (including "
                                         "the last month of those who leave)"),
    "engagement_pool": ("engagement-months", "demand=market: engagement-months offered (0 "
                                             "under steady demand)"),
    "median_tenure_active": ("years", "December: median years in the profession of the active"),
    "active_at_onset": ("agents", "active and not ill when health episodes are drawn"),
    "precarious_at_onset": ("agents", "precarious, active and not ill when health episodes are "
                                      "drawn"),
    "engaged_both": ("agents", "active and engaged this month and the month before"),
    "first_births_women": ("births", "first births to women"),
    "first_birth_age_sum": ("years", "sum of women's ages at their first births"),
    "women_45": ("agents", "active women turning 45 this month"),
    "women_45_childless": ("agents", "of those, without children"),
    "demand": ("index", "sector demand"),
    "mean_income": ("currency/month", "mean earned income of the active"),
    "cv_sum": ("-", "December: sum of agents' monthly-income CV over the year"),
    "cv_count": ("agent-years", "December: agents active all year with positive income"),
    "top1_share": ("share", "December: share of the year's arts income of the top 1%"),
    "top5_share": ("share", "December: share of the year's arts income of the top 5%"),
    "median_year_income": ("currency/year", "December: median earned income of the full-year"),
}

MAX_AGE = 100  # age tables run over whole years 0 .. MAX_AGE - 1
# horizon totals by age in whole years, for the fertility schedule of freelance women
BY_AGE = ("women_births", "women_months")


# Series that are levels (averaged over a year); all others are monthly flows (summed).
# (a policy lists its own in ``Policy.STOCKS``)
STOCKS = frozenset({"active", "experienced", "engaged", "on_parental_leave", "engagement_pool",
                    "precarious", "demand", "mean_income", "active_age_sum",
                    "benefit_recipients"})
# December-only series (the year's statistics) are summed like flows: one value per year

# Series that are not totals over agents (indices, means, percentiles, shares, rounds held):
# the same at any ``population.scale``. Every other series is a total and is reported x scale.
# (A policy lists its own in ``Policy.NOT_TOTALS``.)
NOT_TOTALS = frozenset({"demand", "mean_income", "median_tenure_active", "top1_share",
                        "top5_share", "median_year_income"})


class Recorder:
    def __init__(self, n_months: int, groups: int | None = None, series=None):
        """``series``: the names of the table (default: the core's ``SERIES``)."""
        lead = () if groups is None else (groups,)
        self.series = {name: np.zeros(lead + (n_months,))
                       for name in (SERIES if series is None else series)}
        self.by_age = {name: np.zeros(lead + (MAX_AGE,)) for name in BY_AGE}

    def group(self, g: int) -> Recorder:
        """Run ``g``'s recorder of a batch recorder (views: writes go through)."""
        if self.series["active"].ndim != 2:
            raise ValueError("group(): this recorder has no runs axis (make it with groups=...)")
        view = Recorder.__new__(Recorder)
        view.series = {k: v[g] for k, v in self.series.items()}
        view.by_age = {k: v[g] for k, v in self.by_age.items()}
        return view

    def rows(self, g: int) -> Recorder:
        """Run ``g`` of a batch recorder as a batch of one (copies)."""
        out = Recorder.__new__(Recorder)
        out.series = {k: v[g:g + 1].copy() for k, v in self.series.items()}
        out.by_age = {k: v[g:g + 1].copy() for k, v in self.by_age.items()}
        return out

    @classmethod
    def stack(cls, recorders: list[Recorder]) -> Recorder:
        """Batch recorders (of one run or more) as one batch, in order (copies)."""
        out = cls.__new__(cls)
        out.series = {k: np.concatenate([rec.series[k] for rec in recorders])
                      for k in recorders[0].series}
        out.by_age = {k: np.concatenate([rec.by_age[k] for rec in recorders]) for k in BY_AGE}
        return out

    def set(self, name: str, month: int, value: float | np.ndarray) -> None:
        self.series[name][..., month] = value

    def add_series(self, names) -> None:
        """Add the series of ``names`` this recorder does not hold yet, at zero."""
        shape = self.series["active"].shape
        for name in names:
            if name not in self.series:
                self.series[name] = np.zeros(shape)

    def copy(self) -> Recorder:
        clone = Recorder.__new__(Recorder)
        clone.series = {k: v.copy() for k, v in self.series.items()}
        clone.by_age = {k: v.copy() for k, v in self.by_age.items()}
        return clone

    def to_arrays(self, prefix: str = "") -> dict[str, np.ndarray]:
        """Every array of the recorder under ``prefix``-ed names (for a data-only file)."""
        out = {f"{prefix}series.{name}": values for name, values in self.series.items()}
        out.update({f"{prefix}by_age.{name}": values for name, values in self.by_age.items()})
        return out

    @classmethod
    def from_arrays(cls, arrays, prefix: str = "", series=None) -> Recorder:
        """The inverse of ``to_arrays`` (copies) for the table ``series`` (default: every
        series in ``arrays``, which must hold the core's ``SERIES``); KeyError or ValueError if
        anything is off."""
        rec = cls.__new__(cls)
        ndim = arrays[f"{prefix}series.active"].ndim  # 1: one run; 2: a batch
        if ndim not in (1, 2):
            raise ValueError(f"{prefix}series.active: {ndim} dimensions, expected 1 or 2")
        if series is None:
            start = f"{prefix}series."
            stored = [key[len(start):] for key in arrays if key.startswith(start)]
            series = [*SERIES, *(name for name in stored if name not in SERIES)]
        rec.series = {name: exact_array(arrays, f"{prefix}series.{name}", np.float64, ndim)
                      for name in series}
        rec.by_age = {name: exact_array(arrays, f"{prefix}by_age.{name}", np.float64, ndim)
                      for name in BY_AGE}
        return rec


def record_month(rec: Recorder, pop, ctx, counts: dict, engaged) -> None:
    """Phase ``record``: this month's counts (given and computed; one per run of a batch, whose
    recorder has a leading axis of runs) into the series."""
    m = ctx.month
    for name, value in counts.items():
        rec.series[name][..., m] = value
    women_months = (rec.by_age["women_months"].reshape(pop.groups, MAX_AGE)
                    if ctx.horizon_month >= 0 else np.zeros((pop.groups, MAX_AGE)))
    (active, experienced, engaged_n, precarious, engaged_both, women_45, women_45_childless,
     income_sum, active_age, engagements, on_leave) = _month_counts(
        pop.active, pop.tenure_months, engaged, ctx.precarious, pop.engaged_bits, pop.female,
        pop.age_months, pop.children, pop.income, pop.parental_months_left, women_months,
        pop.bounds, np.empty((11, pop.groups)))
    mean_income = np.divide(income_sum, active, out=np.zeros(pop.groups), where=active > 0)
    for name, value in (("active", active), ("experienced", experienced), ("engaged", engaged_n),
                        ("engagements", engagements), ("on_parental_leave", on_leave),
                        ("precarious", precarious), ("engaged_both", engaged_both),
                        ("women_45", women_45), ("women_45_childless", women_45_childless),
                        ("demand", ctx.demand), ("mean_income", mean_income),
                        ("active_age_sum", active_age / 12.0)):
        rec.series[name][..., m] = value


@kernel
def _month_counts(active, tenure_months, engaged, precarious, engaged_bits, female, age_months,
                  children, income, parental_months_left, women_months, bounds, out):
    """Counts over each run's active rows; adds the active women's months to ``women_months`` by
    age. Branch-free sums (a & b) where the condition is as good as random. ``engagements``
    counts every row of ``engaged``: it was masked by ``active`` before the exits, so this
    month's leavers' last engaged month counts (one pass instead of separate numpy counts)."""
    three, twelve, last_age = np.uint64(3), np.uint32(12), np.uint32(MAX_AGE - 1)
    for g in range(bounds.size - 1):
        n = experienced = engaged_n = n_precarious = 0
        engaged_both = women_45 = women_45_childless = engagements = on_leave = 0
        income_sum = 0.0
        active_age = 0
        for i in range(bounds[g], bounds[g + 1]):
            a = active[i]
            n += a
            income_sum += income[i] * a
            experienced += a & (tenure_months[i] >= 120)
            engaged_n += a & engaged[i]
            engagements += engaged[i]
            on_leave += a & (parental_months_left[i] != 0)
            n_precarious += a & precarious[i]
            engaged_both += a & ((engaged_bits[i] & three) == three)
            active_age += age_months[i] * a
            woman = a & female[i]
            age = np.uint32(age_months[i])
            women_months[g, min(age // twelve, last_age)] += woman
            at_45 = woman & (age == 45 * 12)
            women_45 += at_45
            women_45_childless += at_45 & (children[i] == 0)
        out[0, g], out[1, g], out[2, g], out[3, g] = n, experienced, engaged_n, n_precarious
        out[4, g], out[5, g], out[6, g] = engaged_both, women_45, women_45_childless
        out[7, g], out[8, g], out[9, g], out[10, g] = income_sum, active_age, engagements, on_leave
    return out


def close_year(rec: Recorder, pop, m: int) -> None:
    """December: income variability and concentration of the agents active all year."""
    full = pop.active & (pop.year_months == 12) & (pop.year_income_sum > 0)
    mean = pop.year_income_sum[full] / 12.0
    var = np.maximum(pop.year_income_sq[full] / 12.0 - mean * mean, 0.0)
    rec.set("cv_sum", m, float(np.sum(np.sqrt(var) / mean)))
    rec.set("cv_count", m, np.count_nonzero(full))
    if full.any():
        rec.set("median_year_income", m, float(np.median(pop.year_income_sum[full])))
    if pop.active.any():
        rec.set("median_tenure_active", m, float(np.median(pop.tenure_months[pop.active])) / 12.0)
    fees = pop.year_fees[pop.active & (pop.year_months == 12)]
    total = fees.sum()
    if total > 0:
        for name, share in (("top1_share", 100), ("top5_share", 20)):
            top = max(1, fees.size // share)  # the `top` largest, without a full sort
            rec.set(name, m, np.partition(fees, fees.size - top)[fees.size - top:].sum() / total)
    for name in ("year_income_sum", "year_income_sq", "year_fees"):
        getattr(pop, name)[:] = 0.0
    pop.year_months[:] = 0
