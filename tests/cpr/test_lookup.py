"""The CPR look-up port (cpr.lookup) and APOC's own register behind it (LocalLookup)."""

import dataclasses
from datetime import date

import pytest
from django.core import checks
from django.core.checks.registry import registry
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from cpr import statuses
from cpr.checks import lookup_needs_training
from cpr.lookup import (
    REASONS,
    CprLookup,
    CprPerson,
    LocalLookup,
    LookupNotConfigured,
    LookupUnavailable,
    get_lookup,
)
from cpr.models import CprStatusChange, Source, StatusSource
from cpr.personnummer import InvalidPersonnummer
from cpr.serviceplatformen import ServiceplatformenLookup
from tests.factories import AllocationFactory

PERSON = CprPerson(
    personnummer="010190-2000",
    status="20",
    status_date=date(2023, 9, 4),
    given_names="Anna Maria",
    surname="Kowalska",
    addressing_name="Anna Maria Kowalska",
    birth_date=date(1990, 1, 1),
    sex="F",
)


# --- CprPerson and the errors --------------------------------------------------------------------


def test_a_person_is_masked_and_its_repr_shows_neither_number_nor_names():
    assert PERSON.masked == "010190-XXXX"
    text = repr(PERSON)
    assert text == "CprPerson('010190-XXXX', status='20')"
    assert "2000" not in text and "Kowalska" not in text
    assert "2000" not in f"{[PERSON]}"


def test_a_person_is_immutable_and_compares_by_value():
    with pytest.raises(dataclasses.FrozenInstanceError):
        PERSON.status = "90"  # type: ignore[misc]
    assert dataclasses.replace(PERSON) == PERSON


def test_lookup_unavailable_says_why_in_danish_and_english():
    error = LookupUnavailable("timeout", detail="TimeoutError")
    assert error.code == "cpr_lookup_unavailable"
    assert error.reason == "timeout" and error.detail == "TimeoutError"
    assert error.message == "CPR kunne ikke søges: Serviceplatformen svarede ikke i tide."
    with translation.override("en"):
        assert error.message_in(gettext) == (
            "CPR could not be searched: Serviceplatformen did not answer in time."
        )


def test_every_reason_renders_in_english():
    with translation.override("en"):
        for reason in REASONS:
            english = LookupUnavailable(reason).message_in(gettext)
            assert english.startswith("CPR could not be searched: "), english


def test_not_configured_is_a_lookup_unavailable_with_its_own_code():
    error = LookupNotConfigured(detail="SF1520_ENDPOINT is not set.")
    assert isinstance(error, LookupUnavailable)
    assert error.code == "cpr_lookup_not_configured"
    assert error.message == "CPR kunne ikke søges: opslaget i CPR er ikke sat op."
    assert "SF1520_ENDPOINT" not in error.message


def test_an_unknown_reason_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown reason"):
        LookupUnavailable("because")


# --- get_lookup -------------------------------------------------------------------------------------


def test_the_default_lookup_is_apocs_own_register():
    lookup = get_lookup()
    assert isinstance(lookup, LocalLookup)
    assert isinstance(lookup, CprLookup)
    assert lookup.description == "APOC's eget register (træning)"
    assert lookup.searches is False


@override_settings(CPR_LOOKUP="cpr.serviceplatformen.ServiceplatformenLookup")
def test_the_setting_chooses_the_lookup_and_the_caseworker_is_passed_on():
    lookup = get_lookup(on_behalf_of="sara")
    assert isinstance(lookup, ServiceplatformenLookup)
    assert isinstance(lookup, CprLookup)
    assert lookup.on_behalf_of == "sara"
    assert lookup.description == "CPR-replika via Serviceplatformen"


def test_the_descriptions_are_in_the_english_catalogue():
    with translation.override("en"):
        assert gettext(LocalLookup.description) == "APOC's own register (training)"
        assert gettext(ServiceplatformenLookup.description) == (
            "CPR replica through Serviceplatformen"
        )


# --- LocalLookup ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_local_lookup_answers_from_the_register_without_names():
    allocation = AllocationFactory(birth_date=date(1990, 5, 17), sex="F")
    person = LocalLookup().person(allocation.personnummer)
    assert person == CprPerson(
        personnummer=allocation.personnummer,
        status="20",
        status_date=timezone.localdate(allocation.allocated_at),
        given_names="",
        surname="",
        addressing_name="",
        birth_date=date(1990, 5, 17),
        sex="F",
    )


@pytest.mark.django_db
def test_local_lookup_reads_ten_digits_too():
    allocation = AllocationFactory()
    digits = allocation.personnummer.replace("-", "")
    assert LocalLookup().person(digits).personnummer == allocation.personnummer


@pytest.mark.django_db
def test_local_lookup_gives_the_latest_status_change():
    allocation = AllocationFactory(birth_date=date(1948, 3, 15), sex="M")
    CprStatusChange.objects.create(
        allocation=allocation,
        previous_status="20",
        status=statuses.RESIDENCE,
        effective_date=date(2024, 1, 2),
        source=StatusSource.CASEWORKER,
    )
    CprStatusChange.objects.create(
        allocation=allocation,
        previous_status=statuses.RESIDENCE,
        status=statuses.DEAD,
        effective_date=date(2024, 11, 30),
        source=StatusSource.CPR_LOOKUP,
    )
    allocation.cpr_status = statuses.DEAD
    allocation.save(update_fields=["cpr_status"])
    person = LocalLookup().person(allocation.personnummer)
    assert (person.status, person.status_date) == ("90", date(2024, 11, 30))


@pytest.mark.django_db
def test_a_recorded_number_has_no_status_date():
    # 1 January 1990 without modulus 11: the register records such numbers as they are.
    allocation = AllocationFactory(
        personnummer="010190-2000", birth_date=date(1990, 1, 1), source=Source.RECORDED
    )
    person = LocalLookup().person("010190-2000")
    assert person.personnummer == allocation.personnummer
    assert person.status_date is None


@pytest.mark.django_db
def test_local_lookup_does_not_know_a_number_outside_the_register():
    assert LocalLookup().person("010190-2000") is None


def test_local_lookup_refuses_what_is_no_personnummer():
    with pytest.raises(InvalidPersonnummer):
        LocalLookup().person("31049912345")


def test_local_lookup_does_not_search():
    lookup = LocalLookup()
    assert lookup.searches is False
    found = lookup.search(
        given_names="Anna", surname="Kowalska", birth_date=date(1990, 1, 1), sex="F"
    )
    assert found == []


# --- cpr.E003 / cpr.E004: LocalLookup is for training only ---------------------------------------

PRODUCTION = {
    "DEBUG": False,
    "APOC_TRAINING": False,
    "CPR_REGISTRY": "tests.cpr.test_checks.OfficeRegistry",
    "CPR_LOOKUP": "cpr.lookup.LocalLookup",
}


def deploy_messages(ids=("cpr.E003", "cpr.E004")) -> list[checks.CheckMessage]:
    found = registry.run_checks(include_deployment_checks=True)
    return [message for message in found if message.id in ids]


def test_local_lookup_is_marked_training_only():
    assert LocalLookup.training_only is True
    assert not getattr(ServiceplatformenLookup, "training_only", False)


@override_settings(**PRODUCTION)
def test_production_with_the_local_lookup_fails_the_deploy_check():
    (error,) = deploy_messages()
    assert error.id == "cpr.E003" and error.level == checks.ERROR
    assert "CPR_LOOKUP is cpr.lookup.LocalLookup, which is for training only" in error.msg
    assert "never asks CPR" in error.msg
    assert "APOC_TRAINING=1" in error.hint
    assert "cpr.serviceplatformen.ServiceplatformenLookup" in error.hint


@override_settings(**{**PRODUCTION, "APOC_TRAINING": True})
def test_training_mode_allows_the_local_lookup():
    assert deploy_messages() == []
    assert lookup_needs_training() == []


@override_settings(**{**PRODUCTION, "CPR_LOOKUP": "cpr.nope.Lookup"})
def test_a_lookup_that_cannot_be_imported_is_an_error():
    (error,) = deploy_messages()
    assert error.id == "cpr.E004"
    assert "'cpr.nope.Lookup'" in error.msg


@override_settings(**PRODUCTION)
def test_the_training_check_is_a_deploy_check_only():
    assert [m for m in registry.run_checks() if m.id in ("cpr.E003", "cpr.E004")] == []
