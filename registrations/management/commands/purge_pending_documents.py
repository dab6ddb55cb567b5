"""Remove uploads kept for an intake that was never completed (see registrations.pending).

Run it from cron, e.g. hourly: ``manage.py purge_pending_documents``.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand

from registrations.pending import purge_stale


class Command(BaseCommand):
    help = "Delete uploaded ID documents kept for intakes that were not completed in time."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=float,
            default=12,
            help="Delete what has waited longer than this many hours (default 12).",
        )

    def handle(self, *args, hours: float, **options):
        removed = purge_stale(older_than=timedelta(hours=hours))
        self.stdout.write(f"{removed} pending document(s) removed.")
