"""Entry point of ``python -m sim.aggregate``; the command lives in ``sim/study/aggregate.py``."""

import sys

from sim.study.aggregate import main

if __name__ == "__main__":
    sys.exit(main())
