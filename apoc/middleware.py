"""The project's middleware.

- Errors a user can act on become pages, never a 500 (``DomainErrorMiddleware``).
- A database outage is one line per failed request and one ERROR per outage
  (``database_error_response``, ``DatabaseOutageMiddleware``).
- A NUL byte in the query string or a form is a 400 (``RejectNulMiddleware``).
- Staff sessions end after 30 idle minutes (``IdleTimeoutMiddleware``).
- Every response carries the Permissions-Policy (``PermissionsPolicyMiddleware``); the
  Content-Security-Policy comes from django-csp (``csp.middleware.CSPMiddleware``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from .exceptions import DomainError

logger = logging.getLogger(__name__)
security_logger = logging.getLogger("apoc.security")


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError):
            logger.info("domain error %s on %s", exception.code, request.path)
            return render(
                request, "400.html", {"message": exception.message_in(gettext)}, status=400
            )
        if isinstance(exception, DatabaseError):
            return database_error_response(request, exception)
        return None


def database_error_response(request: HttpRequest, exception: DatabaseError) -> HttpResponse:
    """The 503 page for a failed database operation; the transaction was rolled back.

    A lost or refused connection is an outage, not a bug: one WARNING line per
    failed request, without a traceback, and the outage itself once at ERROR
    (:data:`OUTAGE`). Any other database error is a fault to look into, logged
    with its traceback; the user still sees the page that says nothing was
    half-saved. Django's own ``django.request`` logger leaves 503s to us
    (:class:`apoc.logs.SkipDatabaseUnavailable`), so a request is logged once.
    Connections left unusable are closed, so the next request connects anew
    (Django's request_finished does so too; the test client does not send it,
    and a connection inside a test's transaction is left alone).
    """
    if _is_outage(exception):
        logger.warning(
            "503 %s %s: database unavailable (%s)",
            request.method,
            request.path.encode("unicode_escape").decode("ascii"),
            type(exception).__name__,
        )
        OUTAGE.request_failed(exception)
    else:
        logger.error("database error on %s", request.path, exc_info=exception)
    for connection in connections.all():
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
    response = render(request, "503.html", status=503)
    response.database_unavailable = True
    return response


class DatabaseOutage:
    """The database's unavailability as this process sees it, logged once.

    The first failed request starts an outage: one ERROR line, "database
    unavailable since …". While it lasts, an ERROR line with the number of
    failed requests at most every ``report_every`` seconds; when a request
    that used the database succeeds again, one WARNING line with the
    duration and the count. Each process (gunicorn worker) keeps its own.
    """

    def __init__(
        self,
        *,
        report_every: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.report_every = report_every
        self.clock = clock
        self._lock = threading.Lock()
        self.since: datetime | None = None
        self.failed = 0
        self._started = 0.0
        self._reported = 0.0

    @property
    def active(self) -> bool:
        return self.since is not None

    def request_failed(self, exception: BaseException) -> None:
        with self._lock:
            now = self.clock()
            first = self.since is None
            if first:
                self.since, self.failed = timezone.now(), 0
                self._started = self._reported = now
            self.failed += 1
            remind = not first and now - self._reported >= self.report_every
            if remind:
                self._reported = now
            since, failed = self._since_text(), self.failed
        if first:
            logger.error(
                "database unavailable since %s (%s); requests get the 503 page until it answers",
                since,
                type(exception).__name__,
            )
        elif remind:
            logger.error("database unavailable since %s, %d requests failed", since, failed)

    def request_succeeded(self) -> None:
        if self.since is None:  # the common case, without the lock
            return
        with self._lock:
            if self.since is None:
                return
            since, failed = self._since_text(), self.failed
            lasted = self.clock() - self._started
            self.since, self.failed = None, 0
        logger.warning(
            "database available again: unavailable since %s for %.1f s, %d requests failed",
            since,
            lasted,
            failed,
        )

    def _since_text(self) -> str:
        assert self.since is not None
        return timezone.localtime(self.since).isoformat(timespec="seconds")


#: This process's view of the database's outages.
OUTAGE = DatabaseOutage()


class DatabaseOutageMiddleware:
    """Ends an outage (:data:`OUTAGE`) at the first response after which the database answers.

    Only while an outage lasts, and only after a response that did not fail on
    the database, an open connection is asked whether it works (Django's
    ``is_usable``, one ``SELECT 1``). A request that opened no connection
    (``/healthz`` after the failed ones were closed) says nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            OUTAGE.active
            and not getattr(response, "database_unavailable", False)
            and any(
                c.connection is not None and c.is_usable()
                for c in connections.all(initialized_only=True)
            )
        ):
            OUTAGE.request_succeeded()
        return response


#: SQLSTATEs that mean the server is gone or refuses connections: class 08 (connection
#: exception) and the server shutting down or starting up (57P01-57P03).
_OUTAGE_SQLSTATES = ("08", "57P01", "57P02", "57P03")


def _is_outage(exception: DatabaseError) -> bool:
    """Whether the database is unavailable, rather than a statement having failed.

    A lost or refused connection (the driver's error carries no SQLSTATE, or one
    of :data:`_OUTAGE_SQLSTATES`) or a connection left unusable is an outage. An
    error the server answered with another SQLSTATE (a deadlock, a cancelled
    statement, a constraint) is a fault to look into, even when Django calls it
    an OperationalError.
    """
    if _connection_lost():
        return True
    if not isinstance(exception, OperationalError | InterfaceError):
        return False
    sqlstate = getattr(exception.__cause__, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith(_OUTAGE_SQLSTATES)


def _connection_lost() -> bool:
    return any(not conn.is_usable() for conn in connections.all() if conn.connection is not None)


class IdleTimeoutMiddleware:
    """Staff sessions end after SESSION_COOKIE_AGE idle seconds.

    Instead of saving the session on every request, the expiry is renewed at
    most once a minute, which keeps the idle timeout accurate to a minute and
    spares most requests three statements.
    """

    RENEW_AFTER = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            now = int(time.time())
            if now - session.get("_renewed", 0) >= self.RENEW_AFTER:
                session["_renewed"] = now
        return self.get_response(request)


class DanishByDefaultMiddleware:
    """The UI is Danish until the user switches language.

    The browser's Accept-Language is ignored, so every counter PC shows the same
    pages; the language switch sets the cookie that LocaleMiddleware reads.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Send ``settings.PERMISSIONS_POLICY`` as the Permissions-Policy header.

    The setting maps a browser feature to the origins allowed to use it; an
    empty list denies it to every origin, this one included (``camera=()``).
    Built once; a view that sets its own header keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response


class RejectNulMiddleware:
    """A NUL byte (U+0000) in the path, the query string or a form field is a 400.

    No field of APOC's can hold one, PostgreSQL refuses it in text, and only a
    probe or a broken client sends it: it is refused before any view, session
    or query sees it, with one line on ``apoc.security``. Uploaded files are
    not looked at (an image holds NUL bytes).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _holds_nul(request):
            security_logger.warning(
                "400 %s %s: NUL byte in the request refused",
                request.method,
                request.path.encode("unicode_escape").decode("ascii"),
            )
            message = gettext("Forespørgslen indeholder et ugyldigt tegn (NUL) og er afvist.")
            return render(request, "400.html", {"message": message}, status=400)
        return self.get_response(request)


def _holds_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path_info or "\x00" in request.META.get("QUERY_STRING", ""):
        return True
    forms = [request.GET]
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        forms.append(request.POST)
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for form in forms
        for key, values in form.lists()
    )
