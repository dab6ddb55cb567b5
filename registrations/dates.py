"""The dates the caseworker's and the supervisor's forms accept: one place for the ranges.

A date field of a form (:class:`registrations.forms.DateField`) names its range here. A
date outside it is a form error next to the field that names the range
("Datoen skal ligge mellem 02.12.1906 og 02.12.2026."), before any rule or
query sees it: an entry date of 0001-01-01 or a PD U2 date of 9999-12-31 is a
typo, not a fact to confirm. The ranges are wide enough for every real case
and say why in their comment; the eligibility rules (``cpr.eligibility``)
still decide what a date inside its range means.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = ["DATE_RANGES", "DateRange", "years_from_today"]


def _shift_years(day: date, years: int) -> date:
    """The same day ``years`` later (earlier when negative); 29 February gives the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def years_from_today(years: int) -> Callable[[date], date]:
    return lambda today: _shift_years(today, years)


def on(day: date) -> Callable[[date], date]:
    return lambda today: day


@dataclass(frozen=True)
class DateRange:
    """The first and the last date a field accepts, each given today."""

    earliest: Callable[[date], date]
    latest: Callable[[date], date]

    def bounds(self, today: date) -> tuple[date, date]:
        return self.earliest(today), self.latest(today)

    def check(self, value: date, today: date) -> None:
        """Raises the form's ValidationError when ``value`` lies outside the range."""
        first, last = self.bounds(today)
        if not first <= value <= last:
            raise ValidationError(
                _("Datoen skal ligge mellem %(earliest)s og %(latest)s."),
                code="date_out_of_range",
                params={"earliest": f"{first:%d.%m.%Y}", "latest": f"{last:%d.%m.%Y}"},
            )


#: Field name -> its range. The intake's, the offer's and the admin's date fields.
DATE_RANGES: dict[str, DateRange] = {
    # A person alive at the counter: at most 120 years old, not born tomorrow.
    "birth_date": DateRange(years_from_today(-120), years_from_today(0)),
    # An expired document is the rules' business (a block for A and B, a warning for C);
    # one expired half a century ago is a typo. Documents valid for life (e.g. a Spanish
    # DNI for the over-70s) write the last date a two-digit MRZ year can: 31.12.2099.
    "document_expiry": DateRange(years_from_today(-50), on(date(2099, 12, 31))),
    # The start of this stay in Denmark: in the past, and within 20 years (a longer
    # stay is a residence registration, not an administrative number).
    "entry_date": DateRange(years_from_today(-20), years_from_today(0)),
    # A PD U2 covers 3 to 6 months of benefits; it is shown within a year of its
    # date, and a document issued ahead of the move may carry a date up to a year on.
    "pd_u2_date": DateRange(years_from_today(-2), years_from_today(1)),
    # The decision on personal assistance (category C) was made before the intake.
    "decision_date": DateRange(years_from_today(-10), years_from_today(0)),
    # The offer a category-B intake is for has begun lately or begins within two years.
    "offer_starts_on": DateRange(years_from_today(-1), years_from_today(2)),
    # Offers recorded on the registration page, also afterwards.
    "starts_on": DateRange(years_from_today(-5), years_from_today(2)),
    "ends_on": DateRange(years_from_today(-5), years_from_today(5)),
    # A changed CPR status (admin): it has taken effect, within the numbers' lifetime here.
    "effective_date": DateRange(years_from_today(-10), years_from_today(0)),
}
