"""Exit rule: leaving the profession for good (monthly step, phase ``exit``).

Default rule ``StressHazardExit`` (behaviour.md B.2): a baseline monthly hazard that is high in
the first years of a career and lower after (Bille & Jensen: most attrition in the first two
years; about 20% still active after 10 years), multiplied by financial stress (thin savings,
long idle spells), by the pull of the outside option and by youth. Sectors with physical careers
(dance) add a wear hazard that rises exponentially past ``sector.physical_career_age``. The
rule knows nothing of the alliance: the core multiplies its hazard by the policy's ``exit_hr``
(``sim/model/core/decisions.py``) and retires everyone at retirement age.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.core.jit import kernel
from sim.model.core.params import param
from sim.model.core.per_run import by_row
from sim.model.rules.base import ExitRule


@dataclass(frozen=True)
class StressHazardExit(ExitRule):
    base_early: float = param("probability/month", 0, 1, "baseline hazard, early career")
    base_late: float = param("probability/month", 0, 1, "baseline hazard, later career")
    early_years: float = param("years", 0, 50, "length of the early career")
    beta_buffer: float = param("log-hazard per log unit", -5, 5,
                               "per log(savings / 3 months' living costs)")
    buffer_log_min: float = param("log units", -10, 0, "lower clip of the savings term")
    buffer_log_max: float = param("log units", 0, 10, "upper clip of the savings term")
    beta_idle: float = param("log-hazard", -5, 5, "added after a long idle spell")
    idle_spell_months: int = param("months", 1, 120, "length of a long idle spell")
    beta_outside: float = param("log-hazard per log unit", -5, 5,
                                "per log(outside wage / recent income)")
    outside_log_max: float = param("log units", 0, 10, "clip of the outside-option term")
    young_age: float = param("years", 0, 100, "age below which `young_hr` applies")
    young_hr: float = param("hazard ratio", 0, 10, "hazard ratio of the young")
    physical_base: float = param("probability/month", 0, 1, "wear hazard at the physical age")
    physical_slope: float = param("log-hazard/year", 0, 5, "growth of the wear hazard with age")

    per_run = ("beta_buffer", "beta_outside")  # may differ between runs of a batch

    def hazard(self, pop, ctx) -> tuple[np.ndarray, np.ndarray]:
        n = len(pop)
        living = ctx.sector.living_cost * ctx.money_scale
        # the outside wage and the betas may differ between the runs of a batch (one value per
        # run, sim/model/core/per_run.py)
        outside = ctx.runs.values("sector", "outside_wage") * ctx.money_scale
        # logs and exp in numpy (vectorised), the rest fused in one kernel (see sim/model/core/jit.py)
        # x: log savings, then the log effects of money, then the hazard;
        # ratio: log recent income, then the baseline hazard times the hazard ratios
        x = np.maximum(pop.buffer, 1e-9 * living)
        np.log(x, out=x)
        ratio = np.maximum(pop.recent_income, by_row(1e-3 * outside, pop.group))
        np.log(ratio, out=ratio)
        _log_odds_and_ratios(pop.idle_streak, pop.tenure_months, pop.age_months, pop.group,
                             log_savings_unit=np.log(3.0 * living), log_outside=np.log(outside),
                             beta_buffer=ctx.runs.values("exit", "beta_buffer"),
                             buffer_log_min=self.buffer_log_min, buffer_log_max=self.buffer_log_max,
                             beta_idle=self.beta_idle, idle_spell_months=self.idle_spell_months,
                             beta_outside=ctx.runs.values("exit", "beta_outside"),
                             outside_log_max=self.outside_log_max,
                             early_months=self.early_years * 12, base_early=self.base_early,
                             base_late=self.base_late, young_months=self.young_age * 12,
                             young_hr=self.young_hr, x=x, ratio=ratio)
        h = np.exp(x, out=x)
        _scale_and_cap(h, ratio)
        physical_age = ctx.sector.physical_career_age
        if physical_age is None:
            return h, np.zeros(n)
        # physical wear (dance): rises exponentially past the physical career age
        years_past = pop.age_months / 12.0 - physical_age
        physical = (years_past > 0) * (self.physical_base * np.exp(self.physical_slope * years_past))
        np.minimum(physical, 1.0, out=physical)
        return 1.0 - (1.0 - h) * (1.0 - physical), physical


@kernel
def _log_odds_and_ratios(idle_streak, tenure_months, age_months, group, *, log_savings_unit,
                         log_outside,
                         beta_buffer, buffer_log_min, buffer_log_max, beta_idle, idle_spell_months,
                         beta_outside, outside_log_max, early_months, base_early, base_late,
                         young_months, young_hr, x, ratio):
    """Hazard = ``ratio * exp(x)``. On entry ``x`` holds log savings and ``ratio`` log recent
    income; on exit ``x`` holds the log effects of money and ``ratio`` the baseline hazard times
    the hazard ratio of youth. ``log_outside``, ``beta_buffer`` and ``beta_outside`` hold one
    value per run (``group``)."""
    for i in range(x.size):
        g = group[i]
        # savings in units of 3 months' living costs and the outside pull, on clipped log scales
        savings = x[i] - log_savings_unit
        pull = log_outside[g] - ratio[i]
        xi = beta_buffer[g] * min(max(savings, buffer_log_min), buffer_log_max)
        if idle_streak[i] >= idle_spell_months:
            xi += beta_idle
        x[i] = xi + beta_outside[g] * min(max(pull, -outside_log_max), outside_log_max)
        r = base_early if tenure_months[i] < early_months else base_late
        if age_months[i] < young_months:
            r *= young_hr
        ratio[i] = r


@kernel
def _scale_and_cap(h, ratio):
    """h = min(h * ratio, 1), in place."""
    for i in range(h.size):
        h[i] = min(h[i] * ratio[i], 1.0)
