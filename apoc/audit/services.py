"""The one way to write to the access log."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from .models import Action, AuditEntry

__all__ = ["Action", "audit_record", "client_ip"]


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as the server saw it (the proxy sets REMOTE_ADDR)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    user: Any,
    action: str,
    subject: models.Model | None = None,
    criteria: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Write one entry. ``criteria`` holds search criteria or details, never secrets."""
    is_user = user is not None and getattr(user, "is_authenticated", False)
    return AuditEntry.objects.create(
        user=user if is_user else None,
        username=user.get_username() if is_user else "",
        jobcentre_id=getattr(user, "jobcentre_id", None) if is_user else None,
        action=action,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=subject.pk if subject is not None else None,
        criteria=criteria or {},
        ip_address=client_ip(request),
    )
