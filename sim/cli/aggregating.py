"""``python -m sim.aggregate <sweep folder>``: gather a finished or partial sweep into tables,
charts and its brief.

    uv run python -m sim.aggregate results/sweeps/funding_sweep

Where it sits: the command line over ``sim.study.aggregate.aggregate`` (the tables) and
``sim.report.briefs.Briefs`` (the charts and the brief, in the language asked for).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cli.args import normalise
from sim.cli.command import interrupted
from sim.report.briefs import Briefs
from sim.study.aggregate import SweepError, aggregate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.aggregate",
                                     description="Aggregate a finished or partial sweep.")
    parser.add_argument("folder", type=Path, help="the sweep folder (hydra.sweep.dir)")
    parser.add_argument("--no-charts", action="store_true", help="tables only")
    parser.add_argument("--language", choices=("en", "sv", "nb"), default=None,
                        help="language of the brief and charts (also report.language=sv; default: "
                             "the study's report.language)")
    argv = sys.argv[1:] if argv is None else argv
    argv = [t.replace("report.language=", "language=", 1) if t.startswith("report.language=") else t
            for t in argv]
    args = parser.parse_args(normalise(parser, argv))
    try:
        out = aggregate(args.folder, None if args.no_charts else Briefs(args.language))
    except SweepError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"error: could not write {args.folder / 'aggregate'}: {err.strerror or err}",
              file=sys.stderr)
        return 1
    except (KeyboardInterrupt, SystemError) as err:
        if not interrupted(err):  # numba's SystemError caused by a Ctrl-C is one; others are not
            raise
        print("interrupted; nothing was replaced: run the same command again", file=sys.stderr)
        return 130
    print(f"aggregated {args.folder} into {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
