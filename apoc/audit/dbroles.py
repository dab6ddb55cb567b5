"""The application's own PostgreSQL role: what it may do, granted by the owner.

Two roles use APOC's database (README "The database's two roles"): the owner,
which owns the tables, runs ``migrate`` and this grant, and the application's
role, which the app servers and the cron jobs connect as. The application's
role may read and write the tables, but on the access log only INSERT and
SELECT (no UPDATE, DELETE or TRUNCATE), on the chain's head and the migration
record only SELECT, and it may call the retention purge's function. Being no
owner, it cannot disable the triggers that keep the log append-only.
"""

from __future__ import annotations

from django.db import connections

#: Tables the application appends to and reads, and never changes.
APPEND_ONLY = ("audit_auditentry", "audit_auditcheckpoint")
#: Tables the application only reads.
READ_ONLY = ("audit_auditchainhead", "django_migrations")
#: The retention purge's narrow path (migration audit 0008).
FUNCTIONS = ("audit_purge(timestamptz, integer)",)


class RoleError(Exception):
    """The grant cannot be made as asked."""


def grant_statements(role: str, schema: str, quote) -> list[str]:
    """The statements that give ``role`` exactly the application's rights, in ``schema``."""
    app, sch = quote(role), quote(schema)
    table = ", ".join
    return [
        f"GRANT USAGE ON SCHEMA {sch} TO {app}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {sch} FROM {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {sch} TO {app}",
        f"REVOKE INSERT, UPDATE, DELETE ON {table(quote(t) for t in READ_ONLY)} FROM {app}",
        f"REVOKE UPDATE, DELETE ON {table(quote(t) for t in APPEND_ONLY)} FROM {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {sch} TO {app}",
        *(f"GRANT EXECUTE ON FUNCTION {function} TO {app}" for function in FUNCTIONS),
        # Tables of later migrations, until this is run again after them.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {sch} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {sch} GRANT USAGE, SELECT ON SEQUENCES TO {app}",
    ]


def grant_app_role(role: str, using: str = "default") -> list[str]:
    """Grant the application's rights to ``role``, connected as the owner; return the SQL run.

    Refuses when the connection is not PostgreSQL, when ``role`` does not exist,
    is a superuser, or is the owner itself: then the log would not be append-only.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise RoleError("Roles are PostgreSQL's: SQLite has none.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema()")
        owner, schema = cursor.fetchone()
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        found = cursor.fetchone()
        if found is None:
            raise RoleError(f"There is no role {role!r}: create it first (deploy/roles.sql).")
        if found[0]:
            raise RoleError(f"{role!r} is a superuser: the application's role must not be one.")
        if role == owner:
            raise RoleError(
                f"{role!r} is the role connected, the owner: run this as the owner, "
                "for the application's own role."
            )
        statements = grant_statements(role, schema, connection.ops.quote_name)
        for statement in statements:
            cursor.execute(statement)
    return statements
