"""Health rule: episodes of ill health (monthly step, phase ``health``).

Default rule ``StressEpisodes`` (behaviour.md B.4): a baseline monthly onset of 0.5%, raised by
precarity (job insecurity, OR 1.29, Kim & von dem Knesebeck 2016) and by repeated income drops
(two or more drops of 25% within 12 months, x1.5, after Elfassy et al. 2019). Alliance membership
removes ``member_relief`` of the precarity excess. An episode costs public care
(``country.health_cost_per_episode``) and ``episode_months`` months without work.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core.jit import kernel, popcount
from sim.core.params import param
from sim.rules.base import HealthRule


@dataclass(frozen=True)
class StressEpisodes(HealthRule):
    onset: float = param("probability/month", 0, 1, "baseline onset of an episode")
    insecurity_or: float = param("ratio", 0, 10, "multiplier in a precarious month")
    drops_or: float = param("ratio", 0, 10, "multiplier after repeated income drops")
    drops_needed: int = param("drops", 1, 12, "drops within 12 months that count as repeated")
    member_relief: float = param("share", 0, 1, "part of the precarity excess removed for members")
    episode_months: int = param("months", 1, 24, "months of work lost per episode")

    def onset_probability(self, pop, ctx) -> np.ndarray:
        return _onset_probability(pop.member, ctx.precarious, pop.drop_bits, pop.sick_months_left,
                                  onset=self.onset, insecurity_or=self.insecurity_or,
                                  member_relief=self.member_relief, drops_needed=self.drops_needed,
                                  drops_or=self.drops_or, out=np.empty(len(pop)))

    def start_episodes(self, pop, ctx) -> np.ndarray:
        return ctx.happens("health_onset", self.onset_probability(pop, ctx))


@kernel
def _onset_probability(member, precarious, drop_bits, sick_months_left, *, onset, insecurity_or,
                       member_relief, drops_needed, drops_or, out):
    last_12 = np.uint64(0xFFF)
    excess = insecurity_or - 1.0
    for i in range(out.size):  # branch-free: the conditions are as good as random per row
        p = onset * (1.0 + excess * (1.0 - member_relief if member[i] else 1.0) * precarious[i])
        p *= drops_or if popcount(drop_bits[i] & last_12) >= drops_needed else 1.0
        out[i] = min(p, 1.0) * (sick_months_left[i] == 0)  # none while an episode runs
    return out
