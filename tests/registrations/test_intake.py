"""The whole intake through the Django test client."""

import uuid
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apoc.audit.models import AuditEntry
from cpr.models import Allocation, Source
from cpr.personnummer import is_valid, parse
from registrations.models import IntakeRefusal, Registration
from tests.factories import CaseworkerFactory, RegistrationFactory, png_bytes

from .conftest import intake_post

pytestmark = pytest.mark.django_db

INTAKE = reverse("registrations:intake")


def submit(client, **overrides):
    return client.post(INTAKE, intake_post(**overrides))


def test_intake_page_has_the_form_with_a_fresh_token(caseworker_client):
    first = caseworker_client.get(INTAKE)
    second = caseworker_client.get(INTAKE)
    assert first.status_code == 200
    assert 'name="surname"' in first.content.decode()
    assert (
        first.context["form"].initial["submission_token"]
        != second.context["form"].initial["submission_token"]
    )


def test_polish_jobseeker_gets_a_valid_personnummer(caseworker_client, caseworker):
    response = submit(caseworker_client)
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert response.url == reverse("registrations:detail", args=[registration.pk])
    number = parse(registration.personnummer)
    assert is_valid(registration.personnummer)
    assert number.birth_date == date(1992, 4, 17)
    assert number.sex == "F"
    assert registration.allocation.cpr_status == "20"
    assert registration.allocation.source == Source.ALLOCATED
    assert registration.jobcentre == caseworker.jobcentre
    assert registration.created_by == caseworker
    assert registration.registered_as_jobseeker_at is not None
    assert registration.surname == "Wiśniewska"
    assert registration.name_key == "anna malgorzata wisniewska"
    assert registration.document_number_key == "ABA123456"
    assert registration.document_content_type == "image/png"
    assert registration.document_file.read() == png_bytes()
    page = caseworker_client.get(response.url)
    assert registration.personnummer in page.content.decode()
    entries = list(AuditEntry.objects.order_by("id").values_list("action", "subject_type"))
    assert entries == [
        ("duplicate_check", ""),
        ("create", "registrations.registration"),
        ("create", "jobnet.jobnetaccount"),
        ("view", "registrations.registration"),
    ]
    assert registration.jobnet_account.is_active
    assert registration.jobnet_account.issued_by == caseworker


def test_second_attempt_for_the_same_person_is_stopped(caseworker_client):
    assert submit(caseworker_client).status_code == 302
    again = submit(caseworker_client, document_number="XYZ 999999", document_country="PL")
    assert again.status_code == 409
    assert Registration.objects.count() == 1
    assert Allocation.objects.count() == 1
    body = again.content.decode()
    assert "allerede" in body
    assert Registration.objects.get().masked_personnummer in body


@pytest.mark.parametrize(
    "overrides",
    [
        {"surname": "WISNIEWSKA", "given_names": "Anna Malgorzata", "document_number": "NEW1"},
        {"surname": "wiśniewska", "given_names": "małgorzata anna", "document_number": "NEW2"},
        {
            "surname": "Kowalska",
            "given_names": "Ewa",
            "birth_date": "1980-01-01",
            "document_number": "aba-123456",
        },
    ],
)
def test_duplicates_by_name_accents_order_case_or_document(caseworker_client, overrides):
    assert submit(caseworker_client).status_code == 302
    response = submit(caseworker_client, **overrides)
    assert response.status_code == 409
    assert Registration.objects.count() == 1


def test_duplicate_at_another_jobcentre_names_it_and_masks_the_number(client, copenhagen, odense):
    other = RegistrationFactory(
        jobcentre=odense,
        surname="Wiśniewska",
        given_names="Małgorzata Anna",
        birth_date=date(1992, 4, 17),
    )
    client.force_login(CaseworkerFactory(jobcentre=copenhagen))
    response = submit(client)
    body = response.content.decode()
    assert response.status_code == 409
    assert "Jobcenter Odense" in body
    assert other.masked_personnummer in body
    assert other.personnummer not in body
    assert reverse("registrations:detail", args=[other.pk]) not in body


def test_a_number_annulled_for_wrong_data_is_replaced_by_a_new_one(caseworker_client, caseworker):
    """Registering again after an annulment decides by its reason (tests/registrations/
    test_lifecycle.py has every reason); a number with a wrong birth date is replaced."""
    annulled = RegistrationFactory(
        jobcentre=caseworker.jobcentre,
        surname="Wiśniewska",
        given_names="Małgorzata Anna",
        birth_date=date(1992, 4, 17),
        review_status="annulled",
        annulment_reason="wrong_data",
    )
    assert submit(caseworker_client).status_code == 302
    assert Registration.objects.count() == 2
    assert Registration.objects.exclude(pk=annulled.pk).get().replaces == annulled


def test_resubmitting_the_same_form_never_creates_a_second_registration(caseworker_client):
    data = intake_post()
    first = caseworker_client.post(INTAKE, data)
    data["document_file"] = SimpleUploadedFile("id.png", png_bytes(), content_type="image/png")
    second = caseworker_client.post(INTAKE, data)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Registration.objects.count() == 1
    assert Allocation.objects.count() == 1


def test_american_is_refused_with_a_clear_reason_and_nothing_allocated(caseworker_client):
    response = submit(
        caseworker_client, nationality="US", document_country="US", country_of_birth="US"
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors["nationality"]
    assert "EU/EØS" in form.errors["nationality"][0]
    assert not Registration.objects.exists()
    assert not Allocation.objects.exists()
    refusal = IntakeRefusal.objects.get()
    assert refusal.reason_codes and refusal.nationality == "US"


def test_existing_personnummer_is_recorded_and_no_new_one_allocated(caseworker_client):
    response = submit(caseworker_client, has_personnummer="on", existing_personnummer="070761-4285")
    assert response.status_code == 422
    assert not Registration.objects.exists()
    recorded = Allocation.objects.get()
    assert recorded.personnummer == "070761-4285"
    assert recorded.source == Source.RECORDED


def test_existing_personnummer_that_does_not_parse_is_a_field_error(caseworker_client):
    response = submit(caseworker_client, has_personnummer="on", existing_personnummer="310485-1234")
    assert response.status_code == 400
    assert "april" in response.context["form"].errors["existing_personnummer"][0]
    assert not Allocation.objects.exists()


def test_warnings_must_be_confirmed_and_the_confirmation_is_recorded(caseworker_client):
    entry = (date.today() - timedelta(days=250)).isoformat()
    data = intake_post(entry_date=entry)
    first = caseworker_client.post(INTAKE, data)
    assert first.status_code == 422
    assert not Registration.objects.exists()
    codes = [code for code, _ in first.context["form"].fields["confirm_warnings"].choices]
    assert codes
    # The document was kept: the confirmation step needs no new upload.
    data.pop("document_file")
    data["confirm_warnings"] = codes
    second = caseworker_client.post(INTAKE, data)
    assert second.status_code == 302
    assert Registration.objects.get().warnings_confirmed == sorted(codes)


def test_document_is_required(caseworker_client):
    response = submit(caseworker_client, document_file=None)
    assert response.status_code == 400
    assert "document_file" in response.context["form"].errors
    assert not Allocation.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("id.png", b"MZ\x90\x00" + b"\x00" * 100),
        ("id.pdf", b"%PDF-1.4 /OpenAction << /JS (app.alert(1)) >>\n%%EOF"),
        ("id.jpg", b""),
    ],
)
def test_uploads_that_are_not_what_they_claim_are_form_errors(caseworker_client, name, content):
    response = submit(caseworker_client, document_file=SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert response.context["form"].errors["document_file"]
    assert not Allocation.objects.exists()


def test_too_big_upload_is_a_form_error(caseworker_client, settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    response = submit(
        caseworker_client,
        document_file=SimpleUploadedFile("id.png", png_bytes(200, 200) + b"\0" * 2000),
    )
    assert response.status_code == 400
    assert "MB" in response.context["form"].errors["document_file"][0]


NASTY = [
    "<script>alert('x')</script>",
    "a" * 5000,
    "Robert\x00Tables",
    "Ann\x1bE",
    "\u202eevil",
    "",
]


@pytest.mark.parametrize(
    "field",
    [
        "surname",
        "given_names",
        "place_of_birth",
        "document_number",
        "stay_address",
        "phone",
        "asylum_case_id",
    ],
)
@pytest.mark.parametrize("value", NASTY)
def test_bad_text_is_a_form_error_or_escaped_never_a_500(caseworker_client, field, value):
    # The asylum case is stored for category C only; an asylum seeker of Polish nationality
    # with the decision's other details.
    group_c = {
        "category": "C",
        "decision_date": (date.today() - timedelta(days=10)).strftime("%d.%m.%Y"),
        "decision_reference": "PA-2026-77",
        "decision_by": "Jobcenter København",
        "purpose": "other",
    }
    response = submit(
        caseworker_client, **{**(group_c if field == "asylum_case_id" else {}), field: value}
    )
    if field == "asylum_case_id" and not value.strip():
        # Category C without its case: the rules refuse it next to the field.
        assert response.status_code == 422
        assert "asylsag" in response.content.decode().lower()
        return
    assert response.status_code in (302, 400)
    if "\x00" in value:  # refused before the form (apoc.middleware.RejectNulMiddleware)
        assert response.status_code == 400
        assert "ugyldigt tegn (NUL)" in response.content.decode()
        assert not Allocation.objects.exists()
        return
    if response.status_code == 400:
        assert field in response.context["form"].errors
        assert "<script>alert" not in response.content.decode()
        assert not Allocation.objects.exists()
        return
    registration = Registration.objects.get()
    assert getattr(registration, field) == value.strip()
    page = caseworker_client.get(response.url).content.decode()
    assert "<script>alert" not in page
    if field in ("surname", "given_names", "place_of_birth", "document_number") and value:
        assert "&lt;script&gt;alert" in page


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("birth_date", "2999-01-01"),
        ("birth_date", "1800-01-01"),
        ("birth_date", "31.02.1990"),
        ("birth_date", "not a date"),
        ("document_expiry", "99999-01-01"),
        ("expected_stay_months", "-1"),
        ("expected_stay_months", "many"),
        ("expected_stay_months", "1" * 40),
        ("sex", "X"),
        ("nationality", "QQ"),  # no country (XX is "unknown nationality", group C)
        ("nationality", "Polen"),
        ("category", "D"),
        ("email", "not-an-email"),
        ("submission_token", "not-a-uuid"),
        ("letter_language", "tlh"),
    ],
)
def test_wrong_types_and_impossible_values_are_form_errors(caseworker_client, field, value):
    response = submit(caseworker_client, **{field: value})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Allocation.objects.exists()


@pytest.mark.parametrize(
    "missing", ["surname", "birth_date", "sex", "nationality", "category", "submission_token"]
)
def test_missing_fields_are_form_errors(caseworker_client, missing):
    response = submit(caseworker_client, **{missing: None})
    assert response.status_code == 400
    assert missing in response.context["form"].errors


def test_expired_document_is_refused_next_to_the_field(caseworker_client):
    response = submit(
        caseworker_client, document_expiry=(date.today() - timedelta(days=1)).isoformat()
    )
    assert response.status_code == 422
    assert response.context["form"].errors["document_expiry"]


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(INTAKE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_user_without_a_role_is_forbidden(client, copenhagen):
    from tests.factories import UserFactory

    client.force_login(UserFactory(jobcentre=copenhagen))
    assert client.get(INTAKE).status_code == 403
    assert client.post(INTAKE, intake_post()).status_code == 403


def test_token_replay_from_another_user_does_not_leak(
    caseworker_client, copenhagen, odense, client
):
    data = intake_post()
    assert caseworker_client.post(INTAKE, data).status_code == 302
    from django.test import Client

    other = Client()
    other.force_login(CaseworkerFactory(jobcentre=odense))
    data["document_file"] = SimpleUploadedFile("id.png", png_bytes())
    response = other.post(INTAKE, data)
    assert response.status_code == 302
    assert other.get(response.url).status_code == 404
    assert Registration.objects.count() == 1


def test_a_fresh_token_is_accepted_for_a_new_person(caseworker_client):
    assert submit(caseworker_client).status_code == 302
    other = submit(
        caseworker_client,
        submission_token=str(uuid.uuid4()),
        surname="Nagy",
        given_names="Ödön",
        nationality="HU",
        document_country="HU",
        document_number="HU7788",
        birth_date="1975-11-30",
        sex="M",
    )
    assert other.status_code == 302
    assert Registration.objects.count() == 2


def test_a_user_without_a_jobcentre_is_told_why_nothing_is_registered(client):
    from tests.factories import NationalAdminFactory

    client.force_login(NationalAdminFactory())
    response = submit(client)
    assert response.status_code == 422
    assert "ikke knyttet til et jobcenter" in response.content.decode()
    assert not Allocation.objects.exists()
    assert not Registration.objects.exists()


def test_a_retry_without_its_document_after_the_intake_was_stored_shows_the_registration(
    caseworker_client,
):
    """The intake keeps no document once it is stored: such a retry is not an error page."""
    data = intake_post()
    first = caseworker_client.post(INTAKE, data)
    data.pop("document_file")
    again = caseworker_client.post(INTAKE, data, follow=True)
    assert again.redirect_chain[-1][0] == first.url
    assert "Registreringen var allerede gemt" in again.content.decode()
    assert Registration.objects.count() == 1
