"""Admission rule: who the alliance hires at a hiring round (yearly, phase ``policy_year``).

Default rule ``QualifyingWindows``, after the real alliances' published rules: qualifying time
is counted *inside windows*, never over a whole career.

* TeaterAlliansen: at least 12 months of employment in the last 3 years and 5 years in the last
  15; applicants ranked strictly by qualifying time, no artistic assessment
  (teateralliansen.se/anstallning).
* Dansalliansen: 8 months in the last 2 years and 14 in the last 6; the window start may be
  pushed back up to 2 years for sickness or parental leave; a track for young dancers
  (dansalliansen.se/anstallning-av-dansare).
* Musikalliansen: ranked by professional activity over 5 years (musikalliansen.se).
* SKUDA: professional work over the last 8 years (actors) or 6 years (dancers) (skuda.no).

Eligible: active non-members below ``max_age`` with ``recent_min_engaged`` engaged months in
the last ``recent_window_months`` and ``long_min_engaged`` in the last ``long_window_months``.
Every window is extended by the months on leave inside it, up to ``leave_extension_months``.
Ranking: engaged months in the last ``rank_window_months``, ties by the ``admission_tiebreak``
lottery. An early-career track reserves ``reserved_share`` of a round's places for applicants
younger than ``reserved_max_age`` who meet the recent test and a relaxed long test
(``reserved_long_min_engaged``); places they do not fill go to the general queue. Ranking inside
a window favours active mid-career artists; ranking by lifetime qualifying time, as this model
did before, favoured the oldest (alliances-2.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.core.params import ConfigError, param
from sim.model.rules.base import HISTORY_MONTHS, AdmissionRule, window_counts


@dataclass(frozen=True)
class QualifyingWindows(AdmissionRule):
    recent_window_months: int = param("months", 1, HISTORY_MONTHS, "window of the recent-work test")
    recent_min_engaged: int = param("months", 0, HISTORY_MONTHS, "engaged months needed in it")
    long_window_months: int = param("months", 1, HISTORY_MONTHS, "window of the long-work test")
    long_min_engaged: int = param("months", 0, HISTORY_MONTHS, "engaged months needed in it")
    rank_window_months: int = param("months", 1, HISTORY_MONTHS,
                                    "applicants ranked by engaged months in this window")
    leave_extension_months: int = param("months", 0, 48,
                                        "windows extended by months on leave, up to this")
    max_age: float = param("years", 16, 100, "oldest age at admission")
    reserved_share: float = param("share of places", 0, 1, "reserved for the early-career track")
    reserved_max_age: float = param("years", 16, 100, "early-career track: younger than this")
    reserved_long_min_engaged: int = param("months", 0, HISTORY_MONTHS,
                                           "early-career track: engaged months in the long window")

    # the policy calls the rule run by run with the run's own rule, so every value may differ
    # between the runs of a batch (sim/model/core/runs.py)
    per_run = ("recent_window_months", "recent_min_engaged", "long_window_months",
               "long_min_engaged", "rank_window_months", "leave_extension_months", "max_age",
               "reserved_share", "reserved_max_age", "reserved_long_min_engaged")

    def check(self, path: str) -> None:
        for window, need in (("recent_window_months", "recent_min_engaged"),
                             ("long_window_months", "long_min_engaged"),
                             ("long_window_months", "reserved_long_min_engaged")):
            if getattr(self, need) > getattr(self, window):
                raise ConfigError(f"{path}.{need}", getattr(self, need),
                                  f"at most {path}.{window} ({getattr(self, window)})")

    def _counts(self, pop) -> np.ndarray:
        """Engaged months per row in the recent, long and ranking windows (columns 0, 1, 2)."""
        return window_counts(pop, (self.recent_window_months, self.long_window_months,
                                   self.rank_window_months), self.leave_extension_months)

    def _tests(self, pop) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        counts = self._counts(pop)
        open_ = pop.active & ~pop.member & (counts[:, 0] >= self.recent_min_engaged)
        general = open_ & (counts[:, 1] >= self.long_min_engaged) & (pop.age_months < self.max_age * 12)
        early = (open_ & (counts[:, 1] >= self.reserved_long_min_engaged)
                 & (pop.age_months < self.reserved_max_age * 12))
        return general, early, counts[:, 2]

    def eligible(self, pop, ctx) -> np.ndarray:
        general, early, _ = self._tests(pop)
        return general | (early if self.reserved_share > 0 else False)

    def select(self, pop, ctx, places: int) -> np.ndarray:
        general, early, rank_months = self._tests(pop)
        if places <= 0:
            return np.empty(0, dtype=np.int64)
        # rank: most engaged months in the window first, ties by lottery; months are whole
        # numbers and the draw is in [0, 1), so one key orders both
        rank = ctx.uniform("admission_tiebreak") - rank_months
        reserved = int(round(places * self.reserved_share))
        chosen = _best(np.flatnonzero(early), rank, reserved) if reserved else np.empty(0, np.int64)
        general[chosen] = False
        rest = _best(np.flatnonzero(general), rank, places - chosen.size)
        return np.concatenate([chosen, rest])


def _best(rows: np.ndarray, rank: np.ndarray, places: int) -> np.ndarray:
    """The ``places`` rows with the lowest rank key, in rank order (a partial sort)."""
    if places <= 0 or rows.size == 0:
        return rows[:0]
    key = rank[rows]
    top = np.argpartition(key, places - 1)[:places] if places < rows.size else slice(None)
    chosen = rows[top]
    return chosen[np.argsort(rank[chosen], kind="stable")]
