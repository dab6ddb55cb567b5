"""Danish words that people build passwords from, for the strength estimator.

zxcvbn knows English words, names and leaked passwords; it does not know that
"Sommer", "Efterår" or "Jobcenter" are as easy to guess in Denmark as "Summer"
is elsewhere. These words are given to it as extra dictionary words
(``user_inputs``), ranked in this order: the first are the most likely. It then
finds them with its own patterns (capitals, l33t, reversed, years, repeats), so
"S0mmer2026!!" and "2026Sommer!!" are caught as well as "Sommer2026!!".

A short, curated list rather than a word frequency list: the words people pick
for a password at work (seasons, months, days, holidays, the workplace, the
place), and the most common Danish first names and surnames (Danmarks
Statistik's lists of the most common names). The names of the 98 municipalities
are added from :mod:`apoc.accounts.municipalities`.
"""

from __future__ import annotations

from .municipalities import MUNICIPALITIES

__all__ = ["DANISH_WORDS"]

_WORDS = """
sommer vinter forår efterår høst sommerferie vinterferie efterårsferie påske påskeferie
jul juleaften julefrokost nytår fastelavn pinse
januar februar marts april maj juni juli august september oktober november december
mandag tirsdag onsdag torsdag fredag lørdag søndag weekend
adgangskode kodeord password hemmelig hemmeligt velkommen hejsa hej
jobcenter jobcentret kommune kommunen borgerservice sagsbehandler teamleder
medarbejder arbejde kontor skranke borger ledig jobnet apoc cpr
danmark dansk danske københavn kbh jylland sjælland fyn bornholm
kærlighed elsker skat skatter hygge sol solskin regn sne
fodbold håndbold fck brøndby superliga landshold
hund kat hest
anne kirsten mette hanne helle anna susanne lene maria marianne lone camilla pia
louise charlotte tina gitte bente jette karen ida emma sofie freja
peter jens michael lars henrik thomas søren jan niels christian martin jørgen
hans anders morten jesper ole per erik mads rasmus frederik william noah oscar
nielsen jensen hansen pedersen andersen christensen larsen sørensen rasmussen
jørgensen petersen madsen kristensen olsen thomsen christiansen poulsen johansen
møller mortensen
"""

_ASCII = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})
_PLAIN = str.maketrans({"æ": "e", "ø": "o", "å": "a"})


def _spellings(word: str) -> list[str]:
    """The word, and how it is written on a keyboard without æ, ø and å."""
    forms = [word, word.translate(_ASCII), word.translate(_PLAIN)]
    return list(dict.fromkeys(forms))


def _build() -> tuple[str, ...]:
    words = _WORDS.split() + [m.name.lower() for m in MUNICIPALITIES]
    out: list[str] = []
    for word in words:
        out += _spellings(word)
    return tuple(dict.fromkeys(out))


#: Every word in every spelling, most likely first.
DANISH_WORDS: tuple[str, ...] = _build()
