"""Languages of briefs and charts: gettext catalogues (Babel) and numbers as the reader writes them.

Where it sits: in the report layer, used by every brief and chart (``sim/report/brief.py``,
``document.py``, ``words.py``, ``charts.py``, ``run_brief.py``). Messages are marked with ``_()``
and ``ngettext()``; ``pybabel extract`` collects them into ``sim/report/locale/messages.pot`` and
each language has one catalogue, ``sim/report/locale/<lang>/LC_MESSAGES/messages.po``. The ``.po``
files are the only source: they are compiled in memory when first used (Babel's ``write_mo``), so
a fresh clone needs no build step and a compiled file can never lag behind its catalogue. English
is the source language and needs no catalogue.

The language is chosen per brief (``report.language``) and set for the duration of its writing
with ``with language("sv"): ...``; ``_()`` reads it then, so a chart or a sentence is translated
when it is made.

Update the catalogues after changing a message::

    uv run pybabel extract -F sim/report/locale/babel.cfg --no-wrap --sort-output \
        -o sim/report/locale/messages.pot .
    uv run pybabel update -i sim/report/locale/messages.pot -d sim/report/locale --no-wrap

then fill in the new ``msgstr`` of each ``.po`` (``tests/test_i18n.py`` lists what is missing).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext
import io
import math
from pathlib import Path

from sim.run.report_settings import LANGUAGES

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
LOCALES = {"en": "en_GB", "sv": "sv_SE", "nb": "nb_NO"}
# The currency is the simulated country's, the words around it the reader's language: a Swede
# reads "kr" as Swedish kronor and a Norwegian as Norwegian kroner, so "kr" (and "kronor",
# "kroner") is written only for the currency of the reader's own country; any other currency keeps
# its ISO code after an amount and its full name in prose ("norska kronor", "svenske kroner").
HOME_CURRENCY = {"sv": "SEK", "nb": "NOK"}
CURRENCY_NAMES = {"en": {},
                  "sv": {"SEK": "kronor", "NOK": "norska kronor"},
                  "nb": {"NOK": "kroner", "SEK": "svenske kroner"}}
# million of the currency, as a unit after a number (tables, charts) and in running prose;
# thousand: as a unit. {cur}: the ISO code, {name}: the currency's name in the language.
MILLION = {"en": ("M {cur}", "million {cur}"),
           "sv": ("mn {cur}", "miljoner {name}"),
           "nb": ("mill. {cur}", "millioner {name}")}
MILLION_HOME = {"sv": ("mnkr", "miljoner kronor"), "nb": ("mill. kr", "millioner kroner")}
THOUSAND = {"en": "thousand {cur}", "sv": "tusen {cur}", "nb": "tusen {cur}"}
THOUSAND_HOME = {"sv": "tkr", "nb": "tusen kr"}

_current: contextvars.ContextVar[str] = contextvars.ContextVar("report_language", default="en")


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"report.language={lang!r}; allowed: {', '.join(LANGUAGES)}")
    return lang


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English: no translation)."""
    if check_language(lang) == "en":
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def current() -> str:
    return _current.get()


@contextlib.contextmanager
def language(lang: str | None):
    """Briefs and charts made inside this block are in ``lang`` (None: keep the current one)."""
    token = _current.set(check_language(lang or current()))
    try:
        yield
    finally:
        _current.reset(token)


def _(message: str) -> str:
    """``message`` in the current language."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a message for extraction without translating it yet (translated where it is used)."""
    return message


def localise_number(text: str) -> str:
    """An English-formatted number (``1,234.5``) in the current language's notation
    (``1 234,5`` in Swedish and Norwegian: decimal comma, a no-break space between thousands)."""
    lang = current()
    if lang == "en":
        return text
    from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

    loc = LOCALES[lang]
    group = get_group_symbol(loc)
    out = text.replace(",", "\0").replace(".", get_decimal_symbol(loc)).replace("\0", group)
    return out.replace("-", get_minus_sign_symbol(loc)) if out.startswith("-") else out


def number(x: float, decimals: int = 0) -> str:
    """``x`` with ``decimals`` decimals and thousands separators, in the current language."""
    if x is None or not math.isfinite(x):
        return _("n/a")
    from babel.numbers import format_decimal

    return format_decimal(round(x, decimals), format=f"#,##0.{'0' * decimals}" if decimals
                          else "#,##0", locale=LOCALES[current()])


def percent(share: float) -> str:
    """A share as a whole percentage: ``47%`` / ``47 %``."""
    from babel.numbers import format_percent

    return format_percent(share, locale=LOCALES[current()])


def _home(cur: str) -> bool:
    """Whether ``cur`` is the currency of the current language's country (SEK for Swedish)."""
    return HOME_CURRENCY.get(current()) == str(cur).upper()


def currency(cur: str) -> str:
    """The currency after an amount: ``kr`` for the reader's own currency, else its ISO code
    (``27 000 kr`` in a Swedish brief of a Swedish run, ``27 000 SEK`` in a Norwegian one)."""
    return "kr" if _home(cur) else str(cur)


def currency_name(cur: str) -> str:
    """The currency in running prose: ``kronor`` / ``norska kronor`` / ``kroner`` / ``svenske
    kroner``; English and unknown currencies keep the ISO code."""
    return CURRENCY_NAMES[current()].get(str(cur).upper(), str(cur))


def million(cur: str, prose: bool = False) -> str:
    """The unit 'million <currency>': ``M SEK`` / ``mnkr`` / ``mill. kr``; in prose
    ``million SEK`` / ``miljoner kronor`` / ``millioner kroner``. A currency that is not the
    reader's own is named: ``mn NOK`` / ``miljoner norska kronor``, ``mill. SEK`` / ``millioner
    svenske kroner``."""
    lang = current()
    if _home(cur):
        return MILLION_HOME[lang][prose]
    return MILLION[lang][prose].format(cur=cur, name=currency_name(cur))


def thousand(cur: str) -> str:
    """The unit 'thousand <currency>': ``thousand SEK`` / ``tkr`` / ``tusen kr`` / ``tusen SEK``."""
    return THOUSAND_HOME[current()] if _home(cur) else THOUSAND[current()].format(cur=cur)


def axis_formatter():
    """A matplotlib tick formatter writing numbers in the current language."""
    from matplotlib.ticker import FuncFormatter

    def fmt(x, _pos):
        return localise_number(f"{x:,.0f}" if float(x).is_integer() else f"{x:,.10g}")
    return FuncFormatter(fmt)


def localise_axes(fig) -> None:
    """Every axis of ``fig`` with numbers in the current language (a no-op in English); an
    axis given its own formatter (percentages) keeps it."""
    if current() == "en":
        return
    from matplotlib.ticker import ScalarFormatter

    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            # numbers, not categories (a bar chart's sectors)
            if axis.units is None and isinstance(axis.get_major_formatter(), ScalarFormatter):
                axis.set_major_formatter(axis_formatter())
