"""Freelance careers with and without a state-funded alliance: an agent-based model.

Public entry points (what notebooks, EMA Workbench and SALib call):

- ``run_model(seed=..., **overrides)`` — one paired run, flat dict of outcomes;
- ``run_pair(spec, seed)`` — the two arms as ``FreelanceModel`` objects;
- ``compose_config(overrides)`` / ``build_spec(cfg)`` — the config the CLI would use.
"""

from sim.config import build_spec, compose_config
from sim.core.params import ConfigError
from sim.experiment import run_model, run_pair
from sim.model import FreelanceModel, Freelancer
from sim.outcomes import OUTCOMES

__all__ = ["ConfigError", "FreelanceModel", "Freelancer", "OUTCOMES", "build_spec",
           "compose_config", "run_model", "run_pair"]
