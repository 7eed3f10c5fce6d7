"""A null exit rule: the same monthly hazard for everyone (monthly step, phase ``exit``).

Also the worked example of the README: a researcher's rule is one class in one file plus one
YAML file (``configs/exit/constant.yaml``), selected with ``exit=constant``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.core.params import param
from sim.model.rules.base import ExitRule


@dataclass(frozen=True)
class ConstantHazardExit(ExitRule):
    monthly_hazard: float = param("probability/month", 0, 1, "exit probability every month")

    def hazard(self, pop, ctx) -> tuple[np.ndarray, np.ndarray]:
        total = np.full(len(pop), self.monthly_hazard)
        return total, np.zeros(len(pop))
