"""How long a registration's data is kept, and the purge that applies the rule.

The rule (README, *Operations*; docs/decisions.md, 13), with ``days`` the
setting ``DOCUMENT_RETENTION_DAYS`` (``APOC_DOCUMENT_RETENTION_DAYS``, 365):

1. **The identity document's image** is needed for the assessment of the
   document and for the supervisor's review. Once the review has ended
   (approved or annulled), it is kept ``days`` days from ``reviewed_at``, then
   deleted. A registration whose review is pending or flagged keeps it,
   however old: the review still needs it.
2. **A person who left APOC's purpose** is one whose number now has CPR status
   01, 03, 05 or 07 (residence-registered in Denmark or Greenland), 70
   (disappeared), 80 (emigrated) or 90 (dead). The registration is kept: the
   register of numbers and the access log must still make sense. ``days``
   days after the effective date of the number's latest status change, and
   once its review has ended, it is *minimised*: the contact data APOC no
   longer needs (:data:`MINIMISED_FIELDS`) is blanked. Its image goes under
   rule 1, normally long before; a review that ended late still keeps the
   image its full period.

What stays: names, birth date, sex, nationality, country of birth, the
document's type, number, country and expiry (the duplicate check finds the
person by them, so one person still gets only one number), the foreign ID
number (the same), the number and its CPR statuses, the category, the stay's
purpose and dates and PD U2 (the basis of the eligibility decision), the
decision on personal assistance, the offers, the jobseeker dates, the review
and the annulment links.

Each deletion is done under a row lock in its own transaction that marks the
registration (``document_deleted_at``, ``minimised_at``) and writes the access
log (``Action.DELETE``); the file is removed after the commit. A crash between
the commit and the removal leaves a file no registration refers to, which the
orphan sweep (:func:`registrations.files.orphan_documents`) removes, in the
same run or the next. So the purge can be run again at any time, and a second
run finds nothing more to do.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import DatabaseError, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from apoc.audit.services import Action, AuditContext, AuditEvent, audit_record, audit_records
from cpr import statuses
from cpr.models import CprStatusChange

from .files import document_storage, orphan_documents
from .models import Registration, ReviewStatus

__all__ = [
    "MINIMISED_FIELDS",
    "MINIMISE_STATUSES",
    "ORPHAN_AGE",
    "REVIEW_ENDED",
    "PurgeResult",
    "documents_due",
    "minimisation_due",
    "retention_purge",
]

logger = logging.getLogger(__name__)

#: The review statuses after which the review no longer needs the document.
REVIEW_ENDED = (ReviewStatus.APPROVED.value, ReviewStatus.ANNULLED.value)

#: CPR statuses of a person APOC no longer serves: residence-registered in
#: Denmark or Greenland (01, 03, 05, 07), disappeared, emigrated, dead.
MINIMISE_STATUSES = frozenset(
    [s.code for s in statuses.STATUSES if s.kind == statuses.Kind.ACTIVE]
    + [statuses.DISAPPEARED, statuses.EMIGRATED, statuses.DEAD]
)

#: The contact data blanked when a registration is minimised.
MINIMISED_FIELDS = (
    "phone",
    "email",
    "address_abroad",
    "stay_address",
    "stay_co",
    "place_of_birth",
)

#: A file no registration refers to is removed once it is this old; a younger
#: one may belong to an intake still under way.
ORPHAN_AGE = timedelta(days=1)

#: Registrations read per query while purging.
BATCH = 500


def documents_due(*, now: datetime, days: int) -> QuerySet[Registration]:
    """Registrations whose document is due for deletion under rule 1 (see the module)."""
    return Registration.objects.filter(
        review_status__in=REVIEW_ENDED,
        reviewed_at__lte=now - timedelta(days=days),
        document_deleted_at__isnull=True,
    )


def minimisation_due(*, today: date, days: int) -> QuerySet[Registration]:
    """Registrations due for minimisation under rule 2 (see the module)."""
    latest = CprStatusChange.objects.filter(allocation=OuterRef("allocation")).order_by(
        "-recorded_at", "-id"
    )
    return (
        Registration.objects.filter(
            review_status__in=REVIEW_ENDED,
            minimised_at__isnull=True,
            allocation__cpr_status__in=MINIMISE_STATUSES,
        )
        .annotate(status_since=Subquery(latest.values("effective_date")[:1]))
        .filter(status_since__lte=today - timedelta(days=days))
    )


@dataclass
class PurgeResult:
    """What a purge did, or with ``dry_run`` would do."""

    days: int
    dry_run: bool = False
    documents_deleted: int = 0
    minimised: int = 0
    orphans_removed: int = 0
    failed: list[int] = field(default_factory=list)

    def as_criteria(self) -> dict[str, object]:
        return {
            "command": "purge_documents",
            "retention_days": self.days,
            "documents_deleted": self.documents_deleted,
            "minimised": self.minimised,
            "orphan_files_removed": self.orphans_removed,
            "failed": self.failed,
        }


def retention_purge(
    *,
    days: int,
    now: datetime | None = None,
    dry_run: bool = False,
    batch: int = BATCH,
    by: AuditContext | None = None,
) -> PurgeResult:
    """Apply the retention rule: delete what is due, minimise, remove orphan files.

    With ``dry_run`` nothing is changed or logged; the result says what is due.
    A registration that fails is logged and left for the next run; the others go on.
    """
    if days < 1:
        raise ValueError("the retention period must be at least one day")
    now = now or timezone.now()
    by = by or AuditContext.system()
    result = PurgeResult(days=days, dry_run=dry_run)
    for pk in _due(now=now, days=days, batch=batch):
        if dry_run:
            _count_due(result, pk, now=now, days=days)
            continue
        try:
            deleted, minimised = _apply(pk, now=now, days=days, by=by)
        except DatabaseError:
            logger.exception("retention: registration %s was left for the next run", pk)
            result.failed.append(pk)
            continue
        result.documents_deleted += deleted
        result.minimised += minimised
    result.orphans_removed = _remove_orphans(now=now, dry_run=dry_run)
    if not dry_run:
        audit_record(by, action=Action.DELETE, criteria=result.as_criteria())
    logger.info("retention purge: %s", result.as_criteria())
    return result


def _due(*, now: datetime, days: int, batch: int) -> Iterator[int]:
    """The ids of every registration with something due, in batches by id."""
    today = timezone.localdate(now)
    due = Registration.objects.filter(
        Q(pk__in=documents_due(now=now, days=days).values("pk"))
        | Q(pk__in=minimisation_due(today=today, days=days).values("pk"))
    ).order_by("pk")
    last = 0
    while True:
        ids = list(due.filter(pk__gt=last).values_list("pk", flat=True)[:batch])
        if not ids:
            return
        yield from ids
        last = ids[-1]


def _count_due(result: PurgeResult, pk: int, *, now: datetime, days: int) -> None:
    result.documents_deleted += documents_due(now=now, days=days).filter(pk=pk).exists()
    today = timezone.localdate(now)
    result.minimised += minimisation_due(today=today, days=days).filter(pk=pk).exists()


def _apply(pk: int, *, now: datetime, days: int, by: AuditContext) -> tuple[bool, bool]:
    """Delete and minimise what is due of one registration, in one transaction.

    The rule is checked again under the row lock, which every review and
    change of CPR status takes too: a registration flagged a moment ago is
    left alone. The file is removed after the commit.
    """
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",), no_key=True)
            .select_related("allocation")
            .get(pk=pk)
        )
        events = []
        file_name = ""
        deleted = documents_due(now=now, days=days).filter(pk=pk).exists()
        if deleted:
            file_name = registration.document_file.name or ""
            events.append(_delete_document(registration, now=now, days=days))
        status_since = (
            minimisation_due(today=timezone.localdate(now), days=days)
            .filter(pk=pk)
            .values_list("status_since", flat=True)
            .first()
        )
        if status_since is not None:
            events.append(_minimise(registration, status_since, now=now, days=days))
        if events:
            audit_records(by, *events)
    if file_name:
        _remove_file(file_name)
    return deleted, status_since is not None


def _delete_document(registration: Registration, *, now: datetime, days: int) -> AuditEvent:
    registration.document_file = ""
    registration.document_deleted_at = now
    registration.save(update_fields=["document_file", "document_deleted_at"])
    return AuditEvent(
        action=Action.DELETE,
        subject=registration,
        criteria={
            "deleted": "document",
            "reason": "review_ended",
            "review_status": registration.review_status,
            "reviewed_at": registration.reviewed_at.isoformat(),
            "retention_days": days,
        },
    )


def _minimise(
    registration: Registration, status_since: date, *, now: datetime, days: int
) -> AuditEvent:
    for name in MINIMISED_FIELDS:
        setattr(registration, name, "")
    registration.minimised_at = now
    registration.save(update_fields=[*MINIMISED_FIELDS, "minimised_at"])
    return AuditEvent(
        action=Action.DELETE,
        subject=registration,
        criteria={
            "deleted": "contact_data",
            "fields": list(MINIMISED_FIELDS),
            "reason": "cpr_status",
            "cpr_status": registration.allocation.cpr_status,
            "status_since": status_since.isoformat(),
            "retention_days": days,
        },
    )


def _remove_file(name: str) -> None:
    try:
        document_storage().delete(name)
    except OSError:
        # The registration no longer refers to it: the orphan sweep retries.
        logger.exception("retention: could not remove %s; the orphan sweep will retry", name)


def _remove_orphans(*, now: datetime, dry_run: bool) -> int:
    removed = 0
    for name in orphan_documents(older_than=ORPHAN_AGE, now=now):
        if not dry_run:
            try:
                document_storage().delete(name)
            except OSError:
                logger.exception("retention: could not remove the orphan file %s", name)
                continue
        removed += 1
    if removed and not dry_run:
        logger.info("retention: removed %d document file(s) no registration refers to", removed)
    return removed
