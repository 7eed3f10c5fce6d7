"""Compiled kernels: the project's one way of turning a per-agent loop into machine code.

Where it sits: the default rules and the public-finance, household, event-booking and record
phases of the monthly step fuse their column arithmetic into one pass over the rows with
``@kernel`` (numba, ``nopython`` mode). A kernel is the *only* implementation of what it
computes; its Python wrapper is the documented vectorised interface. ``exp``/``log`` stay in
numpy (its SIMD loops are several times faster than numba's scalar libm calls here), so kernels
take their results as columns.

Kernels are compiled on first use and cached on disk; numba itself is imported only then,
so checking a config or printing the command line's help never waits for it. numba checks
only a kernel's own source file for changes, not the helpers and constants it inlines from
other files, so the cache lives in a folder named after a fingerprint of the whole package's
source and of the numba and numpy versions: any edit anywhere in ``sim/`` starts a fresh
cache (compiled once; docs/benchmarks.md says how long).
The folder is ``<base>/checkout-<hash of this checkout's path>/<fingerprint>``, the base being
``$NUMBA_CACHE_DIR`` if set, else the user's cache folder (``$XDG_CACHE_HOME`` or
``~/.cache``)/``alliance-sim/numba``; it is touched on each start, and of this checkout's other
fingerprint folders only the ``KEEP_OTHERS`` most recently used are kept (another checkout's,
or anything else in a shared base, is never removed; numba's cache is per source path anyway).
numba reads its cache index with pickle, so the folder must be private: the folders are created
with mode 0700 (the cache files in them are then unreachable for others whatever the umask), and
a base or cache folder owned by another user, or writable by group or others, is refused with
one ``ConfigError`` line naming ``NUMBA_CACHE_DIR`` (``check_private``), as is a folder below one
that others could replace. Where the base folder cannot be created or written, each process
compiles into a fresh private temporary folder (mode 0700, removed at exit), never into a
shared fixed path.

Semantics are numpy's: ``error_model="numpy"`` (division by zero gives inf/nan, no exception)
and no ``fastmath`` (no reassociation, so results do not depend on the CPU's vector width).
``NUMBA_DISABLE_JIT=1`` runs the kernels as plain Python for debugging: much slower, and the
low-order digits can differ (numpy keeps float32 products in float32 where compiled code uses
float64).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import re
import shutil
import stat
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

import numpy as np

from sim.model.core.params import ConfigError


def _source_fingerprint() -> str:
    package = Path(__file__).resolve().parents[2]  # sim/
    digest = hashlib.blake2b(f"{version('numba')} {np.__version__}".encode(), digest_size=8)
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


KEEP_OTHERS = 4  # fingerprint folders kept besides the current one (most recently used first)
FINGERPRINT = re.compile(r"[0-9a-f]{16}")


def checkout_id() -> str:
    """Names this checkout's folder in a cache base that several checkouts may share."""
    package = str(Path(__file__).resolve().parents[2])
    return "checkout-" + hashlib.blake2b(package.encode(), digest_size=6).hexdigest()


def check_private(folder: Path, key: str = "NUMBA_CACHE_DIR") -> None:
    """ConfigError (one line naming ``key``) unless ``folder`` is owned by this user and
    writable by nobody else, and every folder above it is owned by this user or root and, if
    others may write it, sticky (as ``/tmp``): nobody else can plant a pickle numba would load."""
    uid = os.geteuid()
    folder = Path(os.path.abspath(folder))
    st = os.lstat(folder)
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        raise ConfigError(key, str(folder), "a folder of your own, not a link or a file "
                          "(numba loads its cache with pickle)")
    if st.st_uid != uid or st.st_mode & 0o022:
        raise ConfigError(key, str(folder), f"a folder owned by you (uid {uid}) that only you can "
                          f"write (it is owned by uid {st.st_uid}, mode {stat.S_IMODE(st.st_mode):o}"
                          "; numba loads its cache with pickle): unset it or give a new folder")
    for parent in folder.parents:
        st = os.stat(parent)
        if st.st_uid not in (uid, 0) or (st.st_mode & 0o002 and not st.st_mode & stat.S_ISVTX) \
                or (st.st_mode & 0o020 and st.st_uid != uid and not st.st_mode & stat.S_ISVTX):
            raise ConfigError(key, str(folder), f"a folder below folders only you or root can "
                              f"change ({parent} is owned by uid {st.st_uid}, mode "
                              f"{stat.S_IMODE(st.st_mode):o}): unset it or give a new folder")


def _make_private(path: Path) -> None:
    """Create ``path`` and its missing parents with mode 0700."""
    missing = [p for p in (path, *path.parents) if not os.path.lexists(p)]
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made by a parallel process meanwhile
            os.mkdir(folder, 0o700)


def choose_cache_dir(base: str | os.PathLike, fingerprint: str) -> str:
    """``base/checkout-<id>/fingerprint``, created private (0700) and touched, with this
    checkout's older fingerprint folders pruned; a ConfigError if ``base`` or a folder in it is
    not private (checked before anything is created in it); a new private temporary folder if
    ``base`` cannot be created or written."""
    base = Path(base)
    mine = base / checkout_id()
    path = mine / fingerprint
    try:
        _make_private(base)
        check_private(base)
        _make_private(path)
        if not os.access(path, os.W_OK | os.X_OK):
            raise PermissionError(path)
    except OSError:  # no writable cache folder (some batch systems): a private one for this process
        private = tempfile.mkdtemp(prefix="alliance-sim-numba-")  # mode 0700
        atexit.register(shutil.rmtree, private, ignore_errors=True)
        return private
    check_private(mine)
    check_private(path)
    os.utime(path)
    _prune(mine, fingerprint)
    return str(path)


def _prune(folder: Path, current: str) -> None:
    """Remove all but the ``KEEP_OTHERS`` most recently used fingerprint folders besides
    ``current`` from this checkout's ``folder`` (only folders named like a fingerprint)."""
    try:
        others = [(p.stat().st_mtime, p) for p in folder.iterdir()
                  if p.name != current and FINGERPRINT.fullmatch(p.name) and p.is_dir()
                  and not p.is_symlink()]
    except OSError:  # another process pruning at the same time
        return
    for _, old in sorted(others, reverse=True)[KEEP_OTHERS:]:
        shutil.rmtree(old, ignore_errors=True)


def _cache_dir() -> str:
    base = os.environ.get("NUMBA_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "alliance-sim", "numba")
    return choose_cache_dir(base, _source_fingerprint())


# numba itself is imported on the first call of any kernel, not when the model is imported:
# the command line checks a config (and prints its help) without paying numba's import time.
# ``kernel`` and ``inline`` return placeholders; the first call of any of them imports numba,
# sets the cache folder, makes every placeholder a numba dispatcher and puts the dispatchers in
# place of the placeholders in the globals of the ``sim`` modules (where numba looks for the
# helpers a kernel calls), so later calls go straight to compiled code.
_PLACEHOLDERS: list[_Lazy] = []
_OPTIONS = {"kernel": dict(cache=True, nogil=True, error_model="numpy"),
            "inline": dict(inline="always", cache=True, error_model="numpy")}


class _Lazy:
    def __init__(self, fn, kind: str):
        self.fn, self.kind, self.compiled = fn, kind, None
        self.__name__, self.__doc__, self.__wrapped__ = fn.__name__, fn.__doc__, fn
        _PLACEHOLDERS.append(self)

    def __call__(self, *args, **kwargs):
        if self.compiled is None:
            materialise()
        return self.compiled(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<{self.kind} {self.fn.__module__}.{self.fn.__name__} (not compiled yet)>"


def materialise() -> None:
    """Import numba, set its cache folder and turn every placeholder into a dispatcher."""
    import numba

    numba.config.CACHE_DIR = _cache_dir_once()
    swap = {}
    for lazy in _PLACEHOLDERS:
        if lazy.compiled is None:
            lazy.compiled = numba.njit(**_OPTIONS[lazy.kind])(lazy.fn)
        swap[id(lazy)] = lazy.compiled
    for name, module in list(sys.modules.items()):
        if name == "sim" or name.startswith("sim."):
            space = vars(module)
            for key, value in list(space.items()):
                if id(value) in swap and isinstance(value, _Lazy):
                    space[key] = swap[id(value)]


def _cache_dir_once() -> str:
    cached = globals().get("_CACHE_DIR")
    if cached is None:
        cached = globals()["_CACHE_DIR"] = _cache_dir()
    return cached


def kernel(fn):
    """Decorator for a compiled loop over rows."""
    return _Lazy(fn, "kernel")


def inline(fn):
    """Decorator for a small scalar helper that kernels call (inlined into each caller)."""
    return _Lazy(fn, "inline")


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
