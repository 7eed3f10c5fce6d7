"""Health rule: episodes of ill health (monthly step, phase ``health``).

Default rule ``StressEpisodes`` (behaviour.md B.4): a baseline monthly onset of 0.5%, raised by
precarity (job insecurity, OR 1.29, Kim & von dem Knesebeck 2016) and by repeated income drops
(two or more drops of 25% within 12 months, x1.5, after Elfassy et al. 2019). The core multiplies
the probability by the policy's ``onset_hr``. An episode costs public care
(``country.health_cost_per_episode``) and ``episode_months`` months without work.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.core.jit import kernel, popcount
from sim.model.core.params import param
from sim.model.core.population import LAST_12_MONTHS
from sim.model.rules.base import HealthRule


@dataclass(frozen=True)
class StressEpisodes(HealthRule):
    onset: float = param("probability/month", 0, 1, "baseline onset of an episode")
    insecurity_or: float = param("ratio", 0, 10, "multiplier in a precarious month")
    drops_or: float = param("ratio", 0, 10, "multiplier after repeated income drops")
    drops_needed: int = param("drops", 1, 12, "drops within 12 months that count as repeated")
    episode_months: int = param("months", 1, 24, "months of work lost per episode")

    per_run = ("insecurity_or",)  # may differ between runs of a batch (sim/model/core/runs.py)

    def onset_probability(self, pop, ctx) -> np.ndarray:
        """Monthly onset probability per row (the core draws the onsets,
        ``sim/model/core/decisions.py``)."""
        return _onset_probability(ctx.precarious, pop.drop_bits, pop.sick_months_left, pop.group,
                                  self.onset, ctx.runs.values("health", "insecurity_or"),
                                  self.drops_needed, self.drops_or, np.empty(len(pop)))


@kernel
def _onset_probability(precarious, drop_bits, sick_months_left, group, onset, insecurity_or,
                       drops_needed, drops_or, out):
    """Onset probability per row, with selects and products rather than early exits (the
    conditions are as good as random per row); ``insecurity_or`` holds one value per run
    (``group``)."""
    for i in range(out.size):
        p = onset * (1.0 + (insecurity_or[group[i]] - 1.0) * precarious[i])
        p *= drops_or if popcount(drop_bits[i] & LAST_12_MONTHS) >= drops_needed else 1.0
        out[i] = min(p, 1.0) * (sick_months_left[i] == 0)  # none while an episode runs
    return out
