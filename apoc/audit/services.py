"""The one way to write to the access log."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.http import HttpRequest

from .models import Action, AuditEntry

__all__ = ["Action", "AuditEvent", "audit_record", "audit_records", "client_ip"]


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as the server saw it (the proxy sets REMOTE_ADDR)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


@dataclass(frozen=True)
class AuditEvent:
    """One thing done, for :func:`audit_records`."""

    action: str
    subject: models.Model | None = None
    criteria: dict[str, Any] = field(default_factory=dict)


def audit_record(
    *,
    user: Any,
    action: str,
    subject: models.Model | None = None,
    criteria: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Write one entry. ``criteria`` holds search criteria or details, never secrets."""
    return audit_records(
        AuditEvent(action=action, subject=subject, criteria=criteria or {}),
        user=user,
        request=request,
    )[0]


def audit_records(
    *events: AuditEvent, user: Any, request: HttpRequest | None = None
) -> list[AuditEntry]:
    """Write several entries by one user in one statement."""
    is_user = user is not None and getattr(user, "is_authenticated", False)
    ip_address = client_ip(request)
    entries = [
        AuditEntry(
            user=user if is_user else None,
            username=user.get_username() if is_user else "",
            jobcentre_id=getattr(user, "jobcentre_id", None) if is_user else None,
            action=event.action,
            subject_type=event.subject._meta.label_lower if event.subject is not None else "",
            subject_id=event.subject.pk if event.subject is not None else None,
            criteria=event.criteria,
            ip_address=ip_address,
        )
        for event in events
    ]
    return AuditEntry.objects.bulk_create(entries)
