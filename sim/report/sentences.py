"""The headline sentences of the briefs, each worded in one place: what a grant buys against no
policy (``grant_headlines``, used by the single-run, sweep and comparison briefs), what it
keeps in the profession (``workforce_kept``, ``workforce_changes``, also used by the
uncertainty brief and chart titles) and what a brief represents (``represents``).

Where it sits: the report layer (``sim/report/``), below the briefs; it imports only the
report's words, i18n, descriptions and shared formatting (``format.py``).
"""

from __future__ import annotations

import math

from sim.report.description import named, which_words
from sim.report.format import ci_words, country_name, grant_level, readable_number, zero_note
from sim.report.i18n import _, million, number, thousand
from sim.report.words import includes_zero


def represents(policy: dict, sector: dict, country: dict) -> str:
    """"TeaterAlliansen as it runs today; freelance actors in Sweden" (``policy``: its
    description, whose title is its label unless it qualifies it, e.g. as hypothetical)."""
    return _("{which}; {sector} in {country}").format(
        which=which_words(policy), sector=_(str(sector.get("label", "the sector"))).lower(),
        country=country_name(country))


def workforce_kept(active_text: str, exp_text: str, active: float, exp: float) -> str | None:
    """What the alliance keeps in the profession, as the object of "keeps" (the one wording of
    the single-run, sweep and uncertainty headlines). ``active_text``, ``exp_text``: the effects on
    the people working in the profession and on those with ten or more years of experience in
    words (a mean and its 95% CI, or a median and its range); ``active``, ``exp``: their central
    values. The experienced are a part of the people working, so "of them" is said only when the
    part is no larger than the whole; when the alliance keeps more experienced people than people
    in all, fewer newcomers stay, and the words say so. None when it keeps no more experienced
    people and fewer in all (``workforce_changes`` then says it)."""
    if 0 <= exp <= active:
        return _("{active} more people working in the profession, {exp} of them with ten or more "
                 "years of experience").format(active=active_text, exp=exp_text)
    if exp > active:
        fewer = readable_number(exp - active)
        if active >= 0:
            return _("{exp} more people with ten or more years of experience in the profession; "
                     "fewer newcomers stay, so about {fewer} fewer people with less experience are "
                     "working and the number working in the profession rises by only "
                     "{active}").format(exp=exp_text, fewer=fewer, active=active_text)
        return _("{exp} more people with ten or more years of experience in the profession; fewer "
                 "newcomers stay, so about {fewer} fewer people with less experience are working "
                 "and the number working in the profession changes by {active}").format(
            exp=exp_text, fewer=fewer, active=active_text)
    return None


def workforce_changes(active_text: str, exp_text: str) -> str:
    """Both effects as changes, when the alliance keeps no more experienced people."""
    return _("the number of people working in the profession changes by {active}, the number "
             "with ten or more years of experience by {exp}").format(active=active_text,
                                                                     exp=exp_text)


def workforce_headline(level: str, million_words: str, d: dict, reached: float, active,
                       exp) -> str:
    """The headline on the workforce, without its final full stop. ``d``: the policy's
    description; ``reached``: its ``reach`` outcome (the people it supports at a time; NaN: it
    names none); ``active`` and ``exp``: the effects (mean, 95% CI low, high) on the people
    working in the profession and on those with ten or more years of experience (in words:
    ``workforce_kept``)."""
    head = dict(level=level, million=million_words, **named(d))
    kept = workforce_kept(ci_words(*active), ci_words(*exp), active[0], exp[0])
    if d.get("reach_words") and math.isfinite(reached):
        head["reach"] = _(d["reach_words"]).format(n=readable_number(reached))
        if kept is not None:
            return _("{Policy}, with a grant of {level} {million} a year, {reach} and keeps "
                     "{kept}").format(kept=kept, **head)
        return _("{Policy}, with a grant of {level} {million} a year, {reach}; {changes}").format(
            changes=workforce_changes(ci_words(*active), ci_words(*exp)), **head)
    if kept is not None:
        return _("With a grant of {level} {million} a year {policy} keeps {kept}").format(
            kept=kept, **head)
    return _("With a grant of {level} {million} a year, {changes}").format(
        changes=workforce_changes(ci_words(*active), ci_words(*exp)), **head)


def grant_headlines(get, level: float, cur: str, d: dict) -> list[str]:
    """Headlines of one grant against none; ``get(outcome, arm="effect")`` gives (mean, 95% CI
    low, high); ``d``: the policy's description. Used by study briefs and the single-run brief."""
    lines, who = [], named(d)
    reached = get(d["reach"])[0] if d.get("reach") else math.nan
    active, exp = get("active_workforce"), get("experienced_workforce")
    zero = [what for what, ci in ((_("of the people working"), active), (_("of the experienced"), exp))
            if includes_zero(ci[1], ci[2])]
    lines.append(workforce_headline(grant_level(level), million(cur, prose=True), d, reached, active, exp)
                 + (_("; the 95% CI {which} includes zero").format(which=_(" and ").join(zero))
                    if zero else "") + ".")
    per_year = get("cost_per_retained_worker_year_k")
    if math.isfinite(per_year[0]) and active[0] > 0:
        lines.append(_("Each extra year a person works in the profession costs the state "
                       "{cost} {thousand} net{zero}.").format(
            cost=ci_words(*per_year), thousand=thousand(cur), zero=zero_note(per_year[1], per_year[2])))
    early, late = get("active_workforce_early"), get("active_workforce_late")
    if math.isfinite(early[0]) and math.isfinite(late[0]):
        lines.append(_("The effect builds up over the years: {early} more people work in the "
                       "profession in the first five years, {late} in the last ten.").format(
            early=ci_words(*early), late=ci_words(*late)))
    b, a, diff = get("retention_10y", "baseline")[0], get("retention_10y", "policy")[0], get(
        "retention_10y")
    lines.append(_("Of every 100 newcomers, {without} are still in the profession after ten years "
                   "without {policy} and {with_} with it: a change of {change} per 100{zero}.").format(
        **who, without=number(b * 100), with_=number(a * 100), change=ci_words(*diff, scale=100),
        zero=zero_note(diff[1], diff[2])))
    births = get("births_per_year")
    lines.append(_("Births to freelancers in the sector change by {births} a year{zero}.").format(
        births=ci_words(*births), zero=zero_note(births[1], births[2])))
    cost = get("public_cost_m")
    verdict = _("a net saving") if cost[1] < 0 and cost[2] < 0 else (
        _("a net cost") if cost[1] > 0 else _("a net effect that cannot be told apart from zero "
                                              "(the 95% CI includes zero)"))
    lines.append(_("Counting the taxes (VAT on consumption included), contributions, benefits and "
                   "health care that flow back, the net effect of {policy} on public finances is "
                   "{cost} {million} a year: {verdict}.").format(
        **who, cost=ci_words(*cost), million=million(cur, prose=True), verdict=verdict))
    return lines


def funding_slope(per_10: float, cur: str) -> str:
    """What each extra 10 million of the grant keeps, from a straight line through the levels
    studied: the funding brief's last headline and the title of its talent chart."""
    return _("Each extra 10 {million} of funding keeps about {n} more experienced "
             "freelancers in the profession (a straight line through the levels "
             "studied).").format(million=million(cur, prose=True), n=readable_number(per_10))
