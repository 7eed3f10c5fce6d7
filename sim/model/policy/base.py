"""The policy interface: a public programme acting on the freelancers of the policy arm.

Where it sits in the monthly step (``sim/model/core/loop.py``): in January of a horizon year
``open_year`` (money, budget plan, furlough or lay-offs) and ``admit`` (a hiring round when one
is due); every month ``write_modifiers`` (twice: before ``health`` and after ``household``, so the
modifiers see this month's membership and precarity), ``pay`` after ``income`` and ``review``
after ``exit``; in December ``close_year``. The baseline arm has no policy.

A policy owns its state, its accounts and its description. It declares, as class attributes:

* ``COLUMNS``: its per-agent columns, name -> (dtype, fill value of a new agent, meaning). The
  policy arm's population holds the core's columns plus these; the baseline arm's holds the
  core's alone (``AgentColumns.add_columns`` adds them when the policy arm forks from the shared
  burn-in, every agent at the fill value), so a cached baseline never holds policy state.
* ``SERIES`` (name -> (unit, meaning)), with ``STOCKS`` (levels, averaged over a year) and
  ``NOT_TOTALS`` (not scaled by ``population.scale``): its monthly series in the recorder.
* ``SPENDING`` (name -> meaning): its lines in the ledger's account of how the grant is spent.
* ``OUTCOMES`` (name -> (unit, meaning), as ``sim/model/catalogue.py`` declares the core's),
  computed by ``outcome_values``.

Both arms' recorders, ledgers and outcome tables are built from the spec: the core's tables plus
the policy's (``sim/model/tables.py``); in the baseline arm the policy's series and spending
lines stay zero. The core meets a policy only through this interface: the modifier columns, the
salary ``pay`` returns (earned income, taxed like fees), the transfers ``transfers_runs``
returns (money that is not pay for work, such as a working grant; default: none), the rows it
``employed`` (no unemployment benefit) or otherwise bars from it (``no_unemployment_benefit``),
and the hooks ``on_births``, ``on_exits`` and ``record_month`` (defaults: nothing), through
which the policy keeps its own columns and series up to date. ``describe`` tells readers what
the policy is (``Description``).

Salary and transfers are the two income paths of ``sim/model/core/finance.py``. A salary is
pay: taxed, pensionable, qualifying for sickness and parental benefit, and the employer's
contributions are due on it (the policy pays them from its money). A transfer reaches the
household's savings but is not pay: nobody employs its recipient, so no employer's
contributions are due, and it counts in no earned-income statistics. Whether it is taxed like
earned income, and whether it earns social rights (pension rights, and the qualifying income
of the sickness and parental benefits) is the country's rule for that kind of money, which the
policy declares per country (``transfer_rules`` returns a ``Transfer``).

A policy acts on the rules only through modifier columns (``exit_hr``, ``birth_hr``,
``onset_hr``, ``engagement_boost``, see ``sim/model/core/columns.py``), which the core applies
to whatever the rules return (``sim/model/core/decisions.py``): a rule never knows who is a
member. A new design is one frozen dataclass subclassing ``Policy`` (its fields are its
parameters, declared with ``param``) and one YAML file in ``configs/policy/`` whose
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
methods read such a parameter per run (``ctx.runs``, ``sim/model/core/per_run.py``), indexed by
the run of each row (``group``) or of each span of ``pop.bounds`` (``pop.run_numbers``).
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:
    from sim.model.core.columns import AgentColumns
    from sim.model.core.context import StepContext
    from sim.model.core.ledger import Ledger
    from sim.model.core.recorder import Recorder
    from sim.model.rules.base import AdmissionRule
    from sim.model.spec import ModelSpec


@dataclass(frozen=True)
class Assumption:
    """A config key that drives a policy's results: its value, unit and meaning, and the source
    note the config gives it (None if the caller passed none)."""

    key: str
    value: Any
    unit: str
    meaning: str
    source: str | None = None


def N_(message: str) -> str:
    """Mark a policy's English text for the readers' translation catalogues (``pybabel
    extract`` reads ``sim/model/policy``); the readers translate it where they show it."""
    return message


@dataclass(frozen=True)
class Description:
    """What readers and tools need to know about a policy (``Policy.describe``). The texts are
    English; the readers translate them (a design's own texts stay English where the catalogues
    do not hold them)."""

    title: str  # for titles and headlines, e.g. 'TeaterAlliansen'
    label: str  # short, for tables and legends
    kind: str  # what kind of instrument it is, in a few words
    currency: str  # of every amount (the spec's country)
    assumptions: tuple[Assumption, ...]  # what drives it
    leaves_out: tuple[str, ...]  # what the model of it leaves out
    noun: str = "the policy"  # how a sentence names it: "with and without {noun}"
    reach: str = ""  # its outcome that counts the people it supports at a time ("": none)
    reach_words: str = ""  # what it does for them: "employs about {n} freelancers"
    reach_series: str = ""  # its monthly series of the people it supports ("": none)
    outcome_units: tuple[tuple[str, str], ...] = ()  # (outcome, unit) of its own outcomes


@dataclass(frozen=True)
class Transfer:
    """How the core treats the money a policy pays that is not pay (``Policy.transfers_runs``).
    It never carries employer's contributions and always reaches the household's savings."""

    taxed: bool  # income tax as on earned income (else it reaches the savings whole)
    social_rights: bool  # pensionable, and qualifying income of sickness and parental benefit


class Policy(ABC):
    """Interface of a policy design; see the module docstring for when each method runs."""

    # declarations (see the module docstring); a design overrides those it has
    COLUMNS: ClassVar[dict[str, tuple[Any, object, str]]] = {}
    SERIES: ClassVar[dict[str, tuple[str, str]]] = {}
    STOCKS: ClassVar[frozenset[str]] = frozenset()
    NOT_TOTALS: ClassVar[frozenset[str]] = frozenset()
    SPENDING: ClassVar[dict[str, str]] = {}
    OUTCOMES: ClassVar[dict[str, tuple[str, str]]] = {}
    # config keys (``<group>.<name>``) that drive the results most, for ``describe``
    ASSUMPTIONS: ClassVar[tuple[str, ...]] = ()
    LEAVES_OUT: ClassVar[tuple[str, ...]] = ()
    KIND: ClassVar[str] = ""  # what kind of instrument it is, in a few words
    NOUN: ClassVar[str] = "the policy"  # how a sentence names it (``Description.noun``)
    REACH: ClassVar[str] = ""  # its outcome counting the people it supports (``Description.reach``)
    REACH_WORDS: ClassVar[str] = ""  # with ``{n}``: "employs about {n} freelancers"
    REACH_SERIES: ClassVar[str] = ""  # its series counting them (``Description.reach_series``)

    @property
    @abstractmethod
    def title(self) -> str:
        """Human name for tables, charts and briefs (e.g. 'TeaterAlliansen')."""

    @abstractmethod
    def new_state(self) -> Any:
        """Fresh run state of one arm (copied with ``copy.deepcopy`` when arms fork)."""

    @abstractmethod
    def open_year(self, state: Any, pop: AgentColumns, ctx: StepContext, ledger: Ledger,
                  recorder: Recorder) -> None:
        """January of a horizon year: receive the money and plan the year."""

    @abstractmethod
    def admit(self, state: Any, pop: AgentColumns, ctx: StepContext, admission: AdmissionRule,
              recorder: Recorder) -> None:
        """January, after ``open_year``: hire when a round is due (``admission`` ranks)."""

    @abstractmethod
    def write_modifiers(self, state: Any, pop: AgentColumns, ctx: StepContext) -> None:
        """Write the modifier columns of every row."""

    @abstractmethod
    def pay(self, state: Any, pop: AgentColumns, ctx: StepContext, engaged: np.ndarray,
            ledger: Ledger, recorder: Recorder) -> np.ndarray:
        """This month's salary per row (zeros where none)."""

    @abstractmethod
    def review(self, state: Any, pop: AgentColumns, ctx: StepContext, recorder: Recorder) -> None:
        """End memberships that no longer meet the rules."""

    @abstractmethod
    def close_year(self, state: Any, pop: AgentColumns, ctx: StepContext, ledger: Ledger,
                   recorder: Recorder) -> None:
        """December: settle the year's accounts."""

    # ------------------------------------------------------------------ hooks of the core
    def employed(self, pop: AgentColumns) -> np.ndarray | None:
        """Rows the policy employs this month (they draw no unemployment benefit); None: none."""
        return None

    def no_unemployment_benefit(self, pop: AgentColumns) -> np.ndarray | None:
        """Rows that draw no unemployment benefit this month because of the policy (phase
        ``public_finance``); default: the rows it ``employed``."""
        return self.employed(pop)

    def transfers_runs(self, states: list, pop: AgentColumns, ctx: StepContext,
                       engaged: np.ndarray, ledgers: list[Ledger],
                       recorders: list[Recorder]) -> np.ndarray | None:
        """Phase ``policy_pay``, after ``pay_runs``, for every run of a batch: this month's
        transfers per row, money paid that is not pay for work (a grant), treated as
        ``transfer_rules`` says; the policy books them in its own spending lines. Default: None
        (no transfers)."""
        return None

    def wage_lines(self) -> dict[str, float]:
        """Its spending lines paid as wages and fees to people outside the sector (staff,
        trainers), each with the share of it that is labour cost (the rest buys goods and
        services); the core books the income tax and the employer's contributions on that
        pay back to the state each month (phase ``policy_wages``). Default: none."""
        return {}

    def transfer_rules(self, country: Any) -> Transfer:
        """How ``country`` (the spec's ``Country`` block) treats this policy's transfers:
        taxed or not, earning social rights or not. Only read when ``transfers_runs`` pays."""
        raise NotImplementedError(f"{type(self).__name__} pays transfers but does not declare "
                                  "how they are taxed (transfer_rules)")

    def on_births(self, states: list, pop: AgentColumns, ctx: StepContext, born: np.ndarray,  # noqa: B027
                  recorders: list[Recorder]) -> None:
        """Phase ``family``, after the births are booked: ``born`` marks the rows with a birth
        (among the active); for the policy's own series."""

    def on_exits(self, states: list, pop: AgentColumns, ctx: StepContext, rows: np.ndarray,  # noqa: B027
                 reasons: np.ndarray, recorders: list[Recorder]) -> None:
        """Phase ``exit``: the agents at ``rows`` left the sector this month for ``reasons``
        (``sim.model.core.columns.EXIT_REASONS``); they are already inactive. A policy ends
        what it holds for them and counts it."""

    def record_month(self, states: list, pop: AgentColumns, ctx: StepContext, engaged: np.ndarray,  # noqa: B027
                     salary: np.ndarray, recorders: list[Recorder]) -> None:
        """Phase ``record``, after the core's: the policy's monthly series (``engaged``, this
        month's engagements; ``salary``, what ``pay`` returned)."""

    # ------------------------------------------------------------------ what it is and yields
    def outcome_values(self, series: Mapping[str, np.ndarray], spending: np.ndarray,
                       years: float) -> dict[str, float]:
        """The values of ``OUTCOMES`` (in agents and currency, unscaled) from one arm's series
        over the horizon (``series``: the recorder's, each over the horizon's months;
        ``spending``: the ledger's spending lines summed, over the horizon; ``years``: its
        length). In the baseline arm the policy's series are zero. Default: none."""
        return {}

    def describe(self, spec: ModelSpec, notes: Mapping[str, str] | None = None) -> Description:
        """What readers need to know about this policy in the world of ``spec`` (its
        currency); ``notes``: source notes by config key (e.g. the config files' comments),
        attached to the assumptions that have one."""
        notes = notes or {}
        assumptions = []
        for key in self.ASSUMPTIONS:
            value, unit, meaning = _config_value(spec, key)
            assumptions.append(Assumption(key, value, unit, meaning, notes.get(key)))
        return Description(title=self.title, label=getattr(self, "label", None) or self.title,
                           kind=self.KIND or type(self).__name__,
                           currency=spec.country.currency, assumptions=tuple(assumptions),
                           leaves_out=tuple(self.LEAVES_OUT), noun=self.NOUN, reach=self.REACH,
                           reach_words=self.REACH_WORDS, reach_series=self.REACH_SERIES,
                           outcome_units=tuple((name, unit)
                                               for name, (unit, _) in self.OUTCOMES.items()))

    # ------------------------------------------------------------------ a batch of runs
    def write_modifiers_runs(self, states: list, pop: AgentColumns, ctx: StepContext) -> None:
        """``write_modifiers`` for every run of a batch."""
        for g, rows in enumerate(_runs(pop)):
            _own(ctx, rows).write_modifiers(states[g], rows, ctx.for_rows(rows))

    def pay_runs(self, states: list, pop: AgentColumns, ctx: StepContext, engaged: np.ndarray,
                 ledgers: list[Ledger], recorders: list[Recorder]) -> np.ndarray:
        """``pay`` for every run of a batch; the salaries of all rows."""
        salary = np.zeros(len(pop))
        for g, rows in enumerate(_runs(pop)):
            part = slice(rows.start, rows.start + len(rows))
            salary[part] = _own(ctx, rows).pay(states[g], rows, ctx.for_rows(rows),
                                               engaged[part], ledgers[g], recorders[g])
        return salary

    def review_runs(self, states: list, pop: AgentColumns, ctx: StepContext,
                    recorders: list[Recorder]) -> None:
        """``review`` for every run of a batch whose policy is running."""
        for g, rows in enumerate(_runs(pop)):
            if getattr(states[g], "active", True):
                _own(ctx, rows).review(states[g], rows, ctx.for_rows(rows), recorders[g])

    def check_world(self, path: str, spec: ModelSpec) -> None:  # noqa: B027
        """Refuse a world this design cannot run in (a country or sector it does not belong to,
        values that must be ordered with the run's years); default: any."""


def _config_value(spec: ModelSpec, key: str) -> tuple[Any, str, str]:
    """The value, unit and meaning of the config key ``<group>.<name>`` in ``spec``."""
    from sim.model.core.per_run import SLOTS

    group, name = key.split(".", 1)
    obj = SLOTS[group](spec)
    meta = next((f.metadata for f in dataclasses.fields(obj) if f.name == name), {})
    return getattr(obj, name), meta.get("unit", "-"), meta.get("doc", "")


def _runs(pop):
    """Each run's rows of a batch population (a single run: all rows)."""
    return [pop.rows_of(g) for g in range(pop.groups)]


def _own(ctx, rows) -> Policy:
    """The policy of the run of ``rows``, with its own per-run values (the batch's policy has
    None where the runs' values differ; ``sim/model/core/per_run.py``)."""
    return ctx.runs.specs[rows.run].policy
