"""Entry point of ``python -m sim``: the pre-flight (``sim/cli/preflight.py``), then the Hydra
application (``sim/cli/main.py``). Exit codes: 0 done, 1 a run or the aggregation failed, 2 bad input
(nothing was simulated or written), 130 interrupted (run the same command again to resume)."""

import sys


def run() -> int:
    from sim.cli.help import render, wants_help

    if wants_help(sys.argv[1:]):  # before any heavy import
        print(render())
        return 0
    from sim.cli.preflight import preflight

    try:
        sys.argv[1:] = preflight(sys.argv[1:])
        from sim.cli.main import main

        main()
    except (KeyboardInterrupt, SystemError) as err:
        from sim.cli.command import interrupted

        if not interrupted(err):  # a real SystemError stays one
            raise
        print("\ninterrupted; run the same command again to resume", file=sys.stderr)
        return 130
    from sim.cli.callbacks import FAILURES

    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(run())
