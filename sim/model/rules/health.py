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

from sim.model.core.jit import inline, kernel, popcount
from sim.model.core.params import param
from sim.model.core.population import LAST_12_MONTHS
from sim.model.core.rng import uniform_at
from sim.model.rules.base import HealthRule


@dataclass(frozen=True)
class StressEpisodes(HealthRule):
    onset: float = param("probability/month", 0, 1, "baseline onset of an episode")
    insecurity_or: float = param("ratio", 0, 10, "multiplier in a precarious month")
    drops_or: float = param("ratio", 0, 10, "multiplier after repeated income drops")
    drops_needed: int = param("drops", 1, 12, "drops within 12 months that count as repeated")
    member_relief: float = param("share", 0, 1, "part of the precarity excess removed for members")
    episode_months: int = param("months", 1, 24, "months of work lost per episode")

    def onset_probability(self, pop, ctx) -> np.ndarray:
        """Monthly onset probability per row. ``start_episodes`` draws against the same per-row
        formula (``_onset``) in one pass; a subclass changing it overrides both."""
        return _onset_probability(pop.member, ctx.precarious, pop.drop_bits, pop.sick_months_left,
                                  *self._params(), np.empty(len(pop)))

    def start_episodes(self, pop, ctx) -> np.ndarray:
        # the same probability as onset_probability, drawn against in the same pass
        return _start_episodes(pop.member, ctx.precarious, pop.drop_bits, pop.sick_months_left,
                               *self._params(), *ctx.stream("health_onset"),
                               np.empty(len(pop), dtype=np.bool_))

    def _params(self) -> tuple:
        return self.onset, self.insecurity_or, self.member_relief, self.drops_needed, self.drops_or


@inline
def _onset(member, precarious, drop_bits, sick_months_left, onset, insecurity_or, member_relief,
           drops_needed, drops_or):
    """Onset probability of one row, with selects and products rather than early exits (the
    conditions are as good as random per row)."""
    excess = (insecurity_or - 1.0) * (1.0 - member_relief if member else 1.0)
    p = onset * (1.0 + excess * precarious)
    p *= drops_or if popcount(drop_bits & LAST_12_MONTHS) >= drops_needed else 1.0
    return min(p, 1.0) * (sick_months_left == 0)  # none while an episode runs


@kernel
def _onset_probability(member, precarious, drop_bits, sick_months_left, onset, insecurity_or,
                       member_relief, drops_needed, drops_or, out):
    for i in range(out.size):
        out[i] = _onset(member[i], precarious[i], drop_bits[i], sick_months_left[i], onset,
                        insecurity_or, member_relief, drops_needed, drops_or)
    return out


@kernel
def _start_episodes(member, precarious, drop_bits, sick_months_left, onset, insecurity_or,
                    member_relief, drops_needed, drops_or, counter, key, out):
    for i in range(out.size):
        out[i] = uniform_at(counter[i], key) < _onset(
            member[i], precarious[i], drop_bits[i], sick_months_left[i], onset, insecurity_or,
            member_relief, drops_needed, drops_or)
    return out
