"""cpr.E001: production cannot forget that LocalRegistry's numbers are not real."""

import pytest
from django.core import checks
from django.core.checks.registry import registry
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from cpr.checks import registry_needs_training
from cpr.registry import LocalRegistry


class OfficeRegistry:
    """Stands in for an adapter to the CPR office's service: not training-only."""


class RecordingLocalRegistry(LocalRegistry):
    """Still picks the numbers itself."""


HERE = __name__


def deploy_messages(ids=("cpr.E001", "cpr.E002")) -> list[checks.CheckMessage]:
    found = registry.run_checks(include_deployment_checks=True)
    return [message for message in found if message.id in ids]


# Production as `make serve` has it, as far as it matters here.
PRODUCTION = {"DEBUG": False, "APOC_TRAINING": False, "CPR_REGISTRY": "cpr.registry.LocalRegistry"}


@override_settings(**PRODUCTION)
def test_production_settings_with_the_local_registry_fail_the_deploy_check():
    (error,) = deploy_messages()
    assert error.id == "cpr.E001"
    assert error.level == checks.ERROR
    assert "CPR_REGISTRY is cpr.registry.LocalRegistry" in error.msg
    assert "would not be real" in error.msg
    assert "APOC_TRAINING=1" in error.hint
    assert "For production, set CPR_REGISTRY to a registry" in error.hint


@override_settings(**PRODUCTION)
def test_make_serve_refuses_to_start_and_says_why():
    # `make serve` runs exactly this before it starts gunicorn.
    with pytest.raises(SystemCheckError) as caught:
        call_command("check", "--deploy", "--fail-level", "WARNING")
    assert "(cpr.E001) CPR_REGISTRY is cpr.registry.LocalRegistry" in str(caught.value)


@override_settings(**{**PRODUCTION, "APOC_TRAINING": True})
def test_training_mode_allows_the_local_registry():
    assert deploy_messages() == []
    assert registry_needs_training() == []


@override_settings(**{**PRODUCTION, "CPR_REGISTRY": f"{HERE}.OfficeRegistry"})
def test_another_registry_passes():
    assert deploy_messages() == []


@override_settings(**{**PRODUCTION, "CPR_REGISTRY": f"{HERE}.RecordingLocalRegistry"})
def test_a_subclass_of_the_local_registry_is_training_only_too():
    assert [message.id for message in deploy_messages()] == ["cpr.E001"]


@pytest.mark.parametrize("training", [False, True])
def test_a_registry_that_cannot_be_imported_is_an_error(training):
    with override_settings(
        **{**PRODUCTION, "APOC_TRAINING": training, "CPR_REGISTRY": "cpr.nope.X"}
    ):
        (error,) = deploy_messages()
    assert error.id == "cpr.E002"
    assert "'cpr.nope.X'" in error.msg


@override_settings(**PRODUCTION)
def test_it_is_a_deploy_check_only():
    # The development server and the tests (`manage.py check`) are not production.
    assert [m for m in registry.run_checks() if m.id.startswith("cpr.")] == []


def test_the_local_registry_is_marked_training_only():
    assert LocalRegistry.training_only is True
    assert not hasattr(OfficeRegistry, "training_only")
