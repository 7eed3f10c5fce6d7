"""Validation against stylised facts: ``uv run python -m sim.validate``.

Where it sits: outside the simulation, like a study. For each sector preset it runs the paired
comparison over several seeds (common random numbers) and checks the baseline (or, for facts
about members, the alliance arm) against ``configs/targets/<name>.yaml``: a fact passes when
the mean over seeds lies in the target range. It writes ``validation.csv``, ``validation.md``
and ``validation.png`` and exits with 1 when a fact fails that is not declared in the targets'
``known_failures`` (with its reason), so CI catches a change that breaks realism.
"""

from __future__ import annotations

import argparse
import math
import sys
from datetime import datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402
from omegaconf import OmegaConf  # noqa: E402
from omegaconf.errors import OmegaConfBaseException  # noqa: E402

from sim.model.core.params import ConfigError  # noqa: E402
from sim.model.outcomes import OUTCOMES  # noqa: E402
from sim.study.config import CONFIG_DIR, build_spec, compose_config  # noqa: E402
from sim.study.io import atomic_write, provenance, write_json, write_table, write_text  # noqa: E402
from sim.study.paired import run_pair  # noqa: E402
from sim.study.stats import mean_ci  # noqa: E402

FIELDS = ("outcome", "arm", "low", "high", "unit", "source")
# overrides that would contradict an option of this command (and mislabel its results)
OPTION_KEYS = {"sector": "--sectors", "population.size": "--size"}


def load_mapping(path: Path, key: str) -> dict:
    """The YAML mapping in ``path``; a ConfigError under ``key`` if it is unreadable or not a mapping."""
    try:
        data = OmegaConf.to_container(OmegaConf.load(path))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, OmegaConfBaseException) as err:
        reason = " ".join(str(err).split())[:200]
        raise ConfigError(key, str(path), f"a readable YAML file ({reason})") from None
    if not isinstance(data, dict):
        raise ConfigError(key, str(path), f"a YAML file holding a mapping, not a {type(data).__name__}")
    return data


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def load_targets(name: str = "default") -> tuple[dict, dict]:
    """The facts and known failures of ``configs/targets/<name>.yaml`` (or of a YAML path)."""
    options = sorted(p.stem for p in (CONFIG_DIR / "targets").glob("*.yaml"))
    is_path = str(name).endswith((".yaml", ".yml"))
    path = Path(name) if is_path else CONFIG_DIR / "targets" / f"{name}.yaml"
    if not (path.is_file() if is_path else name in options):
        raise ConfigError("targets", name, "one of " + ", ".join(options) + " or a .yaml file")
    data = load_mapping(path, "targets")
    unknown = sorted(set(data) - {"facts", "known_failures"})
    if unknown:
        raise ConfigError(f"targets.{unknown[0]}", data[unknown[0]], "facts and known_failures only")
    facts, known = data.get("facts"), data.get("known_failures") or {}
    if not isinstance(facts, dict) or not facts:
        raise ConfigError("targets.facts", facts, "a mapping of fact name to its target")
    if not isinstance(known, dict):
        raise ConfigError("targets.known_failures", known, "a mapping of <sector>.<fact> to a reason")
    for fact, spec in facts.items():
        if not isinstance(spec, dict):
            raise ConfigError(f"targets.facts.{fact}", spec, "a mapping with " + ", ".join(FIELDS))
        missing = [f for f in FIELDS if f not in spec]
        if missing:
            raise ConfigError(f"targets.facts.{fact}.{missing[0]}", None, "a value")
        if not isinstance(spec["outcome"], str) or spec["outcome"] not in OUTCOMES:
            raise ConfigError(f"targets.facts.{fact}.outcome", spec["outcome"],
                              "an outcome of sim.model.outcomes.OUTCOMES")
        if spec["arm"] not in ("baseline", "alliance"):
            raise ConfigError(f"targets.facts.{fact}.arm", spec["arm"], "baseline or alliance")
        for end in ("low", "high"):
            if not is_number(spec[end]):
                raise ConfigError(f"targets.facts.{fact}.{end}", spec[end], "a finite number")
        if not spec["low"] <= spec["high"]:
            raise ConfigError(f"targets.facts.{fact}.low", spec["low"], f"at most {spec['high']}")
    return facts, known


def sector_options() -> list[str]:
    return sorted(p.stem for p in (CONFIG_DIR / "sector").glob("*.yaml"))


def parse_overrides(items: list[str]) -> dict[str, str]:
    """``key=value`` strings (from every ``--override`` flag) as a dict; conflicts are errors."""
    overrides: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError("--override", item, "key=value pairs")
        option = OPTION_KEYS.get(key.lstrip("+~"))
        if option:
            raise ConfigError(f"--override {key}", value, f"no override: use {option} instead")
        if key in overrides and overrides[key] != value:
            raise ConfigError(f"--override {key}", value, f"one value per key (also given: {overrides[key]})")
        overrides[key] = value
    return overrides


def spec_for(sector: str, size: int, overrides: dict):
    return build_spec(compose_config({"sector": sector, "population.size": size, **overrides}))[0]


def simulate(sector: str, seeds: int, size: int, overrides: dict) -> list[dict]:
    spec = spec_for(sector, size, overrides)
    return [run_pair(spec, seed).outcomes() for seed in range(seeds)]


def validate(sectors=None, seeds: int = 6, size: int = 3000, overrides: dict | None = None,
             targets: str = "default") -> pd.DataFrame:
    """One row per sector and fact: target, simulated mean with 95% CI, status."""
    facts, known = load_targets(targets)
    sectors = list(sectors or sector_options())
    specs = {sector: spec_for(sector, size, overrides or {}) for sector in sectors}  # fail before running
    rows = []
    for sector, spec in specs.items():
        runs = [run_pair(spec, seed).outcomes() for seed in range(seeds)]
        for fact, t in facts.items():
            values = np.array([r[f"{t['arm']}.{t['outcome']}"] for r in runs], dtype=float)
            mean, lo, hi, n = mean_ci(values)
            ok = bool(np.isfinite(mean) and t["low"] <= mean <= t["high"])
            reason = known.get(f"{sector}.{fact}")
            status = "pass" if ok else ("known failure" if reason else "FAIL")
            rows.append({"sector": sector, "fact": fact, "outcome": t["outcome"], "arm": t["arm"],
                         "target_low": float(t["low"]), "target_high": float(t["high"]),
                         "unit": t["unit"], "mean": mean, "ci_low": lo, "ci_high": hi,
                         "n_seeds": n, "status": status, "reason": reason or "",
                         "source": t["source"]})
    return pd.DataFrame(rows)


def check_out(out: Path, key: str = "--out") -> None:
    """Fail before any simulation unless ``out`` can be created and written. Folders made only
    for this probe are removed again, so a run that fails later leaves nothing behind."""
    out = Path(out)
    made = [p for p in (out, *out.parents) if not p.exists()]  # deepest first
    try:
        if out.exists() and not out.is_dir():
            raise NotADirectoryError(f"{out} exists and is not a folder")
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-probe"
        probe.write_text("probe")
        probe.unlink()
    except OSError as err:
        raise ConfigError(key, str(out), f"a writable folder ({err.strerror or err})") from None
    finally:
        for folder in made:
            try:
                folder.rmdir()
            except OSError:
                break


def to_markdown(table: pd.DataFrame) -> str:
    lines = ["| sector | fact | target | simulated (95% CI) | status |", "|---|---|---|---|---|"]
    for _, r in table.iterrows():
        sim = f"{r['mean']:.3g} ({r['ci_low']:.3g} to {r['ci_high']:.3g})"
        status = r["status"] + (f": {r['reason']}" if r["reason"] else "")
        lines.append(f"| {r['sector']} | {r['fact']} | {r['target_low']:g} to {r['target_high']:g} "
                     f"{r['unit']} | {sim} | {status} |")
    return "\n".join(lines) + "\n"


def chart(table: pd.DataFrame, path: Path) -> None:
    sectors = list(dict.fromkeys(table["sector"]))
    facts = list(dict.fromkeys(table["fact"]))
    fig, axes = plt.subplots(1, len(sectors), figsize=(3.2 * len(sectors), 0.35 * len(facts) + 1.5),
                             sharey=True, squeeze=False, layout="constrained")
    colours = {"pass": "#009E73", "FAIL": "#D55E00", "known failure": "#E69F00"}
    for ax, sector in zip(axes[0], sectors, strict=True):
        sub = table[table["sector"] == sector].set_index("fact").loc[facts]
        width = (sub["target_high"] - sub["target_low"]).replace(0, 1)
        pos = (sub["mean"] - sub["target_low"]) / width
        lo = (sub["ci_low"] - sub["target_low"]) / width
        hi = (sub["ci_high"] - sub["target_low"]) / width
        y = np.arange(len(facts))
        ax.axvspan(0, 1, color="#999999", alpha=0.2)
        for i in range(len(facts)):
            ax.plot([lo.iloc[i], hi.iloc[i]], [y[i], y[i]], color="black", lw=1)
            ax.plot(np.clip(pos.iloc[i], -1.5, 2.5), y[i], "o",
                    color=colours[sub["status"].iloc[i]])
        ax.set(xlim=(-1.5, 2.5), yticks=y, yticklabels=facts, title=sector,
               xlabel="position in the target range (0-1 = inside)")
    n_fail = int((table["status"] != "pass").sum())
    fig.suptitle(f"Stylised facts: {len(table) - n_fail} of {len(table)} checks inside their "
                 "target range (grey band)")
    atomic_write(path, lambda p: fig.savefig(p, dpi=110, format="png"))
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.validate", description=__doc__.splitlines()[0])
    parser.add_argument("--sectors", nargs="+", default=None, help="default: every preset")
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--size", type=int, default=3000, help="population.size")
    parser.add_argument("--targets", default="default")
    parser.add_argument("--override", nargs="+", action="extend", default=[],
                        help="key=value, as on the CLI (repeatable; not sector: use --sectors)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    out = args.out or Path("results/validation") / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    try:
        overrides = parse_overrides(args.override)
        if args.seeds < 2:
            raise ConfigError("--seeds", args.seeds, "at least 2 (a CI needs two seeds)")
        if args.size < 1:
            raise ConfigError("--size", args.size, "at least 1")
        unknown = [s for s in args.sectors or [] if s not in sector_options()]
        if unknown:
            raise ConfigError("--sectors", unknown[0], "one of " + ", ".join(sector_options()))
        check_out(out)
        table = validate(args.sectors, args.seeds, args.size, overrides, args.targets)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; nothing was written", file=sys.stderr)
        return 130
    try:
        write_table(table, out / "validation")
        write_text(out / "validation.md", to_markdown(table))
        write_json(out / "provenance.json", provenance({
            "targets": args.targets, "sectors": sorted(set(table["sector"])), "seeds": args.seeds,
            "population.size": args.size, "overrides": args.override}))
        chart(table, out / "validation.png")
    except KeyboardInterrupt:
        print(f"interrupted while writing {out}; some of its files are missing", file=sys.stderr)
        return 130
    print(to_markdown(table))
    failed = table[table["status"] == "FAIL"]
    print(f"{len(table) - len(failed)} of {len(table)} checks pass or are known failures; "
          f"written to {out}")
    return 1 if len(failed) else 0


if __name__ == "__main__":
    sys.exit(main())
