"""Interfaces of the swappable behavioural rules.

Where it sits: ``sim/model/core/loop.py`` calls these methods in the order written there. Each method
receives the population columns (``pop``, see ``sim/model/core/population.py``) and the step context
(``ctx``, see ``sim/model/core/context.py``) and works on every row at once; rows of agents who already
left (``pop.active`` false) may be present and must be masked by the caller's use of the result.

To add a rule: subclass the interface in one file, declare parameters with ``param``, write one
YAML file in the matching ``configs/<group>/`` folder with ``_target_`` pointing at the class.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.model.core.jit import kernel, popcount
from sim.model.core.population import check_rows
from sim.model.core.rng import uniform_at

if TYPE_CHECKING:
    from sim.model.core.context import StepContext
    from sim.model.core.population import Population


@dataclass(frozen=True)
class Earnings:
    """What the income rule decides for one month (arrays over rows)."""

    engaged: np.ndarray  # bool: has an outside engagement
    fees: np.ndarray  # pay from engagements (country currency)
    side: np.ndarray  # income from work outside the sector


class IncomeRule(ABC):
    """Engagements, pay and side income; owns skill, network and the pay level."""

    def init_agents(self, pop: Population, rows: np.ndarray, ctx: StepContext) -> None:  # noqa: B027
        """Fill the income-related columns of new agents at ``rows`` (default: nothing)."""

    @abstractmethod
    def step(self, pop: Population, ctx: StepContext) -> Earnings:
        """Decide this month's engagements and earnings and update skill, network and pay level."""


class ExitRule(ABC):
    """Permanent exit from the sector."""

    @abstractmethod
    def hazard(self, pop: Population, ctx: StepContext) -> tuple[np.ndarray, np.ndarray]:
        """Monthly exit probability per row, and the part of it due to physical wear."""

    def decide(self, pop: Population, ctx: StepContext) -> tuple[np.ndarray, np.ndarray]:
        """Rows that leave this month (bool) and their reason code (see EXIT_REASONS)."""
        total, physical = self.hazard(pop, ctx)
        n = len(pop)
        for name, values in (("total", total), ("physical", physical)):
            check_rows(values, n, f"{type(self).__name__}.hazard ({name})")
        leave, reason = np.empty(n, dtype=np.bool_), np.empty(n, dtype=np.int8)
        counter, key = ctx.stream("exit")
        _leave_or_retire(counter, key, total, physical, pop.age_months,
                         ctx.sector.retirement_age * 12, leave, reason)
        return leave, reason


class FertilityRule(ABC):
    """Partnership and births."""

    def init_agents(self, pop: Population, rows: np.ndarray, ctx: StepContext) -> None:  # noqa: B027
        """Fill the family columns of new agents at ``rows`` (default: nothing)."""

    @abstractmethod
    def step(self, pop: Population, ctx: StepContext) -> np.ndarray:
        """Update partnership and return the rows with a birth this month (bool)."""


class HealthRule(ABC):
    """Onset of health episodes that cost care and working months."""

    @abstractmethod
    def start_episodes(self, pop: Population, ctx: StepContext) -> np.ndarray:
        """Rows whose health episode starts this month (bool)."""


class AdmissionRule(ABC):
    """Who the alliance hires when it has places."""

    @abstractmethod
    def eligible(self, pop: Population, ctx: StepContext) -> np.ndarray:
        """Rows of agents eligible to apply (bool)."""

    @abstractmethod
    def select(self, pop: Population, ctx: StepContext, places: int) -> np.ndarray:
        """Rows admitted (int index array), at most ``places`` of the eligible."""


@kernel
def _leave_or_retire(counter, key, total, physical, age_months, retirement_months, leave, reason):
    """Everyone retires at retirement age; below it one draw decides whether and why one leaves
    (reason 2, physical wear, for the part of the hazard due to wear)."""
    for i in range(leave.size):
        u = uniform_at(counter[i], key)
        if age_months[i] >= retirement_months:
            leave[i], reason[i] = True, 3
        else:
            leave[i], reason[i] = u < total[i], 2 if u < physical[i] else 1


def logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def window_mask(months: int) -> np.uint64:
    """Bit mask of the last ``months`` months of a 64-month history (this month = bit 0)."""
    return np.uint64((1 << months) - 1) if months < 64 else np.uint64(2**64 - 1)


def engaged_in_last(bits: np.ndarray, months: int) -> np.ndarray:
    """Number of engaged months among the last ``months`` (this month included)."""
    return _count_bits(np.ascontiguousarray(bits, dtype=np.uint64), window_mask(months),
                       np.empty(len(bits), np.uint8))


@kernel
def _count_bits(bits, mask, out):
    for i in range(out.size):
        out[i] = popcount(bits[i] & mask)
    return out
