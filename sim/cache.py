"""Baseline cache for sweeps: with common random numbers the baseline arm of a seed does not
depend on the alliance, so every funding level of a sweep can share it.

Where it sits: between ``sim.experiment.run_pair`` and the disk, used by sweep jobs. An entry
holds the state at the end of the burn-in and at the end of the baseline horizon, keyed by a
hash of everything that shapes the baseline (the model spec without the alliance, the seed and
the source code of the package). Entries are written atomically; a file lock makes parallel
jobs compute each entry once.
"""

from __future__ import annotations

import dataclasses
import fcntl
import functools
import hashlib
import pickle
from pathlib import Path

from sim.io import atomic_write

_PACKAGE = Path(__file__).resolve().parent


@functools.cache
def code_fingerprint() -> str:
    """Hash of the package's source as loaded by this process, so a code change never reuses an
    old entry (computed once: edits made while a sweep runs do not change a running job's key)."""
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(_PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def baseline_key(spec, seed: int) -> str:
    shape = repr(dataclasses.replace(spec, alliance=None))
    text = f"{shape}|seed={int(seed)}|code={code_fingerprint()}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class BaselineCache:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def get_or_compute(self, spec, seed: int, compute) -> dict:
        """The cached entry for (spec, seed), or ``compute()`` stored first."""
        key = baseline_key(spec, seed)
        path = self.folder / f"{key}.pkl"
        with open(self.folder / f"{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if path.exists():
                    with open(path, "rb") as fh:
                        return pickle.load(fh)
                entry = compute()
                atomic_write(path, lambda p: p.write_bytes(
                    pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)))
                return entry
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
