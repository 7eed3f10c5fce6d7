"""Entry point of ``python -m sim.validate``; the command lives in ``sim/cli/validating.py``."""

import sys

from sim.cli.validating import main

if __name__ == "__main__":
    sys.exit(main())
