"""Compiled kernels: the project's one way of turning a per-agent loop into machine code.

Where it sits: the default rules and the public-finance and record phases of the monthly step
fuse their column arithmetic into one pass over the rows with ``@kernel`` (numba, ``nopython``
mode). A kernel is the *only* implementation of what it computes; its Python wrapper is the
documented vectorised interface. Kernels are compiled on first use and cached on disk next to
the source (``__pycache__``), so only the first run after a change pays the compile time.

Semantics are numpy's: ``error_model="numpy"`` (division by zero gives inf/nan, no exception)
and no ``fastmath`` (no reassociation, so results do not depend on the CPU's vector width).
Set ``NUMBA_DISABLE_JIT=1`` to run the same kernels as plain Python when debugging.
"""

from __future__ import annotations

import numba
import numpy as np

kernel = numba.njit(cache=True, nogil=True, error_model="numpy")
"""Decorator for a compiled loop over rows."""

inline = numba.njit(inline="always", cache=True, error_model="numpy")
"""Decorator for a small scalar helper that kernels call (inlined into each caller)."""


_M1, _M2, _M4 = np.uint64(0x5555555555555555), np.uint64(0x3333333333333333), np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)
_S1, _S2, _S4, _S56 = np.uint64(1), np.uint64(2), np.uint64(4), np.uint64(56)


@inline
def popcount(x):
    """Number of set bits of a uint64 (SWAR; LLVM turns it into one instruction where it can)."""
    x = x - ((x >> _S1) & _M1)
    x = (x & _M2) + ((x >> _S2) & _M2)
    x = (x + (x >> _S4)) & _M4
    return (x * _H01) >> _S56


def column(value, n: int, dtype=np.float64) -> np.ndarray:
    """``value`` as a contiguous column of ``n`` rows (a scalar is broadcast), for a kernel."""
    if np.ndim(value) == 0:
        return np.full(n, value, dtype=dtype)
    return np.ascontiguousarray(value, dtype=dtype)
