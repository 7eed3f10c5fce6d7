"""The default answer, pinned (in the manner of Starsim's tests/test_baselines.py).

``tests/baselines/default.json`` holds the headline outcomes of the default paired run
(TeaterAlliansen, freelance actors in Sweden, every default) at seed 0. The test fails on any
change beyond floating-point noise, so a change that moves the answer must update the file on
purpose, in the same commit, saying why:

    uv run python tests/test_baselines.py --update

A second test checks the answer's direction: more money keeps more people and costs more.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

BASELINE = Path(__file__).with_name("baselines") / "default.json"
SEED = 0
# the headline outcomes: who the alliance keeps, what it costs, who it employs, what it changes
PINNED = (
    *(f"{arm}.{o}" for arm in ("baseline", "policy", "effect")
      for o in ("active_workforce", "experienced_workforce", "public_cost_m", "births_per_year",
                "retention_10y")),
    *(f"policy.{o}" for o in ("alliance_members", "alliance_spend_m", "cost_per_member_k",
                              "member_age_at_hire", "member_years_in_profession_at_hire",
                              "member_mean_age", "applicants_per_place",
                              "member_birth_ratio_women_25_44")),
    *(f"baseline.{o}" for o in ("health_gradient", "episode_mean_months", "median_income_ratio",
                                "median_exit_age_after_30")),
    "effect.cost_per_retained_worker_year_k",
)


def default_outcomes() -> dict[str, float]:
    from sim import run_model

    out = run_model(seed=SEED)
    return {key: float(out[key]) for key in PINNED}


def test_the_default_answer_is_pinned():
    pinned = json.loads(BASELINE.read_text(encoding="utf-8"))
    assert pinned["seed"] == SEED and set(pinned["outcomes"]) == set(PINNED), (
        "the pinned outcomes changed: run `uv run python tests/test_baselines.py --update`")
    now = default_outcomes()
    moved = {k: (pinned["outcomes"][k], v) for k, v in now.items()
             if not math.isclose(v, pinned["outcomes"][k], rel_tol=1e-9, abs_tol=1e-12)}
    assert not moved, (f"the default answer moved (pinned, now): {moved}; if on purpose, run "
                       "`uv run python tests/test_baselines.py --update` and say why in the commit")


GROWING = ("active_workforce", "experienced_workforce", "public_cost_m")


@pytest.fixture(scope="module")
def by_grant() -> dict[str, np.ndarray]:
    """Effects at 20, 40 and 80 M SEK a year (rows), seeds 0-2 (columns), the same seeds at
    every level."""
    from sim import run_model

    runs = [[run_model(seed=s, **{"policy.funding_m": g}) for s in (0, 1, 2)] for g in (20, 40, 80)]
    return {o: np.array([[r[f"effect.{o}"] for r in row] for row in runs]) for o in GROWING}


@pytest.mark.parametrize("outcome", GROWING)
def test_effects_grow_with_the_grant(by_grant, outcome):
    """The effect on the workforce and on the net public cost rises with each step of the grant,
    for the mean and for every seed: with common random numbers a larger grant never keeps
    fewer people, nor costs less, in a seed."""
    effects = by_grant[outcome]
    assert (np.diff(effects.mean(axis=1)) > 0).all(), effects
    assert (np.diff(effects, axis=0) > 0).all(), effects


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    BASELINE.write_text(json.dumps({"seed": SEED, "command": "uv run python -m sim (seed 0)",
                                    "outcomes": default_outcomes()}, indent=2) + "\n",
                        encoding="utf-8")
    print(f"updated {BASELINE}")
