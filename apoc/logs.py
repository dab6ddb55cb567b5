"""Logging filters for ``settings.LOGGING``."""

from __future__ import annotations

import logging

__all__ = ["SkipDatabaseUnavailable"]


class SkipDatabaseUnavailable(logging.Filter):
    """Drops ``django.request``'s record of a 503 response.

    APOC answers 503 only with the database page
    (:func:`apoc.middleware.database_error_response`), which logs the failed
    request itself, one WARNING line without a traceback, and the outage once
    at ERROR. Django would log the same response again at ERROR, with the
    connection error's traceback when it happened outside a view (reading the
    session): thousands of tracebacks a minute during an outage, none of them
    a bug.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "status_code", None) != 503
