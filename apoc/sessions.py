"""The session engine: Django's database sessions, with a lost connection reported as such.

Django's database ``SessionStore.save`` turns any ``DatabaseError`` of an
update into ``UpdateError``, which the session middleware reports as
``SessionInterrupted``: a 400 page that says the session was deleted by a
concurrent request (a logout). When the write failed because the database
went away (PostgreSQL restarting, a dropped connection), this store raises
that error instead, so the user gets the 503 page like for any other lost
connection (``apoc.views.server_error``) and the log says what happened. A
session that was really deleted meanwhile is still ``UpdateError``.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import InterfaceError, OperationalError


class SessionStore(db.SessionStore):
    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as error:
            lost = error.__context__
            if isinstance(lost, OperationalError | InterfaceError):
                raise lost from None
            raise
