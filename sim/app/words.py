"""The app's own sentences in Swedish and Norwegian, for the few messages the report catalogues
(``sim/report/locale``) do not hold yet.

Where it sits: the top layer (``sim/app/``), beside ``page.py`` and ``charts.py``. Every other word
of the app comes from the report layer's catalogues through ``_()``; these are looked up with
``say()`` in the language ``sim.report.i18n.language`` has set. ``say`` is not an extraction
keyword, so ``pybabel extract`` leaves these out; moving them into the catalogues (and calling
``_()`` here) is a plain move when the catalogues' owner adds them.
"""

from __future__ import annotations

from sim.report.i18n import current

WORDS: dict[str, dict[str, str]] = {
    "Active freelancers, mean of the last 12 months (alliance {gap} now)": {
        "sv": "Yrkesverksamma frilansare, medelvärde för de senaste 12 månaderna "
              "(alliansen {gap} nu)",
        "nb": "Yrkesaktive frilansere, gjennomsnitt for de siste 12 månedene (alliansen {gap} nå)",
    },
    "Active freelancers, mean of the last 12 months": {
        "sv": "Yrkesverksamma frilansare, medelvärde för de senaste 12 månaderna",
        "nb": "Yrkesaktive frilansere, gjennomsnitt for de siste 12 månedene",
    },
    "Newcomers enter the profession together each January, so the monthly count of active "
    "freelancers (thin lines) steps up by a year's cohort then and falls as people leave during "
    "the year; the thick lines are the mean of the last 12 months, which has no such step.": {
        "sv": "Nya frilansare kommer in i yrket samtidigt varje januari, så antalet "
              "yrkesverksamma per månad (tunna linjer) ökar då med en hel årskull och minskar "
              "under året när folk lämnar yrket; de tjocka linjerna är medelvärdet för de "
              "senaste 12 månaderna, som saknar det hoppet.",
        "nb": "Nye frilansere kommer inn i yrket samtidig hver januar, så antallet yrkesaktive "
              "per måned (tynne linjer) øker da med et helt årskull og synker gjennom året når "
              "folk forlater yrket; de tykke linjene er gjennomsnittet for de siste 12 månedene, "
              "som ikke har det hoppet.",
    },
    "The live run stopped with an error: {error}. Nothing of it is kept; the details are in "
    "the server's log.": {
        "sv": "Körningen avbröts av ett fel: {error}. Inget av den sparas; detaljerna finns i "
              "serverns logg.",
        "nb": "Kjøringen stoppet på grunn av en feil: {error}. Ingenting av den lagres; "
              "detaljene står i serverens logg.",
    },
    "{control}: the command line refuses this value too: {error}": {
        "sv": "{control}: kommandoraden avvisar också det här värdet: {error}",
        "nb": "{control}: kommandolinjen avviser også denne verdien: {error}",
    },
    "The finished sweep {name} cannot be shown: its results table "
    "(aggregate/summary.parquet) cannot be read. The details are in the server's log; "
    "aggregating the sweep again writes a new table: {command}": {
        "sv": "Den färdiga körserien {name} kan inte visas: dess resultattabell "
              "(aggregate/summary.parquet) går inte att läsa. Detaljerna finns i serverns logg; "
              "en ny aggregering av körserien skriver en ny tabell: {command}",
        "nb": "Den ferdige kjøreserien {name} kan ikke vises: resultattabellen "
              "(aggregate/summary.parquet) kan ikke leses. Detaljene står i serverens logg; "
              "en ny aggregering av kjøreserien skriver en ny tabell: {command}",
    },
    "any whole number from 0": {"sv": "ett heltal från 0", "nb": "et heltall fra 0"},
}


def say(message: str) -> str:
    """``message`` in the current language (English: as it is)."""
    if message not in WORDS:
        raise KeyError(f"sim/app/words.py has no entry for {message!r}")
    return WORDS[message].get(current(), message)
