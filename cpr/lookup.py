"""Asking CPR about a person: the port, and APOC's own register behind it.

The intake asks CPR whether a personnummer exists and what its status is
(:meth:`CprLookup.person`), and, where the municipality's agreement allows
it, who CPR knows by name, birth date and sex (:meth:`CprLookup.search`).
The setting ``CPR_LOOKUP`` names the implementation (:func:`get_lookup`):

* :class:`LocalLookup`, the default, answers from APOC's own register of
  numbers. It does not ask CPR, so it is for training only (``training_only``;
  ``cpr.E003`` refuses it in production, see :mod:`apoc.training`).
* :class:`cpr.serviceplatformen.ServiceplatformenLookup` asks KOMBIT's
  Serviceplatformen (SF1520, "CPR replika opslag").

:class:`CprPerson` and the errors are plain data: nothing in them depends on
Django, so any layer can hold and compare them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from apoc.exceptions import DomainError, Msg, gettext_noop

from .models import Allocation, Source
from .personnummer import parse

__all__ = [
    "REASONS",
    "CprLookup",
    "CprPerson",
    "LocalLookup",
    "LookupNotConfigured",
    "LookupUnavailable",
    "get_lookup",
]


@dataclass(frozen=True, slots=True, repr=False)
class CprPerson:
    """What CPR says about one person. Strings are empty where CPR says nothing."""

    #: ``DDMMYY-SSSS``.
    personnummer: str
    #: The CPR status as two digits (:mod:`cpr.statuses`: "01", "20", "90", …); empty
    #: when CPR gave none.
    status: str
    #: The day the status took effect, when CPR says.
    status_date: date | None
    #: First and middle names, in CPR's order.
    given_names: str
    surname: str
    #: CPR's name for addressing letters (personadresseringsnavn).
    addressing_name: str
    birth_date: date | None
    #: "M", "F", or empty when CPR gave no sex.
    sex: str

    @property
    def masked(self) -> str:
        """``DDMMYY-XXXX``: the form to use wherever the full number is not needed."""
        return f"{self.personnummer[:6]}-XXXX"

    def __repr__(self) -> str:
        # Never the full number or the names: reprs end up in logs and error reports.
        return f"CprPerson({self.masked!r}, status={self.status!r})"


#: Why CPR could not be asked, by ``LookupUnavailable.reason``: Danish msgids that
#: finish the sentence "CPR kunne ikke søges: …". They name no secret and no number.
REASONS: dict[str, str] = {
    "timeout": gettext_noop("Serviceplatformen svarede ikke i tide"),
    "connection": gettext_noop("der kunne ikke skabes forbindelse til Serviceplatformen"),
    "tls": gettext_noop(
        "den sikre forbindelse til Serviceplatformen kunne ikke oprettes (certifikat)"
    ),
    "http": gettext_noop("Serviceplatformen svarede med en fejl"),
    "fault": gettext_noop("Serviceplatformen afviste forespørgslen"),
    "answer": gettext_noop("svaret fra Serviceplatformen kunne ikke læses"),
    "not_configured": gettext_noop("opslaget i CPR er ikke sat op"),
    "search_disabled": gettext_noop("søgning på navn og fødselsdato er ikke slået til"),
}


class LookupUnavailable(DomainError):
    """CPR could not be asked, so nothing is known: not that the person exists, nor that
    they do not.

    ``reason`` is a key of :data:`REASONS` (the message says it in words); ``detail``
    is a technical note in English for the log (an HTTP status, a fault string with
    numbers masked). Neither holds a secret.
    """

    code = "cpr_lookup_unavailable"
    template = gettext_noop("CPR kunne ikke søges: %(reason)s.")

    def __init__(self, reason: str = "answer", *, detail: str = "") -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        self.reason = reason
        self.detail = detail
        super().__init__(params={"reason": Msg(REASONS[reason])})


class LookupNotConfigured(LookupUnavailable):
    """The look-up is chosen but a setting it needs is missing, or the operation is off.

    A :class:`LookupUnavailable`, so one ``except`` handles both.
    """

    code = "cpr_lookup_not_configured"

    def __init__(self, reason: str = "not_configured", *, detail: str = "") -> None:
        super().__init__(reason, detail=detail)


@runtime_checkable
class CprLookup(Protocol):
    #: Danish msgid naming where the answers come from, for the caseworker.
    description: str
    #: Whether :meth:`search` asks anybody.
    searches: bool

    def person(self, personnummer: str) -> CprPerson | None:
        """What CPR says about ``personnummer`` (``DDMMYY-SSSS`` or ten digits), or None
        when CPR does not know the number.

        Raises :class:`~cpr.personnummer.InvalidPersonnummer` for something that is no
        personnummer and :class:`LookupUnavailable` when CPR could not be asked.
        """

    def search(
        self, *, given_names: str, surname: str, birth_date: date, sex: str
    ) -> list[CprPerson]:
        """The people CPR knows with these names, birth date and sex ("M", "F" or "").

        Raises :class:`LookupUnavailable`; only meaningful when :attr:`searches`.
        """


def get_lookup(*, on_behalf_of: str = "") -> CprLookup:
    """The look-up ``CPR_LOOKUP`` names.

    ``on_behalf_of`` is the caseworker's username; a look-up that tells CPR who is
    asking (Serviceplatformen's ``OnBehalfOfUser``) sends it.
    """
    return import_string(settings.CPR_LOOKUP)(on_behalf_of=on_behalf_of)


class LocalLookup:
    """Answers from APOC's own register of numbers (:class:`cpr.models.Allocation`).

    It knows the numbers APOC allocated or recorded, with their status, birth date and
    sex, and no names. It never asks CPR, so a number CPR knows and APOC does not looks
    unknown: for training only (``cpr.E003``).
    """

    #: Only for training mode (``APOC_TRAINING``): checked by ``cpr.E003``.
    training_only = True
    description = gettext_noop("APOC's eget register (træning)")
    searches = False

    def __init__(self, *, on_behalf_of: str = "") -> None:
        self.on_behalf_of = on_behalf_of

    def person(self, personnummer: str) -> CprPerson | None:
        number = parse(personnummer)
        allocation = Allocation.objects.filter(personnummer=number.formatted).first()
        if allocation is None:
            return None
        return CprPerson(
            personnummer=allocation.personnummer,
            status=allocation.cpr_status,
            status_date=_status_date(allocation),
            given_names="",
            surname="",
            addressing_name="",
            birth_date=allocation.birth_date,
            sex=allocation.sex,
        )

    def search(
        self, *, given_names: str, surname: str, birth_date: date, sex: str
    ) -> list[CprPerson]:
        # The register holds no names; the intake's own duplicate check covers it.
        return []


def _status_date(allocation: Allocation) -> date | None:
    """When the register's status took effect: the latest change's date, or the day APOC
    allocated the number (status 20 from then); unknown for a recorded number."""
    change = allocation.status_changes.order_by("-recorded_at", "-id").first()
    if change is not None:
        return change.effective_date
    if allocation.source == Source.ALLOCATED:
        return timezone.localdate(allocation.allocated_at)
    return None
