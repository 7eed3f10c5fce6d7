"""How fast the command line answers: --help and a bad value against importing the heavy libraries.

    uv run python benchmarks/cli_latency.py [--repeats 5]

Each command runs in a fresh interpreter, the three alternating, ``--repeats`` times; the JSON
gives the median wall time of each and the ratios to importing pandas, Mesa and numba (measured
in the same run, so the ratios compare on a shared machine).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "help": [sys.executable, "-m", "sim", "--help"],
    "bad_value": [sys.executable, "-m", "sim", "policy.funding_m=-5"],
    "import_pandas_mesa_numba": [sys.executable, "-c", "import pandas, mesa, numba"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    times = {name: [] for name in COMMANDS}
    for _ in range(args.repeats):
        for name, command in COMMANDS.items():
            t0 = time.perf_counter()
            subprocess.run(command, capture_output=True, check=False)
            times[name].append(time.perf_counter() - t0)
    median = {name: statistics.median(values) for name, values in times.items()}
    heavy = median["import_pandas_mesa_numba"]
    print(json.dumps({"machine": platform.processor() or platform.machine(),
                      "median_seconds": {k: round(v, 3) for k, v in median.items()},
                      "ratio_to_heavy_imports": {k: round(v / heavy, 3) for k, v in median.items()}},
                     indent=1))


if __name__ == "__main__":
    main()
