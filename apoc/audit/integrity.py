"""The access log's integrity: the purge's narrow path, its checkpoints, the chain's check.

The database keeps the log append-only and chains its entries (migration 0008,
decision 30). Here is what Python adds: the retention purge through the one
path the database allows (:func:`purge_batch`), the signed checkpoint that
each purged batch leaves (:func:`write_checkpoint`), and the walk along the
chain that ``manage.py verify_audit`` does (:func:`verify`).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils.crypto import salted_hmac

from . import chain
from .models import AuditChainHead, AuditCheckpoint, AuditEntry

#: Entries read per query while walking the chain.
WALK_BATCH = 5000


def checkpoint_key() -> str:
    """The key that signs the purge's checkpoints: ``settings.AUDIT_CHECKPOINT_KEY``, or
    when that is empty, a key derived from ``SECRET_KEY`` (then rotating SECRET_KEY
    makes the old checkpoints fail ``verify_audit``)."""
    if settings.AUDIT_CHECKPOINT_KEY:
        return settings.AUDIT_CHECKPOINT_KEY
    return salted_hmac("apoc.audit.checkpoint", "key", algorithm="sha256").hexdigest()


def sign(*, seq: int, hash: str, removed: int, cutoff: datetime) -> str:
    message = chain.checkpoint_message(seq=seq, hash=hash, removed=removed, cutoff=cutoff)
    return chain.checkpoint_signature(checkpoint_key(), message)


def signature_ok(checkpoint: AuditCheckpoint) -> bool:
    expected = sign(
        seq=checkpoint.seq,
        hash=checkpoint.hash,
        removed=checkpoint.removed,
        cutoff=checkpoint.cutoff,
    )
    return hmac.compare_digest(expected, checkpoint.signature)


@dataclass(frozen=True)
class Purged:
    """One batch of the purge: how many entries went, and the last of them."""

    removed: int
    last_seq: int | None
    last_hash: str | None


def purge_batch(*, cutoff: datetime, batch: int) -> Purged:
    """Remove up to ``batch`` of the oldest entries older than ``cutoff``; in the
    caller's transaction.

    Only a prefix of the chain goes: the removal stops at the first entry at or
    after the cutoff. On PostgreSQL through the function ``audit_purge``, the one
    way the database lets entries be deleted; on SQLite by opening
    ``purge_through`` on the head row for the statement.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT removed, last_seq, last_hash FROM audit_purge(%s, %s)", [cutoff, batch]
            )
            removed, last_seq, last_hash = cursor.fetchone()
        return Purged(int(removed), last_seq, last_hash)
    oldest = list(AuditEntry.objects.order_by("seq").values_list("seq", "at", "hash")[:batch])
    prefix = []
    for seq, at, hash_ in oldest:
        if at >= cutoff:
            break
        prefix.append((seq, hash_))
    if not prefix:
        return Purged(0, None, None)
    last_seq, last_hash = prefix[-1]
    head = AuditChainHead.objects.filter(pk=1)
    head.update(purge_through=last_seq)
    removed = AuditEntry.objects.filter(seq__lte=last_seq).delete()[0]
    head.update(purge_through=0)
    return Purged(removed, last_seq, last_hash)


def write_checkpoint(purged: Purged, *, cutoff: datetime) -> AuditCheckpoint:
    """The signed record that entries up to ``purged.last_seq`` were purged."""
    return AuditCheckpoint.objects.create(
        seq=purged.last_seq,
        hash=purged.last_hash,
        removed=purged.removed,
        cutoff=cutoff,
        signature=sign(
            seq=purged.last_seq, hash=purged.last_hash, removed=purged.removed, cutoff=cutoff
        ),
    )


def purge(*, cutoff: datetime, batch: int) -> int:
    """Purge everything older than ``cutoff`` in batches, one transaction and one
    checkpoint each; return how many entries went."""
    removed = 0
    while True:
        with transaction.atomic():
            purged = purge_batch(cutoff=cutoff, batch=batch)
            if not purged.removed:
                return removed
            write_checkpoint(purged, cutoff=cutoff)
        removed += purged.removed


# --- Verification -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """What ``verify_audit`` found: how many entries it checked, and the first problem."""

    checked: int
    checkpoints: int
    head: chain.Anchor
    finding: chain.Finding | None

    @property
    def ok(self) -> bool:
        return self.finding is None


def _rows() -> Iterator[chain.Row]:
    table = AuditEntry._meta.db_table
    sql = chain.select_sql(connection.vendor, table)
    after = -1
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [after, WALK_BATCH])
            rows = cursor.fetchall()
            if not rows:
                return
            for raw in rows:
                yield chain.Row.of(raw)
            after = rows[-1][1]


def _unchained() -> chain.Finding | None:
    row = AuditEntry.objects.filter(seq__isnull=True).order_by("id").values("id").first()
    if row is None:
        return None
    return chain.Finding(
        row["id"], None, "changed", f"entry {row['id']} has no place in the chain (no number)"
    )


def verify() -> Report:
    """Walk the chain from its start (the genesis or the last purge's checkpoint) to its head.

    Reads in one REPEATABLE READ snapshot on PostgreSQL, so that entries
    written meanwhile do not show up as a head that moved.
    """
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        head_row = AuditChainHead.objects.filter(pk=1).first()
        head = (
            chain.Anchor(head_row.seq, head_row.hash)
            if head_row is not None
            else chain.Anchor(0, chain.GENESIS)
        )
        anchors = {0: chain.GENESIS}
        checkpoints = list(AuditCheckpoint.objects.order_by("seq", "id"))
        for checkpoint in checkpoints:
            if not signature_ok(checkpoint):
                finding = chain.Finding(
                    None,
                    checkpoint.seq,
                    "changed",
                    f"purge checkpoint {checkpoint.pk} (up to no. {checkpoint.seq}) is not "
                    "signed with AUDIT_CHECKPOINT_KEY: forged or changed",
                )
                return Report(0, len(checkpoints), head, finding)
            anchors[checkpoint.seq] = checkpoint.hash
        unchained = _unchained()
        if unchained is not None:
            return Report(0, len(checkpoints), head, unchained)
        checked, finding = chain.walk(_rows(), anchors=anchors, head=head)
        return Report(checked, len(checkpoints), head, finding)
