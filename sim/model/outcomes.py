"""Outcomes of a run: the stable, documented names analysts' scripts rely on.

Where it sits: after the last month. ``arm_outcomes`` reads one arm's recorder, ledger and
career registry; ``paired_outcomes`` adds the policy-minus-baseline effects. Everything is
measured over the horizon (after the burn-in). A run's outcome table is the core's
(``CORE_OUTCOMES``, ``sim/model/catalogue.py``) plus its policy's (``Policy.OUTCOMES``, computed
by ``Policy.outcome_values``): ``sim.model.tables.outcome_table(spec)``. ``OUTCOMES`` is the
table of the shipped policy (README and docs/model.md show it).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.model import tables
from sim.model.catalogue import EFFECT_ONLY, OUTCOMES  # noqa: F401 (re-exported)
from sim.model.tables import REAL_TOTAL_UNITS, december_mean, ratio

# Effect outcomes that are ratios of two effects: summaries over seeds use the ratio of the mean
# effects (the usual incremental cost-effectiveness estimator) with a Fieller interval, not the
# mean of per-seed ratios, which is unstable when a seed's denominator is near zero.
RATIO_EFFECTS: dict[str, tuple[str, str, float]] = {
    "cost_per_retained_worker_year_k": ("public_cost_m", "active_workforce", 1e3),
    "cost_per_retained_worker_year_pv_k": ("public_cost_pv_m", "active_person_years_pv", 1e3),
}


UNITS: dict[str, str] = {name: unit for name, (unit, _) in {**OUTCOMES, **EFFECT_ONLY}.items()}

# outcomes of the shipped table reported x population.scale (a spec's: tables.real_totals)
REAL_TOTALS = frozenset(name for name, unit in UNITS.items() if unit in REAL_TOTAL_UNITS)


def metrics_long(seed: int, outcomes: dict[str, float]) -> pd.DataFrame:
    """A run's flat ``arm.outcome`` dict as long rows: seed, arm, outcome, value."""
    rows = [{"seed": seed, "arm": key.split(".", 1)[0], "outcome": key.split(".", 1)[1],
             "value": value} for key, value in outcomes.items() if "." in key]
    return pd.DataFrame(rows, columns=["seed", "arm", "outcome", "value"])


_ratio = ratio
_december_mean = december_mean


def retention(registry: dict, start: int, end: int, years: int) -> float:
    """Share of entrants in months [start, end - 12*years] still active ``years`` after entry."""
    entry, exit_ = registry["entry_month"], registry["exit_month"]
    followed = (entry >= start) & (entry <= end - 12 * years)
    if not followed.any():
        return math.nan
    still = (exit_ < 0) | (exit_ - entry >= 12 * years)
    return float(np.mean(still[followed]))


def median_exit_age_after(registry: dict, start: int, age: int) -> float:
    """Median age (years) at leaving of those who left from month ``start`` on (any reason)
    having entered before ``age`` and still been in the profession at ``age``: when careers
    that reach ``age`` end (nan if none)."""
    exit_, entry = registry["exit_month"], registry["entry_month"]
    exit_age = registry["age_at_exit_months"]
    entry_age = exit_age - (exit_ - entry)
    chosen = (exit_ >= start) & (exit_age >= 12 * age) & (entry_age < 12 * age)
    return float(np.median(exit_age[chosen]) / 12) if chosen.any() else math.nan


def survival_curve(registry: dict, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
    """Share of horizon entrants active k years after entry, pooled over cohorts with follow-up."""
    entry, exit_ = registry["entry_month"], registry["exit_month"]
    years = np.arange(0, (end - start) // 12 + 1)
    share = np.full(years.size, math.nan)
    for k in years:  # one entry per year since entry, not per agent
        followed = (entry >= start) & (entry <= end - 12 * k)
        if followed.any():
            share[k] = np.mean(((exit_ < 0) | (exit_ - entry >= 12 * k))[followed])
    return years, share


def arm_outcomes(model) -> dict[str, float]:
    """One arm's outcomes over the horizon, totals in real people and currency."""
    scale = model.spec.population.scale
    real = tables.real_totals(model.spec)
    return {name: value * scale if name in real else value
            for name, value in _agent_outcomes(model).items()}


def _agent_outcomes(model) -> dict[str, float]:
    spec = model.spec
    h0, end = spec.burn_in_months, spec.total_months
    s = {k: v[h0:end] for k, v in model.recorder.series.items()}
    reg = model.pop.registry
    person_years = s["active"].sum() / 12
    ended = (reg["exit_month"] >= h0)
    careers = (reg["exit_month"][ended] - reg["entry_month"][ended]) / 12
    years = (end - h0) / 12
    # present values at the country's appraisal rate, each month discounted to the horizon's start
    discount = (1.0 + spec.country.discount_rate) ** (-np.arange(end - h0) / 12)
    flows = {k: v[h0:end].sum() / 1e6 / years for k, v in model.ledger.flows.items()}
    r2, r10 = retention(reg, h0, end, 2), retention(reg, h0, end, 10)
    p_engaged = _ratio(s["engaged"].sum(), s["active"].sum())
    both = _ratio(s["engaged_both"].sum(), s["active"].sum())
    by_age = model.recorder.by_age
    fertile = slice(20, 50)  # entrants are 26 +/- 3: almost no exposure before 20
    asfr = by_age["women_births"][fertile] / np.maximum(by_age["women_months"][fertile] / 12, 1e-12)
    secure = s["active_at_onset"].sum() - s["precarious_at_onset"].sum()
    medians = s["median_year_income"][s["median_year_income"] > 0]
    core = {
        "retention_5y": retention(reg, h0, end, 5),
        "retention_10y": retention(reg, h0, end, 10),
        "active_workforce": float(s["active"].mean()),
        "experienced_workforce": float(s["experienced"].mean()),
        "active_workforce_early": float(s["active"][:60].mean()),  # an effect builds up: its
        "active_workforce_late": float(s["active"][-120:].mean()),  # first years and its last
        "births_per_1000_person_years": 1000 * _ratio(s["births"].sum(), person_years),
        "births_per_year": float(s["births"].sum() / years),
        "mean_career_years": float(careers.mean()) if careers.size else math.nan,
        "median_exit_age_after_30": median_exit_age_after(reg, h0, 30),
        "income_cv_monthly": _ratio(s["cv_sum"].sum(), s["cv_count"].sum()),
        "idle_share": 1.0 - _ratio(s["engaged"].sum(), s["active"].sum()),
        "public_cost_m": model.ledger.net_cost()[h0:end].sum() / 1e6 / years,
        "public_cost_pv_m": float(model.ledger.net_cost()[h0:end] @ discount / 1e6),
        "active_person_years_pv": float(s["active"] @ discount / 12),
        "grant_net_m": flows["grant"] - flows["grant_returned"],
        "taxes_returned_m": flows["income_tax"] + flows["contributions"] + flows["leavers_tax"],
        "benefits_m": (flows["unemployment_benefit"] + flows["sickness_benefit"]
                       + flows["leavers_benefit"]),
        "health_care_m": flows["health_care"],
        "parental_benefit_m": flows["parental_benefit"],
        "pensions_m": flows["pension_rights"] + flows["benefit_pension_contributions"],
        "public_fees_m": flows["public_fees"],
        "vat_m": flows["vat"],
        "parental_benefit_qualified_share": _ratio(s["births_qualified"].sum(), s["births"].sum()),
        "pension_rights_m": float(s["pension_rights"].sum() / 1e6 / years),
        "pension_contributions_m": float(s["pension_contributions"].sum() / 1e6 / years),
        "engagements_per_year": float(s["engagements"].sum() / years),
        "top1_income_share": float(s["top1_share"][s["top1_share"] > 0].mean()),
        "top5_income_share": float(s["top5_share"][s["top5_share"] > 0].mean()),
        "early_exit_share": _ratio(1 - r2, 1 - r10),
        "engagement_autocorr": _ratio(both - p_engaged**2, p_engaged * (1 - p_engaged)),
        "median_income_ratio": (float(medians.mean()) / spec.country.population_median_income
                                if medians.size else math.nan),
        "tfr_women": float(asfr.sum()) if by_age["women_months"][fertile].any() else math.nan,
        "childless_at_45": _ratio(s["women_45_childless"].sum(), s["women_45"].sum()),
        "mean_age_first_birth": _ratio(s["first_birth_age_sum"].sum(), s["first_births_women"].sum()),
        "health_gradient": _ratio(_ratio(s["episodes_precarious"].sum(), s["precarious_at_onset"].sum()),
                                  _ratio(s["episodes"].sum() - s["episodes_precarious"].sum(), secure)),
        "episodes_per_1000_person_years": 1000 * _ratio(s["episodes"].sum(), person_years),
        "episode_mean_months": _ratio(s["episode_months"].sum(), s["episodes"].sum()),
        "episode_long_share": _ratio(s["episodes_long"].sum(), s["episodes"].sum()),
        "mean_age_active": _ratio(s["active_age_sum"].sum(), s["active"].sum()),
        "median_tenure_active_years": _december_mean(s["median_tenure_active"]),
        "benefit_recipient_share": _ratio(s["benefit_recipients"].sum(), s["active"].sum()),
    }
    # the policy's outcomes, from its series (zero in the baseline arm) and spending lines
    spending = model.ledger.policy_spend()[h0:end]
    for policy in tables.policies(spec):
        core.update(policy.outcome_values(s, spending, years))
    return core


def real_series(model) -> dict[str, np.ndarray]:
    """Monthly series of one arm over all months, totals in real people and currency: the
    recorder's series, the ledger's flows (``ledger_*``), spending (``spend_*``) and net cost."""
    scale = model.spec.population.scale
    not_totals = tables.not_totals(model.spec)
    series = {name: values if name in not_totals else values * scale
              for name, values in model.recorder.series.items()}
    ledger = model.ledger
    series.update({f"ledger_{k}": v * scale for k, v in ledger.flows.items()})
    series.update({f"spend_{k}": v * scale for k, v in ledger.spending.items()})
    series["ledger_net_cost"] = ledger.net_cost() * scale
    return series


def result_keys(spec=None) -> list[str]:
    """The keys of ``run_model``'s result (``paired_outcomes`` and ``agent_months``) for runs
    of ``spec`` (default: the shipped policy's)."""
    names = OUTCOMES if spec is None else tables.outcome_table(spec)
    return ([f"{arm}.{name}" for name in names for arm in ("baseline", "policy", "effect")]
            + [f"effect.{name}" for name in EFFECT_ONLY] + ["agent_months"])


def paired_outcomes(baseline: dict[str, float], policy: dict[str, float]) -> dict[str, float]:
    """Flat dict ``baseline.x``, ``policy.x``, ``effect.x`` (policy minus baseline)."""
    out: dict[str, float] = {}
    for name in baseline:
        out[f"baseline.{name}"] = baseline[name]
        out[f"policy.{name}"] = policy[name]
        out[f"effect.{name}"] = policy[name] - baseline[name]
    extra_workers = out["effect.active_workforce"]
    out["effect.cost_per_retained_worker_year_k"] = (
        out["effect.public_cost_m"] * 1e3 / extra_workers if extra_workers > 0 else math.nan)
    extra_years = out["effect.active_person_years_pv"]
    out["effect.cost_per_retained_worker_year_pv_k"] = (
        out["effect.public_cost_pv_m"] * 1e3 / extra_years
        if extra_workers > 0 and extra_years > 0 else math.nan)
    return out
