"""Delete access-log entries older than the retention period, and log that it ran.

Run it daily (cron or a systemd timer): ``manage.py purge_audit``. The period
is ``settings.AUDIT_RETENTION_DAYS`` (default 1825 days, five years, as STAR's
logging requirements suggest for the revision log); ``--days`` overrides it.

The database refuses every other DELETE on the log. The purge removes the
oldest entries, a prefix of the hash chain, through the one path it allows
(on PostgreSQL the function ``audit_purge``), and leaves a signed checkpoint
per batch, from which ``verify_audit`` checks the rest of the chain
(apoc.audit.integrity, decision 30).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apoc.audit.integrity import purge
from apoc.audit.services import Action, AuditContext, audit_record

#: Rows deleted per statement, so that a first purge of years of entries
#: holds no long lock and no huge transaction.
BATCH = 10_000


def audit_purge(*, days: int, batch: int = BATCH) -> int:
    """Delete entries older than ``days`` days; log the purge; return how many went."""
    if days < 1:
        raise ValueError("the retention period must be at least one day")
    cutoff = timezone.now() - timedelta(days=days)
    removed = purge(cutoff=cutoff, batch=batch)
    audit_record(
        AuditContext.system(),
        action=Action.PURGE,
        criteria={"removed": removed, "older_than": cutoff.isoformat(), "retention_days": days},
    )
    return removed


class Command(BaseCommand):
    help = "Delete access-log entries older than AUDIT_RETENTION_DAYS and log the purge."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Retention in days (default: settings.AUDIT_RETENTION_DAYS).",
        )

    def handle(self, *args, days=None, **options):
        days = settings.AUDIT_RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError("The retention period must be at least one day.")
        removed = audit_purge(days=days)
        self.stdout.write(f"Removed {removed} access-log entries older than {days} days.")
