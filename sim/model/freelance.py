"""Mesa model and agents: thin object handles over the array core.

Where it sits: ``FreelanceModel`` is a ``mesa.Model`` whose ``step()`` runs one month of
``sim/model/core/loop.py`` on the columns in ``sim/model/core/population.py``. A ``Freelancer`` is a
``mesa.Agent`` that stores only its uid; reading any attribute (``agent.buffer``,
``agent.member``) reads that agent's row, so there is one copy of the state and one
implementation of every rule.

Handles are created on demand (``model.freelancer(uid)``, ``model.register_handles()``) and are
then registered with the model like any Mesa agent. They are not created eagerly inside the
monthly step: registering one Mesa agent costs about 18 microseconds here, more than the whole
budget of simulating one agent for a month (see docs/benchmarks.md).
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from sim.model.core.ledger import Ledger
from sim.model.core.loop import monthly_step
from sim.model.core.population import COLUMNS, EXIT_REASONS, REGISTRY, Population
from sim.model.core.recorder import Recorder
from sim.model.core.rng import Streams

ARMS = ("baseline", "alliance")


class Freelancer(mesa.Agent):
    """Handle onto one freelancer's row; attributes are the columns of ``Population``."""

    def __init__(self, model: FreelanceModel, uid: int):
        super().__init__(model)
        self.uid = int(uid)

    def __getattr__(self, name: str) -> Any:
        if name in COLUMNS or name in REGISTRY:
            pop = self.__dict__["model"].pop
            row = pop.row(self.__dict__["uid"])
            if row >= 0 and name in COLUMNS:
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
        return {name: getattr(self, name) for name in COLUMNS if self.model.pop.row(self.uid) >= 0}


class FreelanceModel(mesa.Model):
    """One arm of the comparison: a freelance sector with or without the policy (the alliance)."""

    def __init__(self, spec, seed: int, arm: str = "baseline"):
        if arm not in ARMS:
            raise ValueError(f"arm must be one of {ARMS}, got {arm!r}")
        super().__init__(rng=seed)
        self.spec, self.seed, self.arm = spec, int(seed), arm
        self.streams = Streams(seed)
        self.rules = spec.rules
        self.pop = Population()
        self.ledger = Ledger(spec.total_months)
        self.recorder = Recorder(spec.total_months)
        # the alliance arm runs the spec's policy; the baseline arm runs none
        self.policy = spec.alliance if arm == "alliance" else None
        self.policy_state = self.policy.new_state() if self.policy is not None else None
        self.month = 0
        self.agent_months = 0
        self._handles: dict[int, Freelancer] = {}

    def step(self) -> None:
        if self.month >= self.spec.total_months:
            raise RuntimeError("the run is over: no months left in burn-in + horizon")
        self.agent_months += int(np.count_nonzero(self.pop.active))
        monthly_step(self)

    def run(self, months: int | None = None) -> FreelanceModel:
        end = self.spec.total_months if months is None else min(self.month + months,
                                                                 self.spec.total_months)
        while self.month < end:
            self.step()
        return self

    def state(self) -> dict[str, Any]:
        """Everything needed to continue this run (arrays only; picklable)."""
        return {"pop": self.pop, "ledger": self.ledger, "recorder": self.recorder,
                "month": self.month, "agent_months": self.agent_months}

    @classmethod
    def from_state(cls, spec, seed: int, arm: str, state: dict[str, Any]) -> FreelanceModel:
        """A model of ``arm`` that continues from a copy of ``state``."""
        model = cls(spec, seed, arm)
        model.pop, model.ledger = state["pop"].copy(), state["ledger"].copy()
        model.recorder = state["recorder"].copy()
        model.month, model.agent_months = state["month"], state["agent_months"]
        return model

    def fork(self, arm: str) -> FreelanceModel:
        """A second arm that starts from this model's state (used after the shared burn-in)."""
        return FreelanceModel.from_state(self.spec, self.seed, arm, self.state())

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
