"""A jobcentre's contact details: its opening hours, and whether a letter can point to it.

Pure Python: nothing here imports Django. The Jobnet letter promises "er du velkommen til at
kontakte os" only when it can also say how (:func:`is_contactable`), and prints the opening
hours in each of its languages, so they are kept as data, not as Danish text.

A national administrator writes the opening hours the Danish way, in the jobcentre's admin:
``man-tor 9-15, fre 9-13``. Each part is a day or a range of days (``mandag``, ``man``,
``man-fre``) and a time from-to (``9``, ``9.30``, ``09:30``; ``kl.`` may come first), parts
separated by commas or semicolons. :func:`parse_opening_hours` reads it, refusing what it
cannot read with a message that names the part, and :func:`format_opening_hours` writes it
back the same way every time: ``man–tor 9.00–15.00; fre 9.00–13.00``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from apoc.exceptions import DomainError, gettext_noop

__all__ = [
    "DAY_ABBREVIATIONS",
    "Hours",
    "InvalidOpeningHours",
    "format_opening_hours",
    "is_contactable",
    "parse_opening_hours",
]

#: Monday first, as Danish weeks go.
DAY_NAMES = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
DAY_ABBREVIATIONS = ("man", "tir", "ons", "tor", "fre", "lør", "søn")
_DAYS: dict[str, int] = {
    **{name: i for i, name in enumerate(DAY_NAMES)},
    **{abbreviation: i for i, abbreviation in enumerate(DAY_ABBREVIATIONS)},
    **{"lor": 5, "son": 6, "lørd": 5, "sønd": 6},
}
_DASH = r"\s*[-–]\s*"
_TIME = r"(?:kl\.?\s*)?([0-9]{1,2})(?:[.:]([0-9]{2}))?"
_DAY = r"[^\W\d_]+\.?"
_PART = re.compile(rf"(?P<days>{_DAY}(?:{_DASH}{_DAY})?)\s+{_TIME}{_DASH}{_TIME}")


@dataclass(frozen=True, slots=True)
class Hours:
    """Open from ``first`` to ``last`` day (0 = Monday), ``opens`` to ``closes`` (hour, minute)."""

    first: int
    last: int
    opens: tuple[int, int]
    closes: tuple[int, int]


class InvalidOpeningHours(DomainError, ValueError):
    code = "invalid_opening_hours"
    template = gettext_noop(
        "»%(part)s« kan ikke læses. Skriv dage og tider som »man-tor 9-15, fre 9-13«."
    )


def _day(text: str, part: str) -> int:
    day = _DAYS.get(text.lower().rstrip("."))
    if day is None:
        raise InvalidOpeningHours(
            gettext_noop(
                "»%(day)s« i »%(part)s« er ikke en ugedag (man, tir, ons, tor, fre, lør, søn)."
            ),
            code="opening_hours_day",
            params={"day": text, "part": part},
        )
    return day


def _time(hour: str, minute: str | None, part: str) -> tuple[int, int]:
    value = (int(hour), int(minute or 0))
    if value[0] > 24 or value[1] > 59 or (value[0] == 24 and value[1]):
        raise InvalidOpeningHours(
            gettext_noop("»%(part)s«: klokken %(time)s findes ikke."),
            code="opening_hours_time",
            params={"part": part, "time": f"{hour}.{minute or '00'}"},
        )
    return value


def _hours(part: str) -> Hours:
    match = _PART.fullmatch(part)
    if match is None:
        raise InvalidOpeningHours(params={"part": part})
    names = re.split(_DASH, match["days"])
    first = _day(names[0], part)
    last = _day(names[-1], part)
    opens = _time(match[2], match[3], part)
    closes = _time(match[4], match[5], part)
    if last < first:
        raise InvalidOpeningHours(
            gettext_noop("»%(part)s«: den sidste dag kommer før den første."),
            code="opening_hours_day_order",
            params={"part": part},
        )
    if closes <= opens:
        raise InvalidOpeningHours(
            gettext_noop("»%(part)s«: der lukkes, før der åbnes."),
            code="opening_hours_time_order",
            params={"part": part},
        )
    return Hours(first, last, opens, closes)


def parse_opening_hours(text: str) -> tuple[Hours, ...]:
    """The opening hours ``text`` gives, in its order; empty text gives none."""
    parts = [part.strip() for part in re.split(r"[,;\n]", text or "") if part.strip()]
    return tuple(_hours(part) for part in parts)


def _clock(value: tuple[int, int]) -> str:
    return f"{value[0]}.{value[1]:02d}"


def format_opening_hours(hours: Iterable[Hours]) -> str:
    """The hours as APOC writes them in Danish: ``man–tor 9.00–15.00; fre 9.00–13.00``."""
    parts = []
    for h in hours:
        days = DAY_ABBREVIATIONS[h.first]
        if h.last != h.first:
            days += "–" + DAY_ABBREVIATIONS[h.last]
        parts.append(f"{days} {_clock(h.opens)}–{_clock(h.closes)}")
    return "; ".join(parts)


def is_contactable(*, phone: str, email: str, address: str, has_opening_hours: bool) -> bool:
    """Whether a letter can say how to reach the jobcentre: by phone, by e-mail, or by
    visiting it at an address when it is open. An address alone is not enough: a person
    who comes when it is closed has been pointed at nothing."""
    return bool(phone.strip() or email.strip() or (address.strip() and has_opening_hours))
