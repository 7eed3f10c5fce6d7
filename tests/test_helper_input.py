"""Bad input to the helper commands is refused like bad input to ``python -m sim`` (issue 19).

The contract of ``tests/test_bad_input.py`` for ``python -m sim.validate``, ``python -m
sim.calibrate`` and ``python -m sim.aggregate``: generated bad values (the declared parameters'
out-of-range, wrong-typed and non-finite values as ``--override``, bad flags, and hand-edited
values in a sweep job's ``COMPLETE.json``) end in exit code 2 and one ``error:`` line naming
the key, before anything is simulated and with nothing written (a refused aggregation leaves
the job folders as they were).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.cli import aggregating as aggregate
from sim.cli import calibrating as calibrate
from sim.cli import validating as validate
from sim.run.config import format_override
from sim.run.io import write_json
from sim.study.sweep import COMPLETE
from tests.conftest import simulation_forbidden, write_job_tables
from tests.test_bad_input import bad_override_cases, examples


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    """An empty working folder; the simulation raises ``Simulated`` if bad input reaches it."""
    with simulation_forbidden(tmp_path_factory.mktemp("helper-input")) as root:
        yield root


def call(main, argv: list[str]) -> tuple[int, str]:
    """``main(argv)``'s exit code and what it printed on stderr."""
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as stop:  # argparse's own refusals exit
            code = stop.code
    return code, stderr.getvalue()


def refused(sandbox: Path, main, argv: list[str], named) -> str:
    """``main(argv)`` exits 2 with one ``error:`` line naming one of ``named``; nothing written."""
    named = [named] if isinstance(named, str) else named
    out = sandbox / "out"
    code, err = call(main, [*argv, "--out", str(out)])
    assert code == 2, f"{argv}: exit {code}: {err}"
    assert err.count("\n") == 1 and err.startswith("error:"), f"{argv}: not one line: {err!r}"
    assert any(n in err for n in named), f"{argv}: {err!r} names none of {named}"
    assert "allowed: \n" not in err and "Traceback" not in err
    assert not out.exists()
    return err


# ---------------------------------------------------------------------------- sim.validate
@examples(15)
@given(case=bad_override_cases())
def test_validate_refuses_bad_overrides(sandbox, case):
    overrides, key, hint = case
    (name, value), = overrides.items()
    refused(sandbox, validate.main, ["--override", format_override(name, value)],
            [key, hint or key])


@examples(10)
@given(flag=st.sampled_from(["--seeds", "--scale"]),
       value=st.one_of(st.integers(-10**6, 1), st.integers(10**30, 10**40),
                       st.sampled_from(["nan", "inf", "-inf", "1e400", "x", "", "0"])))
def test_validate_refuses_bad_flags(sandbox, flag, value):
    if flag == "--scale" and isinstance(value, int) and value >= 1 and value <= 10_000:
        value = -value
    if flag == "--seeds" and value in ("inf", "-inf", "1e400", "nan"):
        value = "1.5"
    refused(sandbox, validate.main, [flag, str(value)], [flag])


@examples(8)
@given(case=st.one_of(st.sampled_from(["../theatre", "nope", "sweden", "", "teateralliansen/x"]),
                      st.text(alphabet="abcxyz_./", min_size=1, max_size=8)))
def test_validate_refuses_unknown_cases(sandbox, case):
    from sim.run.config import group_options

    if case in (group_options("policy") or []) + (group_options("sector") or []):
        return
    refused(sandbox, validate.main, ["--cases", case], ["--cases", "case"])


# ---------------------------------------------------------------------------- sim.calibrate
@examples(8)
@given(name=st.one_of(st.sampled_from(["../default", "/etc/passwd", "nope", "default/x", ""]),
                      st.text(alphabet="abc./_", min_size=1, max_size=6)))
def test_calibrate_refuses_config_names_that_are_not_calibrations(sandbox, name):
    if name == "default":
        return
    refused(sandbox, calibrate.main, ["--config", name], "--config")


@examples(5)
@given(n=st.integers(-10**9, 0))
def test_calibrate_refuses_a_bad_number_of_evaluations(sandbox, n):
    refused(sandbox, calibrate.main, ["--max-evaluations", str(n)], "--max-evaluations")


# ---------------------------------------------------------------------------- sim.aggregate
WORLD = {"policy": {"funding_m": 40.0, "label": "TeaterAlliansen"}, "sector": {"name": "theatre"},
         "country": {"name": "sweden", "currency": "SEK"}}
BAD_MARKER_VALUES = st.one_of(
    st.tuples(st.just("report"), st.one_of(st.text(max_size=6), st.integers(), st.lists(st.integers()))),
    st.tuples(st.just("report.language"),
              st.text(max_size=4).filter(lambda t: t not in ("en", "sv", "nb"))),
    st.tuples(st.just("choices"), st.one_of(st.lists(st.text(max_size=3)), st.text(max_size=3))),
    st.tuples(st.just("choices.policy"),
              st.sampled_from(["../../etc/passwd", "/abs", "a/b", "..", 3, ["x"]])),
    st.tuples(st.just("seeds"), st.sampled_from([[], ["0"], [0.5], [-1], [2**40], [True]])),
    st.tuples(st.just("kind"), st.text(max_size=8).filter(
        lambda t: t not in ("comparison", "sensitivity", "uncertainty"))),
    st.tuples(st.just("job_num"), st.sampled_from([-1, "0", 1.5, None, True])),
    st.tuples(st.sampled_from(["config.policy", "config.sector", "config.country"]),
              st.one_of(st.lists(st.integers(), max_size=2), st.text(max_size=3), st.integers())),
    st.tuples(st.just("config.country.name"), st.just("${oc.env:HOME}")),
    st.tuples(st.just("job_dir"), st.one_of(st.none(), st.text(max_size=6))),
    st.tuples(st.sampled_from(["experiment", "currency"]), st.one_of(st.integers(), st.lists(st.text()))),
)


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@examples(25)
@given(case=BAD_MARKER_VALUES)
def test_aggregate_refuses_hand_edited_markers(sandbox, tmp_path_factory, case):
    from omegaconf import OmegaConf

    from sim.run.config import compose_config

    field, value = case
    folder = tmp_path_factory.mktemp("sweep")
    markers = []
    for num, level in enumerate((0, 40)):
        job = folder / f"policy.funding_m={level}"
        job.mkdir()
        files = write_job_tables(job, {"active_workforce": (10.0, [1.0, 2.0, 3.0])}, 1.0)
        markers.append((job, {
            "kind": "comparison", "job_num": num, "job_dir": job.name, "fingerprint": "f",
            "code": "abc", "packages": {}, "overrides": [f"policy.funding_m={level}"],
            "experiment": "toy", "seeds": [0, 1, 2], "config": json.loads(json.dumps(WORLD)),
            "currency": "SEK", "choices": {"policy": "teateralliansen"},
            "report": OmegaConf.to_container(compose_config().report), "files": files}))
    job, marker = markers[1]
    path = field.split(".")
    if job.name == value:  # the folder's own name is no edit
        return
    node = marker
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    for job_dir, data in markers:
        write_json(job_dir / COMPLETE, data)
    before = digest(folder)
    code, err = call(aggregate.main, [str(folder), "--no-charts"])
    assert code == 2, f"{field}={value!r}: exit {code}: {err}"
    assert err.count("\n") == 1 and err.startswith("error:") and "Traceback" not in err, err
    assert "policy.funding_m=40" in err and path[-1] in err, err
    assert digest(folder) == before and not (folder / "aggregate").exists()


def test_nan_is_not_a_number_of_seeds(sandbox, capsys):
    assert math.isnan(float("nan"))
    refused(sandbox, validate.main, ["--seeds", "nan"], "--seeds")
