"""The access log's hash chain: what an entry's hash covers, and how it is checked.

Every entry carries ``seq`` (its place in the chain: 1, 2, 3, ...), ``prev_hash``
(the hash of the entry before it) and ``hash``: SHA-256 over the entry's content
and ``prev_hash``. The database computes all three when the row is inserted
(the trigger ``audit_chain_entry`` of migration 0008), under a lock on the one
row of ``audit_chainhead``, so that app servers writing at the same time still
make one linear chain. Nothing in Python computes them for a new entry.

This module says what the hash covers, the same way the trigger does, and
recomputes it from the stored columns for ``manage.py verify_audit``. The
columns are read as text by SQL (:func:`field_sql`) rather than through the
model, so that the text hashed is exactly what the database stored: the
criteria as the database's own JSON text, the time as microseconds since 1970
on PostgreSQL and as the stored text on SQLite.

The text hashed is ``apoc-audit-v1`` followed, for each field in
:data:`FIELDS`, by ``|`` and either ``~`` (NULL) or ``<bytes>:<value>`` (the
UTF-8 length of the value, so that no value can pose as two). Change it only
with a new version prefix and a migration that knows both.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

#: The hash a chain starts from: the ``prev_hash`` of entry 1.
GENESIS = "0" * 64

VERSION = "apoc-audit-v1"

#: The columns an entry's hash covers, in order.
FIELDS = (
    "id",
    "seq",
    "at",
    "user_id",
    "username",
    "jobcentre_id",
    "action",
    "subject_type",
    "subject_id",
    "criteria",
    "ip_address",
    "prev_hash",
)


def field_sql(vendor: str, column: str, table: str = "") -> str:
    """SQL giving one column as the text the hash covers (NULL stays NULL)."""
    ref = f"{table}.{column}" if table else column
    if vendor == "postgresql":
        if column == "at":
            return f"(extract(epoch FROM {ref}) * 1000000)::bigint::text"
        return f"{ref}::text"
    return f"CAST({ref} AS TEXT)"


def chain_text(values: Sequence[str | None]) -> str:
    """The text an entry's hash is taken over, from its :data:`FIELDS` as text."""
    if len(values) != len(FIELDS):
        raise ValueError(f"expected {len(FIELDS)} values, got {len(values)}")
    parts = [VERSION]
    for value in values:
        parts.append("~" if value is None else f"{len(value.encode())}:{value}")
    return "|".join(parts)


def entry_hash(values: Sequence[str | None]) -> str:
    """SHA-256 (hex) of :func:`chain_text`."""
    return hashlib.sha256(chain_text(values).encode()).hexdigest()


def select_sql(vendor: str, table: str) -> str:
    """SELECT id, seq, prev_hash, hash and the hashed fields as text, in chain order,
    from ``seq`` greater than %s, at most %s rows."""
    fields = ", ".join(field_sql(vendor, column, "e") for column in FIELDS)
    return (
        f"SELECT e.id, e.seq, e.prev_hash, e.hash, {fields} FROM {table} e "  # noqa: S608 - names
        "WHERE e.seq > %s ORDER BY e.seq LIMIT %s"
    )


# --- Checkpoints ------------------------------------------------------------------------------

_MICROSECOND = timedelta(microseconds=1)


def checkpoint_message(*, seq: int, hash: str, removed: int, cutoff: datetime) -> str:
    """What a purge's checkpoint signs: the last entry it removed, and how it came to."""
    cutoff_us = (cutoff - datetime(1970, 1, 1, tzinfo=cutoff.tzinfo)) // _MICROSECOND
    return f"{VERSION}-checkpoint|{seq}|{hash}|{removed}|{cutoff_us}"


def checkpoint_signature(key: str, message: str) -> str:
    """HMAC-SHA256 (hex) of a checkpoint's message."""
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


# --- Walking the chain ------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    """Where the remaining chain starts: after the last purged entry, or at the genesis."""

    seq: int
    hash: str


@dataclass(frozen=True)
class Finding:
    """The first thing wrong with the chain."""

    entry_id: int | None
    seq: int | None
    kind: str  # "changed", "removed", "reordered"
    message: str


@dataclass(frozen=True)
class Row:
    id: int
    seq: int | None
    prev_hash: str
    hash: str
    values: tuple[str | None, ...]

    @classmethod
    def of(cls, raw: Sequence) -> Row:
        id_, seq, prev_hash, hash_, *values = raw
        return cls(id=id_, seq=seq, prev_hash=prev_hash, hash=hash_, values=tuple(values))


def walk(
    rows: Iterable[Row],
    *,
    anchors: Mapping[int, str],
    head: Anchor,
) -> tuple[int, Finding | None]:
    """Check rows given in ``seq`` order; return how many were checked and the first finding.

    ``anchors`` maps a seq to the hash of that entry where the chain may start
    after it: 0 to :data:`GENESIS`, and each purge's last removed entry to its
    hash (from a checkpoint whose signature was checked). ``head`` is the chain's
    head as the database keeps it: the last entry must be it.
    """
    count = 0
    prev: Row | None = None
    for row in rows:
        count += 1
        finding = _link(prev, row, anchors) or _content(row)
        if finding is not None:
            return count, finding
        prev = row
    return count, _end(prev, anchors, head)


def _link(prev: Row | None, row: Row, anchors: Mapping[int, str]) -> Finding | None:
    """Whether ``row`` follows ``prev`` (or, first, the anchor the chain starts after)."""
    if prev is None:
        start = (row.seq or 0) - 1
        if start not in anchors:
            return Finding(
                row.id,
                row.seq,
                "removed",
                f"entry {row.id} (no. {row.seq}) is the first, but the entries before it "
                "are missing and no signed purge checkpoint records their removal",
            )
        if row.prev_hash != anchors[start]:
            return Finding(
                row.id,
                row.seq,
                "reordered",
                f"entry {row.id} (no. {row.seq}) does not follow the entry that the "
                "chain starts after (its previous hash differs)",
            )
        return None
    if row.seq != prev.seq + 1:
        return Finding(
            row.id,
            row.seq,
            "removed",
            f"entries no. {prev.seq + 1} to {row.seq - 1} are missing: removed between "
            f"entry {prev.id} and entry {row.id}",
        )
    if row.prev_hash != prev.hash:
        return Finding(
            row.id,
            row.seq,
            "reordered",
            f"entry {row.id} (no. {row.seq}) does not follow entry {prev.id} "
            "(its previous hash differs): changed or reordered",
        )
    return None


def _content(row: Row) -> Finding | None:
    if entry_hash(row.values) == row.hash:
        return None
    return Finding(
        row.id,
        row.seq,
        "changed",
        f"entry {row.id} (no. {row.seq}) was changed: its content does not match its hash",
    )


def _end(last: Row | None, anchors: Mapping[int, str], head: Anchor) -> Finding | None:
    """Whether the chain ends in the head the database keeps."""
    if last is None:
        if anchors.get(head.seq) == head.hash:
            return None
        return Finding(
            None,
            head.seq,
            "removed",
            f"the log is empty, but its chain had reached entry no. {head.seq}: "
            "entries were removed",
        )
    if (last.seq, last.hash) == (head.seq, head.hash):
        return None
    return Finding(
        last.id,
        last.seq,
        "removed",
        f"the last entry is no. {last.seq} (entry {last.id}), but the chain had reached "
        f"no. {head.seq}: the newest entries were removed",
    )
