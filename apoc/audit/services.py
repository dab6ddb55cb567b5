"""The one way to write to the access log."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from .models import Action, AuditEntry
from .shown import Shown

__all__ = [
    "Action",
    "AuditContext",
    "AuditEvent",
    "Shown",
    "audit_record",
    "audit_records",
    "client_ip",
]


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, for the access log and the login lock.

    REMOTE_ADDR is the address that connected to us. Only when it is one of
    ``settings.TRUSTED_PROXIES`` (addresses or CIDR networks) is
    X-Forwarded-For read: from the right, each hop our proxies added is
    skipped, and the first address not of a trusted proxy is the client. A
    client can write anything into the header it sends, but it cannot get past
    the hop our nearest proxy appended. A malformed hop ends the search at the
    proxy's own address. None when there is no request or no valid address.
    """
    if request is None:
        return None
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    trusted = _trusted_networks()
    if remote is None or not trusted or not _is_trusted(remote, trusted):
        return str(remote) if remote is not None else None
    client = remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        client = address
        if not _is_trusted(address, trusted):
            break
    return str(client)


_Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> _Address | None:
    try:
        address = ipaddress.ip_address(text.strip().split("%")[0])  # without an IPv6 zone
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted_networks() -> list[_Network]:
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in settings.TRUSTED_PROXIES]


def _is_trusted(address: _Address, networks: list[_Network]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


@dataclass(frozen=True)
class AuditContext:
    """Who acts, for the access log: the user, their jobcentre, the client's address.

    Made once per request by :class:`apoc.audit.middleware.AuditContextMiddleware`
    (``request.audit``), so services take this instead of the request. Commands
    and jobs use :meth:`system`; tests use :meth:`of`.
    """

    user: Any = None
    ip_address: str | None = None

    @classmethod
    def of(cls, user: Any, ip_address: str | None = None) -> AuditContext:
        return cls(user=user, ip_address=ip_address)

    @classmethod
    def system(cls) -> AuditContext:
        """The system itself, e.g. a command run from cron."""
        return cls()

    @classmethod
    def from_request(cls, request: HttpRequest) -> AuditContext:
        return cls(user=getattr(request, "user", None), ip_address=client_ip(request))

    @property
    def acting_user(self) -> Any:
        """The authenticated user, or None for the system and anonymous requests."""
        user = self.user
        return user if user is not None and getattr(user, "is_authenticated", False) else None

    @property
    def username(self) -> str:
        user = self.acting_user
        return user.get_username() if user is not None else ""

    @property
    def jobcentre_id(self) -> int | None:
        user = self.acting_user
        return getattr(user, "jobcentre_id", None) if user is not None else None


@dataclass(frozen=True)
class AuditEvent:
    """One thing done, for :func:`audit_records`.

    ``subject`` is the one row it concerned; ``shown`` the rows a search, a list
    or an export showed (:mod:`apoc.audit.shown`): their model becomes the
    entry's subject type and their ids go into its criteria.
    """

    action: str
    subject: models.Model | None = None
    criteria: dict[str, Any] = field(default_factory=dict)
    shown: Shown | None = None

    def entry_subject(self) -> tuple[str, int | None]:
        if self.subject is not None:
            return self.subject._meta.label_lower, self.subject.pk
        if self.shown is not None:
            return self.shown.subject_type, None
        return "", None

    def entry_criteria(self) -> dict[str, Any]:
        if self.shown is None:
            return self.criteria
        return {**self.criteria, **self.shown.as_criteria()}


def audit_record(
    by: AuditContext,
    *,
    action: str,
    subject: models.Model | None = None,
    criteria: dict[str, Any] | None = None,
    shown: Shown | None = None,
) -> AuditEntry:
    """Write one entry. ``criteria`` holds search criteria or details, never secrets;
    ``shown`` the rows shown, when there were several (:class:`Shown`)."""
    event = AuditEvent(action=action, subject=subject, criteria=criteria or {}, shown=shown)
    return audit_records(by, event)[0]


def audit_records(by: AuditContext, *events: AuditEvent) -> list[AuditEntry]:
    """Write several entries by one actor in one statement."""
    user = by.acting_user
    entries = []
    for event in events:
        subject_type, subject_id = event.entry_subject()
        entries.append(
            AuditEntry(
                user=user,
                username=user.get_username() if user is not None else "",
                jobcentre_id=by.jobcentre_id,
                action=event.action,
                subject_type=subject_type,
                subject_id=subject_id,
                criteria=event.entry_criteria(),
                ip_address=by.ip_address,
            )
        )
    return AuditEntry.objects.bulk_create(entries)
