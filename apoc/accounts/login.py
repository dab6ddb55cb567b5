"""The staff login: its form, and what django-axes needs from us.

- ``LoginForm`` refuses a user name longer than any user's as a form error.
  (Django's AuthenticationForm sets ``max_length`` without a validator, so an
  overlong name reached the authentication backends and the lock's table.)
- ``axes_username`` is the name the lock counts failures under
  (settings.AXES_USERNAME_CALLABLE): as typed, cut to the lock table's column,
  so an overlong name from any login form is counted, not a database error.
- ``login_locked`` is the page a locked login gets (settings.AXES_LOCKOUT_CALLABLE).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

#: AccessAttempt.username's length in django-axes.
AXES_USERNAME_LENGTH = 255


class LoginForm(AuthenticationForm):
    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        limit = get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD).max_length
        self.fields["username"].validators.append(MaxLengthValidator(limit))


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    field = settings.AXES_USERNAME_FORM_FIELD
    source = credentials if credentials else getattr(request, "data", request.POST)
    value = source.get(field)
    return None if value is None else str(value)[:AXES_USERNAME_LENGTH]


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
