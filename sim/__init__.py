"""Freelance careers with and without a state-funded alliance: an agent-based model.

The package has three layers, each importing only those before it:

- ``sim.model``  the simulation: agent columns, the monthly step, behavioural rules, the
  alliance policy, parameters and outcomes (numpy, numba and Mesa; no Hydra, no charts);
- ``sim.study``  what runs the model: config composition and checks, paired runs, the command
  line, sweeps, the baseline cache, aggregation, validation, calibration, sensitivity;
- ``sim.report`` what readers see: charts, briefs and the parameter tables of docs/model.md.

Public entry points (what notebooks, EMA Workbench and SALib call):

- ``run_model(seed=..., **overrides)`` — one paired run, flat dict of outcomes;
- ``run_pair(spec, seed)`` — the two arms as model-layer ``FreelanceModel`` objects;
- ``FreelanceModel(seed=..., **overrides)`` — one arm as a Mesa model (``mesa.batch_run``, a
  ``DataCollector``, ``step()`` = one month; ``sim/study/mesa_model.py``);
- ``compose_config(overrides)`` / ``build_spec(cfg)`` — the config the CLI would use.
"""

from sim.model.core.params import ConfigError
from sim.model.freelance import Freelancer
from sim.model.outcomes import OUTCOMES
from sim.study.config import build_spec, compose_config
from sim.study.mesa_model import FreelanceModel
from sim.study.paired import run_model, run_pair

__all__ = ["ConfigError", "FreelanceModel", "Freelancer", "OUTCOMES", "build_spec",
           "compose_config", "run_model", "run_pair"]
