"""Name normalisation for the duplicate check and search. Pure Python.

Names are compared without case, accents and diacritics, with the letters that
do not decompose spelt out (ø→o, ß→ss, ł→l, æ→ae …), and without regard to the
order of the names: "Ștefan Ion Țăranu" and "TARANU Ion Stefan" share a key.
Greek and Cyrillic letters stay themselves, without accents.
"""

from __future__ import annotations

import unicodedata

__all__ = ["name_key", "normalise", "tokens"]

# Letters that Unicode decomposition does not reduce to a base letter.
_SPELT_OUT = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "ss",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "ħ": "h",
        "Ħ": "h",
        "ı": "i",
        "ŀ": "l",
        "Ŀ": "l",
        "ŧ": "t",
        "Ŧ": "t",
        "ĸ": "k",
        "ŉ": "n",
    }
)


def normalise(text: str) -> str:
    """Lower case, no diacritics, letters and single spaces only."""
    text = text.translate(_SPELT_OUT)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    out = []
    for char in decomposed:
        if unicodedata.combining(char):
            continue
        out.append(char if char.isalpha() else " ")
    return " ".join("".join(out).translate(_SPELT_OUT).split())


def tokens(*parts: str) -> list[str]:
    return normalise(" ".join(parts)).split()


def name_key(surname: str, given_names: str) -> str:
    """The order-free key two spellings of one person's name share."""
    return " ".join(sorted(tokens(surname, given_names)))
