"""Fertility rule: partnership and births (monthly step, phase ``family``).

Default rule ``HadwigerFertility`` (behaviour.md B.3): the age schedule of births is Hadwiger's
curve scaled to the country's total fertility rate (Sweden 1.45 in 2023, SCB; Norway 1.44 in
2024, SSB). Births happen only in couples, so the partnered hazard is the population schedule
divided by the expected partnered share at that age (closed form of the partnering chain below),
which keeps the population-level schedule at the national TFR before economic effects.
Economic insecurity multiplies the hazard by up to ``insecurity_hr`` (Clark & Lepinteur 2022:
-3.7 pp a year, about HR 0.8). Insecurity is read from the parental benefit the agent would get
if a child were born now (``sim/model/core/parental.py``): full at the basic level (no
qualifying income), none once the benefit covers living costs, linear between. This is the
mechanism the alliances describe: a salary between engagements keeps the income qualifying.
In a couple the woman's age drives fertility: for men it is their age minus
``partner_age_gap``. The rule knows nothing of the alliance: the core multiplies the probability
by the policy's ``birth_hr`` (``sim/model/core/decisions.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.core import parental
from sim.model.core.jit import kernel
from sim.model.core.params import param
from sim.model.core.rng import uniform_at
from sim.model.rules.base import FertilityRule

PARTNER_MIN_AGE = 18.0


def hadwiger_asfr(age: np.ndarray, tfr: float, b: float, c: float) -> np.ndarray:
    """Hadwiger age-specific fertility rate (births per woman-year); integrates to ``tfr``."""
    age = np.asarray(age, dtype=float)
    safe = np.where(age > 0, age, 1.0)
    rate = tfr * b / c * (c / safe) ** 1.5 * np.exp(-(b**2) * (c / safe + safe / c - 2.0))
    return np.where(age > 0, rate, 0.0) / np.sqrt(np.pi)


@dataclass(frozen=True)
class HadwigerFertility(FertilityRule):
    hadwiger_b: float = param("-", 0, 50, "Hadwiger height/shape parameter", lo_open=True)
    hadwiger_c: float = param("years", 15, 50, "Hadwiger location parameter")
    min_age: float = param("years", 10, 30, "youngest mother")
    max_age: float = param("years", 35, 60, "oldest mother")
    partner_formation: float = param("probability/month", 0, 1, "single -> partnered")
    partner_dissolution: float = param("probability/month", 0, 1, "partnered -> single")
    partner_age_gap: float = param("years", -20, 20, "man's age minus woman's")
    birth_gap_months: int = param("months", 0, 60, "no new birth this soon after one")
    higher_parity_hr: float = param("hazard ratio", 0, 5, "for a third or later child")
    insecurity_hr: float = param("hazard ratio", 0, 2, "in a precarious month")

    per_run = ("insecurity_hr",)  # may differ between runs of a batch (sim/model/core/per_run.py)

    def init_agents(self, pop, rows, ctx) -> None:
        """Entrants may already be parents: P(child) = 1 - exp(-expected births by their age)
        under the national schedule (mostly first births at these ages); parents are partnered."""
        mother_age = pop.age_months[rows] / 12.0 - np.where(pop.female[rows], 0.0, self.partner_age_gap)
        grid, cumulative = self._cumulative(ctx.country.tfr)
        expected = np.interp(mother_age, grid, cumulative, left=0.0)
        parent = ctx.streams.uniform("init_children", pop.uid[rows], ctx.month) < 1 - np.exp(-expected)
        pop.children[rows] = parent
        pop.partnered[rows] |= parent
        first = rows[parent & pop.female[rows]]
        pop.registry["first_birth_age_months"][pop.uid[first]] = -2  # before entry, age unknown

    def _cumulative(self, tfr: float) -> tuple[np.ndarray, np.ndarray]:
        """Expected births by age under the national schedule, on a quarter-year grid (cached)."""
        cache = self.__dict__.setdefault("_cumulative_tables", {})
        if tfr not in cache:
            grid = np.arange(self.min_age, 61.0, 0.25)
            asfr = hadwiger_asfr(grid, tfr, self.hadwiger_b, self.hadwiger_c)
            cache[tfr] = grid, np.cumsum(asfr) * 0.25
        return cache[tfr]

    def partnered_share(self, age_years: np.ndarray) -> np.ndarray:
        """Expected share partnered at an age, from the chain started single at 18."""
        f, d = self.partner_formation, self.partner_dissolution
        if f + d == 0:
            return np.zeros_like(np.asarray(age_years, dtype=float))
        months = np.maximum(0.0, (np.asarray(age_years, dtype=float) - PARTNER_MIN_AGE) * 12)
        return f / (f + d) * (1.0 - (1.0 - f - d) ** months)

    def partnered_hazard(self, mother_age: np.ndarray, tfr: float) -> np.ndarray:
        """Monthly birth hazard of a partnered couple by the woman's age (before economic effects)."""
        fertile = (mother_age >= self.min_age) & (mother_age < self.max_age)
        asfr = hadwiger_asfr(mother_age, tfr, self.hadwiger_b, self.hadwiger_c)
        share = np.maximum(self.partnered_share(mother_age), 1e-6)
        return np.where(fertile, asfr / 12.0 / share, 0.0)

    def _table(self, tfr: float) -> np.ndarray:
        """``partnered_hazard`` at every age in months from 0 to 120 years (computed once)."""
        cache = self.__dict__.setdefault("_tables", {})
        if tfr not in cache:
            cache[tfr] = self.partnered_hazard(np.arange(121 * 12) / 12.0, tfr)
        return cache[tfr]

    def birth_probability(self, pop, ctx) -> np.ndarray:
        """Monthly birth probability per row, from the partnership state at the start of the
        month (the core draws the births, ``sim/model/core/decisions.py``)."""
        c = ctx.country
        return _birth_hazard(pop.age_months, pop.female, pop.partnered, pop.last_birth_month,
                             pop.children, parental.expected_benefit(pop, c),
                             c.parental_basic_level, ctx.sector.living_cost * ctx.money_scale,
                             self._table(c.tfr), round(self.partner_age_gap * 12), ctx.month,
                             self.birth_gap_months, self.higher_parity_hr, pop.group,
                             ctx.runs.values("fertility", "insecurity_hr"), np.empty(len(pop)))

    def update_partnerships(self, pop, ctx) -> None:
        _partnering(*ctx.stream("partnership"), pop.age_months, pop.partnered,
                    adult_months=PARTNER_MIN_AGE * 12, formation=self.partner_formation,
                    dissolution=self.partner_dissolution)


@kernel
def _birth_hazard(age_months, female, partnered, last_birth_month, children, benefit, basic,
                  living, table, partner_gap_months, month, birth_gap_months, higher_parity_hr,
                  group, insecurity_hr, out):
    """Birth hazard per row. Written with selects and products rather than early exits: the
    conditions are as good as random per row, and mispredicted branches cost more.
    ``insecurity_hr`` holds one value per run (``group``)."""
    for i in range(out.size):
        can = partnered[i] & (month - last_birth_month[i] >= birth_gap_months)
        # the woman's age drives a couple's fertility
        mother_age = age_months[i] - partner_gap_months * (not female[i])
        h = table[min(max(mother_age, 0), table.size - 1)] * can
        h *= higher_parity_hr if children[i] >= 2 else 1.0
        # insecurity: 1 at the basic parental benefit, 0 once the benefit covers living costs
        insecure = 1.0 if living <= basic else min(max((living - benefit[i]) / (living - basic),
                                                       0.0), 1.0)
        h *= 1.0 - (1.0 - insecurity_hr[group[i]]) * insecure
        out[i] = min(h, 1.0)
    return out


@kernel
def _partnering(counter, key, age_months, partnered, *, adult_months, formation, dissolution):
    """One draw per agent: singles adults partner with P(formation), couples split with
    P(dissolution)."""
    for i in range(partnered.size):
        was, u = partnered[i], uniform_at(counter[i], key)
        stays = was & (u >= dissolution)
        forms = (not was) & (age_months[i] >= adult_months) & (u < formation)
        partnered[i] = stays | forms
