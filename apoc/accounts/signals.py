"""Log the login lock (django-axes) for the operators, one line each."""

from __future__ import annotations

import logging

from axes.signals import user_locked_out
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
