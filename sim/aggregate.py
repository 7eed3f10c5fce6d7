"""Entry point of ``python -m sim.aggregate``; the command lives in ``sim/cli/aggregating.py``."""

import sys

from sim.cli.aggregating import main

if __name__ == "__main__":
    sys.exit(main())
