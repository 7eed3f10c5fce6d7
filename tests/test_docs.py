"""The documentation names every outcome and parameter the code defines."""

import dataclasses
from pathlib import Path

from sim.model.outcomes import EFFECT_ONLY, OUTCOMES
from sim.model.spec import POLICY_GROUPS, RULE_GROUPS, WORLD_BLOCKS
from sim.run.config import build_spec, compose_config

ROOT = Path(__file__).resolve().parent.parent


def test_readme_and_model_doc_list_every_outcome():
    for doc in ("README.md", "docs/model.md"):
        text = (ROOT / doc).read_text()
        missing = [name for name in {**OUTCOMES, **EFFECT_ONLY} if f"`{name}`" not in text]
        assert missing == [], (doc, missing)


def test_model_doc_lists_every_parameter():
    text = (ROOT / "docs/model.md").read_text()
    spec, _ = build_spec(compose_config({}))
    blocks = {**{k: getattr(spec, k) for k in WORLD_BLOCKS},
              **{k: getattr(spec, k) for k in POLICY_GROUPS},
              **{k: getattr(spec.rules, k) for k in RULE_GROUPS}}
    missing = [f"{block}.{f.name}" for block, obj in blocks.items()
               for f in dataclasses.fields(obj) if f"`{block}.{f.name}`" not in text]
    assert missing == []


def test_generated_parameter_tables_are_current():
    from sim.report.paramdoc import (
        BEGIN,
        DOC,
        END,
        LEFT_OUT_BEGIN,
        LEFT_OUT_END,
        render,
        render_left_out,
    )

    text = DOC.read_text()
    assert text[text.index(BEGIN): text.index(END) + len(END)] == render(), (
        "run `uv run python -m sim.paramdoc` to refresh docs/model.md")
    left_out = text[text.index(LEFT_OUT_BEGIN): text.index(LEFT_OUT_END) + len(LEFT_OUT_END)]
    assert left_out == render_left_out()
