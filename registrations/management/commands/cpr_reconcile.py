"""``manage.py cpr_reconcile``: the nightly reconciliation with CPR (registrations.reconcile).

Run it from cron after CPR-replika's nightly update, e.g. at 04:30::

    30 4 * * *  cd /srv/apoc && .venv/bin/python manage.py cpr_reconcile

It prints its progress and a summary, and exits with status 1 when it stopped
because CPR did not answer (run it again later: it picks up where it stopped).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from registrations.reconcile import Summary, cpr_reconcile


class Command(BaseCommand):
    help = (
        "Ask CPR again about registrations made while it could not be searched, and about "
        "every number it has not confirmed; record changed statuses; flag what needs a person."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rate", type=float, default=5.0, help="look-ups a second at most (default 5)"
        )
        parser.add_argument("--limit", type=int, default=None, help="stop after this many")
        parser.add_argument(
            "--recheck-after",
            type=int,
            default=30,
            help="days after which a confirmed number is looked up again (default 30)",
        )

    def handle(self, *args, rate: float, limit: int | None, recheck_after: int, **options):
        def progress(done: int, summary: Summary) -> None:
            if done % 50 == 0:
                self.stdout.write(f"{done} registrations asked about")

        summary = cpr_reconcile(
            rate=rate, limit=limit, recheck_after=recheck_after, progress=progress
        )
        self.stdout.write("cpr_reconcile summary:")
        for line in summary.as_lines() or ["nothing was due"]:
            self.stdout.write(f"  {line}")
        if summary.stopped:
            raise CommandError("CPR did not answer; stopped. Run cpr_reconcile again later.")
