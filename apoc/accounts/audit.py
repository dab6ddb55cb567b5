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
            # A password chosen by its owner, and how.
            "via": _("via"),
        },
        values={"via": {"link": _("link til at vælge adgangskode")}},
    )
