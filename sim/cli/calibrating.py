"""``python -m sim.calibrate``: fit the parameters of ``configs/calibration/<name>.yaml`` to facts.

Where it sits: the command line over ``sim.study.calibrate.Calibration``; it checks the flags and
``--out`` before anything runs and writes the files together.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd

from sim.cli.args import normalise
from sim.cli.command import check_out_folder, compute_then_write, write_outputs
from sim.model.core.params import ConfigError
from sim.run.io import provenance, write_json, write_table, write_text
from sim.study.calibrate import Calibration, fitted_yaml
from sim.study.calibrate import __doc__ as calibrate_doc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.calibrate",
                                     description=calibrate_doc.splitlines()[0])
    parser.add_argument("--config", default="default", help="configs/calibration/<name>.yaml")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--max-evaluations", type=int, default=None)
    args = parser.parse_args(normalise(parser, sys.argv[1:] if argv is None else argv))
    out = args.out or Path("results/calibration") / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")

    def compute() -> tuple[Calibration, dict, dict[str, float]]:
        if args.max_evaluations is not None and args.max_evaluations < 1:
            raise ConfigError("--max-evaluations", args.max_evaluations, "at least 1")
        cal = Calibration.from_config(args.config)
        if args.max_evaluations:
            cal.max_evaluations = args.max_evaluations
        check_out_folder(out)
        result = cal.fit()
        return cal, result, cal.simulate(result["values"])

    failed: list[int] = []

    def write(fitted: tuple[Calibration, dict, dict[str, float]]) -> None:
        cal, result, simulated = fitted

        def files(folder: Path) -> None:
            write_text(folder / "fitted.yaml", fitted_yaml(cal, result, simulated))
            fit = pd.DataFrame([{"fact": f, "target_low": t["low"], "target_high": t["high"],
                                 "simulated": simulated[f], "weight": t["weight"]}
                                for f, t in cal.facts.items()])
            write_table(fit, folder / "fit", csv=True)
            write_table(pd.DataFrame(cal.history), folder / "history", csv=True)
            write_json(folder / "provenance.json", provenance({
                "calibration": args.config, "parameters": cal.parameters,
                "facts": list(cal.facts), "sector": cal.sector,
                "population.size": cal.population_size, "seeds": cal.seeds,
                "loss": result["loss"], "evaluations": result["evaluations"]}))

        code = write_outputs(out, files)
        if code is not None:
            failed.append(code)

    code, _ = compute_then_write(compute, write, out)
    if code is not None or failed:
        return code if code is not None else failed[0]
    print((out / "fitted.yaml").read_text())
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
