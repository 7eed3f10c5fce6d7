"""The writer of a sweep's charts and brief, one method per kind of study.

Where it sits: the report layer's side of ``sim.study.aggregate.Briefs``. The aggregation
(study layer) gathers the tables and hands them here; the command line and the multirun callback
(``sim/cli``) choose the language. The runs are not repeated for another language: ``report`` is
not part of a job's fingerprint.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def write_report(sweep, out: Path, lang: str | None = None) -> Path:
    """A comparison sweep's charts and brief, in ``lang`` (None: the study's ``report.language``):
    side by side when it compares instruments (``sim.report.compare``), else over the grant and
    the other swept keys (``sim.report.brief``)."""
    from sim.report.brief import report_spec, write_sweep_brief
    from sim.report.compare import compares_instruments, write_comparison
    from sim.report.i18n import language

    with language(lang or report_spec(sweep)["language"]):
        if compares_instruments(sweep):
            return write_comparison(sweep, out)
        return write_sweep_brief(sweep, out)


@dataclass(frozen=True)
class Briefs:
    language: str | None = None  # None: the study's report.language

    def comparison(self, sweep, out: Path) -> None:
        write_report(sweep, out, self.language)

    def sensitivity(self, indices, settings, markers: list[dict], out: Path, command: str) -> None:
        from sim.report.brief import write_sensitivity_report

        write_sensitivity_report(indices, settings, markers, out, self.language, command=command)

    def uncertainty(self, tables: dict, settings, markers: list[dict], out: Path,
                    command: str) -> None:
        from sim.report.uncertainty_brief import write_uncertainty_report

        write_uncertainty_report(tables, settings, markers, out, self.language, command=command)
