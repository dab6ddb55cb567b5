"""Dates as a Danish caseworker writes them: day, month, four-digit year.

Pure Python: nothing here imports Django. A browser's ``<input type="date">``
takes its field order from the browser's own locale, so on a counter PC with an
English browser 02/03/1990 is 3 February; APOC's date fields are text fields,
and this module reads what is typed in one order only, the Danish one:

* ``29021984``: eight digits, day, month, year;
* ``29.02.1984``, ``29-02-1984``, ``29/02/1984``: the same separator twice, the
  day and month with one or two digits (``2.3.1990``);
* ``1984-02-29``: ISO 8601, the year first, which has one reading only and is
  what other systems copy.

It refuses what can be read in more than one way or not at all, with a message
that names the problem and repeats the date as it was read: a two-digit year
(``02.03.90``: which century?), a month that does not exist, a day the month
does not have (``31.04.1990: april har 30 dage``), 29 February outside a leap
year.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from apoc.exceptions import DomainError, Msg, gettext_noop

__all__ = ["FORMAT_HINT", "MONTH_NAMES", "InvalidDate", "format_date", "parse_date"]

#: How the fields describe the format to people (a msgid: the English UI says DD.MM.YYYY).
FORMAT_HINT = gettext_noop("DD.MM.ÅÅÅÅ")

#: The months in Danish, as msgids.
MONTH_NAMES = (
    gettext_noop("januar"),
    gettext_noop("februar"),
    gettext_noop("marts"),
    gettext_noop("april"),
    gettext_noop("maj"),
    gettext_noop("juni"),
    gettext_noop("juli"),
    gettext_noop("august"),
    gettext_noop("september"),
    gettext_noop("oktober"),
    gettext_noop("november"),
    gettext_noop("december"),
)

_DIGITS_ONLY = re.compile(r"([0-9]{2})([0-9]{2})([0-9]+)")
_SEPARATED = re.compile(r"([0-9]{1,2}) *([./-]) *([0-9]{1,2}) *\2 *([0-9]+)")
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


class InvalidDate(DomainError, ValueError):
    """Text that is not a date written day, month, four-digit year."""

    code = "invalid_date"
    template = gettext_noop("%(value)s: skriv datoen som DD.MM.ÅÅÅÅ, fx 02.03.1990.")


def _error(code: str, template: str, **params: object) -> InvalidDate:
    return InvalidDate(template, code=f"date_{code}", params=params)


def format_date(value: date) -> str:
    """``value`` as APOC writes dates: ``02.03.1990``."""
    return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"


def _parts(text: str) -> tuple[str, str, str]:
    """Day, month and year as typed; raises for anything else."""
    for pattern, order in ((_ISO, (2, 1, 0)), (_SEPARATED, (0, 2, 3)), (_DIGITS_ONLY, (0, 1, 2))):
        match = pattern.fullmatch(text)
        if match:
            groups = match.groups()
            day, month, year = (groups[i] for i in order)
            return day, month, year
    if text.isdigit() and len(text) == 6:
        raise _two_digit_year(text)
    raise InvalidDate(params={"value": text})


def _two_digit_year(text: str) -> InvalidDate:
    return _error(
        "two_digit_year",
        gettext_noop("%(value)s: skriv året med fire cifre (DD.MM.ÅÅÅÅ), så der ikke er tvivl."),
        value=text,
    )


def parse_date(value: str) -> date:
    """The date ``value`` names, read day first; raises :class:`InvalidDate`.

    Surrounding spaces are ignored. Only ASCII digits count.
    """
    text = (value or "").strip()
    day_text, month_text, year_text = _parts(text)
    if len(year_text) != 4:
        raise _two_digit_year(text)
    day, month, year = int(day_text), int(month_text), int(year_text)
    read = f"{day:02d}.{month:02d}.{year_text}"
    if year < 1000:
        raise _error(
            "year", gettext_noop("%(value)s: år %(year)s findes ikke."), value=read, year=year_text
        )
    if not 1 <= month <= 12:
        raise _error(
            "month",
            gettext_noop("%(value)s: der er ingen måned %(month)d; måneden skal være 01–12."),
            value=read,
            month=month,
        )
    days = calendar.monthrange(year, month)[1]
    if day == 0:
        raise _error("day_zero", gettext_noop("%(value)s: der er ingen dag 0."), value=read)
    if day > days:
        if month == 2 and day == 29:
            raise _error(
                "leap_day",
                gettext_noop("%(value)s: %(year)d er ikke et skudår, så februar har 28 dage."),
                value=read,
                year=year,
            )
        raise _error(
            "day",
            gettext_noop("%(value)s: %(month_name)s har %(days)d dage."),
            value=read,
            month_name=Msg(MONTH_NAMES[month - 1]),
            days=days,
        )
    return date(year, month, day)
