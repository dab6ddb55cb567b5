"""The test suite on PostgreSQL with the database's two roles, the way CI runs it.

With ``DATABASE_OWNER_URL`` set (the owner) beside ``DATABASE_URL`` (the
application's role), pytest-django creates, migrates and at the end drops the
test database as the owner, which then grants the application's role its
rights (apoc.audit.dbroles); the tests themselves connect as the application's
role. Between transactional tests Django empties the tables with TRUNCATE,
which the application's role may not do on the access log: that flush runs on
a connection of the owner's (:func:`flush_as_owner`). On SQLite, which has no
roles, the flush opens the purge's permit first, since the log's triggers
refuse a plain DELETE.

Without ``DATABASE_OWNER_URL`` everything runs as the one role of
``DATABASE_URL``, as before.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

OWNER_URL_VARIABLE = "DATABASE_OWNER_URL"
_FLUSH_PERMIT = 2**63 - 1


def owner_credentials() -> dict[str, str] | None:
    """USER and PASSWORD of the owner, from DATABASE_OWNER_URL, or None."""
    url = os.environ.get(OWNER_URL_VARIABLE, "")
    if not url:
        return None
    import environ

    config = environ.Env.db_url_config(url)
    return {"USER": config["USER"], "PASSWORD": config.get("PASSWORD", "")}


def switch_default(credentials: dict[str, str]) -> None:
    """Reconnect the default database with other credentials (same database)."""
    from django.db import connections

    connection = connections["default"]
    connection.close()
    connection.settings_dict.update(credentials)


def owner_wrapper(alias: str = "default"):
    """A new connection of the owner's to the database ``alias`` points at now."""
    from django.db import connections

    connection = connections[alias]
    settings_dict = dict(connection.settings_dict)
    settings_dict.update(owner_credentials() or {})
    return connection.__class__(settings_dict, alias=alias)


@contextlib.contextmanager
def as_owner(alias: str = "default") -> Iterator[None]:
    """In this thread, ``connections[alias]`` is the owner's until the block ends."""
    from django.db import connections

    original = connections[alias]
    owner = owner_wrapper(alias)
    connections[alias] = owner
    try:
        yield
    finally:
        owner.close()
        connections[alias] = original


def patch_flush() -> None:
    """Make ``manage.py flush`` (between transactional tests) able to empty the access log."""
    from django.core.management.commands import flush
    from django.db import connections

    original = flush.Command.handle
    if getattr(original, "apoc_patched", False):
        return

    def handle(self, **options):
        alias = options.get("database", "default")
        connection = connections[alias]
        if connection.vendor == "sqlite":
            _open_sqlite_log(connection)
            return original(self, **options)
        if connection.vendor == "postgresql" and owner_credentials() is not None:
            with as_owner(alias):
                return original(self, **options)
        return original(self, **options)

    handle.apoc_patched = True
    flush.Command.handle = handle


def _open_sqlite_log(connection) -> None:
    """Empty the access log on SQLite through the purge's permit (the triggers stay)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditchainhead (id, seq, hash, purge_through) "
            "VALUES (1, 0, '', %s) ON CONFLICT (id) DO UPDATE SET purge_through = %s",
            [_FLUSH_PERMIT, _FLUSH_PERMIT],
        )
        cursor.execute("DELETE FROM audit_auditentry")
        cursor.execute("DELETE FROM audit_auditcheckpoint")
