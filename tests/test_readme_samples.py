"""The code samples of the README and docs/ print what the code prints today (issue 20 item 12).

Every ```python block of README.md or a page of docs/ that is followed directly by a plain ```
block is a sample with its output: the test runs the code and compares the output, numbers
within floating-point noise, so a sample cannot go stale. Update a sample by running its code
and pasting the output.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import run_module

README = Path(__file__).resolve().parents[1] / "README.md"
PAGES = [README, *sorted((README.parent / "docs").glob("*.md"))]
PAIR = re.compile(r"^```python\n((?:(?!```).)*?)^```\n\n^```\n((?:(?!```).)*?)^```", re.S | re.M)
NUMBER = re.compile(r"-?\d[\d,]*\.?\d*(?:e[+-]?\d+)?")


def samples() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for page in PAGES
            for m in PAIR.finditer(page.read_text(encoding="utf-8"))]


def split(text: str) -> tuple[list[str], list[float]]:
    """Words and numbers of a printed output, apart."""
    numbers = [float(n.replace(",", "")) for n in NUMBER.findall(text)]
    return NUMBER.sub("#", text).split(), numbers


def test_the_readme_has_samples():
    assert any("mesa.batch_run" in code for code, _ in samples())


@pytest.mark.parametrize("code, expected", samples())
def test_a_readme_sample_prints_what_it_shows(code, expected):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<docs sample>", "exec"), {})  # noqa: S102 - the project's own docs
    words, numbers = split(out.getvalue())
    want_words, want_numbers = split(expected)
    assert words == want_words, out.getvalue()
    assert np.allclose(numbers, want_numbers, rtol=1e-6, atol=1e-6), out.getvalue()


def test_the_readme_sample_table_is_what_the_default_command_prints(tmp_path):
    """The README's abridged sample of `uv run python -m sim`: each row it shows, verbatim."""

    text = README.read_text(encoding="utf-8")
    start = text.index("```\nTeaterAlliansen, Freelance actors")
    sample = text[start + 4:text.index("```", start + 4)].splitlines()
    shown = [line for line in sample if line and line != "..." and not line.startswith("results:")]
    proc = run_module("sim", ["output.charts=false", "output.timeseries=false",
                              f"hydra.run.dir={tmp_path / 'run'}"], tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    printed = proc.stdout.splitlines()
    assert len(shown) > 10
    missing = [line for line in shown if line not in printed]
    assert not missing, "README rows not printed by a fresh run:\n" + "\n".join(missing)
