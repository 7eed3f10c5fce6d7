"""Admission rule: who the alliance hires (yearly, phase ``alliance_year``).

Default rule ``SeniorityQueue``, after TeaterAlliansen's rules (teateralliansen.se/anstallning):
eligible are freelancers with recent work (``recent_min_engaged`` engaged months in the last
``recent_window_months``) and enough qualifying time in the profession; places go strictly by
qualifying time, without artistic assessment. Ties are broken by the ``admission_tiebreak``
stream.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.core.params import param
from sim.model.rules.base import AdmissionRule, engaged_in_last


@dataclass(frozen=True)
class SeniorityQueue(AdmissionRule):
    recent_window_months: int = param("months", 1, 64, "window of the recent-work test")
    recent_min_engaged: int = param("months", 0, 64, "engaged months needed in the window")
    min_qualifying_months: int = param("months", 0, 600, "engaged months in the profession")
    max_age: float = param("years", 16, 100, "oldest age at admission")

    def check(self, path: str) -> None:
        from sim.model.core.params import ConfigError

        if self.recent_min_engaged > self.recent_window_months:
            raise ConfigError(f"{path}.recent_min_engaged", self.recent_min_engaged,
                              f"at most {path}.recent_window_months ({self.recent_window_months})")

    def eligible(self, pop, ctx) -> np.ndarray:
        recent = engaged_in_last(pop.engaged_bits, self.recent_window_months)
        return (pop.active & ~pop.member & (recent >= self.recent_min_engaged)
                & (pop.qualifying_months >= self.min_qualifying_months)
                & (pop.age_months < self.max_age * 12))

    def select(self, pop, ctx, places: int) -> np.ndarray:
        rows = np.flatnonzero(self.eligible(pop, ctx))
        if places <= 0 or rows.size == 0:
            return rows[:0]
        # rank: most qualifying months first, ties by lottery; months are whole numbers and the
        # tie-break is in [0, 1), so one key orders both; a partial sort finds the top places.
        # (Subtracting up to ~600 months keeps ~43 of the draw's 53 bits: two applicants tie
        # exactly with probability ~1e-13 per pair, then the row order decides.)
        rank = ctx.uniform("admission_tiebreak")[rows] - pop.qualifying_months[rows]
        top = np.argpartition(rank, places - 1)[:places] if places < rows.size else slice(None)
        chosen = rows[top]
        return chosen[np.argsort(rank[top], kind="stable")]
