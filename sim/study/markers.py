"""What a job's ``COMPLETE.json`` may say, checked like what a user types.

Where it sits: between a sweep job's marker on disk (written by ``sim/study/sweep.py``) and
everything that reads it back (the sweep's skip test, ``sim.aggregate``, the briefs, the app).
A marker is data from a folder anyone may have edited: it never names code (a ``_target_`` is
looked up among the project's presets as text, ``sim.run.config.preset_classes``; the policy
is described as data, ``policy``, checked by ``sim.report.description.problem``), it names
the folder it was written in, its group choices are plain option names, and the report settings
it carries pass the same checks as ``report.*`` on the command line. A marker that fails any of
this counts as damaged: the sweep recomputes its job and the aggregation names the reason.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sim.model.core.params import ConfigError, check_params
from sim.run.config import leaves

KINDS = ("comparison", "sensitivity", "uncertainty")
PLAIN_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
# blocks the aggregation and the briefs read by key: each must be a mapping when present
READ_BLOCKS = ("policy", "sector", "country", "demand", "population", "sensitivity",
               "uncertainty", "exit", "income", "fertility", "health", "admission")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def marker_problem(marker: dict, job_dir: Path) -> str | None:
    """Why ``marker`` cannot describe the job in ``job_dir`` (one phrase), or None when it can.
    ``marker`` is already well formed as far as ``read_marker`` checks (files, overrides, seeds,
    config); this checks the values the readers use."""
    job_dir = Path(job_dir)
    if marker.get("job_dir") != job_dir.name:
        return (f"job_dir={marker.get('job_dir')!r} (allowed: {job_dir.name!r}, the folder it is in: "
                "a marker names its own job folder, and one copied from another is not valid)")
    if marker.get("kind", "comparison") not in KINDS:
        return f"kind={marker.get('kind')!r} (allowed: one of {', '.join(KINDS)})"
    if not _is_int(marker.get("job_num", 0)) or marker.get("job_num", 0) < 0:
        return f"job_num={marker.get('job_num')!r} (allowed: a whole number >= 0)"
    if not all(_is_int(s) and 0 <= s < 2**31 for s in marker["seeds"]) or not marker["seeds"]:
        return "seeds (allowed: a non-empty list of whole numbers in 0..2,147,483,647)"
    for field in ("experiment", "currency"):
        if marker.get(field) is not None and not isinstance(marker[field], str):
            return f"{field}={marker[field]!r} (allowed: a string)"
    choices = {} if marker.get("choices") is None else marker["choices"]
    if not isinstance(choices, dict):
        return f"choices={choices!r} (allowed: a mapping of config groups to option names)"
    for group, option in choices.items():
        if not PLAIN_NAME.fullmatch(str(group)) or ".." in str(group) or (
                option is not None and (not isinstance(option, str) or not PLAIN_NAME.fullmatch(option)
                                        or ".." in option)):
            return f"choices.{group}={option!r} (allowed: the name of a preset, no path)"
    if marker.get("policy") is not None:  # the policy's description (older markers have none)
        from sim.run.description import problem

        wrong = problem(marker["policy"])
        if wrong:
            return wrong
    config = marker["config"]
    for block in READ_BLOCKS:
        if block in config and config[block] is not None and not isinstance(config[block], dict):
            return f"config.{block}={config[block]!r} (allowed: a mapping)"
    for key, text in leaves(config):
        if isinstance(text, str) and "${" in text:
            return f"config.{key}={text!r} (allowed: a resolved value, not an interpolation)"
    kind = marker.get("kind", "comparison")
    if kind != "comparison":
        chunk = (config.get(kind) or {}).get("chunk")
        if not _is_int(chunk) or chunk < 0:
            return f"config.{kind}.chunk={chunk!r} (allowed: a whole number >= 0)"
    report = {} if marker.get("report") is None else marker["report"]
    if not isinstance(report, dict):
        return f"report={report!r} (allowed: a mapping of report settings)"
    if report:
        from sim.run.report_settings import ReportSpec

        try:
            check_params(ReportSpec, report, "report")
        except ConfigError as err:
            return str(err)
    return None
