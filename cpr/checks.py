"""System checks of the ``cpr`` app, registered in ``CprConfig.ready()``."""

from __future__ import annotations

from django.core import checks

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


def register() -> None:
    # Deploy only: `make serve` runs `check --deploy --fail-level WARNING`.
    checks.register(registry_needs_training, checks.Tags.security, deploy=True)
