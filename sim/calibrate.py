"""Entry point of ``python -m sim.calibrate``; the command lives in ``sim/study/calibrate.py``."""

import sys

from sim.study.calibrate import main

if __name__ == "__main__":
    sys.exit(main())
