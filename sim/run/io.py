"""Safe, self-describing outputs: atomic writes and provenance.

Where it sits: after the runs, called by the CLI. Every file is written to a temporary name in
the same folder and renamed, so a reader never sees a half-written file; ``provenance.json``
records the code version, package versions and the exact command.

Nothing is written through a link: the project never makes symbolic or hard links in its
folders, so a file or folder it would write that is a symbolic link, or a folder holding links
(``find_link``), is refused with one ``ConfigError`` line (``LinkError``) instead of writing
outside the folder the user named. Lock files are opened with ``O_NOFOLLOW`` and never
truncated (``open_lock``); every other file is renamed into place, which replaces a name and
never writes into the file it pointed to.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pandas as pd

from sim.model.core.params import ConfigError

PART = ".part"  # suffix of a file being written
PACKAGES = ("mesa", "hydra-core", "numpy", "pandas", "pyarrow", "matplotlib", "scipy")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()  # what open() would give: colleagues may read shared results


class LinkError(ConfigError):
    """A folder the project would write into is, or holds, a link the project did not make."""

    def __init__(self, key: str, folder, link: Path):
        link = Path(link)
        try:
            what = f"links to {os.readlink(link)}" if link.is_symlink() else "is a hard link"
        except OSError:
            what = "is a link"
        super().__init__(key, str(folder), "a folder that neither is nor holds a link "
                         f"({link} {what}; nothing is written through a link: remove it or "
                         "choose a new folder)")


def _is_link(path: Path, st: os.stat_result | None = None) -> bool:
    """A symbolic link, or a file (not a folder) with a second name elsewhere (a hard link)."""
    st = st or os.lstat(path)
    return stat.S_ISLNK(st.st_mode) or (not stat.S_ISDIR(st.st_mode) and st.st_nlink > 1)


def find_link(folder: Path) -> Path | None:
    """``folder`` itself if it is a symbolic link, else the first link found inside it
    (symbolic links at any depth, never followed, and hard-linked files); None without any."""
    folder = Path(folder)
    try:
        if _is_link(folder):
            return folder
    except FileNotFoundError:
        return None
    if not folder.is_dir():
        return None
    for root, dirs, files in os.walk(folder):  # does not follow links
        for name in sorted(dirs) + sorted(files):
            path = Path(root, name)
            try:
                if _is_link(path):
                    return path
            except FileNotFoundError:  # removed meanwhile
                continue
    return None


def refuse_links(folder: Path, key: str = "folder") -> None:
    """Raise ``LinkError`` (a ConfigError naming ``key``) if ``folder`` is or holds a link."""
    link = find_link(folder)
    if link is not None:
        raise LinkError(key, folder, link)


def open_lock(path: Path):
    """A lock file opened for ``flock``: created with the umask's permissions if missing, never
    truncated, never through a symbolic link (``O_NOFOLLOW``); a link or anything but a regular
    file there is a ``LinkError``."""
    path = Path(path)
    if path.parent.is_symlink():
        raise LinkError("folder", path.parent, path.parent)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise LinkError("folder", path.parent, path) from None
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_nlink > 1:
        os.close(fd)
        raise LinkError("folder", path.parent, path)
    return os.fdopen(fd, "r+")


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` then rename ``tmp`` to ``path``; nothing is left on failure.
    The file gets the permissions the user's umask gives any new file. A ``path`` or a folder
    of it that is a symbolic link is refused (``LinkError``): nothing is written through one."""
    path = Path(path)
    for each in (path, path.parent):
        if each.is_symlink():
            raise LinkError("folder", path.parent, each)
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


def write_set(out: Path, write: Callable[[Path], None]) -> Path:
    """Write a set of result files as one: ``write(staging)`` writes them into a temporary
    folder inside ``out``, and they are moved into ``out`` only when every one is written (as
    ``python -m sim`` does). On any failure (a full disk, Ctrl-C) the staging folder, and
    ``out`` and its parents if this call created them, are removed: no partial set is left."""
    out = Path(out)
    made = [p for p in (out, *out.parents) if not p.exists() and not p.is_symlink()]
    if out.is_symlink():
        raise LinkError("--out", out, out)
    out.mkdir(parents=True, exist_ok=True)
    refuse_links(out, "--out")
    staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=out))
    try:
        write(staging)
        for item in sorted(staging.iterdir()):
            os.replace(item, out / item.name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for folder in made:  # deepest first; only the folders this call made, only if empty
            try:
                folder.rmdir()
            except OSError:
                break
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


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


def _shell_quote(arg: str) -> str:
    """One argument as a shell takes it back: as is when safe, in double quotes when it holds
    Hydra's single quotes (``"hydra.sweep.dir='a,b'"``), else in shell single quotes."""
    import shlex

    quoted = shlex.quote(arg)
    if quoted == arg or "'" not in arg or any(c in arg for c in '"$`\\!'):
        return quoted
    return f'"{arg}"'


def typed_command(argv: list[str] | None = None, program: str | None = None) -> str:
    """The command that started this process (``sim.run.io.command_line``, which
    provenance.json records) as a shell takes it back, each argument quoted where a shell would
    split or expand it: the "reproduce with" line of a brief. ``argv``: the arguments after the
    program (default: this process's); ``program``: e.g. ``python -m sim`` (default: this
    process's)."""
    import sys

    args = sys.argv[1:] if argv is None else list(argv)
    if program is None:
        line = command_line()
        program = line.removesuffix(" ".join(sys.argv[1:])).rstrip() if sys.argv[1:] else line
    return " ".join([program, *map(_shell_quote, args)])
