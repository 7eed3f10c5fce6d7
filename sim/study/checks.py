"""The whole check of a config before a study runs it: the model config, and for a design study
the values its draws will set.

Where it sits: the study layer's gate. ``python -m sim``'s pre-flight (``sim/cli/preflight.py``)
calls it for every job before the first runs, each sweep job (``sim/study/sweep.py``) and the
single run (``sim/cli/main.py``) again before they write anything. It imports nothing heavy
unless the config holds an uncertainty design, so a bad value is refused in a fraction of a second.
"""

from __future__ import annotations

from omegaconf import DictConfig

from sim.run.config import build_spec


def checked_spec(cfg: DictConfig):
    """``build_spec(cfg)``, and for an uncertainty design the values its draws will set (the
    lowest and highest draw of each parameter must give a valid model config), before anything
    runs."""
    spec_run = build_spec(cfg)
    if cfg.get("uncertainty") is not None:
        from sim.study.uncertainty import check_design

        check_design(cfg)
    return spec_run
