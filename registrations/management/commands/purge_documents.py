"""Apply the retention rule (registrations.retention): delete document images whose time
has passed, minimise what is due, remove document files no registration refers to.

Run it daily from cron: ``manage.py purge_documents``. The period is
``settings.DOCUMENT_RETENTION_DAYS`` (``APOC_DOCUMENT_RETENTION_DAYS``, default
365 days); ``--days`` overrides it, ``--dry-run`` only reports. Safe to run
again at any time, also after a crash.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from registrations.retention import retention_purge


class Command(BaseCommand):
    help = (
        "Delete identity-document images and contact data whose retention period has passed, "
        "and document files no registration refers to; log each deletion."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Retention in days (default: settings.DOCUMENT_RETENTION_DAYS).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what is due; change and log nothing.",
        )

    def handle(self, *args, days=None, dry_run=False, **options):
        days = settings.DOCUMENT_RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError("The retention period must be at least one day.")
        result = retention_purge(days=days, dry_run=dry_run)
        if dry_run:
            self.stdout.write(
                f"Dry run, nothing changed. Retention {days} days. Due: "
                f"{result.documents_deleted} document image(s) to delete, "
                f"{result.minimised} registration(s) to minimise, "
                f"{result.orphans_removed} unreferenced file(s) to remove."
            )
            return
        self.stdout.write(
            f"Retention {days} days: deleted {result.documents_deleted} document image(s), "
            f"minimised {result.minimised} registration(s), "
            f"removed {result.orphans_removed} unreferenced file(s)."
        )
        if result.failed:
            raise CommandError(
                f"{len(result.failed)} registration(s) failed and were left for the next run: "
                f"{', '.join(str(pk) for pk in result.failed)}."
            )
