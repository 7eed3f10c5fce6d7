"""Mesa model and agents: thin object handles over the array core.

Where it sits: ``ArmModel`` is a ``mesa.Model`` whose ``step()`` runs one month of
``sim/model/core/loop.py`` on the columns in ``sim/model/core/columns.py``. A ``Freelancer`` is a
``mesa.Agent`` that stores only its uid; reading any attribute (``agent.buffer``,
``agent.member``) reads that agent's row, so there is one copy of the state and one
implementation of every rule.

Handles are created on demand (``model.freelancer(uid)``, ``model.register_handles()``) and are
then registered with the model like any Mesa agent. They are not created eagerly inside the
monthly step: registering one Mesa agent costs about 18 microseconds here, more than the whole
budget of simulating one agent for a month (see docs/benchmarks.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np

from sim.model import tables
from sim.model.core.columns import EXIT_REASONS, REGISTRY, AgentColumns
from sim.model.core.finance import outside_flows, wage_returns, wage_rights, wage_vat
from sim.model.core.ledger import Ledger
from sim.model.core.loop import monthly_step
from sim.model.core.params import ConfigError, check_seed
from sim.model.core.per_run import SLOTS, WORLD_SLOTS, RunValues, batch_spec
from sim.model.core.recorder import Recorder
from sim.model.core.rng import Streams
from sim.model.spec import ModelSpec

ARMS = ("baseline", "policy")


@dataclass
class RunView:
    """One run of a batch model, with what the outcome tables read (``sim/model/outcomes.py``)."""

    spec: Any
    seed: int
    arm: str
    pop: AgentColumns  # only its registry
    ledger: Ledger
    recorder: Recorder
    agent_months: int
    month: int


class Freelancer(mesa.Agent):
    """Handle onto one freelancer's row; attributes are the columns of ``AgentColumns``."""

    def __init__(self, model: ArmModel, uid: int):
        super().__init__(model)
        self.uid = int(uid)

    def __getattr__(self, name: str) -> Any:
        pop = self.__dict__["model"].pop
        if name in pop.columns or name in REGISTRY:
            row = pop.row(self.__dict__["uid"])
            if row >= 0 and name in pop.columns:
                return getattr(pop, name)[row].item()
            if name in REGISTRY:
                return pop.registry[name][self.__dict__["uid"]].item()
            if name == "active":
                return False
            raise AttributeError(f"freelancer {self.uid} has left the sector; "
                                 f"only {sorted(REGISTRY)} remain")
        raise AttributeError(name)

    @property
    def exit_reason_label(self) -> str:
        return EXIT_REASONS[int(self.model.pop.registry["exit_reason"][self.uid])]

    def snapshot(self) -> dict[str, Any]:
        """All state of this freelancer as a plain dict (read-only copy)."""
        pop = self.model.pop
        return {name: getattr(self, name) for name in pop.columns if pop.row(self.uid) >= 0}


class ArmModel(mesa.Model):
    """One arm of the comparison: a freelance sector with or without the policy (the alliance).

    ``seed`` may be a list of seeds: the model is then a batch of runs, one per seed, of ``spec``
    or of a list of specs (one per seed) that differ only in per-run parameters
    (``sim/model/core/per_run.py``), simulated as groups of rows of one population
    (``sim/model/core/loop.py``); each run draws exactly what a model of its seed alone draws,
    and ``run_result(g)`` is run g's results.
    """

    def __init__(self, spec, seed: int | list[int], arm: str = "baseline"):
        if not isinstance(arm, str) or arm not in ARMS:
            raise ConfigError("arm", arm if isinstance(arm, str) else f"<{type(arm).__name__}>",
                              "one of " + ", ".join(ARMS))
        if isinstance(seed, list | tuple):
            if not seed:
                raise ConfigError("seed", [], "a seed or a non-empty list of seeds")
            seeds = [check_seed(s, f"seed[{g}]") for g, s in enumerate(seed)]
        else:
            seeds = [check_seed(seed)]
        specs = list(spec) if isinstance(spec, list | tuple) else [spec] * len(seeds)
        for g, one in enumerate(specs):
            if not isinstance(one, ModelSpec):
                raise ConfigError("spec" if one is spec else f"spec[{g}]",
                                  f"<{type(one).__name__}>", "a ModelSpec, as "
                                  "sim.build_spec(sim.compose_config({...}))[0] returns")
        if len(specs) != len(seeds):
            raise ConfigError("spec", f"{len(specs)} specs",
                              f"one spec per seed ({len(seeds)} seeds)")
        super().__init__(rng=seeds[0])
        # the batch's spec: per-run values that differ are None there (sim/model/core/per_run.py);
        # the baseline arm runs no policy, so its runs may differ in the alliance as they like
        slots = SLOTS if arm == "policy" else WORLD_SLOTS
        self.spec, self.specs = batch_spec(specs, slots), specs
        self.seeds, self.arm = seeds, arm
        self.runs = RunValues(specs)
        # tax paid, benefit drawn, rights earned and VAT paid each month by one leaver outside
        # (one number per run)
        flows = [outside_flows(s.sector, s.country) for s in specs]
        taxes, benefits, rights, vat = ([f[i] for f in flows] for i in (0, 1, 2, 3))
        self.leaver_tax = taxes[0] if len(specs) == 1 else np.array(taxes)
        self.leaver_benefit = benefits[0] if len(specs) == 1 else np.array(benefits)
        self.leaver_rights = rights[0] if len(specs) == 1 else np.array(rights)
        self.leaver_vat = vat[0] if len(specs) == 1 else np.array(vat)
        # tax, contributions, pension rights and VAT per unit a policy pays its staff and trainers
        self.wage_returns = [(*wage_returns(s.sector, s.country), wage_rights(s.sector, s.country),
                              wage_vat(s.sector, s.country)) for s in specs]
        self.streams = Streams(seeds)
        self.rules = self.spec.rules
        # the policy arm runs the spec's policy (each run's own for the yearly parts); the
        # baseline arm runs none. Only the policy arm's population holds the policy's columns;
        # both arms' ledgers and recorders hold the core's tables plus the policy's
        # (sim/model/tables.py), which stay zero in the baseline arm.
        self.policy = self.spec.policy if arm == "policy" else None
        self.pop = AgentColumns(len(seeds), tables.columns(self.policy))
        self._set_accounts(
            Ledger(self.spec.total_months, groups=len(seeds), spending=tables.spending(specs)),
            Recorder(self.spec.total_months, groups=len(seeds), series=tables.series(specs)))
        self.policies = [s.policy for s in specs] if arm == "policy" else None
        self.policy_states = ([p.new_state() for p in self.policies] if self.policy is not None
                              else None)
        self.month = 0
        self.run_agent_months = np.zeros(len(seeds), dtype=np.int64)
        self._handles: dict[int, Freelancer] = {}

    def __getstate__(self) -> dict:
        # each run's ledger and recorder are views of the batch's; a pickle would copy them
        # apart, so they are made again from the batch's after loading
        state = self.__dict__.copy()
        del state["run_ledgers"], state["run_recorders"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._set_accounts(self.ledgers, self.recorders)

    def _set_accounts(self, ledgers: Ledger, recorders: Recorder) -> None:
        """The batch's ledger and recorder (a leading axis of runs) and each run's views."""
        self.ledgers, self.recorders = ledgers, recorders
        self.run_ledgers = [ledgers.group(g) for g in range(len(self.seeds))]
        self.run_recorders = [recorders.group(g) for g in range(len(self.seeds))]

    # a single run's own objects (a batch has one per run: ``run_result(g)``)
    @property
    def seed(self) -> int:
        return self._single("seed", self.seeds)

    @property
    def ledger(self) -> Ledger:
        return self._single("ledger", self.run_ledgers)

    @property
    def recorder(self) -> Recorder:
        return self._single("recorder", self.run_recorders)

    @property
    def policy_state(self):
        return None if self.policy_states is None else self._single("policy_state", self.policy_states)

    @policy_state.setter
    def policy_state(self, state) -> None:
        self._single("policy_state", self.seeds)
        self.policy_states = None if state is None else [state]

    @property
    def agent_months(self) -> int:
        """Agent-months simulated (in a batch: in all runs)."""
        return int(self.run_agent_months.sum())

    def _single(self, name: str, values: list):
        if len(values) != 1:
            raise AttributeError(f"{name}: this model is a batch of {len(self.seeds)} runs; "
                                 "use model.run_result(g) for run g's")
        return values[0]

    def run_result(self, g: int) -> RunView:
        """Run ``g`` of a batch as a model of its own, for the outcome tables (read only)."""
        pop = AgentColumns.__new__(AgentColumns)
        pop.registry = self.pop.group_registry(g)
        return RunView(spec=self.specs[g], seed=self.seeds[g], arm=self.arm, pop=pop,
                       ledger=self.run_ledgers[g], recorder=self.run_recorders[g],
                       agent_months=int(self.run_agent_months[g]), month=self.month)

    def step(self) -> None:
        if self.month >= self.spec.total_months:
            raise RuntimeError("the run is over: no months left in burn-in + horizon")
        active, bounds = self.pop.active, self.pop.bounds
        for g in range(len(self.seeds)):
            self.run_agent_months[g] += np.count_nonzero(active[bounds[g]:bounds[g + 1]])
        monthly_step(self)

    def run(self, months: int | None = None) -> ArmModel:
        end = self.spec.total_months if months is None else min(self.month + months,
                                                                 self.spec.total_months)
        while self.month < end:
            self.step()
        return self

    def state(self) -> dict[str, Any]:
        """Everything needed to continue this run (arrays only; picklable)."""
        agent_months = (int(self.run_agent_months[0]) if len(self.seeds) == 1
                        else self.run_agent_months.copy())
        return {"pop": self.pop, "ledger": self.ledgers, "recorder": self.recorders,
                "month": self.month, "agent_months": agent_months}

    @classmethod
    def from_state(cls, spec, seed: int | list[int], arm: str, state: dict[str, Any]) -> ArmModel:
        """A model of ``arm`` that continues from a copy of ``state``."""
        model = cls(spec, seed, arm)
        model.pop = state["pop"].copy()
        ledger, recorder = state["ledger"].copy(), state["recorder"].copy()
        # the policy arm forks from a baseline state: the policy's columns, every agent at its
        # fill value (and any series or spending line the state's tables lack, at zero)
        extra = set(model.pop.columns) - set(model.pop_columns())
        if extra:
            raise ValueError(f"the {arm} arm cannot start from a state holding the columns "
                             f"{sorted(extra)} of a policy it does not run")
        model.pop.add_columns(model.pop_columns())
        ledger.add_spending(model.ledgers.spending)
        recorder.add_series(model.recorders.series)
        model._set_accounts(ledger, recorder)
        model.month = state["month"]
        model.run_agent_months[:] = state["agent_months"]
        return model

    def start_policy(self) -> None:
        """Run the spec's policy from now on, as the policy arm does after forking (a model
        made as the baseline arm, which the Mesa wrapper switches at the horizon)."""
        self.policy = self.spec.policy
        self.policies = [s.policy for s in self.specs]
        self.policy_states = [p.new_state() for p in self.policies]
        self.pop.add_columns(self.pop_columns())

    def pop_columns(self) -> dict:
        """The agent columns of this arm: the core's, plus its policy's in the policy arm."""
        return tables.columns(self.policy)

    def fork(self, arm: str) -> ArmModel:
        """A second arm that starts from this model's state (used after the shared burn-in)."""
        single = len(self.seeds) == 1
        return ArmModel.from_state(self.specs[0] if single else self.specs,
                                         self.seed if single else self.seeds, arm, self.state())

    def freelancer(self, uid: int) -> Freelancer:
        """The Mesa agent of ``uid``, registered with this model on first use."""
        if not 0 <= uid < self.pop.n_ever:
            raise KeyError(f"no freelancer with uid {uid}")
        handle = self._handles.get(uid)
        if handle is None:
            handle = self._handles[uid] = Freelancer(self, uid)
        return handle

    def register_handles(self) -> mesa.agent.AgentSet:
        """Register a Mesa agent for every active freelancer (for Mesa tools); outside the step."""
        missing = [int(u) for u in self.pop.uid[self.pop.active] if int(u) not in self._handles]
        for uid in missing:
            self.freelancer(uid)
        return self.agents_by_type[Freelancer]
