"""System checks of the ``jobnet`` app, registered in ``JobnetConfig.ready()``."""

from __future__ import annotations

from django.core import checks

from apoc.training import training_only_check

#: ``jobnet.E001``: ``JOBNET_ACCOUNTS`` is ``LocalAccounts`` (or another training-only
#: source) outside training mode. ``jobnet.E002``: it names nothing importable.
accounts_need_training = training_only_check(
    setting="JOBNET_ACCOUNTS",
    error_id="jobnet.E001",
    import_error_id="jobnet.E002",
    consequence=(
        "the Jobnet logins in its letters would not work. APOC makes them up itself, and "
        "Jobnet never hears of them."
    ),
    production=(
        "set JOBNET_ACCOUNTS to jobnet.accounts.CaseSystemAccounts: the caseworker creates "
        "the login in the case system and types it into the letter's form."
    ),
)


def register() -> None:
    # Deploy only: `make serve` runs `check --deploy --fail-level WARNING`.
    checks.register(accounts_need_training, checks.Tags.security, deploy=True)
