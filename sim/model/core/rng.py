"""Common random numbers: one counter-based stream per stochastic decision.

Where it sits: every rule that makes a random decision in the monthly step asks the
step context for ``uniform(decision)``; nothing else in the package produces randomness.

A draw is a pure function of ``(seed, decision name, agent uid, month)``. It is computed with
the SplitMix64 finaliser (Steele, Lea & Flood 2014) applied to a Weyl counter, in compiled
kernels (``sim/model/core/jit.py``). Because it never depends on the order of calls, on how many
agents are alive or on what another decision drew, agent *k* meets the same luck for the same
decision in the same month in both arms of a comparison. Two decisions with different names
are independent streams.

A stream's key is the sum (modulo 2**64) of a seed part and a decision part, each a 64-bit
BLAKE2 digest (never Python's salted ``hash``). Adding the seed part to the counter instead of
the key gives the same draws, so runs of different seeds share one kernel call in a batch
(``Streams(seeds)``, one group of rows per seed): the key carries the first seed's part and
each row's counter the difference between its group's seed part and the first one. Group 0's
counters are then the plain ones, and every group draws exactly what a run of its seed alone
draws. Two keys give overlapping streams only if their difference is the Weyl step times an
index the counters use (below 2**44); ``tests/test_rng.py`` checks every pair of decision
names and of small seeds.

In a batch of G groups a uid is ``local uid x G + group`` (``sim/model/core/columns.py``);
the counters are built from the local uid, so an agent's luck does not depend on the batch.
"""

from __future__ import annotations

import hashlib

import numpy as np

from sim.model.core.jit import inline, kernel

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_MONTH_BITS = np.uint64(20)  # counter = uid << 20 | month; 2**20 months is 87,000 years
_S11, _S27, _S30, _S31, _S40 = (np.uint64(k) for k in (11, 27, 30, 31, 40))
_LOW24 = np.uint64(0xFFFFFF)
_TO_UNIT_53 = 1.0 / float(2**53)
_TO_UNIT_24 = np.float32(2.0**-24)
_TO_ANGLE_24 = np.float32(2.0 * np.pi * 2.0**-24)


def _digest64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def seed_part(seed: int) -> int:
    """The seed's part of every stream key of a run (a 64-bit integer)."""
    return _digest64(f"seed:{int(seed)}")


def decision_part(decision: str) -> int:
    """The decision's part of its stream key, the same for every seed (a 64-bit integer)."""
    return _digest64(f"decision:{decision}")


def stream_key(seed: int, decision: str) -> np.uint64:
    """Stable 64-bit key of one decision's stream for one seed: seed part + decision part."""
    return np.uint64((seed_part(seed) + decision_part(decision)) % 2**64)


@inline
def splitmix64(z):
    """SplitMix64 finaliser of one 64-bit word (wrapping arithmetic)."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@kernel
def _counters(uids, month, out):
    for i in range(uids.size):
        out[i] = ((np.uint64(uids[i]) << _MONTH_BITS) | np.uint64(month)) * _GOLDEN
    return out


@kernel
def _group_counters(uids, month, groups, offsets, out):
    for i in range(uids.size):
        uid = uids[i]
        local = np.uint64(uid // groups)
        out[i] = ((local << _MONTH_BITS) | np.uint64(month)) * _GOLDEN + offsets[uid % groups]
    return out


@inline
def months_back(counter, months):
    """The counter of the same uid ``months`` months earlier: a counter is
    ``(uid << 20 | month) * golden + offset``, so each month back subtracts one golden step (a
    month before the first gives a counter no real month has)."""
    return counter - np.uint64(months) * _GOLDEN


@inline
def uniform_at(counter, key):
    """The uniform in [0, 1) of one row: its Weyl counter and the stream's key (53 bits)."""
    return np.float64(splitmix64(counter + key) >> _S11) * _TO_UNIT_53


@kernel
def _uniform(counter, key, out):
    for i in range(counter.size):
        out[i] = uniform_at(counter[i], key)
    return out


@kernel
def _happens(counter, key, probability, out):
    for i in range(counter.size):
        out[i] = uniform_at(counter[i], key) < probability[i]
    return out


@kernel
def _polar_parts(counter, key, u1, angle):
    # the 24 high bits give u1 in (0, 1], the 24 low bits the angle
    for i in range(counter.size):
        bits = splitmix64(counter[i] + key)
        u1[i] = (np.float32(bits >> _S40) + np.float32(1)) * _TO_UNIT_24
        angle[i] = np.float32(bits & _LOW24) * _TO_ANGLE_24


def counters(uids: np.ndarray, month: int) -> np.ndarray:
    """Weyl counters of (uid, month); shared by every decision of that month."""
    if month < 0 or month >= 2**20:
        raise ValueError(f"month must be in [0, 2**20), got {month}")
    uids = np.ascontiguousarray(uids, dtype=np.int64)
    return _counters(uids, int(month), np.empty(uids.size, dtype=np.uint64))


def group_counters(uids: np.ndarray, month: int, offsets: np.ndarray) -> np.ndarray:
    """Counters of (uid, month) in a batch of ``offsets.size`` groups: the local uid's counter
    plus its group's seed offset (see the module docstring)."""
    if offsets.size == 1 and offsets[0] == 0:
        return counters(uids, month)
    if month < 0 or month >= 2**20:
        raise ValueError(f"month must be in [0, 2**20), got {month}")
    uids = np.ascontiguousarray(uids, dtype=np.int64)
    return _group_counters(uids, int(month), offsets.size, offsets,
                           np.empty(uids.size, dtype=np.uint64))


class Streams:
    """All decision streams of one run, keyed by the run's seed; or of a batch of runs, one
    group of rows per seed in ``seeds`` (a list), each drawing what its seed alone draws.

    ``uniform(decision, uids, month)`` gives one float in [0, 1) per uid (``uniform_at`` is the
    same draw for one row, for kernels that draw inline); ``happens`` compares it with a
    probability;
    ``normal(decision, uids, month)`` gives one standard normal per uid and ``normal_pair`` two
    independent ones (Box-Muller on the high and low 24 bits of one draw).
    """

    def __init__(self, seed: int | list[int]):
        self.seeds = [int(s) for s in seed] if isinstance(seed, list | tuple) else [int(seed)]
        if not self.seeds:
            raise ValueError("Streams needs at least one seed")
        self.seed = self.seeds[0]
        first = seed_part(self.seed)
        self.offsets = np.array([(seed_part(s) - first) % 2**64 for s in self.seeds],
                                dtype=np.uint64)
        self._keys: dict[str, np.uint64] = {}

    def key(self, decision: str) -> np.uint64:
        key = self._keys.get(decision)
        if key is None:
            key = self._keys[decision] = stream_key(self.seed, decision)
        return key

    def counters(self, uids: np.ndarray, month: int) -> np.ndarray:
        """Counters of (uid, month) for this run's or batch's rows (``key`` completes them)."""
        return group_counters(uids, month, self.offsets)

    def key_counters(self, decision: str, uids: np.ndarray, month: int
                     ) -> tuple[np.ndarray, np.uint64]:
        """Counters of (uid, month) and the key of ``decision``, for a kernel drawing inline."""
        return self.counters(uids, month), self.key(decision)

    def uniform(self, decision: str, uids: np.ndarray, month: int,
                counter: np.ndarray | None = None) -> np.ndarray:
        """``counter`` (from ``counters(uids, month)``) may be passed to skip recomputing it."""
        counter = self.counters(uids, month) if counter is None else counter
        return _uniform(counter, self.key(decision), np.empty(counter.size))

    def happens(self, decision: str, probability: np.ndarray, uids: np.ndarray, month: int,
                counter: np.ndarray | None = None) -> np.ndarray:
        """Whether the event happens to each uid: ``uniform(decision, ...) < probability``
        in one pass, without the array of draws."""
        counter = self.counters(uids, month) if counter is None else counter
        probability = np.ascontiguousarray(probability, dtype=np.float64)
        if probability.shape != counter.shape:
            raise ValueError(f"happens({decision!r}): {probability.shape} probabilities for "
                             f"{counter.shape} agents")
        return _happens(counter, self.key(decision), probability,
                        np.empty(counter.size, dtype=np.bool_))

    def normal(self, decision: str, uids: np.ndarray, month: int,
               counter: np.ndarray | None = None) -> np.ndarray:
        """One standard normal per uid (Box-Muller, cosine branch)."""
        log_u, angle = self._polar(decision, uids, month, counter)
        z = np.cos(angle, out=angle)
        _times_radius(log_u, z)
        return z

    def normal_pair(self, decision: str, uids: np.ndarray, month: int,
                    counter: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Two independent standard normals per uid from one draw (both Box-Muller branches),
        for a decision that needs a pair of shocks."""
        log_u, angle = self._polar(decision, uids, month, counter)
        first = np.cos(angle)
        second = np.sin(angle, out=angle)
        _times_radius_pair(log_u, first, second)
        return first, second

    def _polar(self, decision: str, uids: np.ndarray, month: int,
               counter: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """log(u1) and the angle of Box-Muller; the radius is sqrt(-2 log u1)."""
        # Single precision: numpy's float32 log/cos/sin are vectorised (SIMD) and ~10x faster
        # than float64 here (and than numba's scalar calls); 24-bit uniforms still reach 5.8 SD.
        counter = self.counters(uids, month) if counter is None else counter
        u1 = np.empty(counter.size, dtype=np.float32)
        angle = np.empty(counter.size, dtype=np.float32)
        _polar_parts(counter, self.key(decision), u1, angle)
        return np.log(u1, out=u1), angle


@inline
def _radius(log_u):
    return np.sqrt(log_u * np.float32(-2.0))


@kernel
def _times_radius(log_u, z):
    """Multiply ``z`` in place by the Box-Muller radius sqrt(-2 log u)."""
    for i in range(log_u.size):
        z[i] *= _radius(log_u[i])


@kernel
def _times_radius_pair(log_u, first, second):
    """Multiply both branches in place by the Box-Muller radius sqrt(-2 log u)."""
    for i in range(log_u.size):
        radius = _radius(log_u[i])
        first[i] *= radius
        second[i] *= radius
