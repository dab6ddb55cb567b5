"""What the accounts' entries in the access log write in their details, by name."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apoc.audit import registry


def register() -> None:
    """Names for the keys of apoc.accounts.services' entries (accounts and password links)."""
    registry.register_details(
        {
            # A new account, with the fields it was created with.
            "created": _("oprettet med"),
            # A link to choose a password: where it was sent, and for how long it works.
            "email": _("e-mail"),
            "valid_hours": _("gyldig i timer"),
            # A password chosen by its owner, and how; a sign-in, and through what
            # (a provider's short name, or "password").
            "via": _("via"),
            # A refused sign-in: why, and who the provider said the person was.
            "reason": _("begrundelse"),
            "sub": _("id hos udbyderen"),
            "username": _("brugernavn"),
        },
        values={
            "via": {"link": _("link til at vælge adgangskode"), "password": _("adgangskode")},
            "reason": {
                "password_login_off": _("adgangskode er slået fra for kontoen"),
                "signin.no_role": _("ingen rolle i APOC"),
                "signin.jobcentre_not_served": _("jobcenter, udbyderen ikke betjener"),
                "signin.no_jobcentre": _("intet jobcenter"),
                "signin.state": _("udløbet eller genbrugt login-forsøg"),
                "signin.inactive": _("deaktiveret konto"),
                "signin.missing_claim": _("mangler id"),
                "signin.provider_unavailable": _("udbyderen svarede ikke"),
            },
        },
    )
