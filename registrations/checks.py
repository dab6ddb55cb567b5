"""System checks of the ``registrations`` app, registered in ``RegistrationsConfig.ready()``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core import checks
from django.db import DatabaseError

from apoc.accounts.models import Jobcentre

#: How many jobcentres the warning names before it says how many more there are.
NAMED = 10


def jobcentres_without_contact_details(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """``registrations.W001``: a jobcentre that has registrations, so sends Jobnet letters,
    but no phone, no e-mail and no address with opening hours. Its letters leave out the
    invitation to get in touch; a national administrator should fill them in.

    It reads the database, so it says nothing when it cannot: before ``migrate`` (no
    tables), without a database, or where database access is refused (pytest-django
    raises RuntimeError in a test without a database, and every ``check`` runs this)."""
    try:
        jobcentres = [
            jobcentre
            for jobcentre in Jobcentre.objects.filter(registration__isnull=False)
            .distinct()
            .order_by("municipality_code")
            if not jobcentre.contactable
        ]
    except (DatabaseError, RuntimeError):
        return []
    if not jobcentres:
        return []
    names = ", ".join(str(jobcentre) for jobcentre in jobcentres[:NAMED])
    if len(jobcentres) > NAMED:
        names += f" and {len(jobcentres) - NAMED} more"
    return [
        checks.Warning(
            f"{len(jobcentres)} jobcentre(s) have registrations but no contact details: "
            f'{names}. Their Jobnet letters leave out "er du velkommen til at kontakte os" '
            '("you are welcome to contact us"): they cannot say how.',
            hint=(
                "A national administrator fills in the phone, the e-mail, or the address and "
                "the opening hours in admin, under Jobcentre (the filter 'kontaktoplysninger: "
                "mangler' lists them)."
            ),
            obj="accounts.Jobcentre",
            id="registrations.W001",
        )
    ]


def register() -> None:
    # Always, like cpr.E005: `manage.py check`, the development server and every command
    # say it. `make serve` fails on the deploy checks' warnings only, not on this one.
    checks.register(jobcentres_without_contact_details)
