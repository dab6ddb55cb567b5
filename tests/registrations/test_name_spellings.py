"""One person, two spellings: the photo page's and the MRZ's share a key (ICAO 9303 Part 3).

A registration made from one spelling refuses an intake from the other as a duplicate,
and the search finds the person by either, on SQLite and on PostgreSQL.
"""

import importlib
from datetime import date

import pytest
from django.urls import reverse

from documents.transliteration import name_keys
from registrations.models import NameKey, Registration
from tests.factories import RegistrationFactory

from .conftest import intake_post

pytestmark = pytest.mark.django_db

INTAKE = reverse("registrations:intake")

#: (nationality, visual surname, visual given names, MRZ surname, MRZ given names)
PEOPLE = [
    ("DE", "Müller", "Jörg", "MUELLER", "JOERG"),
    ("DE", "Müller", "Jörg", "MULLER", "JORG"),
    ("NO", "Ågård", "Søren", "AAGAARD", "SOEREN"),
    ("GR", "Παπαδόπουλος", "Γεώργιος", "PAPADOPOULOS", "GEORGIOS"),
    ("GR", "Ευαγγέλου", "Ευάγγελος", "EVANGELOU", "EVANGELOS"),
    ("BG", "Щерева", "Йорданка", "SHTEREVA", "YORDANKA"),
    ("BG", "Иванова", "Мария", "IVANOVA", "MARIA"),
    ("HR", "Đorđević", "Željko", "DJORDJEVIC", "ZELJKO"),
    ("ES", "Muñoz", "José", "MUNOZ", "JOSE"),
    ("IS", "Þórsdóttir", "Þórunn", "THORSDOTTIR", "THORUNN"),
    ("PL", "Wiśniewski", "Łukasz", "WISNIEWSKI", "LUKASZ"),
]


def intake(client, nationality, surname, given_names, document_number):
    """An intake, with every warning it raises confirmed (e.g. a Nordic citizen's)."""
    data = intake_post(
        nationality=nationality,
        surname=surname,
        given_names=given_names,
        birth_date="1988-06-14",
        sex="M",
        document_number=document_number,
        document_country=nationality,
        country_of_birth=nationality,
    )
    response = client.post(INTAKE, data)
    if response.status_code == 422 and response.context.get("warnings"):
        codes = [c for c, _ in response.context["form"].fields["confirm_warnings"].choices]
        data.pop("document_file")
        response = client.post(INTAKE, {**data, "confirm_warnings": codes})
    return response


@pytest.mark.parametrize(("nationality", "surname", "given", "mrz_surname", "mrz_given"), PEOPLE)
def test_the_mrz_spelling_of_a_registered_person_is_a_duplicate(
    caseworker_client, nationality, surname, given, mrz_surname, mrz_given
):
    first = intake(caseworker_client, nationality, surname, given, "AA1111111")
    assert first.status_code == 302, first.context and first.context["form"].errors
    second = intake(caseworker_client, nationality, mrz_surname, mrz_given, "BB2222222")
    assert second.status_code == 409
    (match,) = second.context["duplicates"]
    assert match.reasons == ("name_and_birth_date",)
    assert Registration.objects.count() == 1


@pytest.mark.parametrize(("nationality", "surname", "given", "mrz_surname", "mrz_given"), PEOPLE)
def test_the_visual_spelling_of_a_person_registered_from_the_mrz_is_a_duplicate(
    caseworker_client, nationality, surname, given, mrz_surname, mrz_given
):
    assert intake(caseworker_client, nationality, mrz_surname, mrz_given, "AA1").status_code == 302
    second = intake(caseworker_client, nationality, surname, given, "BB2")
    assert second.status_code == 409
    assert Registration.objects.count() == 1


@pytest.mark.parametrize(("nationality", "surname", "given", "mrz_surname", "mrz_given"), PEOPLE)
def test_the_search_finds_the_person_by_either_spelling(
    caseworker_client, caseworker, nationality, surname, given, mrz_surname, mrz_given
):
    person = RegistrationFactory(
        jobcentre=caseworker.jobcentre, surname=surname, given_names=given, nationality=nationality
    )
    for query in (
        f"{given} {surname}",
        f"{mrz_surname} {mrz_given}",
        f"{mrz_given.lower()} {mrz_surname.lower()}",
    ):
        response = caseworker_client.post(
            reverse("registrations:search"), {"q": query}, follow=True
        )
        assert person in response.context["results"], query


def test_a_greek_name_is_found_by_its_latin_spelling_alone(caseworker_client, caseworker):
    person = RegistrationFactory(
        jobcentre=caseworker.jobcentre, surname="Παπαδόπουλος", given_names="Γεώργιος"
    )
    response = caseworker_client.post(
        reverse("registrations:search"), {"q": "papadopoulos"}, follow=True
    )
    assert list(response.context["results"]) == [person]


def test_the_keys_are_rebuilt_for_existing_registrations():
    """The data migration that gives registrations made before the keys existed their keys."""
    person = RegistrationFactory(surname="Müller", given_names="Jörg")
    NameKey.objects.all().delete()
    Registration.objects.filter(pk=person.pk).update(name_search="jorg muller")
    migration = importlib.import_module("registrations.migrations.0010_name_keys")
    from django.apps import apps

    migration.rebuild_name_keys(apps, None)
    stored = set(NameKey.objects.filter(registration=person).values_list("key", flat=True))
    assert stored == set(name_keys("Müller", "Jörg"))
    assert {"joerg mueller", "jorg muller"} <= stored
    assert NameKey.objects.get(key="joerg mueller").birth_date == person.birth_date
    assert "mueller" in Registration.objects.get(pk=person.pk).name_search
    migration.rebuild_name_keys(apps, None)  # again: nothing twice
    assert NameKey.objects.filter(registration=person).count() == len(stored)


def test_keys_of_another_birth_date_are_no_duplicate(caseworker_client):
    RegistrationFactory(surname="Müller", given_names="Jörg", birth_date=date(1988, 6, 15))
    assert intake(caseworker_client, "DE", "MUELLER", "JOERG", "CC3").status_code == 302
