"""Services of the CPR core: the only way other code allocates or records numbers."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from .exceptions import BirthDateOutOfRange, InvalidSex
from .models import Allocation
from .personnummer import FIRST_DATE, Personnummer
from .registry import get_registry

__all__ = ["allocate_personnummer", "allocation_annul", "record_existing_personnummer"]


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
    return get_registry().allocate(birth_date=birth_date, sex=sex, allocated_by=allocated_by)


def record_existing_personnummer(*, number: Personnummer, recorded_by: Any = None) -> Allocation:
    """Enter a number a person already has, so it is never handed out.

    Raises ``AlreadyRegistered`` when the number is in the register already.
    """
    return get_registry().record_existing(number=number, recorded_by=recorded_by)


def allocation_annul(*, allocation: Allocation, reason: str) -> Allocation:
    """Annul a number (CPR status 30). It stays in the register and is never reused."""
    return get_registry().annul(allocation=allocation, reason=reason)
