"""A run's tables: the core's plus its policy's (agent columns, series, spending lines, outcomes).

Where it sits: read by the model when it builds an arm (``sim/model/freelance.py``) and by the
outcome tables (``sim/model/outcomes.py``). The core declares its own tables
(``sim/model/core/columns.py``, ``recorder.py``, ``ledger.py``, ``sim/model/catalogue.py``);
a policy declares its own on its class (``sim/model/policy/base.py``). Both arms of a
comparison keep the same recorder, ledger and outcome tables (the baseline's policy series and
spending stay zero), but only the policy arm's population holds the policy's columns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from sim.model.catalogue import CORE_OUTCOMES
from sim.model.core.columns import COLUMNS
from sim.model.core.recorder import NOT_TOTALS, SERIES, STOCKS

# units of totals over the population: simulated with population.size / population.scale
# agents and reported for the real sector (x scale), like Covasim's pop_scale. Rates, shares,
# means and per-person ratios are the same at any scale.
REAL_TOTAL_UNITS = frozenset({"people", "births/year", "members/year", "people/year",
                              "million currency/year", "engagement-months/year",
                              "million currency", "person-years"})


def policies(specs) -> list:
    """The policies of ``specs`` (a spec or a list), one per class, in order: a batch's runs
    may run different presets of one design (and a baseline batch any designs)."""
    specs = specs if isinstance(specs, Sequence) else [specs]
    out: dict[type, object] = {}
    for spec in specs:
        policy = spec.policy
        if policy is not None:
            out.setdefault(type(policy), policy)
    return list(out.values())


def columns(policy) -> dict:
    """The agent columns of an arm that runs ``policy`` (None: the core's alone)."""
    return dict(COLUMNS) if policy is None else {**COLUMNS, **policy.COLUMNS}


def series(specs) -> list[str]:
    """The recorder's series of runs of ``specs``: the core's, then their policies'."""
    names = dict.fromkeys(SERIES)
    for policy in policies(specs):
        names.update(dict.fromkeys(policy.SERIES))
    return list(names)


def spending(specs) -> list[str]:
    """The ledger's spending lines of runs of ``specs``: their policies'."""
    names: dict[str, None] = {}
    for policy in policies(specs):
        names.update(dict.fromkeys(policy.SPENDING))
    return list(names)


def stocks(spec) -> frozenset[str]:
    """Series that are levels (averaged over a year): the core's and the policy's."""
    return STOCKS.union(*(p.STOCKS for p in policies(spec)))


def not_totals(spec) -> frozenset[str]:
    """Series that are not totals over agents (not scaled): the core's and the policy's."""
    return NOT_TOTALS.union(*(p.NOT_TOTALS for p in policies(spec)))


def outcome_table(spec) -> dict[str, tuple[str, str]]:
    """name -> (unit, meaning) of a run of ``spec``: the core's outcomes, then its policy's."""
    table = dict(CORE_OUTCOMES)
    for policy in policies(spec):
        table.update(policy.OUTCOMES)
    return table


def real_totals(spec) -> frozenset[str]:
    """The outcomes of ``spec``'s table reported x ``population.scale``."""
    return frozenset(name for name, (unit, _) in outcome_table(spec).items()
                     if unit in REAL_TOTAL_UNITS)


# helpers of outcome values (the core's, sim/model/outcomes.py, and a policy's)
def ratio(num: float, den: float) -> float:
    return float(num / den) if den > 0 else math.nan


def december_mean(values) -> float:
    """Mean of a December-only series over the years it was recorded (nan if never)."""
    recorded = values[values > 0]
    return float(recorded.mean()) if recorded.size else math.nan
