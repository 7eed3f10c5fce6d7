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

from sim.core.params import param
from sim.rules.base import HealthRule, ratio_if


@dataclass(frozen=True)
class StressEpisodes(HealthRule):
    onset: float = param("probability/month", 0, 1, "baseline onset of an episode")
    insecurity_or: float = param("ratio", 0, 10, "multiplier in a precarious month")
    drops_or: float = param("ratio", 0, 10, "multiplier after repeated income drops")
    drops_needed: int = param("drops", 1, 12, "drops within 12 months that count as repeated")
    member_relief: float = param("share", 0, 1, "part of the precarity excess removed for members")
    episode_months: int = param("months", 1, 24, "months of work lost per episode")

    def onset_probability(self, pop, ctx) -> np.ndarray:
        excess = (self.insecurity_or - 1) * ratio_if(pop.member, 1 - self.member_relief)
        p = self.onset * (1.0 + excess * ctx.precarious)
        drops = np.bitwise_count(pop.drop_bits & np.uint64(0xFFF))
        p *= ratio_if(drops >= self.drops_needed, self.drops_or)
        return np.minimum(p, 1.0) * (pop.sick_months_left == 0)

    def start_episodes(self, pop, ctx) -> np.ndarray:
        return ctx.uniform("health_onset") < self.onset_probability(pop, ctx)
