"""Health rule: episodes of ill health (monthly step, phase ``health``).

Default rule ``StressEpisodes``: depressive episodes that lead to sick leave
(behaviour.md B.18-B.19).

* **Onset:** a baseline monthly onset of 0.5%, raised by precarity (job insecurity, OR 1.29,
  Kim & von dem Knesebeck 2016) and by repeated income drops (two or more drops of 25% within
  12 months, x1.5, after Elfassy et al. 2019). The precarity term is weighted by the row's
  ``insecurity_share``, the share of the penalty it bears: 1 for a freelancer, less for someone
  whose income a policy secures (the alliance's members, ``member_insecurity_share``). The core
  multiplies the probability by the policy's ``onset_hr``.
* **Length:** a mixture of two geometric distributions of whole months, drawn at onset: most
  spells are short (mean ``short_months``), a share ``long_share`` are long (mean
  ``long_months``), none longer than ``max_months``. Swedish register data on sick leave for a
  depressive episode (F32) show most spells ending within about 4 months and about a fifth
  still under way after a year (docs/sources.md#sickness).
* **Cost:** each episode costs public care (``country.health_cost_per_episode``); each month of
  it is a month without work, paid by sickness benefit from the country's first public day
  (``sim/model/core/finance.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.core.columns import LAST_12_MONTHS
from sim.model.core.jit import inline, kernel, popcount
from sim.model.core.params import param
from sim.model.core.rng import uniform_at
from sim.model.rules.base import HealthRule


@dataclass(frozen=True)
class StressEpisodes(HealthRule):
    onset: float = param("probability/month", 0, 1, "baseline onset of an episode")
    insecurity_or: float = param("ratio", 0, 10, "multiplier in a precarious month")
    drops_or: float = param("ratio", 0, 10, "multiplier after repeated income drops")
    drops_needed: int = param("drops", 1, 12, "drops within 12 months that count as repeated")
    short_months: float = param("months", 1, 24, "mean length of a short episode")
    long_share: float = param("share", 0, 1, "share of episodes that are long")
    long_months: float = param("months", 1, 120, "mean length of a long episode")
    max_months: int = param("months", 1, 120, "no episode lasts longer")

    per_run = ("insecurity_or", "long_share")  # may differ between runs of a batch (per_run.py)

    def onset_probability(self, pop, ctx) -> np.ndarray:
        """Monthly onset probability per row (the core draws the onsets,
        ``sim/model/core/decisions.py``)."""
        return _onset_probability(ctx.precarious, pop.insecurity_share, pop.drop_bits,
                                  pop.sick_months_left, pop.group, self.onset,
                                  ctx.runs.values("health", "insecurity_or"), self.drops_needed,
                                  self.drops_or, np.empty(len(pop)))

    def spell_months(self, pop, ctx, starts) -> np.ndarray:
        """Length of each starting episode: long with probability ``long_share`` (stream
        ``health_spell_kind``), then a geometric number of months with the kind's mean (stream
        ``health_spell_length``), capped at ``max_months``."""
        kind_counter, kind_key = ctx.stream("health_spell_kind")
        length_counter, length_key = ctx.stream("health_spell_length")
        return _spell_months(starts, pop.group, kind_counter, kind_key, length_counter,
                             length_key, ctx.runs.values("health", "long_share"),
                             self.short_months, self.long_months, self.max_months,
                             np.zeros(len(pop), dtype=np.int16))


@kernel
def _onset_probability(precarious, insecurity_share, drop_bits, sick_months_left, group, onset,
                       insecurity_or, drops_needed, drops_or, out):
    """Onset probability per row, with selects and products rather than early exits (the
    conditions are as good as random per row); ``insecurity_or`` holds one value per run
    (``group``)."""
    for i in range(out.size):
        excess = (insecurity_or[group[i]] - 1.0) * insecurity_share[i]
        p = onset * (1.0 + excess * precarious[i])
        p *= drops_or if popcount(drop_bits[i] & LAST_12_MONTHS) >= drops_needed else 1.0
        out[i] = min(p, 1.0) * (sick_months_left[i] == 0)  # none while an episode runs
    return out


@inline
def geometric_months(u, mean):
    """Whole months >= 1 from a geometric distribution with ``mean`` (the month an episode
    ends has probability 1 / mean), by inversion of the uniform ``u``."""
    if mean <= 1.0:
        return 1
    return 1 + int(np.floor(np.log1p(-u) / np.log1p(-1.0 / mean)))


@kernel
def _spell_months(starts, group, kind_counter, kind_key, length_counter, length_key, long_share,
                  short_months, long_months, max_months, out):
    for i in range(out.size):
        if not starts[i]:
            continue
        long = uniform_at(kind_counter[i], kind_key) < long_share[group[i]]
        mean = long_months if long else short_months
        out[i] = min(geometric_months(uniform_at(length_counter[i], length_key), mean), max_months)
    return out
