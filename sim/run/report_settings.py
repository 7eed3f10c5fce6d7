"""What a brief shows: the per-study report spec (``report:`` in the config).

Where it sits: read by the report layer after the runs (``sim/report/brief.py``); validated with
the rest of the config before anything runs (``sim.run.config.build_spec``). The report code
knows charts, not studies: which charts a study gets, which level its headlines describe, which
assumptions its brief lists and what the model leaves out all come from here, so a new study is
one YAML file and a swapped-in rule never breaks a brief.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.core.params import ConfigError, param

CHARTS = ("funding", "timeline", "sectors")
LANGUAGES = ("en", "sv", "nb")  # the languages briefs are written in (sim/report/locale)
# the world's and the rules' keys a brief's assumptions table lists after the policy's own
# (``Policy.describe``) when the study sets no ``report.assumptions``
CORE_ASSUMPTIONS = ("sector.outside_wage", "exit.beta_buffer", "fertility.insecurity_hr",
                    "health.insecurity_or", "country.benefit_takeup",
                    "country.employer_contribution_rate", "country.vat_share", "demand.engaged_share",
                    "sector.fee_tail_max",
                    "country.parental_replacement", "country.parental_qualifying_months")


@dataclass(frozen=True)
class ReportSpec:
    title: str | None = param("-", doc="what the study asks, in plain words, for the brief's title "
                                       "(null: the study's name)")
    charts: list = param("-", doc=f"charts of a study's brief, from {', '.join(CHARTS)}")
    x: str | None = param("-", doc="the swept key the funding charts put on their x axis")
    headline_level: float | None = param(
        "value of x", None, None, "the level the headlines describe (null: the middle funded level)")
    assumptions: list | None = param("-", doc="config keys listed in the brief's assumptions "
                                              "table (keys the chosen rules do not have are left "
                                              "out; null: the policy's, then the world's and the "
                                              "rules')")
    left_out: list = param("-", doc="what the model leaves out, one sentence each (each a message "
                                    "of the translation catalogues, sim/report/locale)")
    language: str = param("-", doc="language of the brief and its charts: en, sv or nb")

    def check(self, path: str) -> None:
        for name in ("charts", "assumptions", "left_out"):
            value = getattr(self, name)
            if name == "assumptions" and value is None:
                continue
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{path}.{name}", value, "a list of strings")
        if self.title is not None and not isinstance(self.title, str):
            raise ConfigError(f"{path}.title", self.title, "a string or null")
        if self.language not in LANGUAGES:
            raise ConfigError(f"{path}.language", self.language, "one of " + ", ".join(LANGUAGES))
        unknown = [c for c in self.charts if c not in CHARTS]
        if unknown:
            raise ConfigError(f"{path}.charts", unknown[0], "one of " + ", ".join(CHARTS))


def check_report(cfg) -> None:
    """The report keys that name other keys of the composed config ``cfg``: ``report.x`` must
    be one of its values (a number when the brief draws funding charts), or null. A key that
    does not exist would leave the funding charts out of the brief without a word."""
    from omegaconf import OmegaConf

    report = cfg.get("report") if hasattr(cfg, "get") else None
    x = None if report is None else OmegaConf.select(cfg, "report.x", default=None)
    if x is None:
        return
    value = OmegaConf.select(cfg, str(x), default=_ABSENT, throw_on_resolution_failure=False)
    if str(x).split(".")[0] in ("report", "hydra") or value is _ABSENT or OmegaConf.is_config(value):
        raise ConfigError("report.x", x, "a key of the config that holds one value, e.g. "
                          "policy.funding_m (the swept key the funding charts put on their x "
                          "axis), or null")
    charts = OmegaConf.select(cfg, "report.charts", default=None) or []
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if "funding" in charts and not numeric:
        raise ConfigError("report.x", x, f"a key whose value is a number when the brief draws "
                          f"funding charts ({x} is {value!r})")


_ABSENT = object()
