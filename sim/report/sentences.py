"""The headline sentences of the briefs, each worded in one place: what a grant buys against no
policy (``grant_headlines``, used by the single-run, sweep and comparison briefs), what it
keeps in the profession (``workforce_kept``, ``workforce_changes``, also used by the
uncertainty brief), what it does to births and to public finances (``births_change``,
``public_finance``), where it pays for itself and what each extra 10 million keeps
(``pays_for_itself``, ``funding_slope``) and what a brief represents (``represents``). A chart
that states one of these claims takes its title from here: one wording per claim.

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


def workforce_sentence(get, level: float, cur: str, d: dict) -> str:
    """Whom a grant reaches and keeps in the profession (``get`` as in ``grant_headlines``):
    the first headline of every brief against no policy and the title of the funding brief's
    chart of the workforce over time."""
    reached = get(d["reach"])[0] if d.get("reach") else math.nan
    active, exp = get("active_workforce"), get("experienced_workforce")
    zero = [what for what, ci in ((_("of the people working"), active), (_("of the experienced"), exp))
            if includes_zero(ci[1], ci[2])]
    return (workforce_headline(grant_level(level), million(cur, prose=True), d, reached, active, exp)
            + (_("; the 95% CI {which} includes zero").format(which=_(" and ").join(zero))
               if zero else "") + ".")


def scenario_effect(setting: str, exp: tuple, cost: tuple, cur: str, d: dict) -> str:
    """A policy's effect in one scenario of a study that does not sweep the grant: the
    experienced it keeps and the net public cost, each (mean, 95% CI low, high). A headline per
    scenario and the title of the chart of the workforce over time."""
    return _("{setting}: {policy} keeps {exp} more experienced freelancers in the "
             "profession{zero}, at a net public cost of {cost} {million} a "
             "year{zero_cost}.").format(
        **named(d), setting=f"{setting[:1].upper()}{setting[1:]}", exp=ci_words(*exp),
        zero=zero_note(exp[1], exp[2]), cost=ci_words(*cost), million=million(cur, prose=True),
        zero_cost=zero_note(cost[1], cost[2]))


def grant_headlines(get, level: float, cur: str, d: dict) -> list[str]:
    """Headlines of one grant against none; ``get(outcome, arm="effect")`` gives (mean, 95% CI
    low, high); ``d``: the policy's description. Used by study briefs and the single-run brief."""
    lines = [workforce_sentence(get, level, cur, d)]
    active = get("active_workforce")
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
    lines.append(retention_sentence(get("retention_10y", "baseline")[0],
                                    get("retention_10y", "policy")[0], get("retention_10y"), d))
    lines.append(births_change(level, get("births_per_year"), get("births_per_1000_person_years"), cur))
    lines.append(public_finance(level, get("public_cost_m"), cur, d))
    return lines


def retention_sentence(without: float, with_: float, change: tuple, d: dict) -> str:
    """How many of 100 newcomers are still in the profession after ten years without and with
    the policy (shares), and the change (mean, 95% CI low, high, as a share): a headline of every
    brief against no policy and the title of the single run's cohort chart."""
    return _("Of every 100 newcomers, {without} are still in the profession after ten years "
             "without {policy} and {with_} with it: a change of {change} per 100{zero}.").format(
        **named(d), without=number(without * 100), with_=number(with_ * 100),
        change=ci_words(*change, scale=100), zero=zero_note(change[1], change[2]))


def births_change(level: float, births: tuple, rate: tuple, cur: str) -> str:
    """What a grant does to births, (mean, 95% CI low, high) a year and per 1,000 person-years
    (left out when unknown): a headline of every brief against no policy and the title of the
    funding brief's births chart."""
    words = {"level": grant_level(level), "million": million(cur, prose=True),
             "births": ci_words(*births), "zero": zero_note(births[1], births[2])}
    if not math.isfinite(rate[0]):
        return _("With a grant of {level} {million} a year, births to freelancers in the sector "
                 "change by {births} a year{zero}.").format(**words)
    return _("With a grant of {level} {million} a year, births to freelancers in the sector "
             "change by {births} a year{zero} and their birth rate by {rate} per {n} "
             "person-years{zero_rate}.").format(**words, rate=ci_words(*rate), n=number(1000),
                                                zero_rate=zero_note(rate[1], rate[2]))


def public_finance(level: float, cost: tuple, cur: str, d: dict) -> str:
    """The net effect of a grant on public finances, (mean, 95% CI low, high) in millions a
    year, and whether it is a saving: a headline of every brief against no policy and the title
    of the funding brief's net-cost chart."""
    verdict = _("a net saving") if cost[1] < 0 and cost[2] < 0 else (
        _("a net cost") if cost[1] > 0 else _("a net effect that cannot be told apart from zero "
                                              "(the 95% CI includes zero)"))
    return _("With a grant of {level} {million} a year, and counting the taxes (VAT on consumption "
             "included), contributions, benefits and health care that flow back, the net effect "
             "of {policy} on public finances is {cost} {million} a year: {verdict}.").format(
        **named(d), level=grant_level(level), cost=ci_words(*cost), million=million(cur, prose=True),
        verdict=verdict)


def pays_for_itself(paying: list[float], total: int, cur: str, d: dict) -> str:
    """At which of the ``total`` funded levels studied a grant pays for itself with 95%
    confidence (``paying``: those levels): a headline of the funding brief and the title of its
    chart of the cost per retained worker-year."""
    who = named(d)
    if total and len(paying) == total:
        return _("{Policy} pays for itself at every funding level studied (95% CI below "
                 "zero).").format(**who)
    if paying:
        return _("{Policy} pays for itself (95% CI below zero) at {n} of {total} levels, "
                 "{low}-{high} {million}.").format(n=len(paying), total=total, **who,
                                                   low=grant_level(min(paying)),
                                                   high=grant_level(max(paying)), million=million(cur))
    return _("No funding level studied pays for itself with 95% confidence.")


def funding_slope(per_10: float, cur: str) -> str:
    """What each extra 10 million of the grant keeps, from a straight line through the levels
    studied: the funding brief's last headline and the title of its talent chart."""
    return _("Each extra 10 {million} of funding keeps about {n} more experienced "
             "freelancers in the profession (a straight line through the levels "
             "studied).").format(million=million(cur, prose=True), n=readable_number(per_10))
