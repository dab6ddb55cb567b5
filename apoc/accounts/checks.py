"""System checks of sign-in, registered in ``AccountsConfig.ready()``.

They read the providers from the database, so they say nothing when they cannot
(before ``migrate``, without a database, or in a test without database access).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

from .models import IdentityProvider, User


def _active() -> list[IdentityProvider] | None:
    try:
        return list(IdentityProvider.objects.filter(is_active=True).order_by("name"))
    except (DatabaseError, RuntimeError):
        return None


def password_login(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """``accounts.W001``: local passwords on for everybody while providers are set up;
    ``accounts.I001``: the break-glass accounts that may still use one."""
    providers = _active()
    if not providers:
        return []
    messages: list[checks.CheckMessage] = []
    if settings.APOC_PASSWORD_LOGIN:
        messages.append(
            checks.Warning(
                "Local passwords are on for every account (APOC_PASSWORD_LOGIN), although "
                f"{len(providers)} identity provider(s) are set up: staff can sign in past "
                "their municipality's login and its multi-factor check.",
                hint="Unset APOC_PASSWORD_LOGIN once the staff sign in through their provider; "
                "mark one or two administrators 'nødadgang med adgangskode' instead.",
                id="accounts.W001",
            )
        )
    try:
        names = list(
            User.objects.filter(break_glass=True, is_active=True)
            .order_by("username")
            .values_list("username", flat=True)
        )
    except (DatabaseError, RuntimeError):
        names = []
    if names:
        messages.append(
            checks.Info(
                f"{len(names)} account(s) may sign in with a local password for break-glass "
                f"access: {', '.join(names[:10])}.",
                id="accounts.I001",
            )
        )
    return messages


def provider_secrets(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """``accounts.W002``: a provider names an environment variable for its secret that is
    not set, so its sign-ins fail at the token endpoint."""
    return [
        checks.Warning(
            f"Identity provider {provider.name!r}: the environment variable "
            f"{provider.client_secret_env} with its client secret is not set.",
            hint="Set it in the server's environment (never in the database), or clear the "
            "field for a public client.",
            obj=f"accounts.IdentityProvider {provider.slug}",
            id="accounts.W002",
        )
        for provider in _active() or []
        if provider.client_secret_env and not os.environ.get(provider.client_secret_env)
    ]


def production_providers(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Deploy: ``accounts.W010`` a provider over plain HTTP, ``accounts.W011`` without PKCE."""
    messages: list[checks.CheckMessage] = []
    for provider in _active() or []:
        if not provider.issuer.lower().startswith("https://"):
            messages.append(
                checks.Warning(
                    f"Identity provider {provider.name!r} is reached over plain HTTP "
                    f"({provider.issuer}): its tokens and keys can be read and changed on the way.",
                    hint="Use the provider's https:// issuer.",
                    obj=f"accounts.IdentityProvider {provider.slug}",
                    id="accounts.W010",
                )
            )
        if not provider.use_pkce:
            messages.append(
                checks.Warning(
                    f"Identity provider {provider.name!r} signs in without PKCE: an "
                    "authorization code caught on the way can be used by somebody else.",
                    hint="Turn PKCE on for the provider in admin (every current provider "
                    "supports S256).",
                    obj=f"accounts.IdentityProvider {provider.slug}",
                    id="accounts.W011",
                )
            )
    return messages


CHECKS: list[tuple[Callable[..., list[checks.CheckMessage]], bool]] = [
    (password_login, False),
    (provider_secrets, False),
    (production_providers, True),
]


def register() -> None:
    for check, deploy in CHECKS:
        checks.register(check, checks.Tags.security, deploy=deploy)
