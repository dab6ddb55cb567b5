"""Each group gets its own outcome; group C can be entered; people who already have a number.

Through the intake view, as the caseworker works, and through the services.
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from apoc.audit.models import AuditEntry
from cpr.models import Allocation, Source
from jobnet.models import JobnetAccount
from registrations.models import Offer, Registration

from .conftest import intake_post

pytestmark = pytest.mark.django_db

INTAKE = reverse("registrations:intake")
TODAY = date.today()


def submit(client, **overrides):
    return client.post(INTAKE, intake_post(**overrides))


def confirm_all(client, response, data):
    """Post the intake again with every warning it showed confirmed (the upload waits)."""
    codes = [code for code, _ in response.context["form"].fields["confirm_warnings"].choices]
    data = {**data, "confirm_warnings": codes}
    data.pop("document_file", None)
    return client.post(INTAKE, data), codes


def group_b(**overrides):
    values = {
        "category": "B",
        "offer_kind": "danish",
        "offer_provider": "Sprogcenter København",
        "offer_starts_on": (TODAY + timedelta(days=7)).isoformat(),
    }
    values.update(overrides)
    return intake_post(**values)


def group_c(**overrides):
    values = {
        "category": "C",
        "nationality": "XA",  # stateless
        "document_type": "passport",
        "document_country": "SY",
        "asylum_case_id": "UDL-2026-123456",
        "decision_date": (TODAY - timedelta(days=10)).isoformat(),
        "decision_reference": "PA-2026-77",
        "decision_by": "Jobcenter København, Lise Holm",
        "purpose": "other",
        "expected_stay_months": "24",
        "letter_language": "en",
    }
    values.update(overrides)
    return intake_post(**values)


# --- Group A -----------------------------------------------------------------------------------


def test_group_a_is_registered_as_jobseeker_with_a_jobnet_account(caseworker_client):
    response = submit(caseworker_client)
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.is_jobseeker
    assert registration.jobnet_account is not None
    assert registration.outcome == "Tilmeldt som jobsøgende"
    page = caseworker_client.get(response.url).content.decode()
    assert "Tilmeldt som jobsøgende" in page
    assert reverse("registrations:letter", args=[registration.pk]) in page


# --- Group B -----------------------------------------------------------------------------------


def test_group_b_records_the_offer_and_gives_no_letter_without_jobseeking(caseworker_client):
    response = caseworker_client.post(INTAKE, group_b())
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert not registration.is_jobseeker
    assert registration.registered_as_jobseeker_at is None
    assert registration.jobnet_account is None
    assert not JobnetAccount.objects.exists()
    offer = Offer.objects.get()
    assert (offer.registration, offer.kind, offer.provider) == (
        registration,
        "danish",
        "Sprogcenter København",
    )
    assert registration.outcome == "Tilbud registreret, ikke tilmeldt som jobsøgende"

    page = caseworker_client.get(response.url).content.decode()
    assert "Tilbud registreret, ikke tilmeldt som jobsøgende" in page
    assert reverse("registrations:letter", args=[registration.pk]) not in page
    assert "Tilmeld som jobsøgende" in page

    letter = caseworker_client.post(reverse("registrations:letter", args=[registration.pk]))
    assert letter.status_code == 409
    assert "ikke tilmeldt som jobsøgende" in letter.content.decode()
    assert letter["Content-Type"].startswith("text/html")
    assert not AuditEntry.objects.filter(action="print_letter").exists()


def test_group_b_who_also_seeks_work_gets_the_letter(caseworker_client):
    response = caseworker_client.post(INTAKE, group_b(jobseeker="on"))
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.is_jobseeker
    assert registration.outcome == "Tilbud registreret, tilmeldt som jobsøgende"
    letter = caseworker_client.post(reverse("registrations:letter", args=[registration.pk]))
    assert letter.status_code == 200
    assert letter.content.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("offer_kind", "beskæftigelsesrettet tilbud eller danskundervisning"),
        ("offer_provider", "hvem der giver tilbuddet"),
        ("offer_starts_on", "hvornår tilbuddet begynder"),
    ],
)
def test_group_b_without_its_offer_is_refused_next_to_the_field(
    caseworker_client, missing, message
):
    response = caseworker_client.post(INTAKE, group_b(**{missing: ""}))
    assert response.status_code == 422
    assert message in response.context["form"].errors[missing][0]
    assert not Registration.objects.exists()


# --- Group C -----------------------------------------------------------------------------------


def test_group_c_stateless_with_an_expired_passport_is_registered_after_the_warning(
    caseworker_client,
):
    data = group_c(document_expiry=(TODAY - timedelta(days=30)).isoformat())
    first = caseworker_client.post(INTAKE, data)
    assert first.status_code == 422
    assert "For en asylansøger er det ingen hindring" in first.content.decode()
    response, codes = confirm_all(caseworker_client, first, data)
    assert "document_expired_asylum" in codes
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.nationality == "XA"
    assert registration.nationality.name == "Statsløs"
    assert registration.decision_by == "Jobcenter København, Lise Holm"
    assert registration.decision_reference == "PA-2026-77"
    assert "document_expired_asylum" in registration.warnings_confirmed
    assert not registration.is_jobseeker
    assert registration.jobnet_account is None
    assert registration.outcome == "Personlig assistance registreret, ikke tilmeldt som jobsøgende"


def test_group_c_with_the_asylum_card_needs_no_expiry(caseworker_client):
    data = group_c(document_type="asylum_card", document_expiry="", jobseeker="on")
    response = caseworker_client.post(INTAKE, data)
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.document_expiry is None
    assert registration.is_jobseeker


def test_a_withheld_passport_is_a_warning_for_c_and_a_block_for_a(caseworker_client):
    blocked = submit(caseworker_client, document_withheld="on")
    assert blocked.status_code == 422
    assert "document_withheld" in blocked.context["form"].errors
    data = group_c(document_withheld="on")
    warned = caseworker_client.post(INTAKE, data)
    assert warned.status_code == 422
    response, codes = confirm_all(caseworker_client, warned, data)
    assert codes == ["document_withheld_asylum"]
    assert response.status_code == 302


@pytest.mark.parametrize("code", ["XA", "XB", "XC", "XX"])
def test_stateless_refugee_and_unknown_nationality_are_choices_for_c_only(caseworker_client, code):
    refused = submit(caseworker_client, nationality=code)
    assert refused.status_code == 422
    assert "kun gives i kategori C" in refused.context["form"].errors["nationality"][0]
    assert caseworker_client.post(INTAKE, group_c(nationality=code)).status_code == 302


def test_a_passport_without_expiry_is_refused_for_a(caseworker_client):
    response = submit(caseworker_client, document_type="passport", document_expiry="")
    assert response.status_code == 422
    assert "Udløbsdato mangler" in response.context["form"].errors["document_expiry"][0]


@pytest.mark.parametrize(("code", "name"), [("FO", "Færøerne"), ("GL", "Grønland")])
def test_faroese_and_greenlandic_citizens_are_told_they_are_danish(caseworker_client, code, name):
    for data in (intake_post(nationality=code), group_c(nationality=code)):
        response = caseworker_client.post(INTAKE, data)
        assert response.status_code == 422
        message = response.context["form"].errors["nationality"][0]
        assert f"Personer fra {name} er danske statsborgere" in message
        assert "EU/EØS" not in message


# --- People who already have a number ----------------------------------------------------------


def test_an_existing_number_without_modulus_11_is_recorded_and_used(caseworker_client):
    """1 January 1990 is on the CPR office's list of dates without modulus 11."""
    number = "010190-2000"  # fails modulus 11, a woman
    data = intake_post(birth_date="1990-01-01", has_personnummer="on", existing_personnummer=number)
    response = caseworker_client.post(INTAKE, data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    registration = Registration.objects.get()
    assert registration.personnummer == number
    assert registration.allocation.source == Source.RECORDED
    assert Allocation.objects.count() == 1  # no new number
    assert registration.is_jobseeker
    letter = caseworker_client.post(reverse("registrations:letter", args=[registration.pk]))
    assert letter.status_code == 200
    offer = caseworker_client.post(
        reverse("registrations:offer_add", args=[registration.pk]),
        {"kind": "danish", "provider": "Sprogskolen", "starts_on": TODAY.isoformat()},
    )
    assert offer.status_code == 302


def test_a_number_already_in_the_register_without_registration_is_used(caseworker_client):
    # Typed on an earlier intake that stopped at a warning: recorded, not used yet.
    person = {"birth_date": "1990-01-01", "existing_personnummer": "010190-2000"}
    first = caseworker_client.post(INTAKE, intake_post(nationality="US", **person))
    assert first.status_code == 422
    assert Allocation.objects.get().personnummer == "010190-2000"
    assert caseworker_client.post(INTAKE, intake_post(**person)).status_code == 302
    assert Registration.objects.get().allocation == Allocation.objects.get()


def test_a_number_registered_to_someone_is_a_duplicate(caseworker_client, caseworker):
    from tests.factories import RegistrationFactory

    other = RegistrationFactory(jobcentre=caseworker.jobcentre)
    response = submit(
        caseworker_client,
        existing_personnummer=other.personnummer,
        birth_date=other.birth_date.isoformat(),
        sex=other.sex,
    )
    assert response.status_code == 409
    assert response.context["duplicates"][0].reasons == ("personnummer",)
    assert Registration.objects.count() == 1


def test_every_valid_number_typed_ends_in_the_register_even_when_refused(caseworker_client):
    response = submit(caseworker_client, nationality="US", existing_personnummer="070761-4285")
    assert response.status_code == 422
    recorded = Allocation.objects.get()
    assert (recorded.personnummer, recorded.source) == ("070761-4285", Source.RECORDED)


def test_a_replacement_number_is_refused_with_what_it_is(caseworker_client):
    response = submit(caseworker_client, existing_personnummer="670761-4285")
    assert response.status_code == 400
    message = response.context["form"].errors["existing_personnummer"][0]
    assert "erstatningspersonnummer" in message
    assert "Spørg personen efter et rigtigt dansk personnummer" in message
    assert not Allocation.objects.exists()


# --- The stay municipality and the sex digit ---------------------------------------------------


def test_the_stay_municipality_defaults_to_the_caseworkers_jobcentre(caseworker_client):
    form = caseworker_client.get(INTAKE).context["form"]
    assert form.initial["stay_municipality"] == "101"
    assert submit(caseworker_client).status_code == 302
    assert Registration.objects.get().stay_municipality == "101"


def test_another_stay_municipality_is_a_warning_to_confirm(caseworker_client):
    data = intake_post(stay_municipality="461")
    first = caseworker_client.post(INTAKE, data)
    assert first.status_code == 422
    assert "Odense Kommune" in first.content.decode()
    response, codes = confirm_all(caseworker_client, first, data)
    assert codes == ["stay_municipality_other"]
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.stay_municipality == "461"
    assert "stay_municipality_other" in registration.warnings_confirmed


def test_an_unspecified_sex_in_the_document_is_recorded_beside_the_chosen_one(
    caseworker_client,
):
    response = submit(caseworker_client, sex="F", document_sex="X")
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert (registration.sex, registration.document_sex) == ("F", "X")
    assert int(registration.personnummer[-1]) % 2 == 0
    page = caseworker_client.get(response.url).content.decode()
    assert "uspecificeret (X eller &lt;)" in page
