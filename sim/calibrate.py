"""Entry point of ``python -m sim.calibrate``; the command lives in ``sim/cli/calibrating.py``."""

import sys

from sim.cli.calibrating import main

if __name__ == "__main__":
    sys.exit(main())
