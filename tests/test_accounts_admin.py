"""Staff users and jobcentres in admin: national administrators only."""

import pytest
from django.urls import reverse

from apoc.accounts.models import Jobcentre, User
from tests.factories import JobcentreFactory, NationalAdminFactory, SupervisorFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def national_client(client):
    client.force_login(NationalAdminFactory(username="niels"))
    return client


def test_supervisor_cannot_manage_users_or_jobcentres(client):
    client.force_login(SupervisorFactory(jobcentre=JobcentreFactory()))
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert client.get(reverse("admin:accounts_jobcentre_changelist")).status_code == 403


def test_national_administrator_creates_a_caseworker_at_a_jobcentre(national_client):
    odense = Jobcentre.objects.get(municipality_code="461")
    response = national_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "ny-sagsbehandler",
            "jobcentre": odense.pk,
            "usable_password": "true",
            "password1": "en-lang-og-god-adgangskode",
            "password2": "en-lang-og-god-adgangskode",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(username="ny-sagsbehandler").jobcentre == odense


def test_national_administrator_cannot_make_a_superuser(national_client):
    user = UserFactory(jobcentre=JobcentreFactory())
    response = national_client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert response.status_code == 200
    readonly = response.context["adminform"].readonly_fields
    assert "is_superuser" in readonly and "user_permissions" in readonly


def test_no_one_deletes_staff_or_jobcentres(national_client):
    user = UserFactory(jobcentre=JobcentreFactory())
    assert (
        national_client.get(reverse("admin:accounts_user_delete", args=[user.pk])).status_code
        == 403
    )
    jobcentre = Jobcentre.objects.get(municipality_code="101")
    assert (
        national_client.get(
            reverse("admin:accounts_jobcentre_delete", args=[jobcentre.pk])
        ).status_code
        == 403
    )
    assert national_client.get(reverse("admin:accounts_jobcentre_add")).status_code == 403


def test_national_administrator_edits_a_jobcentres_contact_data_not_its_code(national_client):
    jobcentre = Jobcentre.objects.get(municipality_code="101")
    response = national_client.post(
        reverse("admin:accounts_jobcentre_change", args=[jobcentre.pk]),
        {
            "municipality_code": "999",
            "name": jobcentre.name,
            "address": jobcentre.address,
            "phone": "33 33 33 33",
            "email": "jobcenter@kk.dk",
        },
    )
    assert response.status_code == 302
    jobcentre.refresh_from_db()
    assert jobcentre.phone == "33 33 33 33"
    assert jobcentre.municipality_code == "101"
