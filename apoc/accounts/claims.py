"""What an identity provider's claims say about a member of staff: pure rules.

A provider's ID token carries claims; which claim holds what is configured per
provider (:class:`ClaimNames`), and which group values give which APOC role is
data (``role_mapping``). Nothing here trusts a claim the provider is not
configured to assert:

- a role comes only from a group value in the provider's mapping; the
  national administrator's role only from a provider that may grant it;
- a jobcentre only among those the provider serves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from apoc.accounts.roles import CASEWORKER, NATIONAL_ADMIN, ROLES_BY_RANK, SUPERVISOR
from apoc.exceptions import DomainError, gettext_noop

__all__ = [
    "CASEWORKER",
    "NATIONAL_ADMIN",
    "SUPERVISOR",
    "ClaimNames",
    "Identity",
    "JobcentreNotServed",
    "MissingClaim",
    "NoJobcentreClaim",
    "NoRole",
    "SignInRefused",
    "jobcentre_code",
    "read_identity",
    "role_from_groups",
    "username_for",
]


class SignInRefused(DomainError):
    """A sign-in through an identity provider that APOC refuses."""

    code = "signin.refused"
    template = gettext_noop(
        "Du kunne ikke logges ind via din kommunes login. Prøv igen. Sker det igen, så "
        "kontakt APOC-support og oplys tidspunktet."
    )


class MissingClaim(SignInRefused):
    code = "signin.missing_claim"
    template = gettext_noop(
        "Kommunens login sendte ikke, hvem du er (mangler »%(claim)s«). Kontakt kommunens "
        "IT-afdeling."
    )


class NoRole(SignInRefused):
    code = "signin.no_role"
    template = gettext_noop(
        "Du er logget ind hos %(provider)s, men du har ingen rolle i APOC. Du er ikke logget "
        "ind i APOC. Bed din leder om at give dig rollen sagsbehandler eller teamleder hos "
        "kommunens IT-afdeling."
    )


class NoJobcentreClaim(SignInRefused):
    code = "signin.no_jobcentre"
    template = gettext_noop(
        "Kommunens login sendte ikke, hvilket jobcenter du hører til. Du er ikke logget ind. "
        "Kontakt kommunens IT-afdeling."
    )


class JobcentreNotServed(SignInRefused):
    code = "signin.jobcentre_not_served"
    template = gettext_noop(
        "%(provider)s kan ikke logge ind i jobcentret med kommunekode %(code)s. Du er ikke "
        "logget ind. Kontakt kommunens IT-afdeling."
    )


@dataclass(frozen=True)
class ClaimNames:
    """Which claim holds what, for one provider. ``municipality`` may be empty."""

    username: str = "preferred_username"
    first_name: str = "given_name"
    last_name: str = "family_name"
    email: str = "email"
    groups: str = "groups"
    municipality: str = ""


@dataclass(frozen=True)
class Identity:
    """A member of staff as the provider describes them."""

    sub: str
    username: str
    first_name: str
    last_name: str
    email: str
    groups: tuple[str, ...]
    municipality_code: str | None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _values(value: Any) -> tuple[str, ...]:
    """A claim that may be one string, a space- or comma-separated string, or a list."""
    if isinstance(value, str):
        items: Iterable[Any] = re.split(r"[\s,]+", value)
    elif isinstance(value, list | tuple):
        items = value
    else:
        return ()
    return tuple(sorted({str(item).strip() for item in items if str(item).strip()}))


def read_identity(claims: Mapping[str, Any], names: ClaimNames) -> Identity:
    """The identity in ``claims``; raises :class:`MissingClaim` without a ``sub``."""
    sub = _text(claims.get("sub"))
    if not sub:
        raise MissingClaim(params={"claim": "sub"})
    municipality = _text(claims.get(names.municipality)) if names.municipality else ""
    return Identity(
        sub=sub,
        username=_text(claims.get(names.username)) or sub,
        first_name=_text(claims.get(names.first_name))[:150],
        last_name=_text(claims.get(names.last_name))[:150],
        email=_text(claims.get(names.email))[:254],
        groups=_values(claims.get(names.groups)),
        municipality_code=municipality or None,
    )


def role_from_groups(
    groups: Iterable[str], mapping: Mapping[str, str], *, may_grant_national_admin: bool
) -> str | None:
    """The highest role the groups give through ``mapping``, or None.

    A mapping to ``landsadministrator`` counts only when the provider may grant it.
    """
    roles = {mapping[group] for group in groups if group in mapping}
    if not may_grant_national_admin:
        roles.discard(NATIONAL_ADMIN)
    return next((role for role in ROLES_BY_RANK if role in roles), None)


def jobcentre_code(
    identity: Identity, *, served: Iterable[str], claim_configured: bool, provider: str
) -> str:
    """The kommunekode of the jobcentre the person signs in to.

    With a municipality claim configured, the claim decides, and it must be one of
    the provider's jobcentres. Without one, the provider must serve exactly one.
    """
    codes = sorted(set(served))
    if claim_configured:
        code = identity.municipality_code
        if code is None:
            raise NoJobcentreClaim()
        if code not in codes:
            raise JobcentreNotServed(params={"provider": provider, "code": code})
        return code
    if len(codes) != 1:
        raise NoJobcentreClaim()
    return codes[0]


_NOT_IN_USERNAME = re.compile(r"[^\w.@+-]")


def username_for(identity: Identity, provider_slug: str, *, max_length: int = 150) -> str:
    """``<username>@<provider>``, with the characters Django's user name validator refuses
    as ``_``. Only a name: the account is found by provider and ``sub``, never by name."""
    suffix = f"@{provider_slug}"
    base = _NOT_IN_USERNAME.sub("_", identity.username)
    return base[: max_length - len(suffix)] + suffix
