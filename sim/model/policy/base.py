"""The policy interface: a public programme acting on the freelancers of the policy arm.

Where it sits in the monthly step (``sim/model/core/loop.py``): in January of a horizon year
``open_year`` (money, budget plan, furlough or lay-offs) and ``admit`` (a hiring round when one
is due); every month ``write_modifiers`` (twice: before ``health`` and after ``household``, so the
modifiers see this month's membership and precarity), ``pay`` after ``income`` and ``review``
after ``exit``; in December ``close_year``. The baseline arm has no policy.

A policy acts on the rules only through modifier columns (``exit_hr``, ``birth_hr``,
``onset_hr``, ``engagement_boost``, see ``sim/model/core/population.py``), which the core applies
to whatever the rules return (``sim/model/core/decisions.py``): a rule never knows who is a
member. A new design is one frozen dataclass subclassing ``Policy`` (its fields are its
parameters, declared with ``param``) and one YAML file in ``configs/alliance/`` whose
``_target_`` names it. Run state (budget, counters) lives in the object ``new_state`` returns,
so the parameters stay immutable and both arms of a comparison can start from one spec.

A batch of runs (``sim.run_many``) simulates G runs in one population, one group of rows per
run (``pop.bounds``). The yearly methods are called once per run, with that run's state, its
rows as the population (``pop.rows_of(g)``, views) and its own ledger and recorder. The monthly
ones are called once for the whole batch through ``write_modifiers_runs``, ``pay_runs`` and
``review_runs``, whose defaults call the one-run methods run by run; a design overrides them
to do the batch in one pass (``Alliance`` does). The yearly methods and the run-by-run
defaults are called on the run's own policy object, a batch method on the batch's. A design
whose runs may differ in a parameter within one batch lists it in ``per_run``; its batch
methods read such a parameter per run (``ctx.runs``, ``sim/model/core/runs.py``), indexed by
the run of each row (``group``) or of each span of ``pop.bounds`` (``pop.run_numbers``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sim.model.core.context import StepContext
    from sim.model.core.ledger import Ledger
    from sim.model.core.population import Population
    from sim.model.core.recorder import Recorder
    from sim.model.rules.base import AdmissionRule
    from sim.model.spec import ModelSpec


class Policy(ABC):
    """Interface of a policy design; see the module docstring for when each method runs."""

    @property
    @abstractmethod
    def title(self) -> str:
        """Human name for tables, charts and briefs (e.g. 'TeaterAlliansen')."""

    @abstractmethod
    def new_state(self) -> Any:
        """Fresh run state of one arm (copied with ``copy.deepcopy`` when arms fork)."""

    @abstractmethod
    def open_year(self, state: Any, pop: Population, ctx: StepContext, ledger: Ledger,
                  recorder: Recorder) -> None:
        """January of a horizon year: receive the money and plan the year."""

    @abstractmethod
    def admit(self, state: Any, pop: Population, ctx: StepContext, admission: AdmissionRule,
              recorder: Recorder) -> None:
        """January, after ``open_year``: hire when a round is due (``admission`` ranks)."""

    @abstractmethod
    def write_modifiers(self, state: Any, pop: Population, ctx: StepContext) -> None:
        """Write the modifier columns of every row."""

    @abstractmethod
    def pay(self, state: Any, pop: Population, ctx: StepContext, engaged: np.ndarray,
            ledger: Ledger, recorder: Recorder) -> np.ndarray:
        """This month's salary per row (zeros where none)."""

    @abstractmethod
    def review(self, state: Any, pop: Population, ctx: StepContext, recorder: Recorder) -> None:
        """End memberships that no longer meet the rules."""

    @abstractmethod
    def close_year(self, state: Any, pop: Population, ctx: StepContext, ledger: Ledger,
                   recorder: Recorder) -> None:
        """December: settle the year's accounts."""

    # ------------------------------------------------------------------ a batch of runs
    def write_modifiers_runs(self, states: list, pop: Population, ctx: StepContext) -> None:
        """``write_modifiers`` for every run of a batch."""
        for g, rows in enumerate(_runs(pop)):
            _own(ctx, rows).write_modifiers(states[g], rows, ctx.for_rows(rows))

    def pay_runs(self, states: list, pop: Population, ctx: StepContext, engaged: np.ndarray,
                 ledgers: list[Ledger], recorders: list[Recorder]) -> np.ndarray:
        """``pay`` for every run of a batch; the salaries of all rows."""
        salary = np.zeros(len(pop))
        for g, rows in enumerate(_runs(pop)):
            part = slice(rows.start, rows.start + len(rows))
            salary[part] = _own(ctx, rows).pay(states[g], rows, ctx.for_rows(rows),
                                               engaged[part], ledgers[g], recorders[g])
        return salary

    def review_runs(self, states: list, pop: Population, ctx: StepContext,
                    recorders: list[Recorder]) -> None:
        """``review`` for every run of a batch whose policy is running."""
        for g, rows in enumerate(_runs(pop)):
            if getattr(states[g], "active", True):
                _own(ctx, rows).review(states[g], rows, ctx.for_rows(rows), recorders[g])

    def check_world(self, path: str, spec: ModelSpec) -> None:  # noqa: B027
        """Refuse a world this design cannot run in (a country or sector it does not belong to,
        values that must be ordered with the run's years); default: any."""


def _runs(pop):
    """Each run's rows of a batch population (a single run: all rows)."""
    return [pop.rows_of(g) for g in range(pop.groups)]


def _own(ctx, rows) -> Policy:
    """The policy of the run of ``rows``, with its own per-run values (the batch's policy has
    None where the runs' values differ; ``sim/model/core/runs.py``)."""
    return ctx.runs.specs[rows.run].alliance
