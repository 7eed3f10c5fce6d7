"""Validation against stylised facts (``uv run python -m sim.validate``, ``sim/cli/validating.py``).

Where it sits: outside the simulation, like a study. For each case (every real alliance preset
in its sector and country, and every sector no real alliance covers, with the hypothetical
``policy=generic``) it runs the paired comparison over several seeds (common random numbers)
and checks the baseline (or, for facts about members, the policy arm) against
``configs/targets/<name>.yaml``: a fact passes when the mean over seeds lies in the target
range, fails when it does not and is not declared in the targets' ``known_failures`` (with its
reason), and is *inconclusive* when the mean misses but the 95% CI over at least
``MIN_SEEDS_TO_DOUBT`` seeds still reaches into the range (``check_status``). A fact may be
limited to some cases (``cases:``) or checked in a scenario (``overrides:``). It writes
``validation.csv``, ``validation.md`` and ``validation.png`` and exits with 1 when a fact fails,
so CI catches a change that breaks realism.
"""

from __future__ import annotations

import math
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
from sim.run.batch import run_specs  # noqa: E402
from sim.run.config import CONFIG_DIR, build_spec, compose_config, format_override  # noqa: E402
from sim.run.io import (  # noqa: E402
    atomic_write,
)
from sim.run.paired import PairResult  # noqa: E402
from sim.study.stats import mean_ci  # noqa: E402

FIELDS = ("outcome", "arm", "low", "high", "unit", "source")
OPTIONAL = ("cases", "overrides", "money")  # which cases; a scenario; bounds in SEK
# overrides that would contradict an option of this command (and mislabel its results)
OPTION_KEYS = {"sector": "--cases", "country": "--cases", "policy": "--cases",
               "population.scale": "--scale"}


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
        if spec["arm"] not in ("baseline", "policy"):
            raise ConfigError(f"targets.facts.{fact}.arm", spec["arm"], "baseline or alliance")
        for end in ("low", "high"):
            if not is_number(spec[end]):
                raise ConfigError(f"targets.facts.{fact}.{end}", spec[end], "a finite number")
        if not spec["low"] <= spec["high"]:
            raise ConfigError(f"targets.facts.{fact}.low", spec["low"], f"at most {spec['high']}")
        unknown = sorted(set(spec) - set(FIELDS) - set(OPTIONAL))
        if unknown:
            raise ConfigError(f"targets.facts.{fact}.{unknown[0]}", spec[unknown[0]],
                              "one of " + ", ".join(FIELDS + OPTIONAL))
        if not isinstance(spec.get("cases") or [], list):
            raise ConfigError(f"targets.facts.{fact}.cases", spec["cases"], "a list of cases")
        for case in spec.get("cases") or []:  # checked now: an unknown case would match nothing
            if not isinstance(case, str) or case not in known_cases():
                raise ConfigError(f"targets.facts.{fact}.cases", case, "a list of alliance or "
                                  "sector presets: " + ", ".join(known_cases()))
        if not isinstance(spec.get("overrides") or {}, dict):
            raise ConfigError(f"targets.facts.{fact}.overrides", spec["overrides"],
                              "a mapping of key to value (a scenario)")
    return facts, known


def options(group: str) -> list[str]:
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))


def known_cases() -> list[str]:
    """Every name a case may have: the alliance presets, then the sector presets."""
    return options("policy") + options("sector")


def case_overrides(case: str) -> dict[str, str]:
    """A case is an alliance preset (in its own sector and country) or a sector preset (with
    the hypothetical ``policy=generic``)."""
    if case in options("policy"):
        return {"policy": case}
    if case in options("sector"):
        return {"sector": case, "policy": "generic"}
    raise ConfigError("--cases", case, "an alliance or sector preset: "
                      + ", ".join(options("policy") + options("sector")))


def default_cases() -> list[str]:
    """Every real alliance preset (one that names its country and sectors: not the hypothetical
    ``generic`` nor another instrument such as ``stipends``), then every sector no real alliance
    employs."""
    from sim.run.config import alliance_homes, preset_sector

    alliances = [a for a, (country, sectors) in alliance_homes().items()
                 if country is not None and sectors is not None]
    covered = {preset_sector(alliance) for alliance in alliances}
    return alliances + [s for s in options("sector") if s not in covered]


def parse_overrides(items: list[str]) -> dict[str, str]:
    """``key=value`` strings (from every ``--override`` flag) as a dict; conflicts are errors."""
    overrides: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError("--override", item, "key=value pairs")
        if key.lstrip("+~").startswith(("hydra.", "hydra/")) or key.lstrip("+~") == "hydra":
            raise ConfigError(f"--override {key}", value, "a model key (sim.validate runs no "
                              "Hydra job: hydra.* settings do not apply; see python -m sim --help)")
        option = OPTION_KEYS.get(key.lstrip("+~"))
        if option:
            raise ConfigError(f"--override {key}", value, f"no override: use {option} instead")
        if key in overrides and overrides[key] != value:
            raise ConfigError(f"--override {key}", value, f"one value per key (also given: {overrides[key]})")
        overrides[key] = value
    return overrides


def scenario_text(values: dict) -> dict[str, str]:
    """A target's scenario (typed YAML values) as command-line text, like ``--override``."""
    return {k: format_override(k, v).split("=", 1)[1] for k, v in values.items()}


def spec_for(case: str, scale: float, overrides: dict):
    """The spec of a case at its sector's real size, ``scale`` people per agent; ``overrides``
    are command-line text (``key -> value text``)."""
    fixed = {**case_overrides(case), "population.scale": scale}
    texts = [format_override(k, v) for k, v in fixed.items() if k not in overrides]
    texts += [f"{k}={v}" for k, v in overrides.items()]
    return build_spec(compose_config(texts))[0]


def simulate(case: str, seeds: int, scale: float, overrides: dict) -> list[dict]:
    return outcomes_of(spec_for(case, scale, overrides), seeds)


def outcomes_of(spec, seeds: int) -> list[dict]:
    """Outcomes of seeds 0 .. ``seeds`` - 1, simulated as batches (``sim/run/batch.py``)."""
    return run_specs([(spec, seed) for seed in range(seeds)], PairResult.outcomes)


def validate(cases=None, seeds: int = 6, scale: float = 1.0, overrides: dict | None = None,
             targets: str = "default") -> pd.DataFrame:
    """One row per case and fact: target, simulated mean with 95% CI, status."""
    facts, known = load_targets(targets)
    cases = list(cases or default_cases())
    for case in cases:
        case_overrides(case)
    if not any(not t.get("cases") or case in t["cases"] for t in facts.values() for case in cases):
        raise ConfigError("--cases", ",".join(cases), "cases that a fact of the targets applies "
                          "to: " + ", ".join(sorted({c for t in facts.values()
                                                     for c in t.get("cases") or []})))
    specs = {case: spec_for(case, scale, overrides or {}) for case in cases}  # fail before running
    for t in facts.values():  # every scenario builds, before anything runs
        for case in cases:
            if t.get("overrides") and (not t.get("cases") or case in t["cases"]):
                spec_for(case, scale, {**(overrides or {}), **scenario_text(t["overrides"])})
    rows = []
    for case, spec in specs.items():
        runs = {"": outcomes_of(spec, seeds)}
        for fact, t in facts.items():
            if t.get("cases") and case not in t["cases"]:
                continue
            scenario = repr(sorted((t.get("overrides") or {}).items()))
            if scenario not in runs and t.get("overrides"):
                shocked = spec_for(case, scale, {**(overrides or {}), **scenario_text(t["overrides"])})
                runs[scenario] = outcomes_of(shocked, seeds)
            results = runs[scenario if t.get("overrides") else ""]
            key = f"{t['arm']}.{t['outcome']}"
            if key not in results[0]:  # an outcome the case's policy does not have (members of
                continue               # an alliance, for working grants): the fact does not apply
            values = np.array([r[key] for r in results], dtype=float)
            # money targets are in SEK: scaled to the case's currency
            unit_scale = spec.country.wage_scale if t.get("money") else 1.0
            mean, lo, hi, n = mean_ci(values)
            mean, lo, hi = mean / unit_scale, lo / unit_scale, hi / unit_scale
            reason = known.get(f"{case}.{fact}")
            status = check_status(mean, lo, hi, t["low"], t["high"], known=bool(reason),
                                  n_seeds=n)
            rows.append({"case": case, "fact": fact, "outcome": t["outcome"], "arm": t["arm"],
                         "target_low": float(t["low"]), "target_high": float(t["high"]),
                         "unit": t["unit"], "mean": mean, "ci_low": lo, "ci_high": hi,
                         "n_seeds": n, "status": status, "reason": reason or "",
                         "source": t["source"]})
    return pd.DataFrame(rows)


def to_markdown(table: pd.DataFrame) -> str:
    lines = ["| case | fact | target | simulated (95% CI) | status |", "|---|---|---|---|---|"]
    for _, r in table.iterrows():
        sim = f"{r['mean']:.3g} ({r['ci_low']:.3g} to {r['ci_high']:.3g})"
        status = r["status"] + (f": {r['reason']}" if r["reason"] else "")
        lines.append(f"| {r['case']} | {r['fact']} | {r['target_low']:g} to {r['target_high']:g} "
                     f"{r['unit']} | {sim} | {status} |")
    return "\n".join(lines) + "\n"


# Fewer seeds give a t-interval so wide that nearly every miss would reach into its range.
MIN_SEEDS_TO_DOUBT = 4


def check_status(mean: float, lo: float, hi: float, low: float, high: float, known: bool,
                 n_seeds: int) -> str:
    """``pass`` when the simulated mean lies in the target range; otherwise ``known failure``
    when documented, ``inconclusive`` when at least ``MIN_SEEDS_TO_DOUBT`` seeds' 95% CI still
    reaches into the range (the seeds cannot tell: a fact measured on few people, such as
    dancers' childlessness at 45), and ``FAIL`` otherwise. Only FAIL fails the gate."""
    if np.isfinite(mean) and low <= mean <= high:
        return "pass"
    if known:
        return "known failure"
    if (n_seeds >= MIN_SEEDS_TO_DOUBT and np.isfinite(lo) and np.isfinite(hi)
            and lo <= high and hi >= low):
        return "inconclusive"
    return "FAIL"


def chart(table: pd.DataFrame, path: Path) -> None:
    cases = list(dict.fromkeys(table["case"]))
    facts = list(dict.fromkeys(table["fact"]))
    fig, axes = plt.subplots(1, len(cases), figsize=(3.2 * len(cases), 0.35 * len(facts) + 1.5),
                             sharey=True, squeeze=False, layout="constrained")
    colours = {"pass": "#009E73", "FAIL": "#D55E00", "known failure": "#E69F00",
               "inconclusive": "#56B4E9"}
    for ax, case in zip(axes[0], cases, strict=True):
        sub = table[table["case"] == case].set_index("fact").reindex(facts)
        width = (sub["target_high"] - sub["target_low"]).replace(0, 1)
        pos = (sub["mean"] - sub["target_low"]) / width
        lo = (sub["ci_low"] - sub["target_low"]) / width
        hi = (sub["ci_high"] - sub["target_low"]) / width
        y = np.arange(len(facts))
        ax.axvspan(0, 1, color="#999999", alpha=0.2)
        for i in range(len(facts)):
            if pd.isna(sub["status"].iloc[i]):  # a fact not checked for this case
                continue
            ax.plot([lo.iloc[i], hi.iloc[i]], [y[i], y[i]], color="black", lw=1)
            ax.plot(np.clip(pos.iloc[i], -1.5, 2.5), y[i], "o",
                    color=colours[sub["status"].iloc[i]])
        ax.set(xlim=(-1.5, 2.5), yticks=y, yticklabels=facts, title=case)
    fig.supxlabel("position of the simulated mean in the target range (0 to 1 = inside; a line is "
                  "its 95% CI)")
    n_fail = int((table["status"] != "pass").sum())
    fig.suptitle(f"Stylised facts: {len(table) - n_fail} of {len(table)} checks inside their "
                 "target range (grey band)")
    atomic_write(path, lambda p: fig.savefig(p, dpi=110, format="png"))
    plt.close(fig)
