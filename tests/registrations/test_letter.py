"""Printing the Jobnet letter from the registration page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from apoc.audit.models import AuditEntry
from jobnet.letters import TRAINING_NOTICE
from jobnet.models import JobnetAccount, LetterPrint
from registrations.services import letter_data
from tests.factories import (
    CaseworkerFactory,
    RegistrationFactory,
    SupervisorFactory,
    UserFactory,
)
from tests.jobnet.pdf import flat, page_texts, printed_credentials

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration(caseworker):
    return RegistrationFactory(
        jobcentre=caseworker.jobcentre,
        surname="Țăranu",
        given_names="Ștefan",
        letter_language="ro",
        stay_co="Ion Popescu",
        stay_address="Istedgade 10, 2. tv\n1650 København V",
    )


def letter_url(registration):
    return reverse("registrations:letter", args=[registration.pk])


def test_confirmation_step_comes_first_and_prints_nothing(caseworker_client, registration):
    response = caseworker_client.get(letter_url(registration))
    assert response.status_code == 200
    assert "Udskriv Jobnet-brev" in response.content.decode()
    assert not LetterPrint.objects.exists()


def test_print_returns_the_letter_inline_uncached_with_the_persons_details(
    caseworker_client, caseworker, registration
):
    response = caseworker_client.post(letter_url(registration))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == 'inline; filename="jobnet-brev.pdf"'
    text = flat(" ".join(page_texts(response.content)))
    assert "Ștefan Țăranu" in text
    assert registration.personnummer in text
    assert "Jobcenter København" in text
    assert "c/o Ion Popescu" in text
    username, password = printed_credentials(response.content)
    account = JobnetAccount.objects.get(registration=registration)
    assert username == account.username
    assert account.check_password(password)
    assert LetterPrint.objects.get().printed_by == caseworker
    assert AuditEntry.objects.filter(action="print_letter").count() == 1


def test_reprint_replaces_the_password_and_the_page_shows_who_printed(
    caseworker_client, caseworker, registration
):
    first = caseworker_client.post(letter_url(registration)).content
    _, old_password = printed_credentials(first)
    confirm = caseworker_client.get(letter_url(registration)).content.decode()
    assert "holder op med at virke" in confirm
    second = caseworker_client.post(letter_url(registration)).content
    _, new_password = printed_credentials(second)
    account = JobnetAccount.objects.get(registration=registration)
    assert not account.check_password(old_password)
    assert account.check_password(new_password)
    page = caseworker_client.get(
        reverse("registrations:detail", args=[registration.pk])
    ).content.decode()
    assert page.count(caseworker.get_full_name()) >= 2
    assert LetterPrint.objects.count() == 2


def test_password_is_nowhere_but_in_the_pdf(caseworker_client, registration):
    pdf = caseworker_client.post(letter_url(registration)).content
    _, password = printed_credentials(pdf)
    for url in (reverse("registrations:detail", args=[registration.pk]), letter_url(registration)):
        assert password not in caseworker_client.get(url).content.decode()
    session = caseworker_client.session
    assert all(password not in str(value) for value in session.values())
    assert not AuditEntry.objects.filter(criteria__icontains=password).exists()


def test_annulled_registration_cannot_get_a_letter(caseworker_client, registration):
    registration.review_status = "annulled"
    registration.save()
    response = caseworker_client.post(letter_url(registration))
    assert response.status_code == 409
    assert "annulleret" in response.content.decode()
    assert not LetterPrint.objects.exists()


def test_other_jobcentres_registration_is_404(client, registration, odense):
    client.force_login(CaseworkerFactory(jobcentre=odense))
    assert client.get(letter_url(registration)).status_code == 404
    assert client.post(letter_url(registration)).status_code == 404
    assert not LetterPrint.objects.exists()


def test_user_without_the_print_permission_is_forbidden(client, registration):
    client.force_login(UserFactory(jobcentre=registration.jobcentre))
    assert client.post(letter_url(registration)).status_code == 403


def test_letter_from_a_real_intake_has_an_account_already(caseworker_client):
    from .conftest import intake_post

    response = caseworker_client.post(reverse("registrations:intake"), intake_post())
    registration_pk = int(response.url.rstrip("/").split("/")[-1])
    pdf = caseworker_client.post(reverse("registrations:letter", args=[registration_pk])).content
    text = flat(" ".join(page_texts(pdf)))
    assert "Małgorzata Anna Wiśniewska" in text
    assert JobnetAccount.objects.count() == 1


@pytest.mark.parametrize("training", [True, False])
def test_the_printed_letter_says_training_on_every_page_in_training_mode(
    caseworker_client, registration, settings, training
):
    settings.APOC_TRAINING = training
    pdf = caseworker_client.post(letter_url(registration)).content
    texts = page_texts(pdf)
    assert len(texts) == 3
    for text in texts:
        assert (TRAINING_NOTICE[0] in text) is training
    assert letter_data(registration, today=timezone.localdate()).training is training


def test_the_printed_letters_name_their_languages(client, caseworker, registration):
    """The pages list each print's languages by name, not as the stored "da,en,ro"."""
    client.force_login(caseworker)
    client.post(letter_url(registration))
    assert LetterPrint.objects.get().languages == "da,en,ro"
    page = client.get(reverse("registrations:detail", args=[registration.pk])).content.decode()
    client.force_login(SupervisorFactory(jobcentre=registration.jobcentre))
    change = reverse("admin:registrations_registration_change", args=[registration.pk])
    admin_page = client.get(change).content.decode()
    for body in (page, admin_page):
        assert "dansk, engelsk, rumænsk" in body
        assert "da,en,ro" not in body
