"""``python -m sim --help``: the project's own help, printed before any heavy library loads.

Where it sits: the first thing ``sim/__main__.py`` checks. It reads only the standard library,
the config folders (which presets exist) and ``sim/model/catalogue.py`` (outcomes and units),
so it answers in a fraction of the time numpy, pandas, Mesa and numba take to import
(docs/benchmarks.md). Hydra's generic help stays available as ``--hydra-help``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from sim.model.catalogue import EFFECT_ONLY, OUTCOMES

CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs"
PRESET_GROUPS = {"sector": "who the freelancers are", "country": "tax and benefit rules",
                 "policy": "the alliance design; generic = a hypothetical one",
                 "demand": "labour market", "experiment": "sweeps (experiments/), run with -m",
                 "income": "rule: engagements and pay", "exit": "rule: leaving the profession",
                 "fertility": "rule: births", "health": "rule: sickness episodes",
                 "admission": "rule: who the alliance hires"}
STABLE_KEYS = {
    "population.size": "people in the sector (default: the sector preset's real number)",
    "population.scale": "people per simulated agent: precision, not the scenario (default 1)",
    "policy.funding_m": "yearly grant, million in the country's currency",
    "seed, seeds": "first seed and number of paired runs (CIs are over seeds)",
    "burn_in_years, horizon_years": "years before and of the measured period",
    "report.language": "language of briefs and charts: en, sv (Swedish) or nb (Norwegian)",
    "plugins": "installed packages whose classes a rule's _target_ may name (default none)",
}
EXAMPLES = [
    ("uv run python -m sim", "TeaterAlliansen vs no alliance, Swedish actors, 10 seeds"),
    ("uv run python -m sim policy.funding_m=80", "double the grant"),
    ("uv run python -m sim policy=skuda", "SKUDA: Norwegian actors (NOK)"),
    ("uv run python -m sim demand=steady", "networking adds work (no crowding-out)"),
    ("uv run python -m sim -m experiment=funding_sweep", "sweep the grant; brief in results/sweeps/"),
    ("uv run python -m sim -m experiment=uncertainty", "how sure: plausible worlds, P(pays for itself)"),
    ("uv run python -m sim.validate", "stylized facts and alliance facts, every preset"),
]


def presets(group: str) -> list[str]:
    folder = CONFIG_DIR.parent / "experiments" if group == "experiment" else CONFIG_DIR / group
    return sorted(p.stem for p in folder.glob("*.yaml"))


def render(width: int = 100) -> str:
    lines = ["usage: python -m sim [key=value ...]            one paired comparison",
             "       python -m sim -m [key=v1,v2 ...] [experiment=<name>]   a sweep (resumable)",
             "",
             *textwrap.wrap("Simulates freelance careers with and without a state-funded "
                            "alliance (same people, same luck in both arms) and reports talent "
                            "kept, births and the net public cost, with 95% confidence "
                            "intervals over paired seeds. Every value in configs/ can be set "
                            "as key=value; a bad value stops the run before anything is "
                            "simulated (exit 2).", width),
             "", "stable keys:"]
    lines += [f"  {key:30s} {meaning}" for key, meaning in STABLE_KEYS.items()]
    lines += ["", "presets (group=option):"]
    for group, meaning in PRESET_GROUPS.items():
        options = ", ".join(presets(group))
        lines += textwrap.wrap(f"{group}={{{options.replace(', ', ',')}}}  ({meaning})", width,
                               initial_indent="  ", subsequent_indent="      ")
    lines += ["", "outcomes (baseline.<name>, alliance.<name>, effect.<name>; currency = "
                  "the country's):"]
    for name, (unit, meaning) in {**OUTCOMES, **EFFECT_ONLY}.items():
        lines.append(f"  {name:36s} {unit:28s} {meaning}")
    lines += ["", "examples:"]
    lines += [f"  {command:48s} {what}" for command, what in EXAMPLES]
    lines += ["", "more: README.md, docs/analysts.md (outputs, experiments), docs/model.md (the model and "
                  "every parameter with its source); Hydra's own help: --hydra-help"]
    return "\n".join(lines)


def wants_help(argv: list[str]) -> bool:
    return any(arg in ("-h", "--help") for arg in argv)
