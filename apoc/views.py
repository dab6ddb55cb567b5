"""Project-wide views: the health check and the last-resort error page."""

from __future__ import annotations

import sys

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .middleware import database_error_response


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 while the server answers. Touches neither the database nor the session.

    For the load balancer's liveness probe, and the trivial baseline of the load test.
    """
    return HttpResponse(b"ok\n", content_type="text/plain; charset=utf-8")


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database failure outside a view (e.g. while the session or
    user is read in middleware) gets the 503 page like one inside a view."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DatabaseError):
        return database_error_response(request, exception)
    return defaults.server_error(request)
