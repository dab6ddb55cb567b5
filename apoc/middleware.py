"""The project's middleware.

- Errors a user can act on become pages, never a 500 (``DomainErrorMiddleware``).
- Staff sessions end after 30 idle minutes (``IdleTimeoutMiddleware``).
- Every response carries the Content-Security-Policy (``ContentSecurityPolicyMiddleware``).
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from .exceptions import DomainError

logger = logging.getLogger(__name__)


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

    A lost or refused connection is expected now and then and logged as a
    warning. Any other database error is a fault to look into, logged with its
    traceback; the user still sees the page that says nothing was half-saved.
    Connections left unusable are closed, so the next request connects anew
    (Django's request_finished does so too; the test client does not send it,
    and a connection inside a test's transaction is left alone).
    """
    if isinstance(exception, OperationalError | InterfaceError) or _connection_lost():
        logger.warning("database unavailable on %s: %s", request.path, type(exception).__name__)
    else:
        logger.error("database error on %s", request.path, exc_info=exception)
    for connection in connections.all():
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
    return render(request, "503.html", status=503)


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


class ContentSecurityPolicyMiddleware:
    """Send ``settings.SECURE_CSP`` as the Content-Security-Policy header.

    The policy is the same for every response, so it is built once. A view
    that sets its own header keeps it. (Django 6.0 has this built in as
    ``django.middleware.csp.ContentSecurityPolicyMiddleware`` with the same
    setting.)
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = "; ".join(
            " ".join([directive, *sources]) for directive, sources in settings.SECURE_CSP.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
