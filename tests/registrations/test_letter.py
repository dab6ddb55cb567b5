"""Printing the Jobnet letter from the registration page, with either source of logins."""

import logging
import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.views.debug import ExceptionReporter

import registrations.views
from apoc.audit.models import AuditEntry
from jobnet.letters import TRAINING_NOTICE
from jobnet.models import JobnetAccount, LetterPrint
from registrations.models import Registration
from registrations.services import letter_data
from tests import test_faults
from tests.factories import (
    CaseworkerFactory,
    RegistrationFactory,
    SupervisorFactory,
    UserFactory,
)
from tests.jobnet.pdf import flat, page_texts, printed_credentials
from tests.jobnet.test_services import all_database_text

pytestmark = pytest.mark.django_db

# The groups of the data migration, after an earlier test's flush (as in tests/test_faults.py).
roles = test_faults.roles


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


# -- logins from the case system (JOBNET_ACCOUNTS = CaseSystemAccounts) -----------------

USERNAME = "Maria.K-2024"
PASSWORD = "Xq7#lO0p!Z"


@pytest.fixture
def case_system():
    with override_settings(JOBNET_ACCOUNTS="jobnet.accounts.CaseSystemAccounts"):
        yield


def typed(username=USERNAME, password=PASSWORD):
    return {"jobnet_username": username, "jobnet_password": password}


def input_tag(html: str, name: str) -> str:
    (tag,) = re.findall(rf'<input[^>]*name="{name}"[^>]*>', html)
    return tag


def test_case_system_step_asks_for_the_login_and_prints_nothing(
    case_system, caseworker_client, registration
):
    response = caseworker_client.get(letter_url(registration))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Opret brugeren i fagsystemet, og skriv brugernavn og engangsadgangskode her." in html
    assert "Brugernavn fra fagsystemet" in html and "Engangsadgangskode fra fagsystemet" in html
    for name in ("jobnet_username", "jobnet_password"):
        tag = input_tag(html, name)
        # Visible, so the caseworker can compare it with the case system; never
        # remembered or filled in by the browser.
        assert 'type="text"' in tag and 'autocomplete="off"' in tag, tag
        assert 'spellcheck="false"' in tag and 'autocapitalize="none"' in tag, tag
    assert 'target="_blank"' not in html  # errors come back to this page, not a new tab
    assert "holder op med at virke" not in html
    assert not LetterPrint.objects.exists() and not JobnetAccount.objects.exists()


def test_case_system_print_carries_the_typed_login_on_every_page(
    case_system, caseworker_client, caseworker, registration
):
    response = caseworker_client.post(letter_url(registration), typed())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    texts = page_texts(response.content)
    assert len(texts) == 3  # Danish, English, Romanian
    for text in texts:
        lines = [line.strip() for line in text.splitlines()]
        assert USERNAME in lines and PASSWORD in lines
        assert "Ștefan Țăranu" in flat(text)
    account = JobnetAccount.objects.get(registration=registration)
    assert account.source == JobnetAccount.Source.CASE_SYSTEM and account.username is None
    printed = LetterPrint.objects.get()
    assert (printed.account, printed.printed_by, printed.languages) == (
        account,
        caseworker,
        "da,en,ro",
    )
    (entry,) = AuditEntry.objects.filter(action="print_letter")
    assert entry.user == caseworker and entry.criteria == {"languages": ["da", "en", "ro"]}


def test_case_system_reprint_is_recorded_and_the_page_asks_for_a_new_password(
    case_system, caseworker_client, registration
):
    caseworker_client.post(letter_url(registration), typed())
    page = caseworker_client.get(letter_url(registration)).content.decode()
    assert "Der er allerede udskrevet et brev." in page
    assert "Et nyt brev skal have en ny engangsadgangskode fra fagsystemet." in page
    second = caseworker_client.post(letter_url(registration), typed(password="Other-0ne!"))
    assert printed_credentials(second.content) == (USERNAME, "Other-0ne!")
    assert LetterPrint.objects.count() == 2
    assert AuditEntry.objects.filter(action="print_letter").count() == 2
    assert JobnetAccount.objects.count() == 1


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (typed(password="Xq7# lO0p!Z"), "jobnet_password", "Engangsadgangskoden skal have"),
        (typed(password="Xq7#æO0p!Z"), "jobnet_password", "Engangsadgangskoden skal have"),
        (typed(password="Xq7#"), "jobnet_password", "Engangsadgangskoden skal have"),
        (typed(password="X" * 33), "jobnet_password", "Engangsadgangskoden skal have"),
        (typed(password=""), "jobnet_password", "Dette felt er påkrævet"),
        (typed(username="Maria K"), "jobnet_username", "Brugernavnet skal have"),
        (typed(username=""), "jobnet_username", "Dette felt er påkrævet"),
    ],
)
def test_a_login_that_cannot_be_one_is_refused_and_the_password_never_echoed(
    case_system, caseworker_client, registration, values, field, message, caplog
):
    caplog.set_level(logging.DEBUG)
    response = caseworker_client.post(letter_url(registration), values)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'href="#id_{field}"' in html  # the summary leads to the field
    if values["jobnet_password"]:
        assert values["jobnet_password"] not in html
        assert values["jobnet_password"] not in caplog.text
    assert "value=" not in input_tag(html, "jobnet_password")
    assert not LetterPrint.objects.exists() and not JobnetAccount.objects.exists()


def test_a_refused_username_keeps_the_username_but_not_the_password(
    case_system, caseworker_client, registration
):
    response = caseworker_client.post(letter_url(registration), typed(username="Maria K"))
    html = response.content.decode()
    assert 'value="Maria K"' in input_tag(html, "jobnet_username")  # not a secret
    assert PASSWORD not in html


def test_case_system_letters_are_refused_for_annulled_and_non_jobseekers_without_echo(
    case_system, caseworker_client, registration
):
    registration.review_status = "annulled"
    registration.save()
    response = caseworker_client.post(letter_url(registration), typed())
    assert response.status_code == 409
    assert "annulleret" in response.content.decode()
    assert PASSWORD not in response.content.decode()
    registration.review_status = "pending"
    registration.registered_as_jobseeker_at = None
    registration.save()
    response = caseworker_client.post(letter_url(registration), typed())
    assert response.status_code == 409
    assert "ikke tilmeldt som jobsøgende" in response.content.decode()
    assert PASSWORD not in response.content.decode()
    assert not LetterPrint.objects.exists() and not JobnetAccount.objects.exists()


def test_the_typed_password_is_nowhere_but_in_the_pdf(
    case_system, caseworker_client, registration, caplog
):
    caplog.set_level(logging.DEBUG)
    response = caseworker_client.post(letter_url(registration), typed())
    assert printed_credentials(response.content) == (USERNAME, PASSWORD)
    assert PASSWORD not in response.wsgi_request.get_full_path()
    for url in (reverse("registrations:detail", args=[registration.pk]), letter_url(registration)):
        assert PASSWORD not in caseworker_client.get(url).content.decode()
    session = caseworker_client.session
    assert all(PASSWORD not in str(value) for value in session.values())
    assert not AuditEntry.objects.filter(criteria__icontains=PASSWORD).exists()
    everything = all_database_text()
    assert "da,en,ro" in everything  # the scan does see the print
    for form in (PASSWORD, PASSWORD.lower(), PASSWORD.upper(), USERNAME):
        assert form not in everything
        assert form not in caplog.text


def test_an_error_report_of_a_failed_print_hides_the_typed_password(
    case_system, caseworker, registration, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("the printer library fell over")

    monkeypatch.setattr(registrations.views, "registration_letter_print", broken)
    client = Client(raise_request_exception=False)
    client.force_login(caseworker)
    response = client.post(letter_url(registration), typed())
    assert response.status_code == 500
    report = ExceptionReporter(response.wsgi_request, *response.exc_info).get_traceback_text()
    assert "jobnet_password" in report and "the printer library fell over" in report
    assert PASSWORD not in report


def test_an_intake_with_logins_from_the_case_system_makes_no_account(
    case_system, caseworker_client
):
    from .conftest import intake_post

    response = caseworker_client.post(reverse("registrations:intake"), intake_post())
    registration = Registration.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert registration.is_jobseeker and registration.jobnet_account is None
    assert not JobnetAccount.objects.exists()
    assert not AuditEntry.objects.filter(subject_type="jobnet.jobnetaccount").exists()
    pdf = caseworker_client.post(letter_url(registration), typed()).content
    assert printed_credentials(pdf) == (USERNAME, PASSWORD)
    assert "Małgorzata Anna Wiśniewska" in flat(" ".join(page_texts(pdf)))
    assert JobnetAccount.objects.get().source == JobnetAccount.Source.CASE_SYSTEM


def test_apocs_own_logins_ignore_typed_values(caseworker_client, registration):
    response = caseworker_client.post(letter_url(registration), typed())
    username, password = printed_credentials(response.content)
    assert (username, password) != (USERNAME, PASSWORD)
    assert JobnetAccount.objects.get(registration=registration).check_password(password)


def test_the_admin_says_where_a_login_from_the_case_system_is(
    case_system, caseworker_client, registration, client
):
    caseworker_client.post(letter_url(registration), typed())
    client.force_login(SupervisorFactory(jobcentre=registration.jobcentre))
    change = reverse("admin:registrations_registration_change", args=[registration.pk])
    page = client.get(change).content.decode()
    assert "Login fra fagsystemet; APOC gemmer hverken brugernavn eller adgangskode" in page
    assert "None" not in page.split('id="jobnet-history"')[1].split("</div>")[0]
    assert PASSWORD not in page


# --- The jobcentre's contact details -------------------------------------------------------


def test_the_letter_prints_the_jobcentre_s_contact_details_in_every_language(
    caseworker_client, caseworker, registration
):
    jobcentre = caseworker.jobcentre
    jobcentre.address = "Gyldenløvesgade 15, 1600 København V"
    jobcentre.phone = "33 17 33 17"
    jobcentre.email = "jobcenter@kk.example"
    jobcentre.opening_hours = "man–tor 9.00–15.00; fre 9.00–13.00"
    jobcentre.save()
    pdf = caseworker_client.post(letter_url(registration)).content
    da, en, ro = (flat(page) for page in page_texts(pdf))
    for page in (da, en, ro):
        for detail in ("Gyldenløvesgade 15", "1600 København V", "33 17 33 17", "kk.example"):
            assert detail in page, detail
    assert "Åbningstider: mandag–torsdag 9.00–15.00, fredag 9.00–13.00" in da
    assert "Opening hours: Monday–Thursday 9:00–15:00, Friday 9:00–13:00" in en
    assert "Program de lucru cu publicul: luni–joi 9:00–15:00, vineri 9:00–13:00" in ro
    assert "er du velkommen til at kontakte os" in da
    assert "you are welcome to contact us" in en


def test_a_jobcentre_without_contact_details_sends_no_invitation(
    caseworker_client, caseworker, registration
):
    jobcentre = caseworker.jobcentre
    jobcentre.address = "Gyldenløvesgade 15, 1600 København V"  # an address, but no hours
    jobcentre.phone = jobcentre.email = jobcentre.opening_hours = ""
    jobcentre.save()
    pdf = caseworker_client.post(letter_url(registration)).content
    da, en, _ro = (flat(page) for page in page_texts(pdf))
    assert "kontakte os" not in da
    assert "contact us" not in en
    assert "Dit brugernavn og din adgangskode til Jobnet" in da


def test_opening_hours_the_letter_cannot_read_are_left_out_and_logged(
    caseworker, registration, caplog
):
    jobcentre = caseworker.jobcentre
    jobcentre.phone = "33 17 33 17"
    jobcentre.opening_hours = "når det passer os"  # not through the admin, which refuses it
    jobcentre.save()
    with caplog.at_level(logging.WARNING, logger="registrations.services"):
        data = letter_data(registration, today=timezone.localdate())
    assert data.jobcentre_opening_hours == ()
    assert data.can_be_contacted  # the phone still says how
    assert "cannot be read" in caplog.text


# --- What printing a letter locks (PostgreSQL) ----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_printing_a_letter_locks_the_registration_only(postgresql_only, roles, monkeypatch):
    """While a letter is printed, other transactions can still refer to the registration's
    jobcentre and number (a foreign key's check takes FOR KEY SHARE on them): the print
    used to lock the jobcentre's row FOR UPDATE, which queued every intake and access-log
    entry of the jobcentre behind it and, with the log's chain, deadlocked under load."""
    import psycopg
    from django.db import connection

    from apoc.audit.services import AuditContext
    from registrations import services

    caseworker = CaseworkerFactory()
    registration = RegistrationFactory(jobcentre=caseworker.jobcentre, created_by=caseworker)
    settings = connection.settings_dict
    seen = {}

    def lockable(table: str, pk: int, mode: str) -> bool:
        with psycopg.connect(
            host=settings["HOST"],
            port=settings["PORT"] or 5432,
            user=settings["USER"],
            password=settings["PASSWORD"],
            dbname=settings["NAME"],
            autocommit=True,
        ) as other:
            try:
                other.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR {mode} NOWAIT", [pk])
            except psycopg.errors.LockNotAvailable:
                return False
            return True

    real = services.get_accounts

    class Watching:
        def __getattr__(self, name):
            return getattr(real(), name)

        def letter_print(self, **kwargs):
            seen["jobcentre"] = lockable(
                "accounts_jobcentre", registration.jobcentre_id, "KEY SHARE"
            )
            seen["allocation"] = lockable("cpr_allocation", registration.allocation_id, "KEY SHARE")
            seen["registration"] = lockable(
                "registrations_registration", registration.pk, "NO KEY UPDATE"
            )
            return real().letter_print(**kwargs)

    monkeypatch.setattr(services, "get_accounts", Watching)
    services.registration_letter_print(
        registration=registration, by=AuditContext.of(caseworker, "10.0.0.7")
    )
    assert seen == {"jobcentre": True, "allocation": True, "registration": False}
