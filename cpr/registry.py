"""The register of personnumre, behind one interface.

In real life the CPR office's register decides which numbers exist. APOC talks
to a registry chosen by the setting ``CPR_REGISTRY``. The embedded default,
:class:`LocalRegistry`, keeps the register in APOC's own database and picks
the numbers itself; the CPR office never hears of them, so it is for training,
demos and tests only (``training_only``, see :mod:`apoc.training`: production
settings with it fail ``manage.py check --deploy`` unless ``APOC_TRAINING`` is
set). An adapter for the CPR office's service implements the same
:class:`Registry` protocol.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from apoc.db import insert_first_free, insert_unless_conflict

from .exceptions import AlreadyRegistered, SeriesExhausted
from .issued import check_issued_number
from .models import Allocation, CprStatus, Source
from .personnummer import Personnummer, candidate_serials

#: How many shuffled candidates one round offers the database.
CHUNK = 8

# The choice needs to be uniform, not secret: the structure of a personnummer is
# public. A Mersenne Twister seeded from the OS is fast and uniform.
_random = random.Random()  # noqa: S311 - uniform, not secret


class Registry(Protocol):
    #: Whether the caseworker takes the number out in CPR's own client and types it in.
    issues_in_cpr: bool

    def allocate(
        self, *, birth_date: date, sex: str, allocated_by: Any = None, **context: Any
    ) -> Allocation:
        """Allocate a new number for this birth date and sex (see each registry)."""

    def record_existing(self, *, number: Personnummer, recorded_by: Any = None) -> Allocation:
        """Put a number that a person already has into the register."""

    def annul(self, *, allocation: Allocation, reason: str) -> Allocation:
        """Annul a number (CPR status 30). It is never handed out again."""


def get_registry() -> Registry:
    return import_string(settings.CPR_REGISTRY)()


class LocalRegistry:
    """The register kept in APOC's own database.

    Allocation offers the database a uniform random sample of the candidates,
    in random order, and takes the first free one, so the choice is uniform
    among the free candidates. The unique constraint on the number is the
    arbiter between concurrent allocations on any number of app servers
    (:func:`apoc.db.insert_first_free`: one statement on PostgreSQL, a
    savepoint per attempt elsewhere).

    The numbers are valid but not real: nothing is reported to the CPR office.
    """

    #: Only for training mode (``APOC_TRAINING``): checked by ``cpr.E001``.
    training_only = True
    issues_in_cpr = False

    def allocate(
        self, *, birth_date: date, sex: str, allocated_by: Any = None, **context: Any
    ) -> Allocation:
        prefix = birth_date.strftime("%d%m%y-")
        remaining = candidate_serials(birth_date, sex)
        values = {
            "birth_date": birth_date,
            "sex": sex,
            "cpr_status": CprStatus.NO_RESIDENCE,
            "source": Source.ALLOCATED,
            "allocated_by": allocated_by,
        }
        # Most series are nearly empty, so the first round offers one candidate, which
        # the database claims with its cheapest statement; the rounds after a conflict
        # offer CHUNK at a time.
        size = 1
        while remaining:
            # A uniform sample in random order: its first free number is uniform
            # among all free candidates, by symmetry, in every round.
            chunk = [prefix + s for s in _random.sample(remaining, min(size, len(remaining)))]
            allocation = insert_first_free(
                Allocation, field="personnummer", candidates=chunk, values=values
            )
            if allocation is not None:
                return allocation
            if len(chunk) == 1:
                taken = {chunk[0][7:]}  # the one conflict says which
            else:
                taken = {
                    number[7:]
                    for number in Allocation.objects.filter(personnummer__in=chunk).values_list(
                        "personnummer", flat=True
                    )
                }
            remaining = [serial for serial in remaining if serial not in taken]
            size = CHUNK
        raise SeriesExhausted(
            params={"date": birth_date.strftime("%d.%m.%Y"), "sex": sex},
        )

    def record_existing(self, *, number: Personnummer, recorded_by: Any = None) -> Allocation:
        allocation = insert_unless_conflict(
            Allocation,
            field="personnummer",
            values={
                "personnummer": number.formatted,
                "birth_date": number.birth_date,
                "sex": number.sex,
                "source": Source.RECORDED,
                "allocated_by": recorded_by,
            },
        )
        if allocation is None:
            raise AlreadyRegistered(params={"masked": number.masked})
        return allocation

    def annul(self, *, allocation: Allocation, reason: str) -> Allocation:
        allocation.cpr_status = CprStatus.ANNULLED
        allocation.annulled_at = timezone.now()
        allocation.annulment_reason = reason
        allocation.save(update_fields=["cpr_status", "annulled_at", "annulment_reason"])
        return allocation


class IssuedInCprRegistry(LocalRegistry):
    """Production without an allocation API: numbers issued in the CPR office's own client.

    The caseworker takes the administrative personnummer out in CPR's client
    and types it into APOC (the intake's ``issued_personnummer``). APOC checks
    that it is well-formed and fits the person (:func:`cpr.issued.check_issued_number`:
    birth date, century digit, sex; never modulus 11) and that it is not in
    the register yet, and records it with source "udstedt i CPR". The register
    of numbers, the recorded numbers and annulments work as in
    :class:`LocalRegistry`.
    """

    training_only = False
    issues_in_cpr = True

    def allocate(
        self, *, birth_date: date, sex: str, allocated_by: Any = None, **context: Any
    ) -> Allocation:
        number = check_issued_number(
            context.get("issued_number", ""),
            birth_date=birth_date,
            sex=sex,
            today=timezone.localdate(),
        )
        allocation = insert_unless_conflict(
            Allocation,
            field="personnummer",
            values={
                "personnummer": number.formatted,
                "birth_date": number.birth_date,
                "sex": number.sex,
                "source": Source.ISSUED,
                "allocated_by": allocated_by,
            },
        )
        if allocation is None:
            raise AlreadyRegistered(params={"masked": number.masked})
        return allocation
