"""``python -m sim.validate``: every preset against the stylised facts of ``configs/targets``.

Where it sits: the command line over ``sim.study.validate`` (the cases, the checks, the table and
its chart); it checks the flags and ``--out`` before anything runs and writes the files together.
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
from sim.study.validate import __doc__ as validate_doc
from sim.study.validate import case_overrides, chart, parse_overrides, to_markdown, validate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.validate", description=validate_doc.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=None,
                        help="alliance or sector presets (default: every real alliance, then "
                             "the sectors none employs)")
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="population.scale: people per agent (each case runs at its "
                             "sector's real size)")
    parser.add_argument("--targets", default="default")
    parser.add_argument("--override", nargs="+", action="extend", default=[],
                        help="key=value, as on the CLI (repeatable; not sector, country or "
                             "alliance: use --cases)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(normalise(parser, sys.argv[1:] if argv is None else argv,
                                       model_option="--override"))
    out = args.out or Path("results/validation") / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")

    def compute() -> pd.DataFrame:
        overrides = parse_overrides(args.override)
        if not 2 <= args.seeds <= 100_000:  # as seeds= of python -m sim; a CI needs two
            raise ConfigError("--seeds", args.seeds, "a whole number in [2, 100,000] (a CI needs "
                              "two seeds)")
        if not 0.01 <= args.scale <= 10_000:
            raise ConfigError("--scale", args.scale, "a number in [0.01, 10000]")
        for case in args.cases or []:
            case_overrides(case)
        check_out_folder(out)
        return validate(args.cases, args.seeds, args.scale, overrides, args.targets)

    failed: list[int] = []

    def write(table: pd.DataFrame) -> None:
        def files(folder: Path) -> None:
            write_table(table, folder / "validation")
            write_text(folder / "validation.md", to_markdown(table))
            write_json(folder / "provenance.json", provenance({
                "targets": args.targets, "cases": list(dict.fromkeys(table["case"])),
                "seeds": args.seeds, "population.scale": args.scale, "overrides": args.override}))
            chart(table, folder / "validation.png")

        code = write_outputs(out, files)
        if code is not None:
            failed.append(code)

    code, table = compute_then_write(compute, write, out)
    if code is not None or failed:
        return code if code is not None else failed[0]
    print(to_markdown(table))
    failed = table[table["status"] == "FAIL"]
    unsure = int((table["status"] == "inconclusive").sum())
    doubt = (f" ({unsure} inconclusive: the mean is outside the target but its 95% CI is not; "
             "more --seeds would decide)" if unsure else "")
    print(f"{len(table) - len(failed)} of {len(table)} checks pass, are known failures or are "
          f"inconclusive{doubt}; written to {out}")
    return 1 if len(failed) else 0


if __name__ == "__main__":
    sys.exit(main())
