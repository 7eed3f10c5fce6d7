"""Exit rule: leaving the profession for good (monthly step, phase ``exit``).

Default rule ``StressHazardExit`` (behaviour.md B.2): a baseline monthly hazard that is high in
the first years of a career and lower after (Bille & Jensen: most attrition in the first two
years; about 20% still active after 10 years), multiplied by financial stress (thin savings,
long idle spells), by the pull of the outside option, by youth, and lowered by alliance
membership and open training. Sectors with physical careers (dance) add a wear hazard that
rises exponentially past ``sector.physical_career_age``. Everyone leaves at retirement age.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core.params import param
from sim.rules.base import ExitRule, either, ratio_if


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
    member_hr: float = param("hazard ratio", 0, 10, "hazard ratio of alliance members")
    training_hr: float = param("hazard ratio", 0, 10, "hazard ratio once training pays off")
    physical_base: float = param("probability/month", 0, 1, "wear hazard at the physical age")
    physical_slope: float = param("log-hazard/year", 0, 5, "growth of the wear hazard with age")

    def hazard(self, pop, ctx) -> tuple[np.ndarray, np.ndarray]:
        early = pop.tenure_months < self.early_years * 12
        base = either(early, self.base_early, self.base_late)
        living = ctx.sector.living_cost * ctx.money_scale
        ratio = np.maximum(pop.buffer, 1e-9 * living) / (3.0 * living)
        x = self.beta_buffer * np.clip(np.log(ratio), self.buffer_log_min, self.buffer_log_max)
        x += self.beta_idle * (pop.idle_streak >= self.idle_spell_months)
        outside = ctx.sector.outside_wage * ctx.money_scale
        pull = np.log(outside / np.maximum(pop.recent_income, 1e-3 * outside))
        x += self.beta_outside * np.clip(pull, -self.outside_log_max, self.outside_log_max)
        h = base * np.exp(x)
        h *= ratio_if(pop.age_months < self.young_age * 12, self.young_hr)
        h *= ratio_if(pop.member, self.member_hr)
        h *= ratio_if(ctx.trained, self.training_hr)
        np.minimum(h, 1.0, out=h)
        physical_age = ctx.sector.physical_career_age
        if physical_age is None:
            return h, np.zeros_like(h)
        years_past = pop.age_months / 12.0 - physical_age
        past = np.maximum(years_past, 0.0)
        physical = (years_past > 0) * (self.physical_base * np.exp(self.physical_slope * past))
        np.minimum(physical, 1.0, out=physical)
        return 1.0 - (1.0 - h) * (1.0 - physical), physical
