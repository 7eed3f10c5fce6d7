"""The step context: what every phase of one month may read besides the agent columns.

Where it sits: built at the start of each month by ``sim/model/core/loop.py`` and handed to the rules.
It binds the random streams to the current month and rows, so a rule writes
``ctx.uniform("exit")`` and gets one draw per row from the exit stream, keyed by uid.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from sim.model.core.columns import LAST_12_MONTHS
from sim.model.core.jit import inline, kernel, popcount
from sim.model.core.per_run import RunValues
from sim.model.core.rng import Streams
from sim.model.world import Country, Population, Sector


@dataclass
class StepContext:
    month: int  # model month, 0 = first month of the burn-in
    burn_in_months: int
    sector: Sector
    country: Country
    population: Population
    streams: Streams
    uids: np.ndarray
    runs: RunValues  # per-run parameter values of a batch (sim/model/core/per_run.py)
    demand: float = 1.0  # sector demand index this month
    demand_level: float = 1.0  # its level outside shocks
    pool: np.ndarray | None = None  # demand=market: each run's engagement-months this month; None: steady
    extra_pool: np.ndarray | None = None  # demand=market: each run's pool beyond its fixed size
    precarious: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))

    @property
    def horizon_month(self) -> int:
        return self.month - self.burn_in_months

    @property
    def calendar_month(self) -> int:
        return self.month % 12

    @property
    def people_per_agent(self) -> float:
        """Real people each agent stands for (``population.scale``): real budgets and numbers
        of places are divided by it, so a grant buys the same real support at any scale."""
        return self.population.scale

    @property
    def money_scale(self) -> float:
        """Country currency per SEK of sector amounts."""
        return self.country.wage_scale

    def for_rows(self, rows) -> StepContext:
        """This context for one run's rows of a batch (``AgentColumns.rows_of``), with the run's
        own sector and country (their per-run values)."""
        part = slice(rows.start, rows.start + len(rows))
        precarious = self.precarious[part] if self.precarious.size else self.precarious
        spec = self.runs.specs[rows.run]
        return dataclasses.replace(self, uids=rows.uid, precarious=precarious,
                                   sector=spec.sector, country=spec.country)

    def _counter(self) -> np.ndarray:
        """Weyl counters of the current rows, computed once per set of rows."""
        cached = self.__dict__.get("_counter_cache")
        if cached is None or cached[0] is not self.uids:
            counter = self.streams.counters(self.uids, self.month)
            cached = self.__dict__["_counter_cache"] = (self.uids, counter)
        return cached[1]

    def uniform(self, decision: str) -> np.ndarray:
        return self.streams.uniform(decision, self.uids, self.month, self._counter())

    def happens(self, decision: str, probability: np.ndarray) -> np.ndarray:
        """One Bernoulli trial per row: ``uniform(decision) < probability``, in one pass."""
        return self.streams.happens(decision, probability, self.uids, self.month, self._counter())

    def stream(self, decision: str) -> tuple[np.ndarray, np.uint64]:
        """Counters and key of a stream, for a kernel that draws inline with
        ``sim.model.core.rng.uniform_at(counter[i], key)`` (the same numbers as ``uniform``)."""
        return self._counter(), self.streams.key(decision)

    def normal(self, decision: str) -> np.ndarray:
        return self.streams.normal(decision, self.uids, self.month, self._counter())

    def normal_pair(self, decision: str) -> tuple[np.ndarray, np.ndarray]:
        return self.streams.normal_pair(decision, self.uids, self.month, self._counter())


@inline
def is_precarious(engaged_last_12, buffer, living_cost):
    """Economic insecurity, the one definition used by fertility, health and the outcomes.

    Precarious = engaged in fewer than half of the last 12 months, or savings below one month
    of living costs. A policy's support is not part of it: the policy decides how much of the
    penalty its support removes, through its modifier columns (behaviour.md B.15-B.16, B.18).
    Evaluated for every agent at the
    end of the household phase (``sim/model/core/finance.py``) into the column ``precarious``.
    """
    return engaged_last_12 < 6 or buffer < living_cost


@kernel
def precarity(engaged_bits, buffer, living_cost, out):
    """``is_precarious`` for each row, from its engagement history and savings."""
    for i in range(out.size):
        out[i] = is_precarious(popcount(engaged_bits[i] & LAST_12_MONTHS), buffer[i], living_cost)
    return out
