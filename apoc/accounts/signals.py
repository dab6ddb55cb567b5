"""Log the login lock (django-axes) for the operators, one line each, and password sign-ins
in the access log."""

from __future__ import annotations

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

logger = logging.getLogger("apoc.security")


@receiver(user_locked_out, dispatch_uid="apoc.accounts.log_login_lock")
def log_login_lock(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    """A warning when a failure starts a wait; a note for each attempt refused while waiting."""
    wait = getattr(request, "apoc_login_wait", None)
    now = getattr(request, "axes_attempt_time", None)
    seconds = wait.seconds_left(now) if wait is not None and now is not None else None
    reason = wait.reason if wait is not None else "name"
    if getattr(request, "apoc_login_refused", False):
        logger.info(
            "login refused while locked (%s): username=%r ip=%s wait=%ss path=%s",
            reason,
            username,
            ip_address,
            seconds,
            getattr(request, "path", ""),
        )
        return
    logger.warning(
        "login locked (%s) for %ss after %s failed attempts: username=%r ip=%s path=%s",
        reason,
        seconds,
        wait.failures if wait is not None else None,
        username,
        ip_address,
        getattr(request, "path", ""),
    )


@receiver(user_logged_in, dispatch_uid="apoc.accounts.log_password_sign_in")
def log_password_sign_in(sender, request=None, user=None, **kwargs) -> None:
    """A sign-in with a password through a login form, in the access log. (A sign-in through a
    provider is logged by apoc.accounts.signin; a test client's force_login is not a form.)"""
    if request is None or request.method != "POST" or user is None:
        return
    if getattr(user, "backend", "") != "apoc.accounts.backends.PasswordBackend":
        return
    from apoc.audit.services import client_ip

    from .signin import record_sign_in

    record_sign_in(user, client_ip(request), via="password")
