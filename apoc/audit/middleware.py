"""Makes the request's audit context once: ``request.audit``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from .services import AuditContext


class AuditContextMiddleware:
    """Sets ``request.audit``, the :class:`AuditContext` that views hand to services.

    Placed after AuthenticationMiddleware. The user stays lazy: a request that
    writes no entry never loads it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.audit = AuditContext.from_request(request)
        return self.get_response(request)
