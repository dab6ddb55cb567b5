"""The CPR status codes of a personnummer, as data. Pure Python.

Source: the CPR office's record 001, field STATUS, as listed by Statistics
Denmark (dst.dk, "CPR-oplysninger"), Magenta's record-001 parser and kaqa.gl,
"CPR-koder" (domain.md, appendix §4). 97 and 99 are Greenland-local codes and
not official CPR codes, so they are not here.

An administrative personnummer is status 20: "uden bopæl i dansk/grønlandsk
folkeregister, men tildelt personnummer" (the official wording adds "af
skattehensyn"; it is the only code for a number without residence). The
person keeps the number for life: a residence registration (01) later is
made under the same number (cpr.dk, "Administrative personnumre", 2014).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from apoc.exceptions import gettext_noop

__all__ = [
    "ADMINISTRATIVE",
    "ANNULLED",
    "DEAD",
    "DISAPPEARED",
    "EMIGRATED",
    "RESIDENCE",
    "STATUSES",
    "Kind",
    "Status",
    "by_code",
    "is_final",
]


class Kind(StrEnum):
    """What a status means for APOC."""

    ACTIVE = "active"  # in the ordinary register with a residence (01-07)
    RESERVED = "reserved"
    ADMINISTRATIVE = "administrative"  # no residence, number given (20)
    ENDED = "ended"  # annulled, deleted, changed, disappeared, emigrated, dead


@dataclass(frozen=True, slots=True)
class Status:
    code: str
    name: str  # the member name of the Django choices, e.g. "EMIGRATED"
    label: str  # Danish msgid
    kind: Kind
    #: No later status follows this one in APOC: the number is gone or the person dead.
    final: bool = False


STATUSES: tuple[Status, ...] = (
    Status("01", "RESIDENCE", gettext_noop("01 – aktiv, bopæl i dansk folkeregister"), Kind.ACTIVE),
    Status(
        "03",
        "RESIDENCE_SPECIAL_ROAD",
        gettext_noop("03 – aktiv, speciel vejkode i dansk folkeregister"),
        Kind.ACTIVE,
    ),
    Status(
        "05", "GREENLAND", gettext_noop("05 – aktiv, bopæl i grønlandsk folkeregister"), Kind.ACTIVE
    ),
    Status(
        "07",
        "GREENLAND_SPECIAL_ROAD",
        gettext_noop("07 – aktiv, speciel vejkode i grønlandsk folkeregister"),
        Kind.ACTIVE,
    ),
    Status("10", "RESERVED", gettext_noop("10 – reserveret personnummer"), Kind.RESERVED),
    Status(
        "20",
        "NO_RESIDENCE",
        gettext_noop("20 – uden bopæl i dansk folkeregister (administrativt)"),
        Kind.ADMINISTRATIVE,
    ),
    Status("30", "ANNULLED", gettext_noop("30 – annulleret personnummer"), Kind.ENDED, final=True),
    Status(
        "50",
        "DELETED_DUPLICATE",
        gettext_noop("50 – slettet ved dobbeltnummer"),
        Kind.ENDED,
        final=True,
    ),
    Status(
        "60",
        "CHANGED",
        gettext_noop("60 – ændret ved ændring af fødselsdato og køn"),
        Kind.ENDED,
        final=True,
    ),
    Status("70", "DISAPPEARED", gettext_noop("70 – forsvundet"), Kind.ENDED),
    Status("80", "EMIGRATED", gettext_noop("80 – udrejst"), Kind.ENDED),
    Status("90", "DEAD", gettext_noop("90 – død"), Kind.ENDED, final=True),
)

ADMINISTRATIVE = "20"
RESIDENCE = "01"
ANNULLED = "30"
DISAPPEARED = "70"
EMIGRATED = "80"
DEAD = "90"

_BY_CODE = {status.code: status for status in STATUSES}


def by_code(code: str) -> Status | None:
    return _BY_CODE.get(code)


def is_final(code: str) -> bool:
    """Whether no other status may follow ``code`` in APOC."""
    status = by_code(code)
    return status is not None and status.final
