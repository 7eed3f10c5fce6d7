"""Entry point of ``python -m sim.paramdoc``: the generated parts of docs/model.md
(``sim/report/paramdoc.py``) and docs/outcomes.md (``sim/report/outcomedoc.py``)."""

import sys

from sim.report import outcomedoc, paramdoc

if __name__ == "__main__":
    print("docs/model.md updated" if paramdoc.update() else "docs/model.md already up to date")
    print("docs/outcomes.md updated" if outcomedoc.update() else "docs/outcomes.md already up to date")
    sys.exit(0)
