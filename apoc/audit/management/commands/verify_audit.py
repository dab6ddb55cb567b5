"""Check the access log's hash chain: ``manage.py verify_audit``.

Walks the chain from its start (the first entry, or the entry after the last
retention purge's signed checkpoint) to its head, recomputing every entry's
hash from what is stored. Exit status 0 and one line when the chain holds;
exit status 1 and the first entry that was changed, removed or reordered when
it does not. Run it daily after ``purge_audit``, and keep its last line (the
head's number and hash) somewhere outside the database: a chain rewritten from
some entry on by someone with the database owner's rights, and the head with
it, holds together again, but no longer ends in the head that was written down.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apoc.audit.integrity import verify


class Command(BaseCommand):
    help = "Check that no access-log entry was changed, removed or reordered."

    def handle(self, *args, **options):
        report = verify()
        if report.finding is not None:
            raise CommandError(
                f"The access log's chain is broken after {report.checked} entries checked: "
                f"{report.finding.message}."
            )
        self.stdout.write(
            f"The access log's chain holds: {report.checked} entries checked, "
            f"{report.checkpoints} purge checkpoints; head no. {report.head.seq}, "
            f"hash {report.head.hash}."
        )
