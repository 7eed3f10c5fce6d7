"""Entry point of ``python -m sim`` (see ``sim/cli.py``)."""

import sys

from sim.cli import main, preflight

if __name__ == "__main__":
    preflight(sys.argv[1:])
    main()
