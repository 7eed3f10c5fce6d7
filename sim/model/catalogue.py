"""The names analysts' scripts rely on: outcomes with units and meanings.

Where it sits: read by the outcomes (``sim/model/outcomes.py``), the recorder, the docs and
``python -m sim --help``. It imports nothing beyond the standard library, so the command line
can list the outcomes before numpy, pandas, Mesa or numba are loaded.
"""

from __future__ import annotations

from sim.model.policy.alliance_catalogue import END_REASONS as ALLIANCE_END_REASONS
from sim.model.policy.alliance_catalogue import OUTCOMES as ALLIANCE_OUTCOMES

# The core's outcomes: name -> (unit, meaning). A policy declares its own (``Policy.OUTCOMES``),
# and a run's outcome table is the core's plus its policy's (``sim/model/tables.py``).
CORE_OUTCOMES: dict[str, tuple[str, str]] = {
    "retention_5y": ("share", "entrants of the horizon still active 5 years after entry"),
    "retention_10y": ("share", "entrants of the horizon still active 10 years after entry"),
    "active_workforce": ("people", "mean number of active freelancers over the horizon"),
    "experienced_workforce": ("people", "mean number active with 10+ years in the profession"),
    "active_workforce_early": ("people", "mean number of active freelancers in the horizon's "
                               "first 5 years"),
    "active_workforce_late": ("people", "mean number of active freelancers in the horizon's "
                              "last 10 years"),
    "births_per_1000_person_years": ("births/1000 person-years", "births per active person-year"),
    "births_per_year": ("births/year", "births to active freelancers per year"),
    "mean_career_years": ("years", "mean length of careers that ended in the horizon"),
    "median_exit_age_after_30": ("years", "median age at leaving of those who entered before 30 "
                                          "and were still in the profession at 30"),
    "income_cv_monthly": ("-", "mean CV of an agent's monthly earned income within a year"),
    "idle_share": ("share", "active agent-months without an outside engagement"),
    "public_cost_m": ("million currency/year",
                      "net public cost: grant + benefits (unemployment, sickness, parental) + "
                      "pension contributions on benefits + pension rights earned + care + public "
                      "fees for added work - taxes - contributions - VAT on consumption"),
    "public_cost_pv_m": ("million currency",
                         "present value of the net public cost over the horizon, discounted at "
                         "country.discount_rate to the horizon's start"),
    "active_person_years_pv": ("person-years",
                               "present value of the person-years active in the profession over "
                               "the horizon (people discounted as money)"),
    "grant_net_m": ("million currency/year", "grant paid minus grant returned"),
    "taxes_returned_m": ("million currency/year",
                         "income tax + contributions + taxes of those who left during the "
                         "horizon, flowing to the state"),
    "benefits_m": ("million currency/year", "unemployment and sickness benefits paid (leavers' "
                   "unemployment benefit outside the sector included)"),
    "health_care_m": ("million currency/year", "public health-care cost of episodes"),
    "parental_benefit_m": ("million currency/year", "parental benefit and lump sums paid"),
    "pensions_m": ("million currency/year", "pension rights earned (in the sector, by leavers and "
                   "by the policy's staff) and the pension contributions the state pays on benefits"),
    "public_fees_m": ("million currency/year", "fees public budgets pay for added work: beyond a "
                      "market pool's fixed size, or under steady demand beyond the reference "
                      "demand.engaged_share of the people"),
    "vat_m": ("million currency/year", "VAT on the consumption of the freelancers, of those who "
              "left during the horizon and of the policy's staff and trainers, flowing to the "
              "state"),
    "parental_benefit_qualified_share": ("share", "births whose parent qualified for the "
                                                  "income-related parental benefit"),
    "pension_rights_m": ("million currency/year",
                         "pension rights earned by freelancers on pay and benefits"),
    "pension_contributions_m": ("million currency/year",
                                "old-age pension contributions on freelancers' pay and benefits"),
    "engagements_per_year": ("engagement-months/year",
                             "engaged person-months per year (the work the sector offers)"),
    "top1_income_share": ("share", "share of yearly arts income earned by the top 1%"),
    "top5_income_share": ("share", "share of yearly arts income earned by the top 5%"),
    "early_exit_share": ("share", "part of the 10-year loss of entrants that happens in years 0-2"),
    "engagement_autocorr": ("-", "lag-1 autocorrelation of the monthly engaged indicator"),
    "median_income_ratio": ("-", "median yearly earned income / population median income"),
    "tfr_women": ("children/woman", "total fertility rate of freelance women (ages 20-49)"),
    "childless_at_45": ("share", "women turning 45 in the sector without children"),
    "mean_age_first_birth": ("years", "mean age of women at their first birth"),
    "health_gradient": ("ratio", "episode rate of the precarious / episode rate of the secure"),
    "episodes_per_1000_person_years": ("episodes/1000 person-years", "health episodes starting"),
    "episode_mean_months": ("months", "mean length of the health episodes that started"),
    "episode_long_share": ("share", "episodes that last more than 12 months"),
    # the whole sector
    "mean_age_active": ("years", "mean age of active freelancers"),
    "median_tenure_active_years": ("years", "median years in the profession of the active"),
    "benefit_recipient_share": ("share", "active person-months paid unemployment benefit"),
}

# The shipped policy's (the alliance's) outcomes and reasons a membership ends
# (sim/model/policy/alliance_catalogue.py).
END_REASONS = ALLIANCE_END_REASONS

# The outcome table of the shipped policy's runs (the core's plus the alliance's), for readers
# that list outcomes before a spec exists (``python -m sim --help``, EMA, the Mesa reporters);
# a spec's own table is ``sim.model.tables.outcome_table(spec)``.
OUTCOMES: dict[str, tuple[str, str]] = {**CORE_OUTCOMES, **ALLIANCE_OUTCOMES}

# Only for the paired effect.
EFFECT_ONLY: dict[str, tuple[str, str]] = {
    "cost_per_retained_worker_year_k": (
        "thousand currency/worker-year",
        "extra net public cost per extra active worker-year (NaN if no extra workers)"),
    "cost_per_retained_worker_year_pv_k": (
        "thousand currency/worker-year",
        "present value of the extra net public cost per present value of the extra active "
        "worker-years, both at country.discount_rate (NaN if no extra workers)"),
}
