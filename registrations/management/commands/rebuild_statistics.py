"""Recount the statistics page's counters from the tables (registrations.statistics).

The counters are kept in the same transaction as every change they count, so this is
for repairs: after rows were changed outside APOC's services (by hand in SQL, a restore
of one table), or to check. ``manage.py rebuild_statistics`` recounts a local month at a
time in one transaction; intakes and reviews wait for it (seconds at a million
registrations). ``--check`` only compares, and fails when a counter disagrees.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from registrations.statistics import statistics_differences, statistics_rebuild

#: Differences listed by --check, at most.
SHOWN = 20


class Command(BaseCommand):
    help = "Recount the statistics page's counters from the registrations and refused intakes."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only compare the counters with the tables; fail if any disagrees.",
        )

    def handle(self, *args, check=False, **options):
        started = time.perf_counter()
        if check:
            differences = statistics_differences()
            for key, (kept, counted) in list(differences.items())[:SHOWN]:
                self.stdout.write(
                    f"{key.kind} {key.period} jobcentre {key.jobcentre_id} {key.value!r}: "
                    f"counter {kept}, tables {counted}"
                )
            if differences:
                raise CommandError(
                    f"{len(differences)} counter(s) disagree with the tables; "
                    "run manage.py rebuild_statistics."
                )
            self.stdout.write(
                f"The counters agree with the tables ({time.perf_counter() - started:.1f} s)."
            )
            return
        log = self.stdout.write if options["verbosity"] > 1 else None
        written = statistics_rebuild(log=log)
        self.stdout.write(
            f"Recounted the statistics: {written} counter(s) "
            f"in {time.perf_counter() - started:.1f} s."
        )
