"""Log every login lock (django-axes) in one line for the operators."""

from __future__ import annotations

import logging

from axes.signals import user_locked_out
from django.conf import settings
from django.dispatch import receiver

logger = logging.getLogger("apoc.security")


@receiver(user_locked_out, dispatch_uid="apoc.accounts.log_login_lock")
def log_login_lock(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    logger.warning(
        "login locked after %s failed attempts: username=%r ip=%s path=%s",
        settings.AXES_FAILURE_LIMIT,
        username,
        ip_address,
        getattr(request, "path", ""),
    )
