"""The registry mode "issued in CPR": the intake asks for the number last, and checks it."""

import pytest
from django.test import override_settings
from django.urls import reverse

from cpr.models import Allocation, Source
from registrations.models import Registration

from .conftest import intake_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def issued_in_cpr():
    with override_settings(CPR_REGISTRY="cpr.registry.IssuedInCprRegistry"):
        yield


INTAKE = reverse("registrations:intake")
# intake_post() is a woman born 17 April 1992.
FITTING = "170492-4002"


def test_the_form_shows_the_step_for_the_number_from_cpr(caseworker_client):
    body = caseworker_client.get(INTAKE).content.decode()
    assert "Nyt personnummer fra CPR" in body
    assert 'name="issued_personnummer"' in body


def test_everything_is_checked_before_the_number_is_asked_for(caseworker_client):
    response = caseworker_client.post(INTAKE, intake_post())
    assert response.status_code == 422
    error = response.context["form"].errors["issued_personnummer"][0]
    assert "Tag nummeret ud i CPR-kontorets klient" in error
    assert not Registration.objects.exists() and not Allocation.objects.exists()


def test_a_fitting_number_is_recorded_as_issued_in_cpr(caseworker_client):
    response = caseworker_client.post(INTAKE, intake_post(issued_personnummer=FITTING))
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.personnummer == FITTING
    assert registration.allocation.source == Source.ISSUED
    page = caseworker_client.get(response.url).content.decode()
    assert "udstedt i CPR" in page


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("180492-4002", "fødselsdatoen 18.04.1992"),
        ("170492-5002", "7. ciffer (5)"),  # digit 7 = 5 with 92 is 1892
        ("170492-4001", "sidste ciffer (1)"),
    ],
)
def test_a_number_that_does_not_fit_is_refused_naming_what(caseworker_client, typed, named):
    response = caseworker_client.post(INTAKE, intake_post(issued_personnummer=typed))
    assert response.status_code == 422
    assert named in response.context["form"].errors["issued_personnummer"][0]
    assert not Allocation.objects.exists()


def test_a_number_already_in_the_register_is_refused(caseworker_client):
    from tests.factories import AllocationFactory

    AllocationFactory(personnummer=FITTING, birth_date="1992-04-17", sex="F")
    response = caseworker_client.post(INTAKE, intake_post(issued_personnummer=FITTING))
    assert response.status_code == 409
    assert (
        "findes allerede i registret" in response.context["form"].errors["issued_personnummer"][0]
    )
    assert not Registration.objects.exists()
