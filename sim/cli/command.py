"""What ``python -m sim.validate`` and ``python -m sim.calibrate`` share: checking ``--out`` and
the exit codes of a command that computes, then writes.

Where it sits: the outer shell of those two commands, around the simulation. Bad input is one
``error:`` line and exit 2 before anything runs; Ctrl-C is one line and exit 130, saying whether
anything was written.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from sim.model.core.params import ConfigError


def interrupted(err: BaseException) -> bool:
    """Whether ``err`` is a Ctrl-C: a ``KeyboardInterrupt``, or the ``SystemError`` CPython
    raises when a compiled function (numba's dispatcher, compiling a kernel on its first call)
    returns while the interrupt is pending ("CPUDispatcher(...) returned a result with an
    exception set"), whose cause is that ``KeyboardInterrupt``. Any other ``SystemError`` is a
    real error and is not one."""
    seen: set[int] = set()
    while err is not None and id(err) not in seen:
        if isinstance(err, KeyboardInterrupt):
            return True
        if not isinstance(err, SystemError):
            return False
        seen.add(id(err))
        err = err.__cause__ or (None if err.__suppress_context__ else err.__context__)
    return False


def check_out(out: Path, key: str = "--out") -> None:
    """Fail before any simulation unless ``out`` can be created and written. Folders made only
    for this probe are removed again, so a run that fails later leaves nothing behind."""
    out = Path(out)
    made = [p for p in (out, *out.parents) if not p.exists()]  # deepest first
    try:
        if out.exists() and not out.is_dir():
            raise NotADirectoryError(f"{out} exists and is not a folder")
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-probe"
        probe.write_text("probe")
        probe.unlink()
    except OSError as err:
        raise ConfigError(key, str(out), f"a writable folder ({err.strerror or err})") from None
    finally:
        for folder in made:
            try:
                folder.rmdir()
            except OSError:
                break


def compute_then_write[T](compute: Callable[[], T], write: Callable[[T], None],
                          out: Path) -> tuple[int | None, T | None]:
    """``compute()`` (checks and simulation), then ``write(result)`` into ``out``. Returns
    ``(None, result)`` when both ran, else ``(exit code, None)`` after one line on stderr."""
    try:
        result = compute()
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2, None
    except (KeyboardInterrupt, SystemError) as err:
        if not interrupted(err):
            raise
        print("interrupted; nothing was written", file=sys.stderr)
        return 130, None
    try:
        write(result)
    except (KeyboardInterrupt, SystemError) as err:
        if not interrupted(err):
            raise
        print(f"interrupted while writing {out}; some of its files are missing", file=sys.stderr)
        return 130, None
    return None, result


def check_out_folder(out: Path, key: str = "--out") -> None:
    """The output folder of a helper command (``sim.validate``, ``sim.calibrate``): the same
    guard as ``python -m sim`` (never the project's code, configs, tests, docs or root, never
    an existing file, writable), no links in it, and creatable; a ConfigError otherwise."""
    from sim.cli.preflight import check_output_folder
    from sim.run.io import refuse_links

    check_output_folder(key, out)
    refuse_links(out, key)
    check_out(out, key)


def write_outputs(out: Path, write: Callable[[Path], None]) -> int | None:
    """``write(folder)`` writes a command's files; they appear in ``out`` together, only when
    all are written (``write_set``). Returns None when done, else the exit code after one
    line: 1 for a full or failing disk, 2 for a refused folder, 130 for Ctrl-C; nothing of the
    set is left in ``out`` then."""
    from sim.run.io import write_set

    try:
        write_set(out, write)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        reason = " ".join(str(err.strerror or err).split())
        print(f"error: could not write the results to {out}: {reason}; nothing was written "
              "there: free space and run the same command again", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"interrupted while writing {out}; nothing was written there", file=sys.stderr)
        return 130
    return None
