"""Baseline cache for sweeps: with common random numbers the baseline arm of a seed does not
depend on the alliance, so every funding level of a sweep can share it.

Where it sits: between ``sim.run.paired.run_pair`` and the disk, used by sweep jobs. An entry
holds the state at the end of the burn-in and at the end of the baseline horizon as plain
arrays, keyed by everything that shapes the baseline (the model spec without the alliance, the
seed and the source code of the package).

An entry is data only: ``<key>.npz`` (``numpy.savez``, read with ``allow_pickle=False``, so
loading it never runs code) holds the arrays and the full key text, and ``<key>.npz.sha256``
holds the hash of its bytes. An entry is used only if the hash matches, the file opens, the
stored key is the expected one (a swapped or stale file is refused) and every array is there;
anything else prints one warning and the entry is recomputed and rewritten. The hash catches
truncated and damaged files, not a deliberate forgery: whoever can write the cache folder can
change results, but not run code. Files are written atomically, the hash last; a file lock
makes parallel jobs compute each entry once. Nothing is written through a link: a cache folder
that is, or holds, a link is refused (``LinkError``), and lock files are opened with
``O_NOFOLLOW`` and never truncated.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import hashlib
import io
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from sim.run.io import atomic_write, open_lock, refuse_links

_PACKAGE = Path(__file__).resolve().parents[1]  # sim/
KEY = "__key__"  # name of the array that holds an entry's key text


@functools.cache
def code_fingerprint() -> str:
    """Hash of the package's source as loaded by this process, so a code change never reuses an
    old entry (computed once: edits made while a sweep runs do not change a running job's key)."""
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(_PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def world_key(spec) -> str:
    """Everything that shapes the baseline arm: the spec without its alliance."""
    return repr(dataclasses.replace(spec, policy=None))


def baseline_key_text(spec, seed: int) -> str:
    """Everything that shapes the baseline of ``seed``, as text (stored inside each entry)."""
    return f"{world_key(spec)}|seed={int(seed)}|code={code_fingerprint()}"


def baseline_key(spec, seed: int) -> str:
    """The entry's file name: a hash of ``baseline_key_text``."""
    return hashlib.sha256(baseline_key_text(spec, seed).encode()).hexdigest()[:24]


class EntryError(Exception):
    """A cache entry that cannot be used (the message says why)."""


class BaselineCache:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        for each in (self.folder.parent, self.folder):
            if each.is_symlink():
                refuse_links(each, "baseline cache folder")
        self.folder.mkdir(parents=True, exist_ok=True)
        refuse_links(self.folder, "baseline cache folder")

    def get_or_compute[T](self, spec, seed: int, compute: Callable[[], Mapping[str, np.ndarray]],
                       decode: Callable[[Mapping[str, np.ndarray]], T]) -> T:
        """``decode(arrays)`` of the verified entry for (spec, seed); without one, of
        ``compute()``, which is stored first. ``decode`` raises KeyError or ValueError for a
        missing or malformed array (the entry is then recomputed)."""
        return self.get_or_compute_many(spec, [seed], lambda missing: {seed: compute()},
                                        decode)[seed]

    def get_or_compute_many[T](self, spec, seeds: list[int],
                               compute: Callable[[list[int]], Mapping[int, Mapping[str, np.ndarray]]],
                               decode: Callable[[Mapping[str, np.ndarray]], T]) -> dict[int, T]:
        """``get_or_compute`` for several seeds: the seeds without a verified entry are
        computed together, ``compute(missing)`` -> arrays per seed (a batch), and stored
        first. The entries' locks are taken in key order, so parallel jobs wanting the same
        seeds wait for one another instead of computing them twice, and never deadlock."""
        seeds = [int(seed) for seed in dict.fromkeys(seeds)]
        keys = {seed: baseline_key(spec, seed) for seed in seeds}
        with contextlib.ExitStack() as held:
            for seed in sorted(seeds, key=keys.__getitem__):
                lock = held.enter_context(open_lock(self.folder / f"{keys[seed]}.lock"))
                fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            out: dict[int, T] = {}
            for seed in seeds:
                path = self.folder / f"{keys[seed]}.npz"
                if path.exists():
                    try:
                        out[seed] = _load(path, baseline_key_text(spec, seed), decode)
                        continue
                    except EntryError as err:
                        print(f"warning: baseline cache entry {path.name} did not verify ({err}); "
                              "recomputing", file=sys.stderr, flush=True)
            missing = [seed for seed in seeds if seed not in out]
            if missing:
                computed = compute(missing)
                for seed in missing:
                    _write(self.folder / f"{keys[seed]}.npz", baseline_key_text(spec, seed),
                           computed[seed])
                    out[seed] = decode(computed[seed])
            return out


def _load[T](path: Path, text: str, decode: Callable[[Mapping[str, np.ndarray]], T]) -> T:
    """``decode`` of a verified entry's arrays, else EntryError; never unpickles anything."""
    digest = Path(f"{path}.sha256")
    if not digest.exists():
        raise EntryError("no hash file")
    try:
        data = path.read_bytes()  # hashed and parsed from the same bytes
        expected = digest.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as err:
        raise EntryError(f"entry or hash file unreadable: {type(err).__name__}") from None
    if hashlib.sha256(data).hexdigest() != expected:
        raise EntryError("content hash does not match")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}  # reads (and checks) every array
    except Exception as err:  # any failure to parse these bytes means: recompute
        raise EntryError(f"unreadable: {type(err).__name__}: {_one_line(err)}") from None
    if not all(isinstance(v, np.ndarray) for v in arrays.values()):
        raise EntryError("a member is not an array")
    stored = arrays.pop(KEY, None)
    if stored is None or stored.dtype.kind != "U" or stored.ndim != 0 or str(stored) != text:
        raise EntryError("stored key differs: a swapped or stale entry")
    try:
        return decode(arrays)
    except KeyError as err:
        raise EntryError(f"array {err} is missing") from None
    except ValueError as err:
        raise EntryError(f"malformed: {_one_line(err)}") from None


def _write(path: Path, text: str, arrays: Mapping[str, np.ndarray]) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, **{KEY: np.array(text)}, **arrays)
    data = buffer.getvalue()
    atomic_write(path, lambda p: p.write_bytes(data))
    atomic_write(Path(f"{path}.sha256"), lambda p: p.write_text(hashlib.sha256(data).hexdigest() + "\n"))


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())[:200]
