"""Interfaces of the swappable behavioural rules.

Where it sits: ``sim/model/core/loop.py`` calls these methods in the order written there. Each method
receives the population columns (``pop``, see ``sim/model/core/columns.py``) and the step context
(``ctx``, see ``sim/model/core/context.py``) and works on every row at once; rows of agents who already
left (``pop.active`` false) may be present and must be masked by the caller's use of the result.

In a batch of runs (``sim/model/core/loop.py``) the rows are those of several runs, so a rule's
values for a row may depend on that row (and the spec) only, never on a sum over the
population. The admission rule, which ranks the eligible against each other, is called once per
run, on the run's own rows and as the run's own rule object.

To add a rule: subclass the interface in one file, declare parameters with ``param``, write one
YAML file in the matching ``configs/<group>/`` folder with ``_target_`` pointing at the class.
Runs whose rules differ in a parameter are then simulated in separate batches. To let a Sobol
or uncertainty design vary a parameter within one batch, list it in the class attribute
``per_run`` and read it per run: ``ctx.runs.values("<group>", "<name>")`` gives one value per
run, which a kernel indexes with the population's ``group`` column (``sim/model/core/per_run.py``;
``StressHazardExit.beta_buffer`` is an example).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.model.core.jit import inline, kernel, popcount
from sim.model.core.rng import months_back, uniform_at

if TYPE_CHECKING:
    from sim.model.core.columns import AgentColumns
    from sim.model.core.context import StepContext


@dataclass(frozen=True)
class Earnings:
    """What the income rule pays for one month, given who is engaged (arrays over rows)."""

    fees: np.ndarray  # pay from engagements (country currency)
    side: np.ndarray  # income from work outside the sector


class IncomeRule(ABC):
    """Engagements, pay and side income; owns skill, network and the pay level.

    The rule gives the log-odds of an engagement; the core adds the policy's
    ``engagement_boost``, draws who is engaged (never the sick) and hands the result to ``earn``.
    """

    def init_agents(self, pop: AgentColumns, rows: np.ndarray, ctx: StepContext) -> None:  # noqa: B027
        """Fill the income-related columns of new agents at ``rows`` (default: nothing)."""

    @abstractmethod
    def engagement_log_odds(self, pop: AgentColumns, ctx: StepContext) -> np.ndarray:
        """Log-odds of an outside engagement this month, per row (sector demand included)."""

    @abstractmethod
    def earn(self, pop: AgentColumns, ctx: StepContext, engaged: np.ndarray) -> Earnings:
        """This month's fees and side income given ``engaged``; updates skill, network and pay."""


class ExitRule(ABC):
    """Permanent exit from the sector. The core multiplies the hazard by the policy's
    ``exit_hr`` (not the part due to physical wear) and draws who leaves."""

    @abstractmethod
    def hazard(self, pop: AgentColumns, ctx: StepContext) -> tuple[np.ndarray, np.ndarray]:
        """Monthly exit probability per row, and the part of it due to physical wear."""


class FertilityRule(ABC):
    """Partnership and births. The core multiplies the birth probability by the policy's
    ``birth_hr`` and draws the births, then lets the rule update partnerships."""

    def init_agents(self, pop: AgentColumns, rows: np.ndarray, ctx: StepContext) -> None:  # noqa: B027
        """Fill the family columns of new agents at ``rows`` (default: nothing)."""

    @abstractmethod
    def birth_probability(self, pop: AgentColumns, ctx: StepContext) -> np.ndarray:
        """Probability of a birth this month per row, from the state at the start of the month."""

    def update_partnerships(self, pop: AgentColumns, ctx: StepContext) -> None:  # noqa: B027
        """Partnerships form and dissolve (after this month's births; default: nothing)."""


class HealthRule(ABC):
    """Onset of health episodes that cost care and working months, and how long each lasts. The
    core multiplies the onset probability by the policy's ``onset_hr`` and draws the onsets."""

    @abstractmethod
    def onset_probability(self, pop: AgentColumns, ctx: StepContext) -> np.ndarray:
        """Probability that an episode starts this month, per row (0 while one runs)."""

    @abstractmethod
    def spell_months(self, pop: AgentColumns, ctx: StepContext, starts: np.ndarray) -> np.ndarray:
        """Months each episode starting this month lasts, per row (read only where ``starts``;
        at least 1); draw from the rule's own streams so both arms see the same lengths."""


class AdmissionRule(ABC):
    """Who the alliance hires when it has places."""

    @abstractmethod
    def eligible(self, pop: AgentColumns, ctx: StepContext) -> np.ndarray:
        """Rows of agents eligible to apply (bool)."""

    def applicants(self, pop: AgentColumns, ctx: StepContext) -> np.ndarray:
        """Rows of agents who apply at this month's round (bool): by default every eligible
        agent; a rule may let each decide (``QualifyingWindows``). ``select`` admits only
        applicants, and must see the same ones (draw from a stream of this month)."""
        return self.eligible(pop, ctx)

    @abstractmethod
    def select(self, pop: AgentColumns, ctx: StepContext, places: int) -> np.ndarray:
        """Rows admitted (int index array), at most ``places`` of the applicants."""


def logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def window_mask(months: int) -> np.uint64:
    """Bit mask of the last ``months`` months of a 64-month history (this month = bit 0)."""
    return np.uint64((1 << months) - 1) if months < 64 else np.uint64(2**64 - 1)


HISTORY_MONTHS = 192  # engagement history kept per agent: columns engaged_bits, _2, _3


def window_counts(pop: AgentColumns, windows: tuple[int, ...], leave_extension: int = 0) -> np.ndarray:
    """Engaged months per row in each of ``windows`` (the last k months, this month included),
    each window extended by the months on leave inside it, up to ``leave_extension`` months
    (the window is pushed back, as Dansalliansen does for sickness and parental leave).
    Returns an (rows, len(windows)) integer array."""
    spans = np.asarray(windows, dtype=np.int64)
    if spans.min() < 1 or spans.max() > HISTORY_MONTHS:
        raise ValueError(f"windows must be 1 to {HISTORY_MONTHS} months, got {windows}")
    return _window_counts(pop.engaged_bits, pop.engaged_bits_2, pop.engaged_bits_3,
                          pop.leave_bits, spans, leave_extension,
                          np.empty((len(pop), spans.size), dtype=np.int16))


def qualifying_counts(pop: AgentColumns, windows: tuple[int, ...], leave_extension: int,
                      stream: tuple[np.ndarray, np.uint64] | None, share) -> np.ndarray:
    """Qualifying months per row in each of ``windows``: engaged months that count as
    qualifying time, each with probability ``share`` (per row, or one number; an engagement at
    agreement pay at a publicly funded stage, as an alliance defines it). Whether the engagement
    of a past month counted is a draw of its own (uid, month) from ``stream``
    (``ctx.stream(decision)``: this month's counters and the decision's key), so it is the same
    draw at every round and in both arms. Windows are extended by leave as in
    ``window_counts``; a share of 1 everywhere gives its counts."""
    spans = np.asarray(windows, dtype=np.int64)
    if spans.min() < 1 or spans.max() > HISTORY_MONTHS:
        raise ValueError(f"windows must be 1 to {HISTORY_MONTHS} months, got {windows}")
    out = np.empty((len(pop), spans.size), dtype=np.int16)
    shares = np.broadcast_to(np.asarray(share, dtype=np.float64), (len(pop),))
    if shares.size == 0 or shares.min() >= 1.0:
        return _window_counts(pop.engaged_bits, pop.engaged_bits_2, pop.engaged_bits_3,
                              pop.leave_bits, spans, leave_extension, out)
    counter, key = stream
    return _qualifying_counts(pop.engaged_bits, pop.engaged_bits_2, pop.engaged_bits_3,
                              pop.leave_bits, spans, leave_extension, counter, key,
                              np.ascontiguousarray(shares), out)


@kernel
def _qualifying_counts(bits1, bits2, bits3, leave_bits, spans, leave_extension, counter, key,
                       share, out):
    for i in range(bits1.size):
        for j in range(spans.size):
            span = spans[j]
            if leave_extension > 0:
                on_leave = popcount(leave_bits[i] & _low_bits(min(span, 64)))
                span = min(span + min(on_leave, leave_extension), 192)
            n = 0
            for k in range(span):  # bit k: the month k + 1 months before this one
                word = bits1[i] if k < 64 else (bits2[i] if k < 128 else bits3[i])
                if (word >> np.uint64(k % 64)) & np.uint64(1):
                    n += uniform_at(months_back(counter[i], k + 1), key) < share[i]
            out[i, j] = n
    return out


@inline
def _low_bits(k):
    """Mask of the ``k`` lowest bits (0 <= k <= 64)."""
    if k >= 64:
        return np.uint64(0xFFFFFFFFFFFFFFFF)
    if k <= 0:
        return np.uint64(0)
    return (np.uint64(1) << np.uint64(k)) - np.uint64(1)


@kernel
def _window_counts(bits1, bits2, bits3, leave_bits, spans, leave_extension, out):
    for i in range(bits1.size):
        for j in range(spans.size):
            span = spans[j]
            if leave_extension > 0:  # months on leave inside the window (the last 64 are kept)
                on_leave = popcount(leave_bits[i] & _low_bits(min(span, 64)))
                span = min(span + min(on_leave, leave_extension), 192)
            out[i, j] = (popcount(bits1[i] & _low_bits(span))
                         + popcount(bits2[i] & _low_bits(span - 64))
                         + popcount(bits3[i] & _low_bits(span - 128)))
    return out
