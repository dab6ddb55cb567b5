"""Which rows a page, a search or an export showed, as facts in an entry's criteria.

An entry that shows several people (a search's results, a list, an export)
names its model as its ``subject_type`` and the ids it showed in its criteria:

* up to :data:`INLINE` ids as a sorted list, ``"shown": [3, 17, 42]``, readable
  in the log's admin and found by the database (:func:`shown_condition`);
* more, which only an export shows, packed: ``"shown_packed"``, the sorted ids'
  gaps as variable-length integers, compressed with zlib, in base64, and
  ``"shown_count"``. One id takes a byte or two before compression: a million
  ids scattered among ten million pack into under a megabyte, a national
  export of a million consecutive ids into about a kilobyte. ``audit_for`` unpacks the
  few such entries in Python (:func:`unpack_ids`).

The ids are what was shown, read when it was shown, never a query to run
again later: the rows a filter finds change, the log must not.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Model, Q
from django.db.models.expressions import RawSQL

__all__ = ["INLINE", "Shown", "pack_ids", "shown_condition", "unpack_ids"]

#: Lists longer than this are packed. A change list shows at most 200 rows (show all).
INLINE = 200


@dataclass(frozen=True)
class Shown:
    """The rows of ``model`` with these ids were shown."""

    model: type[Model]
    ids: Sequence[int]

    @classmethod
    def of(cls, model: type[Model], ids: Iterable[int]) -> Shown:
        return cls(model=model, ids=tuple(sorted(set(ids))))

    @classmethod
    def of_sorted(cls, model: type[Model], ids: Sequence[int]) -> Shown:
        """Ids already sorted and distinct (primary keys read in order), e.g. an
        ``array("q")`` of a million: kept as they are, without a copy."""
        return cls(model=model, ids=ids)

    @property
    def subject_type(self) -> str:
        return self.model._meta.label_lower

    def as_criteria(self) -> dict[str, Any]:
        if len(self.ids) <= INLINE:
            return {"shown": list(self.ids)}
        return {"shown_packed": _pack_sorted(self.ids), "shown_count": len(self.ids)}


def pack_ids(ids: Iterable[int]) -> str:
    """Distinct, positive ids as text, in ascending order: gaps as varints, zlib, base64."""
    return _pack_sorted(sorted(set(ids)))


def _pack_sorted(ids: Sequence[int]) -> str:
    if ids and ids[0] <= 0:
        raise ValueError(f"ids are positive: {ids[0]}")
    out = bytearray()
    previous = 0
    for value in ids:
        gap, previous = value - previous, value
        if gap < 0x80:  # the common case: one byte
            out.append(gap)
            continue
        while gap >= 0x80:
            out.append((gap & 0x7F) | 0x80)
            gap >>= 7
        out.append(gap)
    return base64.b64encode(zlib.compress(bytes(out), 6)).decode("ascii")


def unpack_ids(text: str) -> list[int]:
    """The ids :func:`pack_ids` packed, in ascending order."""
    data = zlib.decompress(base64.b64decode(text.encode("ascii"), validate=True))
    ids: list[int] = []
    value = gap = shift = 0
    for byte in data:
        gap |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
            continue
        value += gap
        ids.append(value)
        gap = shift = 0
    if shift:
        raise ValueError("truncated id list")
    return ids


def shown_condition(subject_type: str | None, pk: int) -> Q:
    """The entries about ``subject_type`` (any, when None) whose inline ``shown`` list
    holds ``pk``.

    PostgreSQL answers with jsonb containment, which the GIN index on
    ``criteria -> 'shown'`` serves; SQLite, which has no containment for JSON,
    with ``json_each``.
    """
    from .models import AuditEntry

    of_type = Q(subject_type=subject_type) if subject_type is not None else Q()
    if connection.vendor == "postgresql":
        return of_type & Q(criteria__shown__contains=[pk])
    table = AuditEntry._meta.db_table
    holds = RawSQL(  # noqa: S611 - our table's name; the id is a parameter
        f'EXISTS (SELECT 1 FROM json_each("{table}"."criteria", \'$.shown\') '  # noqa: S608
        "WHERE json_each.value = %s)",
        [pk],
        output_field=BooleanField(),
    )
    return of_type & Q(holds)
