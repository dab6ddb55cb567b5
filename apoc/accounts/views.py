"""The page shown when django-axes refuses a login (settings.AXES_LOCKOUT_CALLABLE)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def login_locked(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """429 with a Danish page: the lock, how long it lasts, whom to ask."""
    return render(
        request,
        "registration/locked.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "lock_minutes": settings.LOGIN_LOCK_MINUTES,
        },
        status=429,
    )
