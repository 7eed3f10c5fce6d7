"""The model as Mesa users expect it: keyword parameters, ``step()`` = one month, a DataCollector.

Where it sits: above the model layer, because building a model from keyword overrides composes
the config (Hydra), which ``sim.model`` may not import. ``sim.FreelanceModel`` is this class; the
model-layer ``sim.model.freelance.ArmModel(spec, seed, arm)`` stays what the paired runs
use.

One instance is **one arm** of the paired comparison (``arm="policy"``, the default, or
``"baseline"``), simulated month by month: the shared burn-in without the alliance, then the
horizon with it (the alliance starts exactly as in ``run_pair``, so for the same seed and
overrides the outcomes equal ``run_model``'s ``alliance.<outcome>`` / ``baseline.<outcome>``
bit for bit). ``self.running`` turns False after the last month, so ``mesa.batch_run`` with its
default ``max_steps`` runs a model to the end::

    import mesa
    from sim import FreelanceModel

    rows = mesa.batch_run(FreelanceModel, parameters={"policy.funding_m": [0, 40],
                                                      "seed": [0, 1]},
                          data_collection_period=-1, display_progress=False)

Parameters are the command line's keys, dotted names passed as keyword arguments
(``FreelanceModel(seed=1, **{"policy.funding_m": 80})``; ``policy__funding_m=80`` is the
same key spelled as an identifier), and group choices (``sector="dance"``). The seed is the
``seed`` keyword, or Mesa's ``rng`` (an integer, or anything ``numpy.random.default_rng``
accepts); with neither, a seed is drawn from the operating system's entropy, as Mesa does, and
kept in ``model.seed`` and the ``seed`` reporter. ``seed`` is deliberately not a named argument
of ``__init__``: ``mesa.batch_run`` would then pass its own ``rng`` value under that name and
overwrite the seeds listed in ``parameters``.

The DataCollector's model reporters (``REPORTERS``) are the month just simulated (people and
money in real units, like every table of the package) and, after the last month, the stable
outcomes of ``sim.model.outcomes.OUTCOMES`` for this arm (NaN before). Effects are differences
of two arms of the same seed: run ``arm`` over ``["baseline", "policy"]`` and subtract per
seed (common random numbers make that the paired effect ``run_model`` reports).

Agents: ``model.agents`` holds one ``Freelancer`` handle per active freelancer. Handles are
synchronised with the columns when ``agents`` (or ``agents_by_type``) is read, not inside the
monthly step, so a run that never looks at them pays nothing for them (docs/benchmarks.md, "Mesa
handles").
"""

from __future__ import annotations

import functools
import math
from typing import Any

import mesa
import numpy as np

from sim.model import freelance
from sim.model.core.ledger import FLOWS
from sim.model.core.params import ConfigError
from sim.model.core.recorder import NOT_TOTALS
from sim.model.outcomes import OUTCOMES, arm_outcomes
from sim.run.config import build_spec, compose_config, dotted
from sim.run.paired import check_seed

# monthly model reporters: name -> (unit, meaning); people and money in real units
MONTHLY: dict[str, tuple[str, str]] = {
    "horizon_month": ("months", "month just simulated, counted from the start of the horizon "
                                "(negative in the burn-in)"),
    "active": ("people", "freelancers in the sector"),
    "experienced": ("people", "active with 10 or more years in the profession"),
    "engaged": ("people", "active with an outside engagement"),
    "reached": ("people", "people the policy supports (its description's reach_series; NaN: "
                          "it names none)"),
    "entrants": ("people", "new entrants this month"),
    "exits": ("people", "freelancers who left this month"),
    "births": ("births", "births to active freelancers this month"),
    "mean_income": ("currency/month", "mean earned income of the active"),
    "policy_spend": ("currency/month", "the policy's spending this month"),
    "public_cost": ("currency/month", "net public cost this month (as public_cost_m, per month)"),
}
REPORTERS: dict[str, tuple[str, str]] = {
    "seed": ("-", "the seed of the run"),
    "arm": ("-", "baseline (no policy) or policy"),
    **MONTHLY,
    **{name: (unit, f"{meaning} (after the last month; NaN before)")
       for name, (unit, meaning) in OUTCOMES.items()},
}


RNG = ("an integer seed in [0, 2,147,483,647], a numpy Generator or SeedSequence, or None "
       "(a seed from the operating system's entropy)")


def _seed(seed: Any, rng: Any) -> int:
    if seed is not None and rng is not None:
        raise ConfigError("rng", _kind(rng), f"None when seed is given (seed={seed!r}): pass "
                          "either seed or rng, not both")
    if seed is not None:
        return check_seed(seed)
    if isinstance(rng, int | np.integer | bool | np.bool_ | float | np.floating):
        return check_seed(rng, "rng")
    if rng is not None and not isinstance(rng, np.random.Generator | np.random.SeedSequence
                                          | np.random.BitGenerator):
        raise ConfigError("rng", _kind(rng), RNG)
    # None (OS entropy, as Mesa does), a Generator, a SeedSequence: one integer seed from it
    return int(np.random.default_rng(rng).integers(2**31 - 1))


def _kind(value: Any) -> Any:
    """``value`` for a message about its type: short values as they are, others by type."""
    return value if len(repr(value)) <= 60 else f"<{type(value).__name__}>"


class FreelanceModel(freelance.ArmModel):
    """One arm of the freelance sector, built from command-line style keyword overrides.

    Args:
        rng: Mesa's seed argument (used when ``seed`` is not given).
        arm (str): ``"policy"`` (default) or ``"baseline"`` (no alliance).
        **overrides: ``seed`` and config keys, e.g. ``**{"policy.funding_m": 40}``,
            ``population__scale=4``, ``sector="dance"``. A bad key or value raises
            ``ConfigError`` before anything is simulated.

    **Examples**::

        model = FreelanceModel(seed=1, **{"population.scale": 10})
        model.step()                      # one month
        model.run_model()                 # to the end of the horizon
        model.datacollector.get_model_vars_dataframe()
    """

    def __init__(self, rng: Any = None, arm: str = "policy", **overrides: Any):
        if not isinstance(arm, str) or arm not in freelance.ARMS:
            raise ConfigError("arm", _kind(arm), "one of " + ", ".join(freelance.ARMS))
        seed = _seed(overrides.pop("seed", None), rng)
        keys = [dotted(k) for k in overrides]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ConfigError(twice[0], None, "one value per key (given twice: dotted and "
                              "spelled with '__')")
        self.overrides = dict(zip(keys, overrides.values(), strict=True))
        spec, _ = build_spec(compose_config(self.overrides))
        # the burn-in is the baseline's, shared by both arms; the alliance starts with the horizon
        super().__init__(spec, seed, "baseline")
        self.arm = arm
        self._outcomes: dict[str, float] | None = None
        self._synced: tuple[int, int] | None = None
        self._registered: dict[int, freelance.Freelancer] = {}  # uid -> handle in self.agents
        self.datacollector = mesa.DataCollector(model_reporters={
            "seed": "seed", "arm": "arm",
            **{name: functools.partial(_monthly, name) for name in MONTHLY},  # picklable
            **{name: functools.partial(_outcome, name) for name in OUTCOMES}})

    @classmethod
    def from_state(cls, spec, seed: int, arm: str, state: dict[str, Any]) -> freelance.ArmModel:
        """A model-layer model continuing from ``state`` (as ``sim.model.freelance``'s)."""
        return freelance.ArmModel.from_state(spec, seed, arm, state)

    def step(self) -> None:
        """Simulate one month, collect the reporters; ``running`` is False after the last."""
        if self.month == self.spec.burn_in_months and self.arm == "policy" and self.policy is None:
            self.start_policy()  # as run_pair forks the policy arm here
        super().step()
        if self.month >= self.spec.total_months:
            self.running = False
        self.datacollector.collect(self)

    def outcomes(self) -> dict[str, float]:
        """This arm's stable outcomes (``sim.model.outcomes.OUTCOMES``) once the run is over."""
        if self.month < self.spec.total_months:
            raise RuntimeError(f"the run is not over: month {self.month} of "
                               f"{self.spec.total_months}; outcomes cover the whole horizon")
        if self._outcomes is None:
            self._outcomes = arm_outcomes(self)
        return self._outcomes

    # --- agents: handles synchronised on demand, never inside the step ---

    @property
    def agents(self) -> mesa.agent.AgentSet:
        """One ``Freelancer`` handle per active freelancer (registered when first read)."""
        self._sync_handles()
        return super().agents

    @property
    def agents_by_type(self) -> dict[type, mesa.agent.AgentSet]:
        self._sync_handles()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        self._sync_handles()
        return super().agent_types

    def _sync_handles(self) -> None:
        """Register handles of freelancers who are active and remove those of leavers (cost:
        about 20 us per change; nothing when nothing changed since the last read)."""
        if self._synced == (self.month, len(self._all_agents)):
            return
        active = self.pop.uid[self.pop.active]
        have = np.fromiter(self._registered, dtype=np.int64, count=len(self._registered))
        for uid in np.setdiff1d(have, active, assume_unique=True).tolist():
            self._registered.pop(uid).remove()  # the handle stays readable (registry values)
        for uid in np.setdiff1d(active, have, assume_unique=True).tolist():
            self.freelancer(uid)
        self._synced = (self.month, len(self._all_agents))

    def freelancer(self, uid: int) -> freelance.Freelancer:
        """The handle of ``uid``, active or not; only active freelancers' are in ``agents``."""
        handle = super().freelancer(uid)  # a new handle registers itself
        row = self.pop.row(handle.uid)
        if row >= 0 and self.pop.active[row]:
            if handle not in self._all_agents:
                self.register_agent(handle)
            self._registered[handle.uid] = handle
        elif handle in self._all_agents:  # a leaver's handle: readable, not in agents
            handle.remove()
            self._registered.pop(handle.uid, None)
        return handle


def _monthly(name: str, model: FreelanceModel) -> float:
    """Reporter: the monthly series ``name`` of the month just simulated (NaN before the first)."""
    m = model.month - 1
    if m < 0:
        return math.nan
    if name == "horizon_month":
        return m - model.spec.burn_in_months
    scale = model.spec.population.scale
    if name == "public_cost":
        return float(sum(sign * model.ledger.flows[k][m] for k, (sign, _) in FLOWS.items()) * scale)
    if name == "policy_spend":
        return float(sum(v[m] for v in model.ledger.spending.values()) * scale)
    if name == "reached":
        series = model.spec.policy.describe(model.spec).reach_series
        if not series or series not in model.recorder.series:
            return math.nan
        name = series
    value = float(model.recorder.series[name][m])
    return value if name in NOT_TOTALS else value * scale


def _outcome(name: str, model: FreelanceModel) -> float:
    """Reporter: this arm's outcome ``name`` after the last month (NaN before)."""
    return model.outcomes()[name] if model.month >= model.spec.total_months else math.nan
