"""jobnet.E001: production cannot hand out the Jobnet logins APOC makes up as real ones."""

import pytest
from django.core import checks
from django.core.checks.registry import registry
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from jobnet.accounts import LocalAccounts
from jobnet.checks import accounts_need_training


class RecordingLocalAccounts(LocalAccounts):
    """Still makes the logins up."""


HERE = __name__
IDS = ("jobnet.E001", "jobnet.E002")


def deploy_messages(ids=IDS) -> list[checks.CheckMessage]:
    found = registry.run_checks(include_deployment_checks=True)
    return [message for message in found if message.id in ids]


# Production as `make serve` has it, as far as it matters here: a registry of numbers
# that passes, so that only the Jobnet logins decide.
PRODUCTION = {
    "DEBUG": False,
    "APOC_TRAINING": False,
    "CPR_REGISTRY": "tests.cpr.test_checks.OfficeRegistry",
    "JOBNET_ACCOUNTS": "jobnet.accounts.LocalAccounts",
}


@override_settings(**PRODUCTION)
def test_production_with_apocs_own_logins_fails_the_deploy_check():
    (error,) = deploy_messages()
    assert error.id == "jobnet.E001"
    assert error.level == checks.ERROR
    assert error.msg == (
        "JOBNET_ACCOUNTS is jobnet.accounts.LocalAccounts, which is for training only: the "
        "Jobnet logins in its letters would not work. APOC makes them up itself, and Jobnet "
        "never hears of them."
    )
    assert "APOC_TRAINING=1" in error.hint
    assert "For production, set JOBNET_ACCOUNTS to jobnet.accounts.CaseSystemAccounts" in (
        error.hint
    )


@override_settings(**PRODUCTION)
def test_make_serve_refuses_to_start_and_says_why():
    # `make serve` runs exactly this before it starts gunicorn.
    with pytest.raises(SystemCheckError) as caught:
        call_command("check", "--deploy", "--fail-level", "WARNING")
    assert "(jobnet.E001) JOBNET_ACCOUNTS is jobnet.accounts.LocalAccounts" in str(caught.value)


@override_settings(**{**PRODUCTION, "APOC_TRAINING": True})
def test_training_mode_allows_apocs_own_logins():
    assert deploy_messages() == []
    assert accounts_need_training() == []


@override_settings(**{**PRODUCTION, "JOBNET_ACCOUNTS": "jobnet.accounts.CaseSystemAccounts"})
def test_logins_from_the_case_system_pass():
    assert deploy_messages() == []
    with override_settings(APOC_TRAINING=True):
        assert deploy_messages() == []


@override_settings(**{**PRODUCTION, "JOBNET_ACCOUNTS": f"{HERE}.RecordingLocalAccounts"})
def test_a_subclass_of_apocs_own_source_is_training_only_too():
    assert [message.id for message in deploy_messages()] == ["jobnet.E001"]


@pytest.mark.parametrize("training", [False, True])
def test_a_source_that_cannot_be_imported_is_an_error(training):
    with override_settings(
        **{**PRODUCTION, "APOC_TRAINING": training, "JOBNET_ACCOUNTS": "jobnet.nope.X"}
    ):
        (error,) = deploy_messages()
    assert error.id == "jobnet.E002"
    assert "'jobnet.nope.X'" in error.msg


@override_settings(**PRODUCTION)
def test_it_is_a_deploy_check_only():
    assert [m for m in registry.run_checks() if m.id.startswith("jobnet.")] == []


@override_settings(**{**PRODUCTION, "CPR_REGISTRY": "cpr.registry.LocalRegistry"})
def test_both_training_only_choices_are_reported_together():
    found = registry.run_checks(include_deployment_checks=True)
    assert {"cpr.E001", "jobnet.E001"} <= {message.id for message in found}
