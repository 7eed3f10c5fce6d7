"""Safe, self-describing outputs: atomic writes and provenance.

Where it sits: after the runs, called by the CLI. Every file is written to a temporary name in
the same folder and renamed, so a reader never sees a half-written file; ``provenance.json``
records the code version, package versions and the exact command.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pandas as pd

PART = ".part"  # suffix of a file being written
PACKAGES = ("mesa", "hydra-core", "numpy", "pandas", "pyarrow", "matplotlib", "scipy")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()  # what open() would give: colleagues may read shared results


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` then rename ``tmp`` to ``path``; nothing is left on failure.
    The file gets the permissions the user's umask gives any new file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PART, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def remove_partial_files(folder: Path) -> int:
    """Remove the temporary files of writes that were killed (``.<name>.<random>.part``) from
    ``folder``; call it only while no other process writes there. Returns how many."""
    removed = 0
    for leftover in Path(folder).glob(f".*{PART}"):
        leftover.unlink(missing_ok=True)
        removed += 1
    return removed


def file_digest(path: Path) -> dict:
    """Size and SHA-256 of a file, as completion markers record them."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return {"name": Path(path).name, "bytes": Path(path).stat().st_size,
            "sha256": digest.hexdigest()}


def write_table(df: pd.DataFrame, stem: Path, csv: bool = True) -> None:
    """``stem.parquet`` (and ``stem.csv``), each written atomically."""
    stem = Path(stem)
    atomic_write(stem.with_suffix(".parquet"), lambda p: df.to_parquet(p, index=False))
    if csv:
        atomic_write(stem.with_suffix(".csv"), lambda p: df.to_csv(p, index=False))


def write_text(path: Path, text: str) -> None:
    atomic_write(Path(path), lambda p: p.write_text(text, encoding="utf-8"))


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                             cwd=Path(__file__).parent, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True,
                               cwd=Path(__file__).parent, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() + ("+dirty" if dirty else "")


def command_line() -> str:
    """The command that started this process, as a user would type it (``python -m ...``)."""
    script = Path(sys.argv[0]).resolve()
    try:
        parts = script.relative_to(Path(__file__).resolve().parents[2]).with_suffix("").parts
    except ValueError:
        return " ".join(sys.argv)
    module = ".".join(p for p in parts if p != "__main__")
    return " ".join(["python", "-m", module, *sys.argv[1:]])


def provenance(extra: dict | None = None) -> dict:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    info = {"command": command_line(),
            "python": sys.version.split()[0], "git_commit": git_commit(), "packages": versions}
    info.update(extra or {})
    return info


def write_json(path: Path, data: dict) -> None:
    write_text(path, json.dumps(data, indent=2, default=str) + "\n")
