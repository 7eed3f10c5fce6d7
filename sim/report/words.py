"""Plain words for readers outside the team: assumptions, numbers and sources.

Where it sits: in the report layer, used by the briefs (``sim/report/brief.py``,
``sim/report/uncertainty_brief.py``) and the parameter tables of docs/model.md. Three things live here,
each in one place:

* ``ASSUMPTION_WORDS``: each config key a brief may list, in plain words, with how its value is
  said (a brief shows config keys only in its appendix for researchers);
* ``cited_anchors``: the short citations in config comments and docs (``behaviour.md B.11``,
  ``alliances.md §1.1``, ``alliances-2.md``, named publishers) resolved to entries of
  ``docs/sources.md``;
* ``rounded`` and ``interval``: numbers rounded to what the uncertainty allows.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from sim.report.i18n import N_, _, currency, localise_number, million

SOURCES = Path(__file__).resolve().parents[2] / "docs" / "sources.md"


# ---------------------------------------------------------------- numbers
def rounded(x: float, sig: int = 2) -> str:
    """``x`` to ``sig`` significant figures without trailing zeros, with thousands separators:
    62.3 -> "62", 0.702 -> "0.7", 1234.5 -> "1,200"."""
    if x is None or not math.isfinite(x):
        return "n/a"
    if x == 0:
        return "0"
    digits = sig - 1 - math.floor(math.log10(abs(x)))
    value = round(x, digits)
    if value == 0:
        return "0"
    decimals = max(0, digits)
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text.strip("-0.,") == "" else localise_number(text)


def interval(mean: float, lo: float, hi: float, unit: str = "") -> str:
    """"62 (95% CI 54 to 71)": the mean and its interval rounded to one step, chosen from the
    interval's width (the power of ten at or below an eighth of it) and never finer than three
    significant figures of the largest of the three."""
    if not all(v is not None and math.isfinite(v) for v in (mean, lo, hi)):
        return f"{rounded(mean, 3)}{unit}"
    biggest = max(abs(mean), abs(lo), abs(hi))
    if biggest == 0:
        return _("{mean}{unit} (95% CI {lo} to {hi}{unit})").format(mean="0", lo="0", hi="0",
                                                                      unit=unit)
    floor = 10.0 ** (math.floor(math.log10(biggest)) - 2)
    half = (hi - lo) / 2
    step = max(10.0 ** math.floor(math.log10(half / 4) + 1e-9), floor) if half > 0 else floor
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))

    def fmt(v: float) -> str:
        text = f"{round(v / step) * step:,.{decimals}f}"
        return "0" if text.strip("-0.,") == "" else localise_number(text)

    return _("{mean}{unit} (95% CI {lo} to {hi}{unit})").format(mean=fmt(mean), lo=fmt(lo),
                                                                  hi=fmt(hi), unit=unit)


def includes_zero(lo: float, hi: float) -> bool:
    return bool(lo <= 0 <= hi)


# ---------------------------------------------------------------- benefits by country
# The names of a country's benefits follow the country simulated, not the reader's language: a
# Swedish run says "a-kassa" in every language and a Norwegian run "dagpenger". A reader from
# another country gets the national name with a gloss in their own words. (Proper names of
# schemes, not catalogue messages: one line per country and language.)
BENEFITS = {
    "sweden": {
        "unemployment": {"en": "unemployment benefit (a-kassa)", "sv": "a-kassa",
                         "nb": "a-kassa (svensk arbeidsledighetstrygd)"},
        "parental": {"en": "parental benefit (föräldrapenning)", "sv": "föräldrapenning",
                     "nb": "föräldrapenning (svensk stønad ved foreldrepermisjon)"},
        "sickness": {"en": "sickness benefit (sjukpenning)", "sv": "sjukpenning",
                     "nb": "sjukpenning (svensk stønad ved sykdom)"},
    },
    "norway": {
        "unemployment": {"en": "unemployment benefit (dagpenger)",
                         "sv": "dagpenger (norsk arbetslöshetsersättning)", "nb": "dagpenger"},
        "parental": {"en": "parental benefit (foreldrepenger)",
                     "sv": "foreldrepenger (norsk ersättning vid föräldraledighet)",
                     "nb": "foreldrepenger"},
        "sickness": {"en": "sickness benefit (sykepenger)",
                     "sv": "sykepenger (norsk ersättning vid sjukdom)", "nb": "sykepenger"},
    },
}
# A country known only by its currency (the single run's cost chart is given the currency).
COUNTRY_OF_CURRENCY = {"SEK": "sweden", "NOK": "norway"}
GENERIC_BENEFITS = {"unemployment": N_("unemployment benefit"), "parental": N_("parental benefit"),
                    "sickness": N_("sickness benefit")}


def benefit(kind: str, country: str | None) -> str:
    """The name of a benefit (``unemployment``, ``parental``, ``sickness``) of ``country`` in the
    current language; an unknown country gets the plain words."""
    from sim.report.i18n import current

    names = BENEFITS.get(str(country or "").lower(), {}).get(kind)
    if names:
        return names[current()]
    return _(GENERIC_BENEFITS[kind])


def benefits(country: str | None) -> dict[str, str]:
    """``{unemployment, parental, sickness}`` -> name, to fill a message's placeholders."""
    return {kind: benefit(kind, country) for kind in ("unemployment", "parental", "sickness")}


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------- assumptions in words
def _money(v, cur, scale):
    return _("{amount} {cur} a month").format(amount=rounded(v * scale, 3), cur=currency(cur))


def _pct(v, *_args):
    return _("{value}%").format(value=rounded(v * 100, 3))


def _g(v) -> str:
    """A plain number (``{v:g}``) in the current language's notation."""
    return localise_number(f"{v:g}")


ASSUMPTION_WORDS: dict[str, tuple[str, object]] = {
    # key: (plain name, how its value is said: a function of (value, currency, wage scale));
    # names are messages of the catalogue (N_), translated where they are shown
    "policy.salary": (N_("Alliance salary, paid in months without outside work"), _money),
    "policy.member_engagement_boost": (
        N_("Extra work members find through the alliance's networking"),
        lambda v, *a: _("about {value}% more engagements").format(
            value=rounded((math.exp(v) - 1) * 100, 2))),
    "policy.member_exit_hr": (
        N_("How much less often members leave the profession than others"),
        lambda v, *a: _("{value}% less often").format(value=rounded((1 - v) * 100, 2)) if v < 1
        else _("no difference")),
    "policy.precarious_member_birth_hr": (
        N_("Extra births among members in insecure months, beyond what the salary does"),
        lambda v, *a: _("none") if v == 1 else _("{value}% more").format(
            value=rounded((v - 1) * 100, 2))),
    "sector.outside_wage": (N_("Pay of those who leave, in their outside job"), _money),
    "exit.beta_buffer": (
        N_("Savings keep people in the profession"),
        lambda v, *a: _("twice the savings: leaving {value}% less likely").format(
            value=rounded((1 - 2 ** v) * 100, 2))),
    "exit.beta_idle": (N_("Leaving after six months in a row without work"),
                       lambda v, *a: _("{value} times as likely").format(
                           value=rounded(math.exp(v), 2))),
    "exit.beta_outside": (N_("Pull of a better-paid outside job on leaving"),
                          lambda v, *a: _("{value} on the log hazard per unit of log pay gap").format(
                              value=_g(v))),
    "income.beta_skill": (N_("Effect of skill on getting engagements"),
                          lambda v, *a: _("about {value}% more per standard deviation of "
                                          "skill").format(value=rounded((math.exp(v) - 1) * 100, 2))),
    "fertility.insecurity_hr": (
        N_("Births in months of insecure work, against secure months"),
        lambda v, *a: _("{value}% fewer").format(value=rounded((1 - v) * 100, 2))),
    "health.insecurity_or": (
        N_("Risk of depression in months of insecure work"),
        lambda v, *a: _("odds {value}% higher").format(value=rounded((v - 1) * 100, 2))),
    "country.benefit_takeup": (N_("Share of idle freelancers who claim {unemployment}"), _pct),
    "country.employer_contribution_rate": (N_("Employer social contributions, share of pay"), _pct),
    "country.vat_share": (N_("VAT the state collects on what freelancers, leavers and the policy's "
                             "staff consume, share of their spending"), _pct),
    "admission.long_min_engaged": (
        N_("Work needed to qualify for the alliance"),
        lambda v, *a: _("{months} months ({years} years) with engagements").format(
            months=_g(v), years=_g(v / 12))),
    "admission.qualifying_share": (
        N_("Share of an actor's engagements that counts toward the alliance's qualifying time"),
        lambda v, *a: _("{share}% on average (funded stages, agreement pay)").format(
            share=_g(100 * float(v)))),
    "admission.apply_idle": (
        N_("How much more often freelancers with less work apply to the alliance"),
        lambda v, *a: _("{value} in log-odds per share of the last two years without work").format(
            value=_g(v))),
    "sector.age_slope_women": (
        N_("How women's chance of work changes with age"),
        lambda v, *a: _("{slope} in log-odds per decade beyond the knot age").format(
            slope=_g(v))),
    "admission.rank_window_months": (
        N_("Period in which applicants' working time is counted"),
        lambda v, *a: _("the last {years} years").format(years=_g(v / 12))),
    "demand.engaged_share": (
        N_("Share of freelancers the sector's roles can engage in a month"), _pct),
    "sector.fee_tail_max": (N_("Highest fee, as a multiple of the typical (median) fee"),
                            lambda v, *a: _("{value} times").format(value=_g(v))),
    "country.parental_replacement": (N_("{Parental}, share of pay"), _pct),
    "country.parental_qualifying_months": (
        N_("Work needed before a birth for earnings-related {parental}"),
        lambda v, *a: _("{value} months").format(value=_g(v))),
    "policy.overhead_share": (N_("Share of the grant spent on administration"), _pct),
    "policy.funding_m": (N_("Yearly funding"),
                           lambda v, cur, *a: _("{value} {million} a year").format(
                               value=_g(v), million=million(cur, prose=True))),
}


def assumption_words(key: str, value, currency: str, wage_scale: float = 1.0,
                     country: str | None = None) -> tuple[str, str]:
    """(plain name, value in words) of a config key; unknown keys keep the key and the value.
    ``country`` (``sweden``) names its benefits; None: the currency's country."""
    if key not in ASSUMPTION_WORDS:
        return key, str(value)
    name, say = ASSUMPTION_WORDS[key]
    name = plain_name(name, country or COUNTRY_OF_CURRENCY.get(str(currency).upper()))
    try:
        return name, say(value, currency, wage_scale)
    except (TypeError, ValueError):
        return name, str(value)


def described_words(a: dict, currency_code: str = "") -> tuple[str, str]:
    """(name, value in words) of an assumption a policy describes (``Description.assumptions``)
    and the brief has no words of its own for: its meaning (translated where the catalogue has
    it) and its value with its unit; yes/no for a switch."""
    meaning = _(a.get("meaning") or a["key"])
    value, unit = a.get("value"), a.get("unit") or "-"
    if isinstance(value, bool):
        said = _("yes") if value else _("no")
    elif value is None:
        said = _("none")
    elif isinstance(value, int | float):
        unit = _strip_unit(unit).replace("currency", currency_code or "currency")
        said = rounded(float(value), 3) + ("" if unit in ("-", "") else f" {unit}")
    else:
        said = str(value)
    return capitalised(meaning), said


def _strip_unit(unit: str) -> str:
    """A parameter's unit as a reader writes it beside a value: ``[share]`` -> ``share``."""
    return unit.strip("[]")


def plain_name(message: str, country: str | None) -> str:
    """An assumption's name (a message) in the current language, its benefits named as
    ``country`` names them (``{unemployment}``; ``{Parental}`` at the start of a sentence)."""
    names = benefits(country)
    names.update({k.title(): capitalised(v) for k, v in list(names.items())})
    return _(message).format(**names) if "{" in message else _(message)


# ---------------------------------------------------------------- scenarios in words
def _shock(v, *a):
    return _("no demand shock") if not v else _("demand falls by {value}%").format(
        value=rounded(float(v) * 100, 2))


def _cut(v, *a):
    return _("no funding cut") if not v else _("grant cut by {value}%").format(
        value=rounded(float(v) * 100, 2))


def crisis_words(v) -> str:
    return {"furlough": _("no crisis money: salaries cut if the money runs short"),
            "topup": _("the state tops up the grant while demand is down"),
            "restart": _("one-year re-start posts for those with many short engagements")
            }.get(v, f"{v}")


def demand_words(v) -> str:
    return {"market": _("a shared pool of roles"),
            "steady": _("steady demand, networking adds work")}.get(v, f"{v}")


SCENARIO_WORDS = {  # a swept key's level in words, for panel titles and headlines
    "demand.shock_depth": _shock,
    "policy.cut_share": _cut,
    "policy.funding_m": lambda v, cur: _("a grant of {value} {million} a year").format(
        value=_g(float(v)), million=million(cur, prose=True)),
    "sector": lambda v, cur: str(v),
    "demand": lambda v, cur: demand_words(v),
    "policy.crisis_measure": lambda v, cur: crisis_words(v),
}


def scenario_words(key: str, value, currency: str = "") -> str:
    """A swept level in plain words; unknown keys as ``key = value``."""
    if key in SCENARIO_WORDS:
        return SCENARIO_WORDS[key](value, currency)
    if key in ASSUMPTION_WORDS:
        name, said = assumption_words(key, value, currency)
        return f"{name}: {said}"
    return f"{key} = {value}"


# ---------------------------------------------------------------- sources
ANCHOR = re.compile(r'<a id="(?P<id>[^"]+)"></a>(?P<title>[^\n]*)')


def source_entries(path: Path = SOURCES, lang: str | None = None) -> dict[str, dict]:
    """``anchor -> {title, text, urls, lang}`` of every entry of docs/sources.md.

    With ``lang`` (``sv``, ``nb``) an entry's text is its translation in docs/sources.<lang>.md
    when that file has the anchor, else the English text; ``lang`` says which. Titles stay the
    English ones (the brief translates them through the catalogues)."""
    entries = _source_file(path)
    for entry in entries.values():
        entry["lang"] = "en"
    translated = path.with_name(f"{path.stem}.{lang}{path.suffix}")
    if lang and lang != "en" and translated.exists():
        for anchor, other in _source_file(translated).items():
            if anchor in entries:
                entries[anchor].update(text=other["text"], lang=lang)
    return entries


def _source_file(path: Path) -> dict[str, dict]:
    text = path.read_text(encoding="utf-8")
    matches = list(ANCHOR.finditer(text))
    entries = {}
    for m, nxt in zip(matches, [*matches[1:], None], strict=True):
        body = text[m.end():nxt.start() if nxt else len(text)]
        body = re.split(r"\n#", body, maxsplit=1)[0]  # up to the next heading
        entries[m["id"]] = {"title": m["title"].strip(),
                            "text": body.strip(),
                            "urls": re.findall(r"https?://\S+", body)}
    return entries


# Short citations as they appear in config comments and docs/model.md, and what they resolve to.
_CITES = [
    (re.compile(r"(?:docs/)?sources\.md#([\w-]+)"), lambda m: m[1]),  # an entry named outright
    (re.compile(r"alliances-2\.md"), lambda m: "a2"),
    (re.compile(r"(?:alliances\.md|\bA)\s*§\s*(\d)(?:\.(\d))?"),
     lambda m: f"a-{m[1]}-{m[2]}" if m[2] and m[1] == "1" else f"a-{m[1]}"),
    (re.compile(r"alliances\.md\s+(\d)\.(\d)"), lambda m: f"a-{m[1]}-{m[2]}"),
    (re.compile(r"behaviour\.md\s+(?:Part\s+)?A\.(\d)"), lambda m: f"ba-{m[1]}"),
    (re.compile(r"behaviour\.md\s+(\d)\b"), lambda m: f"ba-{m[1]}"),
    (re.compile(r"behaviour\.md,?\s+caveats"), lambda m: "caveats"),
    (re.compile(r"(?:behaviour\.md\s+)?(?:Part\s+)?\bB\.(\d+)"), lambda m: f"b-{m[1]}"),
    (re.compile(r"(?:behaviour\.md\s+)?(?:Part\s+)?\bC\.(\d+)"), lambda m: f"c-{m[1]}"),
    (re.compile(r"(?:behaviour\.md|\bB)\s+Part\s+C\b(?!\.)"), lambda m: "part-c"),
    (re.compile(r"alliances\.md(?!\s*§|\s+\d)"), lambda m: "a"),
    (re.compile(r"behaviour\.md(?![\s,]+(?:[ABC]\.|\d|Part|caveats))"), lambda m: "b"),
]
# Publishers named in config comments without a fact-sheet key.
_NAMED = {"teateralliansen.se": "a-1-1", "konstsomyrke": "a-1-1", "Riksdag 2012": "a-2",
          "Konstnärsnämnden": "a-3", "Skatteverket": "a-6", "Sticos": "a-6", "a-kassa": "a-6",
          "Försäkringskassan": "social-insurance", "NAV": "a-6",
          "Pensionsmyndigheten": "pensions", "foreldrepenger": "social-insurance",
          "Scen & Film": "a2", "danscentrum": "a-1-2",
          "skuda.no": "a-1-5", "Clark & Lepinteur": "b-15", "Kim & von dem Knesebeck": "b-18",
          "Card, Kluve": "b-22", "Card-Kluve-Weber": "b-22", "Alper & Wassall": "b-11",
          "Bille & Jensen": "b-10", "OECD": "b-19", "Sinha": "ba-5"}


def cited_anchors(note: str, known: dict | None = None) -> list[str]:
    """Anchors of docs/sources.md that a note cites, in order, each once; only anchors that
    exist (``known``: the entries of docs/sources.md)."""
    known = source_entries() if known is None else known
    found: list[tuple[int, str]] = []
    for pattern, anchor in _CITES:
        found += [(m.start(), anchor(m)) for m in pattern.finditer(note)]
    found += [(note.find(name), a) for name, a in _NAMED.items() if name in note]
    return list(dict.fromkeys(a for _, a in sorted(found) if a in known))


def _citation_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, anchor)`` of every short citation in ``text``, in reading order (the
    longest first where two start together)."""
    spans = [(m.start(), m.end(), anchor(m)) for pattern, anchor in _CITES
             for m in pattern.finditer(text)]
    return sorted(spans, key=lambda s: (s[0], -s[1]))


def cite_sources(text: str, known: dict | None = None) -> str:
    """``text`` with each short citation of a fact sheet the project does not ship
    (``behaviour.md B.11``, ``A §1.1``, ``alliances-2.md``) replaced by the entry of
    docs/sources.md that resolves it, as a link to the brief's own source list:
    ``[docs/sources.md#b-11](#b-11)``."""
    known = source_entries() if known is None else known
    out, pos = [], 0
    for start, end, anchor in _citation_spans(text):
        if start < pos or anchor not in known:
            continue
        out += [text[pos:start], f"[docs/sources.md#{anchor}](#{anchor})"]
        pos = end
    return "".join(out) + text[pos:]


def link_citations(text: str, target: str = "sources.md", known: dict | None = None) -> str:
    """``text`` with each short citation (``behaviour.md B.11``, ``A §1.1``, ``alliances-2.md``)
    turned into a Markdown link to its entry, ``[behaviour.md B.11](sources.md#b-11)``; text
    already inside a link is left alone."""
    known = source_entries() if known is None else known
    out, pos = [], 0
    for start, end, anchor in _citation_spans(text):
        if start < pos or anchor not in known or text[max(0, start - 1):start] == "[" or (
                text[end:end + 2] == "](" or text.rfind("[", 0, start) > text.rfind("]", 0, start)):
            continue
        out += [text[pos:start], f"[{text[start:end]}]({target}#{anchor})"]
        pos = end
    return "".join(out) + text[pos:]


def is_assumption(note: str) -> bool:
    return "assum" in note.lower() or "calibrated" in note.lower()
