"""The alliance's names analysts' scripts rely on: its outcomes and why memberships end.

Where it sits: declared by ``Alliance`` (``sim/model/policy/alliance.py``: ``OUTCOMES``, and
the recorder's ``ends_<reason>`` series) and shown with the core's by ``sim/model/catalogue.py``.
Like that module it imports nothing beyond the standard library, so the command line can list
the outcomes before numpy is loaded.
"""

from __future__ import annotations

# why a membership ends -> meaning; each has a series ``ends_<reason>``
END_REASONS: dict[str, str] = {
    "work_requirement": "work requirement of a period not met",
    "time_account": "time account of paid months used up",
    "left_sector": "the member left the profession",
    "retirement": "the member retired",
    "budget": "laid off for lack of money",
    "restart_ended": "the term of a re-start post ended",
}

# name -> (unit, meaning)
OUTCOMES: dict[str, tuple[str, str]] = {
    "alliance_members": ("people", "mean number of alliance members"),
    "member_exit_rate": ("exits/member-year", "exits from the sector of members"),
    "member_birth_rate": ("births/member-year", "births to members"),
    "member_birth_rate_women_25_44": ("births/woman-year", "births to women members aged 25-44"),
    "member_birth_ratio_women_25_44": ("ratio", "birth rate of women members aged 25-44 / that "
                                                "of the other women aged 25-44 in the sector"),
    "alliance_spend_m": ("million currency/year", "alliance spending (salaries, overhead, training)"),
    "member_outside_work_share": ("share", "member-months with an outside engagement"),
    "applicants_per_place": ("applicants/place", "applicants per place offered (eligible "
                                                 "freelancers who applied)"),
    "eligible_per_place": ("eligible/place", "eligible freelancers per place offered"),
    "cost_per_member_k": ("thousand currency/member-year", "alliance spending per member-year"),
    # who the members are, and why memberships end
    "member_mean_age": ("years", "mean age of members"),
    "member_age_p10": ("years", "10th percentile of members' ages (mean of the Decembers)"),
    "member_age_p90": ("years", "90th percentile of members' ages (mean of the Decembers)"),
    "member_years_in_profession": ("years", "mean years in the profession of members"),
    # who is hired (a round's percentiles are weighted by its hires)
    "member_age_at_hire": ("years", "mean age of members when hired"),
    "member_age_at_hire_p10": ("years", "10th percentile of hires' ages (per round, weighted)"),
    "member_age_at_hire_p90": ("years", "90th percentile of hires' ages (per round, weighted)"),
    "member_years_in_profession_at_hire": ("years", "mean years in the profession of hires"),
    "member_years_in_profession_at_hire_p10": ("years", "10th percentile of hires' years in the "
                                                        "profession (per round, weighted)"),
    "member_years_in_profession_at_hire_p90": ("years", "90th percentile of hires' years in the "
                                                        "profession (per round, weighted)"),
    "hired_under_30_share": ("share", "share of hires younger than 30"),
    "membership_years": ("years", "mean length of the memberships that ended"),
    "member_leave_rate": ("ends/member-year", "memberships ended per member-year, any reason"),
    **{f"member_leave_rate_{reason}": ("ends/member-year", f"memberships ended per member-year: {text}")
       for reason, text in END_REASONS.items()},
    "new_members_per_year": ("members/year", "members hired per year"),
    "hiring_rounds_per_year": ("rounds/year", "hiring rounds held per year"),
    "furlough_share": ("share", "member-months paid less than the salary owed (furlough)"),
    "restart_posts_per_year": ("posts/year", "re-start posts filled per year (crisis_measure="
                                             "restart)"),
}
