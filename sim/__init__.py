"""Freelance careers with and without a state-funded alliance: an agent-based model.

The package has five layers, each importing only those before it (tests/test_layers.py):

- ``sim.model``  the simulation: agent columns, the monthly step, behavioural rules, the
  alliance policy, parameters and outcomes (numpy, numba and Mesa; no Hydra, no charts);
- ``sim.run``    one run and many: composing and checking the config, paired runs, batches,
  the baseline cache, the files a run writes, the Mesa model;
- ``sim.study``  questions asked of many runs: sweeps, aggregation, validation, calibration,
  sensitivity, uncertainty, PRIM;
- ``sim.report`` what readers see: charts, briefs and the parameter tables of docs/model.md;
- ``sim.cli`` and ``sim.app``: the command line (``python -m sim`` and its helpers) and the app.

Public entry points (what notebooks, EMA Workbench and SALib call):

- ``run_model(seed=..., **overrides)`` — one paired run, flat dict of outcomes;
- ``run_many(runs)`` — many paired runs (dicts like run_model's arguments), one row each;
- ``run_pair(spec, seed)`` — the two arms as model-layer ``ArmModel`` objects;
- ``FreelanceModel(seed=..., **overrides)`` — one arm as a Mesa model (``mesa.batch_run``, a
  ``DataCollector``, ``step()`` = one month; ``sim/run/mesa_model.py``);
- ``compose_config(overrides)`` / ``build_spec(cfg)`` — the config the CLI would use.
"""

from importlib import import_module

# Loaded on first use (PEP 562), so `python -m sim --help` and the pre-flight checks answer
# before numpy, pandas, Mesa and numba are imported.
_EXPORTS = {"ConfigError": "sim.model.core.params", "FreelanceModel": "sim.run.mesa_model",
            "Freelancer": "sim.model.freelance", "OUTCOMES": "sim.model.catalogue",
            "build_spec": "sim.run.config", "compose_config": "sim.run.config",
            "run_model": "sim.run.paired", "run_pair": "sim.run.paired",
            "run_many": "sim.run.many"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
