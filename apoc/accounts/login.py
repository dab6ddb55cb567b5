"""The staff login: its form, and the login lock around django-axes.

- ``LoginForm`` refuses a user name longer than any user's as a form error.
  (Django's AuthenticationForm sets ``max_length`` without a validator, so an
  overlong name reached the authentication backends and the lock's table.)
- ``axes_username`` is the name the lock counts failures under
  (settings.AXES_USERNAME_CALLABLE): as typed, cut to the lock table's column,
  so an overlong name from any login form is counted, not a database error.
- ``LoginDelayHandler`` (settings.AXES_HANDLER) decides when a login must wait:

  * **a name at an address**: after ``AXES_FAILURE_LIMIT`` failed logins of one
    user name from one address, each further attempt of that name from that
    address must wait 1, 2, 4, … seconds after the last failure, doubling with
    each failure, up to ``LOGIN_DELAY_MAX_SECONDS``. Other addresses and other
    names are not touched, so nobody can lock a colleague out from elsewhere.
  * **an address**: after ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures from one
    address, whatever the names (password spraying), every name from that
    address waits until the failures of the last ``LOGIN_LOCK_MINUTES`` are
    fewer again.

  Failures are remembered until ``LOGIN_LOCK_MINUTES`` (``AXES_COOLOFF_TIME``)
  pass without a new one; a successful login forgets its own name's failures
  at that address. An attempt refused while it must wait is not a guess (the
  password is not tried) and is not counted.
- ``login_locked`` is the page a refused login gets (settings.AXES_LOCKOUT_CALLABLE).

Why not axes' own cool-off: axes uses ``AXES_COOLOFF_TIME`` both for how long
an attempt locks and for how long it is remembered (it deletes older attempts),
so a cool-off of a few seconds would forget the failures after a few seconds and
give five fresh guesses after every wait. Here axes stores, counts and clears the
attempts, and this handler only decides, from the same table, whether to wait.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy, ngettext

#: AccessAttempt.username's length in django-axes.
AXES_USERNAME_LENGTH = 255


class PasswordOffMixin:
    """The right password where local passwords are off (apoc.accounts.backends): say to
    use the municipality's login instead of "wrong user name or password"."""

    request: HttpRequest | None

    def get_invalid_login_error(self) -> ValidationError:
        if getattr(self.request, "apoc_password_login_off", False):
            return ValidationError(
                gettext_lazy(
                    "Din konto logger ind via din kommunes login, ikke med adgangskode. "
                    "Vælg din kommune under »Log ind via din kommune«."
                ),
                code="password_login_off",
            )
        return super().get_invalid_login_error()  # type: ignore[misc]


class LoginForm(PasswordOffMixin, AuthenticationForm):
    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        limit = get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD).max_length
        self.fields["username"].validators.append(MaxLengthValidator(limit))


class AdminLoginForm(PasswordOffMixin, AdminAuthenticationForm):
    """The admin's login form, with the same message."""


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    field = settings.AXES_USERNAME_FORM_FIELD
    source = credentials if credentials else getattr(request, "data", request.POST)
    value = source.get(field)
    return None if value is None else str(value)[:AXES_USERNAME_LENGTH]


# --- When a login must wait ---------------------------------------------------------------


def delay_after(failures: int, *, free: int, cap: int) -> int:
    """Seconds to wait after the ``failures``-th failure: 0 for the first ``free - 1``,
    then 1, 2, 4, … doubling with each failure, never more than ``cap``."""
    if failures < free:
        return 0
    exponent = failures - free
    return cap if exponent >= cap.bit_length() else min(2**exponent, cap)


@dataclass(frozen=True)
class LoginWait:
    """Why and until when logins of a name, or of every name, from an address wait."""

    reason: Literal["name", "address"]
    until: datetime
    failures: int

    def seconds_left(self, now: datetime) -> int:
        return max(1, math.ceil((self.until - now).total_seconds()))


def login_wait(username: str | None, ip_address: str | None, now: datetime) -> LoginWait | None:
    """The wait that applies to a login of ``username`` from ``ip_address`` at ``now``, if any."""
    window = settings.AXES_COOLOFF_TIME
    rows = list(
        AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gt=now - window)
        .order_by("-attempt_time")
        .values_list("username", "failures_since_start", "attempt_time")
    )
    waits = [w for w in (_name_wait(rows, username), _address_wait(rows, window)) if w]
    waits = [w for w in waits if w.until > now]
    return max(waits, key=lambda w: w.until) if waits else None


def _name_wait(rows: list[tuple[str, int, datetime]], username: str | None) -> LoginWait | None:
    mine = [(failures, at) for name, failures, at in rows if name == username]
    failures = sum(f for f, _ in mine)
    seconds = delay_after(
        failures, free=settings.AXES_FAILURE_LIMIT, cap=settings.LOGIN_DELAY_MAX_SECONDS
    )
    if not seconds:
        return None
    last = max(at for _, at in mine)
    return LoginWait("name", last + timedelta(seconds=seconds), failures)


def _address_wait(rows: list[tuple[str, int, datetime]], window: timedelta) -> LoginWait | None:
    """Locked while the failures remembered from the address reach the limit.

    Each row is one name's (and browser's) failures and the time of the last;
    newest first. The lock lifts when enough rows have aged out of the window.
    """
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    total = sum(failures for _, failures, _ in rows)
    if total < limit:
        return None
    kept = 0
    for _, failures, at in rows:
        kept += failures
        if kept >= limit:  # this row keeps the sum at the limit until it ages out
            return LoginWait("address", at + window, total)
    return None  # pragma: no cover - total >= limit guarantees a return above


class LoginDelayHandler(AxesDatabaseHandler):
    """axes' database handler, with :func:`login_wait` deciding when a login is refused."""

    def is_locked(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        wait = login_wait(
            get_client_username(request, credentials),
            request.axes_ip_address,
            request.axes_attempt_time,
        )
        request.apoc_login_wait = wait
        request.apoc_login_refused = wait is not None
        return wait is not None

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "apoc_login_refused", False):
            return  # refused while waiting: not counted (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT)
        username = get_client_username(request, credentials)
        wait = login_wait(username, request.axes_ip_address, request.axes_attempt_time)
        request.apoc_login_wait = wait
        if wait is not None and not request.axes_locked_out:
            # axes flags only the name's own count; the address limit is ours.
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes", request=request, username=username, ip_address=request.axes_ip_address
            )


# --- The page -------------------------------------------------------------------------------


def format_wait(seconds: int) -> str:
    """``seconds`` in words: seconds up to a minute and a half, whole minutes after."""
    if seconds <= 90:
        return ngettext("%(n)d sekund", "%(n)d sekunder", seconds) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(n)d minut", "%(n)d minutter", minutes) % {"n": minutes}


def login_locked(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """429 with a Danish page: why, how long to wait, whom to ask."""
    now = request.axes_attempt_time
    wait = getattr(request, "apoc_login_wait", None) or login_wait(
        get_client_username(request, credentials), request.axes_ip_address, now
    )
    seconds = wait.seconds_left(now) if wait is not None else 1
    response = render(
        request,
        "registration/locked.html",
        {
            "reason": wait.reason if wait is not None else "name",
            "failures": wait.failures if wait is not None else settings.AXES_FAILURE_LIMIT,
            "wait": format_wait(seconds),
            "longest_wait": format_wait(settings.LOGIN_DELAY_MAX_SECONDS),
            "window": format_wait(int(settings.AXES_COOLOFF_TIME.total_seconds())),
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
