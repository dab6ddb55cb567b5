"""Services of the CPR core: the only way other code allocates or records numbers."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from apoc.audit.services import Action, AuditContext, audit_record
from apoc.exceptions import DomainError, Msg, gettext_noop

from . import statuses
from .exceptions import BirthDateOutOfRange, InvalidSex, NumberNotUsable
from .models import Allocation, CprStatusChange, StatusSource
from .personnummer import FIRST_DATE, Personnummer
from .registry import get_registry

__all__ = [
    "allocate_personnummer",
    "allocation_annul",
    "cpr_status_change",
    "existing_number_use",
    "record_existing_personnummer",
]


def _check_request(birth_date: date, sex: str) -> None:
    if sex not in ("M", "F"):
        raise InvalidSex()
    if not isinstance(birth_date, date) or not FIRST_DATE <= birth_date <= timezone.localdate():
        raise BirthDateOutOfRange(params={"date": f"{birth_date:%d.%m.%Y}"})


def allocate_personnummer(
    *, birth_date: date, sex: str, allocated_by: Any = None, **context: Any
) -> Allocation:
    """Allocate an administrative personnummer (CPR status 20).

    Chosen uniformly at random among the free serials with the right century
    digit, sex parity and modulus 11. Committed in the caller's transaction: the
    claim is one statement (or one savepoint), so a refusal such as
    ``SeriesExhausted`` leaves the caller's transaction usable.
    Raises ``SeriesExhausted`` when none is left, ``BirthDateOutOfRange`` and
    ``InvalidSex`` for requests that cannot be served. ``context`` is passed to
    registries that need more (an adapter for the CPR office's service).
    """
    _check_request(birth_date, sex)
    return get_registry().allocate(
        birth_date=birth_date, sex=sex, allocated_by=allocated_by, **context
    )


def record_existing_personnummer(*, number: Personnummer, recorded_by: Any = None) -> Allocation:
    """Enter a number a person already has, so it is never handed out.

    Raises ``AlreadyRegistered`` when the number is in the register already.
    """
    return get_registry().record_existing(number=number, recorded_by=recorded_by)


def existing_number_use(*, number: Personnummer, recorded_by: Any = None) -> Allocation:
    """The register's entry for a number a person presents, to use instead of a new one.

    A number not yet in the register is recorded (``record_existing``); one
    already there (recorded on an earlier intake that was refused) is used as it
    is. A number whose status has ended for good (annulled, deleted, changed,
    dead) cannot be used: ``NumberNotUsable``.
    """
    allocation = Allocation.objects.filter(personnummer=number.formatted).first()
    if allocation is None:
        return record_existing_personnummer(number=number, recorded_by=recorded_by)
    if statuses.is_final(allocation.cpr_status):
        raise NumberNotUsable(
            params={
                "masked": number.masked,
                "status": Msg(statuses.by_code(allocation.cpr_status).label),
            }
        )
    return allocation


def allocation_annul(*, allocation: Allocation, reason: str, annulled_by: Any = None) -> Allocation:
    """Annul a number (CPR status 30). It stays in the register and is never reused.

    The change of status is recorded with its source, the review.
    """
    previous = allocation.cpr_status
    allocation = get_registry().annul(allocation=allocation, reason=reason)
    CprStatusChange.objects.create(
        allocation=allocation,
        previous_status=previous,
        status=statuses.ANNULLED,
        effective_date=timezone.localdate(),
        source=StatusSource.REVIEW,
        note=reason[:300],
        recorded_by=annulled_by,
    )
    return allocation


class StatusNotAllowed(DomainError):
    code = "cpr_status_not_allowed"
    template = gettext_noop(
        "CPR-status %(current)s er endelig og kan ikke ændres til %(target)s i APOC."
    )


def cpr_status_change(
    *,
    allocation: Allocation,
    status: str,
    effective_date: date,
    source: str,
    note: str = "",
    by: AuditContext,
) -> CprStatusChange:
    """Record that a number's CPR status changed (residence, emigration, death, …).

    The history row, the number's current status and the access log, in the
    caller's transaction. A final status takes no further change, and an
    annulment goes through :func:`allocation_annul`. Raises ``StatusNotAllowed``.
    """
    target = statuses.by_code(status)
    if (
        target is None
        or target.code == statuses.ANNULLED
        or statuses.is_final(allocation.cpr_status)
    ):
        current = statuses.by_code(allocation.cpr_status)
        raise StatusNotAllowed(
            params={
                "current": Msg(current.label) if current else allocation.cpr_status,
                "target": Msg(target.label) if target else status,
            }
        )
    change = CprStatusChange.objects.create(
        allocation=allocation,
        previous_status=allocation.cpr_status,
        status=target.code,
        effective_date=effective_date,
        source=StatusSource(source).value,
        note=note.strip()[:300],
        recorded_by=by.acting_user,
    )
    allocation.cpr_status = target.code
    allocation.save(update_fields=["cpr_status"])
    audit_record(
        by,
        action=Action.UPDATE,
        subject=allocation,
        criteria={
            "cpr_status": target.code,
            "from": change.previous_status,
            "effective": effective_date.isoformat(),
            "source": change.source,
        },
    )
    return change
