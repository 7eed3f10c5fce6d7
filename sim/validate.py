"""Entry point of ``python -m sim.validate``; the command lives in ``sim/study/validate.py``."""

import sys

from sim.study.validate import main

if __name__ == "__main__":
    sys.exit(main())
