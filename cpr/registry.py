"""The register of personnumre, behind one interface.

In real life the CPR office's register decides which numbers exist. APOC talks
to a registry chosen by the setting ``CPR_REGISTRY``. The embedded default,
:class:`LocalRegistry`, keeps the register in APOC's own database (standalone
use, training, tests); an adapter for the CPR office's service implements the
same :class:`Registry` protocol.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .exceptions import AlreadyRegistered, SeriesExhausted
from .models import Allocation, CprStatus, Source
from .personnummer import Personnummer, candidate_serials

#: How many shuffled candidates one round offers the database.
CHUNK = 8

# The choice needs to be uniform, not secret: the structure of a personnummer is
# public. A Mersenne Twister seeded from the OS is fast and uniform.
_random = random.Random()  # noqa: S311 - uniform, not secret


class Registry(Protocol):
    def allocate(self, *, birth_date: date, sex: str, allocated_by: Any = None) -> Allocation:
        """Allocate a new, free, modulus-11-valid number for this birth date and sex."""

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
    among the free candidates. The unique constraint on the number is the arbiter between
    concurrent allocations on any number of app servers: on PostgreSQL one
    ``INSERT … SELECT … ON CONFLICT DO NOTHING`` claims a number in a single
    round trip; elsewhere each attempt is an INSERT in a savepoint.
    """

    def allocate(self, *, birth_date: date, sex: str, allocated_by: Any = None) -> Allocation:
        prefix = birth_date.strftime("%d%m%y-")
        remaining = candidate_serials(birth_date, sex)
        user_id = getattr(allocated_by, "pk", None)
        claim = self._claim_postgresql if connection.vendor == "postgresql" else self._claim_generic
        while remaining:
            # A uniform sample in random order: its first free number is uniform
            # among all free candidates, by symmetry, in every round.
            chunk = [prefix + s for s in _random.sample(remaining, min(CHUNK, len(remaining)))]
            allocation = claim(chunk, birth_date=birth_date, sex=sex, user_id=user_id)
            if allocation is not None:
                return allocation
            taken = {
                number[7:]
                for number in Allocation.objects.filter(personnummer__in=chunk).values_list(
                    "personnummer", flat=True
                )
            }
            remaining = [serial for serial in remaining if serial not in taken]
        raise SeriesExhausted(
            params={"date": birth_date.strftime("%d.%m.%Y"), "sex": sex},
        )

    @staticmethod
    def _claim_postgresql(
        chunk: list[str], *, birth_date: date, sex: str, user_id: int | None
    ) -> Allocation | None:
        table = Allocation._meta.db_table
        sql = f"""
            INSERT INTO {table}
                (personnummer, birth_date, sex, cpr_status, source, allocated_by_id,
                 allocated_at, annulment_reason)
            SELECT c.number, %s, %s, %s, %s, %s, now(), ''
              FROM unnest(%s::text[]) WITH ORDINALITY AS c(number, position)
             WHERE NOT EXISTS (SELECT 1 FROM {table} a WHERE a.personnummer = c.number)
             ORDER BY c.position
             LIMIT 1
            ON CONFLICT (personnummer) DO NOTHING
            RETURNING id, personnummer, allocated_at
        """  # noqa: S608 - the table name comes from the model, the values are parameters
        with connection.cursor() as cursor:
            cursor.execute(
                sql, [birth_date, sex, CprStatus.NO_RESIDENCE, Source.ALLOCATED, user_id, chunk]
            )
            row = cursor.fetchone()
        if row is None:
            return None
        allocation = Allocation(
            id=row[0],
            personnummer=row[1],
            allocated_at=row[2],
            birth_date=birth_date,
            sex=sex,
            cpr_status=CprStatus.NO_RESIDENCE,
            source=Source.ALLOCATED,
            allocated_by_id=user_id,
        )
        allocation._state.adding = False
        allocation._state.db = connection.alias
        return allocation

    @staticmethod
    def _claim_generic(
        chunk: list[str], *, birth_date: date, sex: str, user_id: int | None
    ) -> Allocation | None:
        taken = set(
            Allocation.objects.filter(personnummer__in=chunk).values_list("personnummer", flat=True)
        )
        for number in chunk:
            if number in taken:
                continue
            try:
                with transaction.atomic():
                    return Allocation.objects.create(
                        personnummer=number,
                        birth_date=birth_date,
                        sex=sex,
                        allocated_by_id=user_id,
                        allocated_at=timezone.now(),
                    )
            except IntegrityError:
                continue
        return None

    def record_existing(self, *, number: Personnummer, recorded_by: Any = None) -> Allocation:
        try:
            with transaction.atomic():
                return Allocation.objects.create(
                    personnummer=number.formatted,
                    birth_date=number.birth_date,
                    sex=number.sex,
                    source=Source.RECORDED,
                    allocated_by=recorded_by,
                    allocated_at=timezone.now(),
                )
        except IntegrityError:
            raise AlreadyRegistered(params={"masked": number.masked}) from None

    def annul(self, *, allocation: Allocation, reason: str) -> Allocation:
        allocation.cpr_status = CprStatus.ANNULLED
        allocation.annulled_at = timezone.now()
        allocation.annulment_reason = reason
        allocation.save(update_fields=["cpr_status", "annulled_at", "annulment_reason"])
        return allocation
