"""Entry point of ``python -m sim.paramdoc``; the generator lives in ``sim/report/paramdoc.py``."""

import sys

from sim.report.paramdoc import update

if __name__ == "__main__":
    print("docs/model.md updated" if update() else "docs/model.md already up to date")
    sys.exit(0)
