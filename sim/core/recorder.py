"""Monthly aggregates of one arm (phase ``record``), the source of time series and outcomes.

Where it sits: the last phase of each month writes one value per variable; year-end summaries
(income variability, income concentration) are written in December. Variable names and units
are listed once, in ``SERIES``.
"""

from __future__ import annotations

import numpy as np

# name -> (unit, meaning)
SERIES: dict[str, tuple[str, str]] = {
    "active": ("agents", "freelancers in the sector"),
    "experienced": ("agents", "active with 10 or more years in the profession"),
    "engaged": ("agents", "active with an outside engagement"),
    "members": ("agents", "alliance members"),
    "member_idle": ("agents", "members paid by the alliance this month"),
    "member_engaged": ("agents", "members with an outside engagement"),
    "entrants": ("agents", "new entrants this month"),
    "exits": ("agents", "agents who left this month"),
    "member_exits": ("agents", "members who left the sector this month"),
    "births": ("births", "births this month"),
    "member_births": ("births", "births to members this month"),
    "episodes": ("episodes", "health episodes starting this month"),
    "episodes_precarious": ("episodes", "episodes starting among the precarious"),
    "precarious": ("agents", "active agents in a precarious month"),
    "applicants": ("agents", "eligible applicants at this year's admission"),
    "places": ("places", "places offered at this year's admission"),
    "admitted": ("agents", "admitted at this year's admission"),
    "let_go": ("agents", "members whose employment ended by the alliance's rules"),
    "active_at_onset": ("agents", "active when health episodes are drawn"),
    "precarious_at_onset": ("agents", "precarious and active when health episodes are drawn"),
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
STOCKS = frozenset({"active", "experienced", "engaged", "members", "member_idle",
                    "member_engaged", "precarious", "demand", "mean_income"})


class Recorder:
    def __init__(self, n_months: int):
        self.series = {name: np.zeros(n_months) for name in SERIES}
        self.by_age = {name: np.zeros(MAX_AGE) for name in BY_AGE}

    def add_by_age(self, name: str, age_months: np.ndarray) -> None:
        ages = np.minimum(age_months // 12, MAX_AGE - 1)
        self.by_age[name] += np.bincount(ages, minlength=MAX_AGE)

    def set(self, name: str, month: int, value: float) -> None:
        self.series[name][month] = value

    def copy(self) -> Recorder:
        clone = Recorder.__new__(Recorder)
        clone.series = {k: v.copy() for k, v in self.series.items()}
        clone.by_age = {k: v.copy() for k, v in self.by_age.items()}
        return clone
