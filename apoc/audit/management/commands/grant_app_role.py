"""Give the application's PostgreSQL role its rights: ``manage.py grant_app_role ROLE``.

Run it as the owner (``DATABASE_URL`` naming the owner), after every
``migrate``: see apoc.audit.dbroles and README "The database's two roles".
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apoc.audit.dbroles import RoleError, grant_app_role


class Command(BaseCommand):
    help = (
        "As the database owner, grant the application's role its rights: the tables, "
        "but on the access log only INSERT and SELECT."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="The application's PostgreSQL role, e.g. apoc_app.")
        parser.add_argument("--database", default="default")

    def handle(self, *args, role, database, **options):
        try:
            statements = grant_app_role(role, using=database)
        except RoleError as error:
            raise CommandError(str(error)) from error
        if options["verbosity"] > 1:
            for statement in statements:
                self.stdout.write(f"{statement};")
        self.stdout.write(
            f"Granted {role} the application's rights: INSERT and SELECT only on the access log."
        )
