"""Danish personnumre (CPR numbers): parsing, validation and candidate serials.

Pure Python: nothing here imports Django. Facts and sources:

* Structure DDMMYY-SSSS; digit 7 together with YY gives the century; the last
  digit is odd for men and even for women (cpr.dk, "Opbygning af CPR-nummeret").
* Century table: the CPR office's documentation, p. 7, as reproduced on
  da.wikipedia.org/wiki/CPR-nummer and in python-stdnum ``stdnum.dk.cpr``.
* Modulus 11 with the weights 4,3,2,7,6,5,4,3,2,1 over all ten digits. Since
  1 October 2007 not every number satisfies it, so a failure is never a
  rejection by :func:`parse`.
* Replacement numbers (erstatningspersonnumre) add 60 to the day. They are no
  CPR numbers and :func:`is_valid` is false for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from apoc.dates import MONTH_NAMES
from apoc.exceptions import DomainError, Msg, gettext_noop

__all__ = [
    "MOD11_EXEMPT_DATES",
    "MOD11_WEIGHTS",
    "PATTERN",
    "InvalidPersonnummer",
    "Personnummer",
    "candidate_serials",
    "century_digits",
    "is_valid",
    "mask_all",
    "mod11_ok",
    "parse",
    "try_parse",
]

MOD11_WEIGHTS: tuple[int, ...] = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)

#: Birth dates on which the CPR office has issued numbers without modulus 11.
#: Source: https://www.cpr.dk/cpr-systemet/personnumre-uden-kontrolciffer-modulus-11-kontrol/
#: ("Senest opdateret 10-05-2023", read for APOC in 2026). The page says the list
#: is not necessarily exhaustive, so a modulus-11 failure on another date is a
#: warning for manual handling, never a rejection.
MOD11_EXEMPT_DATES: frozenset[date] = frozenset(
    date(year, 1, 1)
    for year in (
        1960, 1962, 1964, 1965, 1966, 1967, 1969, 1970, 1974, 1975, 1978, 1980, 1981,
        1982, 1983, 1984, 1985, 1986, 1987, 1988, 1989, 1990, 1991, 1992, 1994, 1995,
    )
)  # fmt: skip

#: The earliest and latest birth dates the century table can express.
FIRST_DATE = date(1858, 1, 1)
LAST_DATE = date(2057, 12, 31)

#: A personnummer as written: ``DDMMYY-SSSS``, ``DDMMYYSSSS`` or ``DDMMYY SSSS``.
#: The one definition of the pattern; :func:`try_parse` and :func:`mask_all` use it.
PATTERN = re.compile(r"([0-9]{6})[- ]?([0-9]{4})")
_IN_TEXT = re.compile(rf"\b{PATTERN.pattern}\b")

_MONTHS = MONTH_NAMES  # msgids, shared with apoc.dates


class InvalidPersonnummer(DomainError, ValueError):
    """A string that is not a personnummer, with a code naming what is wrong."""

    code = "invalid_personnummer"
    template = gettext_noop("Ugyldigt personnummer.")


def _century(digit7: int, yy: int) -> int:
    """The century from digit 7 and the two-digit year (the CPR office's table)."""
    if digit7 <= 3:
        return 1900
    if digit7 == 4 or digit7 == 9:
        return 2000 if yy <= 36 else 1900
    return 2000 if yy <= 57 else 1800


@lru_cache(maxsize=256)
def century_digits(year: int) -> tuple[int, ...]:
    """The values of digit 7 that encode ``year`` (1858-2057) together with its YY."""
    yy = year % 100
    return tuple(d for d in range(10) if _century(d, yy) + yy == year)


def mod11_ok(digits: str) -> bool:
    """Whether ten ASCII digits pass modulus 11."""
    d = digits.encode("ascii")
    total = (
        4 * d[0] + 3 * d[1] + 2 * d[2] + 7 * d[3] + 6 * d[4]
        + 5 * d[5] + 4 * d[6] + 3 * d[7] + 2 * d[8] + d[9]
    )  # fmt: skip
    # Each byte is the digit plus 48, and the weights sum to 37: 37 * 48 = 1776.
    return (total - 1776) % 11 == 0


@dataclass(frozen=True, slots=True)
class Personnummer:
    """A parsed personnummer. Immutable; ``str()`` gives ``DDMMYY-SSSS``."""

    digits: str
    birth_date: date
    sex: str
    mod11_ok: bool
    mod11_exempt: bool
    is_replacement: bool

    @property
    def serial(self) -> str:
        """The four digits after the date."""
        return self.digits[6:]

    @property
    def masked(self) -> str:
        """``DDMMYY-XXXX``: the form to use wherever the full number is not needed."""
        return f"{self.digits[:6]}-XXXX"

    @property
    def formatted(self) -> str:
        return f"{self.digits[:6]}-{self.digits[6:]}"

    def __str__(self) -> str:
        return self.formatted

    def __repr__(self) -> str:
        # Never the full number: reprs end up in logs and error reports.
        return f"Personnummer({self.masked!r})"


def _invalid(code: str, template: str, **params: object) -> InvalidPersonnummer:
    return InvalidPersonnummer(template, code=code, params=params)


def _shape_error(value: str) -> InvalidPersonnummer:
    if not value:
        return _invalid("empty", gettext_noop("Personnummeret er tomt."))
    for position, char in enumerate(value, start=1):
        if char in "0123456789":
            continue
        if char in "- " and position == 7:
            continue
        if char.isdigit():
            return _invalid(
                "non_ascii_digit",
                gettext_noop(
                    "Tegnet '%(char)s' på plads %(position)d er ikke et almindeligt ciffer (0-9)."
                ),
                char=char,
                position=position,
            )
        return _invalid(
            "character",
            gettext_noop("Tegnet '%(char)s' på plads %(position)d hører ikke til et personnummer."),
            char=char,
            position=position,
        )
    digits = sum(1 for c in value if c in "0123456789")
    if digits != 10:
        return _invalid(
            "length",
            gettext_noop("Et personnummer har 10 cifre, men der står %(count)d."),
            count=digits,
        )
    return _invalid(
        "format",
        gettext_noop("Skriv personnummeret som DDMMÅÅ-SSSS eller DDMMÅÅSSSS."),
    )


def parse(value: str, today: date | None = None) -> Personnummer:
    """Parse ``DDMMYY-SSSS`` or ``DDMMYYSSSS``.

    Surrounding whitespace is stripped and one space may stand in place of the
    hyphen. Raises :class:`InvalidPersonnummer` for wrong length or characters,
    a date that does not exist, and a birth date after ``today``. Never rejects
    a number for failing modulus 11.
    """
    if not isinstance(value, str):
        raise _invalid("type", gettext_noop("Personnummeret skal være tekst."))
    stripped = value.strip()
    match = PATTERN.fullmatch(stripped)
    if match is None:
        raise _shape_error(stripped)
    digits = match.group(1) + match.group(2)
    day = int(digits[0:2])
    month = int(digits[2:4])
    yy = int(digits[4:6])
    digit7 = ord(digits[6]) - 48

    is_replacement = day > 60
    real_day = day - 60 if is_replacement else day
    if month < 1 or month > 12:
        raise _invalid("month", gettext_noop("Måned %(month)02d findes ikke."), month=month)
    year = _century(digit7, yy) + yy
    if real_day < 1 or real_day > 31:
        raise _invalid("day", gettext_noop("Dag %(day)02d findes ikke."), day=day)
    try:
        birth_date = date(year, month, real_day)
    except ValueError:
        if month == 2 and real_day == 29:
            raise _invalid(
                "leap_day",
                gettext_noop("29. februar findes ikke i %(year)d, som ikke er et skudår."),
                year=year,
            ) from None
        raise _invalid(
            "day",
            gettext_noop("Dag %(day)d findes ikke i %(month_name)s %(year)d."),
            day=real_day,
            month_name=Msg(_MONTHS[month - 1]),
            year=year,
        ) from None
    if today is None:
        today = date.today()
    if birth_date > today:
        raise _invalid(
            "future",
            gettext_noop("Fødselsdatoen %(date)s ligger efter dags dato."),
            date=birth_date.strftime("%d.%m.%Y"),
        )
    return Personnummer(
        digits=digits,
        birth_date=birth_date,
        sex="M" if (ord(digits[9]) - 48) % 2 else "F",
        mod11_ok=mod11_ok(digits),
        mod11_exempt=birth_date in MOD11_EXEMPT_DATES,
        is_replacement=is_replacement,
    )


def try_parse(value: str, today: date | None = None) -> Personnummer | None:
    """The personnummer ``value`` is, or None when it is none. Never raises."""
    try:
        return parse(value, today)
    except (InvalidPersonnummer, TypeError):
        return None


def mask_all(text: str) -> str:
    """``text`` with everything written like a personnummer masked ``DDMMYY-XXXX``."""
    return _IN_TEXT.sub(r"\1-XXXX", text)


def is_valid(value: str, today: date | None = None) -> bool:
    """True for a real personnummer: it parses, is no replacement number, and
    passes modulus 11 or has an exempt birth date. Never raises.

    The same answer as ``parse`` followed by those tests (a property test
    holds them equal), without building a :class:`Personnummer` or an error:
    the birth date of each date-and-century prefix is computed once and cached.
    """
    if not isinstance(value, str):
        return False
    match = PATTERN.fullmatch(value.strip())
    if match is None:
        return False
    digits = match[1] + match[2]
    birth_date = _real_birth_date(digits[:7])
    if birth_date is None or birth_date > (today or date.today()):
        return False
    return mod11_ok(digits) or birth_date in MOD11_EXEMPT_DATES


@lru_cache(maxsize=1 << 17)
def _real_birth_date(prefix: str) -> date | None:
    """The birth date that ``DDMMYYC`` (C: digit 7) encodes, or None when it is none or
    a replacement number's (day + 60)."""
    day, month, yy, digit7 = int(prefix[0:2]), int(prefix[2:4]), int(prefix[4:6]), int(prefix[6])
    if day > 31 or not 1 <= month <= 12:
        return None
    try:
        return date(_century(digit7, yy) + yy, month, day)
    except ValueError:
        return None


def candidate_serials(birth_date: date, sex: str) -> tuple[str, ...]:
    """Every serial (``SSSS``) that a new number for this birth date and sex may take.

    A candidate carries a digit 7 that encodes the birth year's century, a last
    digit of the right parity (odd for "M", even for "F"), and passes modulus 11.
    The set depends only on the date's weighted sum modulo 11, the century
    digits and the parity, so there are few distinct sets and each is cached.
    """
    if sex not in ("M", "F"):
        raise ValueError(f"sex must be 'M' or 'F', not {sex!r}")
    if not FIRST_DATE <= birth_date <= LAST_DATE:
        raise ValueError(f"{birth_date} is outside what the century table can express")
    prefix = birth_date.strftime("%d%m%y")
    partial = sum(int(c) * w for c, w in zip(prefix, MOD11_WEIGHTS, strict=False))
    return _serials(partial % 11, century_digits(birth_date.year), 1 if sex == "M" else 0)


@lru_cache(maxsize=256)
def _serials(residue: int, digits7: tuple[int, ...], parity: int) -> tuple[str, ...]:
    # For each choice of digits 7-9 at most one last digit passes modulus 11,
    # so the candidates are found without looping over all 10,000 serials.
    serials = []
    for d7 in digits7:
        for d8 in range(10):
            for d9 in range(10):
                last = -(residue + 4 * d7 + 3 * d8 + 2 * d9) % 11
                if last < 10 and last % 2 == parity:
                    serials.append(f"{d7}{d8}{d9}{last}")
    return tuple(serials)
