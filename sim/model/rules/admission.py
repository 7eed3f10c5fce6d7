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
the last ``recent_window_months`` and ``long_min_engaged`` *qualifying* months in the last
``long_window_months``. Qualifying time is what each alliance names, not every engagement:
TeaterAlliansen counts only employment as an actor at agreement pay at state-supported
institution or free theatres, rehearsals and performances; Dansalliansen employment at publicly
funded employers; Musikalliansen publicly supported work, invoiced or not (alliances' pages,
docs/sources.md#qualifying-time). An engaged month qualifies with probability
``qualifying_share``, one draw per agent and month of the ``qualifying_engagement`` stream
(``rules/base.py`` ``qualifying_counts``), the same at every round and in both arms.
Every window is extended by the months on leave inside it, up to ``leave_extension_months``.
Applying: not everyone eligible applies. An eligible freelancer applies with probability
logistic(``apply_base`` + ``apply_idle`` x the share of the last 24 months without an
engagement): the alliance sells income security, so those with less of it apply more (an
assumption calibrated to the applicants per place the alliances report: SKUDA 26 in 2015 and
9.9 in 2019, TeaterAlliansen over 5.6 for its 2022 re-start posts; sources.md#applicants).
One draw per agent and round from the ``admission_apply`` stream.
Ranking: qualifying months in the last ``rank_window_months``, ties by the
``admission_tiebreak`` lottery. An early-career track reserves ``reserved_share`` of a round's
places for applicants younger than ``reserved_max_age`` who meet the recent test and a relaxed long test
(``reserved_long_min_engaged``); places they do not fill go to the general queue. Ranking inside
a window favours active mid-career artists; ranking by lifetime qualifying time, as this model
did before, favoured the oldest (alliances-2.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.core.params import ConfigError, param
from sim.model.rules.base import HISTORY_MONTHS, AdmissionRule, qualifying_counts, window_counts


@dataclass(frozen=True)
class QualifyingWindows(AdmissionRule):
    recent_window_months: int = param("months", 1, HISTORY_MONTHS, "window of the recent-work test")
    recent_min_engaged: int = param("months", 0, HISTORY_MONTHS, "engaged months needed in it")
    long_window_months: int = param("months", 1, HISTORY_MONTHS, "window of the long-work test")
    long_min_engaged: int = param("months", 0, HISTORY_MONTHS, "qualifying months needed in it")
    rank_window_months: int = param("months", 1, HISTORY_MONTHS,
                                    "applicants ranked by qualifying months in this window")
    qualifying_share: float = param("share", 0, 1, "mean share of engaged months that count as "
                                    "qualifying time (the long test and the ranking; 1: all)",
                                    lo_open=True)
    qualifying_concentration: float = param("-", 0, None, "how alike freelancers' shares are: "
                                            "each has a share drawn from a beta distribution "
                                            "with this concentration (a + b) around the mean",
                                            lo_open=True)
    apply_base: float = param("log-odds", -10, 10, "log-odds that an eligible freelancer engaged "
                              "in each of the last 24 months applies at a round")
    apply_idle: float = param("log-odds per share", -10, 10, "change in those log-odds per share "
                              "of the last 24 months without an engagement")
    leave_extension_months: int = param("months", 0, 48,
                                        "windows extended by months on leave, up to this")
    max_age: float = param("years", 16, 100, "oldest age at admission")
    reserved_share: float = param("share of places", 0, 1, "reserved for the early-career track")
    reserved_max_age: float = param("years", 16, 100, "early-career track: younger than this")
    reserved_long_min_engaged: int = param("months", 0, HISTORY_MONTHS,
                                           "early-career track: engaged months in the long window")

    # the policy calls the rule run by run with the run's own rule, so every value may differ
    # between the runs of a batch (sim/model/core/per_run.py)
    per_run = ("recent_window_months", "recent_min_engaged", "long_window_months",
               "long_min_engaged", "rank_window_months", "qualifying_share",
               "qualifying_concentration",
               "leave_extension_months", "max_age", "apply_base", "apply_idle",
               "reserved_share", "reserved_max_age", "reserved_long_min_engaged")

    def check(self, path: str) -> None:
        for window, need in (("recent_window_months", "recent_min_engaged"),
                             ("long_window_months", "long_min_engaged"),
                             ("long_window_months", "reserved_long_min_engaged")):
            if getattr(self, need) > getattr(self, window):
                raise ConfigError(f"{path}.{need}", getattr(self, need),
                                  f"at most {path}.{window} ({getattr(self, window)})")

    def _counts(self, pop, ctx) -> np.ndarray:
        """Engaged months per row in the recent window and in the last 24 months, and
        qualifying months in the long and ranking windows (columns 0, 3; 1, 2)."""
        recent = window_counts(pop, (self.recent_window_months, 24), self.leave_extension_months)
        shares = self.shares(pop, ctx)
        stream = ctx.stream("qualifying_engagement") if shares.size and shares.min() < 1 else None
        qualifying = qualifying_counts(pop, (self.long_window_months, self.rank_window_months),
                                       self.leave_extension_months, stream, shares)
        return np.column_stack([recent[:, 0], qualifying, recent[:, 1]])

    def shares(self, pop, ctx) -> np.ndarray:
        """Each freelancer's share of engagements that qualify: a career mostly on funded
        stages or mostly in film, television and commercial work is the freelancer's own, so
        the share is drawn once per person (the ``qualifying_orientation`` stream at month 0,
        keyed by uid alone) from a beta distribution with mean ``qualifying_share``."""
        from scipy.stats import beta

        if self.qualifying_share >= 1.0:
            return np.ones(len(pop))
        u = ctx.streams.uniform("qualifying_orientation", ctx.uids, 0)
        k, m = self.qualifying_concentration, self.qualifying_share
        return beta.ppf(u, m * k, (1.0 - m) * k)

    def apply_probability(self, engaged_24: np.ndarray) -> np.ndarray:
        """P(an eligible freelancer applies) from the engaged months of the last 24."""
        idle = 1.0 - np.asarray(engaged_24, dtype=np.float64) / 24.0
        return 1.0 / (1.0 + np.exp(-(self.apply_base + self.apply_idle * idle)))

    def _tests(self, pop, ctx) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        counts = self._counts(pop, ctx)
        open_ = pop.active & ~pop.member & (counts[:, 0] >= self.recent_min_engaged)
        general = open_ & (counts[:, 1] >= self.long_min_engaged) & (pop.age_months < self.max_age * 12)
        early = (open_ & (counts[:, 1] >= self.reserved_long_min_engaged)
                 & (pop.age_months < self.reserved_max_age * 12))
        if self.reserved_share <= 0:
            early = np.zeros_like(general)
        return general, early, counts[:, 2], counts[:, 3]

    def eligible(self, pop, ctx) -> np.ndarray:
        general, early, _, _ = self._tests(pop, ctx)
        return general | early

    def applicants(self, pop, ctx) -> np.ndarray:
        general, early, _, engaged_24 = self._tests(pop, ctx)
        return (general | early) & ctx.happens("admission_apply",
                                               self.apply_probability(engaged_24))

    def select(self, pop, ctx, places: int) -> np.ndarray:
        general, early, rank_months, engaged_24 = self._tests(pop, ctx)
        applied = ctx.happens("admission_apply", self.apply_probability(engaged_24))
        general, early = general & applied, early & applied
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
