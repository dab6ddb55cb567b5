"""What the statistics page counts, as keys: which counters a registration or a refused
intake adds one to (docs/decisions.md, 22).

Pure: the store (:mod:`registrations.statistics`) turns a registration or a refusal into
the facts here, applies the changes in the writer's own transaction and reads them back
for the page. A change of a registration (made, moved to another jobcentre, reviewed)
is the difference between the keys before and after it, so one rule serves every write.

Each counter is a ``(kind, period, jobcentre, value)`` and a number:

=============== ================================= ==========================================
kind            period                            value
=============== ================================= ==========================================
``day``         the local day it was made         ``""``: registrations made that day
``category``    the first day of that month       the category (A, B, C)
``nationality`` the first day of that month       the nationality (ISO 3166 alpha-2)
``status``      the first day of that month       the review status now
``refusals``    the first day of the refusal's    ``""``: refused intakes
                month
``reason``      the first day of the refusal's    a reason code; a refusal with two reasons
                month                             adds to both
=============== ================================= ==========================================

The jobcentre is the registration's jobcentre now: a transfer moves its counts, as it
moves the registration out of the old jobcentre's lists. Days and months are local
(Europe/Copenhagen), as on the page. Why these grains and not one row per day,
jobcentre, category and nationality: decision 22.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

__all__ = [
    "REGISTRATION_COUNTERS",
    "Counted",
    "Key",
    "Kind",
    "Refused",
    "change",
    "month_of",
    "refusal_keys",
    "registration_keys",
    "total",
]


class Kind(enum.StrEnum):
    DAY = "day"
    CATEGORY = "category"
    NATIONALITY = "nationality"
    STATUS = "status"
    REFUSALS = "refusals"
    REASON = "reason"


#: The counters of a registration: kind -> (the fact that is its value, or None for a
#: total; whether its period is the day, else the month). The recount reads it too.
REGISTRATION_COUNTERS: dict[Kind, tuple[str | None, bool]] = {
    Kind.DAY: (None, True),
    Kind.CATEGORY: ("category", False),
    Kind.NATIONALITY: ("nationality", False),
    Kind.STATUS: ("review_status", False),
}


@dataclass(frozen=True, order=True)
class Key:
    """One counter. Ordered, so that writers touch counters in one order (no deadlock)."""

    kind: str
    period: date
    jobcentre_id: int
    value: str = ""


@dataclass(frozen=True)
class Counted:
    """What the statistics know of a registration."""

    jobcentre_id: int
    day: date  #: the local day it was made
    category: str
    nationality: str
    review_status: str


@dataclass(frozen=True)
class Refused:
    """What the statistics know of a refused intake."""

    jobcentre_id: int
    day: date  #: the local day it was refused
    reason_codes: tuple[str, ...]


def month_of(day: date) -> date:
    return day.replace(day=1)


def registration_keys(facts: Counted) -> list[Key]:
    """The counters one registration adds one to."""
    return [
        Key(
            kind,
            facts.day if per_day else month_of(facts.day),
            facts.jobcentre_id,
            getattr(facts, fact) if fact else "",
        )
        for kind, (fact, per_day) in REGISTRATION_COUNTERS.items()
    ]


def refusal_keys(facts: Refused) -> Counter[Key]:
    """The counters one refused intake adds to: one refusal, and each of its reasons
    (as often as the list names it, as the page has always counted them)."""
    month, where = month_of(facts.day), facts.jobcentre_id
    counts: Counter[Key] = Counter({Key(Kind.REFUSALS, month, where): 1})
    counts.update(Key(Kind.REASON, month, where, code) for code in facts.reason_codes)
    return counts


def change(before: Counted | None, after: Counted | None) -> dict[Key, int]:
    """What a change of a registration does to the counters, in key order, without zeros.

    ``before`` is None for a new registration, ``after`` None for one removed.
    """
    delta: Counter[Key] = Counter()
    for key in registration_keys(after) if after is not None else ():
        delta[key] += 1
    for key in registration_keys(before) if before is not None else ():
        delta[key] -= 1
    return {key: n for key, n in sorted(delta.items()) if n}


def total(deltas: Iterable[Mapping[Key, int]]) -> dict[Key, int]:
    """Several changes as one, in key order, without zeros."""
    summed: Counter[Key] = Counter()
    for delta in deltas:
        for key, n in delta.items():
            summed[key] += n
    return {key: n for key, n in sorted(summed.items()) if n}
