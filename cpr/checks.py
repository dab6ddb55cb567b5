"""System checks of the ``cpr`` app, registered in ``CprConfig.ready()``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

from apoc.training import training_only_check

#: ``cpr.E001``: ``CPR_REGISTRY`` is ``LocalRegistry`` (or another training-only
#: registry) outside training mode. ``cpr.E002``: it names nothing importable.
registry_needs_training = training_only_check(
    setting="CPR_REGISTRY",
    error_id="cpr.E001",
    import_error_id="cpr.E002",
    consequence=(
        "the personnumre it hands out would not be real. APOC picks them itself and "
        "never reports them to the CPR office."
    ),
    production="set CPR_REGISTRY to a registry that gets its numbers from the CPR office.",
)

#: ``cpr.E003``: ``CPR_LOOKUP`` is ``LocalLookup`` (or another training-only look-up)
#: outside training mode. ``cpr.E004``: it names nothing importable.
lookup_needs_training = training_only_check(
    setting="CPR_LOOKUP",
    error_id="cpr.E003",
    import_error_id="cpr.E004",
    consequence=(
        "it answers from APOC's own register and never asks CPR, so a person CPR knows "
        "looks unknown, and a death or an emigration goes unseen."
    ),
    production=(
        "set CPR_LOOKUP to cpr.serviceplatformen.ServiceplatformenLookup and the SF1520_* "
        "settings (README, 'CPR look-up through Serviceplatformen')."
    ),
)


def lookup_configuration(
    app_configs: Sequence[Any] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """``cpr.E005`` and ``cpr.E006``: the look-up ``CPR_LOOKUP`` names misses a setting or
    a file (a look-up with a ``check_configuration`` class method says what it needs)."""
    try:
        lookup = import_string(settings.CPR_LOOKUP)
    except ImportError:
        return []  # cpr.E004, with --deploy
    check = getattr(lookup, "check_configuration", None)
    return check() if check is not None else []


def register() -> None:
    # Deploy only: `make serve` runs `check --deploy --fail-level WARNING`.
    checks.register(registry_needs_training, checks.Tags.security, deploy=True)
    checks.register(lookup_needs_training, checks.Tags.security, deploy=True)
    # Always: the development server and every manage.py command say it too.
    checks.register(lookup_configuration)
