"""The intake with an MRZ scan and a foreign personal ID number."""

from datetime import date

import pytest
from django.urls import reverse

from cpr.models import Allocation
from documents.mrz import check_digit
from registrations.models import Registration

from .conftest import intake_post

pytestmark = pytest.mark.django_db

INTAKE = reverse("registrations:intake")
READ_MRZ = reverse("registrations:intake_mrz")


def td1(
    *,
    number="ABA123456",
    birth="920417",
    sex="F",
    expiry="310501",
    nation="POL",
    issuer="POL",
    surname="WISNIEWSKA",
    given="MALGORZATA<ANNA",
) -> str:
    """A Polish ID card's MRZ with correct check digits."""
    line1 = f"I<{issuer}{number}{check_digit(number)}".ljust(30, "<")
    line2 = f"{birth}{check_digit(birth)}{sex}{expiry}{check_digit(expiry)}{nation}".ljust(29, "<")
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    line2 += str(check_digit(composite))
    line3 = f"{surname}<<{given}".ljust(30, "<")
    return "\n".join([line1, line2, line3])


def read(client, mrz, **overrides):
    blank = {key: "" for key in intake_post() if key not in ("submission_token", "document_file")}
    data = {
        **blank,
        "submission_token": intake_post()["submission_token"],
        "mrz": mrz,
        "read_mrz": "1",
        **overrides,
    }
    return client.post(READ_MRZ, data)


def test_mrz_fills_the_form_and_says_which_fields(caseworker_client):
    response = read(caseworker_client, td1())
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert initial["surname"] == "WISNIEWSKA"
    assert initial["given_names"] == "MALGORZATA ANNA"
    assert initial["birth_date"] == date(1992, 4, 17)
    assert initial["sex"] == "F"
    assert initial["nationality"] == "PL"
    assert initial["document_type"] == "id_card"
    assert initial["document_number"] == "ABA123456"
    assert initial["document_country"] == "PL"
    assert initial["document_expiry"] == date(2031, 5, 1)
    body = response.content.decode()
    # The dates are shown the Danish way, as the caseworker types them.
    assert 'value="17.04.1992"' in str(response.context["form"]["birth_date"])
    assert 'value="01.05.2031"' in str(response.context["form"]["document_expiry"])
    assert "Udfyldt fra MRZ" in body
    assert "ingen accenter" in body
    assert "autofocus" in str(response.context["form"]["surname"])
    assert not Allocation.objects.exists()


def test_german_d_is_mapped_to_germany(caseworker_client):
    response = read(
        caseworker_client, td1(nation="D<<", issuer="D<<", surname="MUELLER", given="JOERG")
    )
    initial = response.context["form"].initial
    assert (initial["nationality"], initial["document_country"]) == ("DE", "DE")


def test_mrz_then_corrected_name_then_submit(caseworker_client):
    filled = read(caseworker_client, td1()).context["form"].initial
    data = intake_post(submission_token=str(filled["submission_token"]))
    for key in (
        "surname",
        "given_names",
        "birth_date",
        "sex",
        "nationality",
        "document_number",
        "document_expiry",
    ):
        data[key] = filled[key]
    data.update(surname="Wiśniewska", given_names="Małgorzata Anna")
    response = caseworker_client.post(INTAKE, data)
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.surname == "Wiśniewska"
    assert registration.document_number == "ABA123456"


def test_what_a_complete_mrz_gave_waits_in_one_closed_block(caseworker_client):
    body = read(caseworker_client, td1()).content.decode()
    block = body[body.index('<details class="apoc-mrz-read') : body.index("</details>")]
    summary = block[: block.index("</summary>")]
    for said in (
        "Læst fra MRZ:",
        "Fødselsdato: 17.04.1992",
        "Køn: kvinde",
        "Statsborgerskab: Polen",
        "Dokumenttype: nationalt ID-kort",
        "Dokumentnummer: ABA123456",
        "Udløbsdato: 01.05.2031",
        "Vis og ret",
    ):
        assert said in summary, said
    for name in ("birth_date", "sex", "nationality", "document_number", "document_expiry"):
        assert f'name="{name}"' in block, name
        assert body.count(f'name="{name}"') == (2 if name == "sex" else 1), name
    # The names are outside it: they are corrected to the document's spelling.
    assert 'name="surname"' not in block


def test_a_partly_read_mrz_leaves_every_field_in_its_place(caseworker_client):
    mrz = td1().split("\n")
    broken = mrz[1][:6] + str((int(mrz[1][6]) + 1) % 10) + mrz[1][7:]
    body = read(caseworker_client, "\n".join([mrz[0], broken, mrz[2]])).content.decode()
    assert "apoc-mrz-read" not in body
    assert caseworker_client.get(INTAKE).content.decode().count("apoc-mrz-read") == 0


def test_a_wrong_check_digit_names_the_field_and_fills_nothing_from_that_line(caseworker_client):
    mrz = td1().split("\n")
    broken = mrz[1][:6] + str((int(mrz[1][6]) + 1) % 10) + mrz[1][7:]
    response = read(caseworker_client, "\n".join([mrz[0], broken, mrz[2]]))
    assert response.status_code == 422
    body = response.content.decode()
    assert "fødselsdato" in body
    initial = response.context["form"].initial
    assert not initial.get("birth_date")
    assert not initial.get("document_expiry")
    assert initial["surname"] == "WISNIEWSKA"
    assert not Allocation.objects.exists()


def test_ocr_confusion_is_reported_not_accepted(caseworker_client):
    mrz = td1().split("\n")
    confused = mrz[1][:2] + "O" + mrz[1][3:]  # O for 0 in the birth date
    response = read(caseworker_client, "\n".join([mrz[0], confused, mrz[2]]))
    assert response.status_code == 422
    assert any("'O'" in error for error in response.context["mrz_errors"])
    assert not response.context["form"].initial.get("birth_date")


def test_garbage_mrz_is_a_clear_error(caseworker_client):
    response = read(caseworker_client, "<script>alert(1)</script>")
    assert response.status_code == 422
    assert "<script>alert" not in response.content.decode()
    assert response.context["mrz_errors"]


def test_enter_submits_the_registration_not_the_mrz(caseworker_client):
    body = caseworker_client.get(INTAKE).content.decode()
    form = body[body.index('<form id="intake-form" method="post" enctype') :]
    first_submit = form[form.index('type="submit"') - 100 : form.index('type="submit"') + 60]
    assert 'name="submit"' in first_submit


def test_invalid_pesel_is_a_form_error_naming_the_number(caseworker_client):
    response = caseworker_client.post(INTAKE, intake_post(foreign_id_number="44051401358"))
    assert response.status_code == 400
    assert "PESEL" in response.context["form"].errors["foreign_id_number"][0]
    assert not Allocation.objects.exists()


def test_pesel_that_disagrees_with_the_birth_date_must_be_confirmed(caseworker_client):
    data = intake_post(foreign_id_number="44051401359", sex="M")
    first = caseworker_client.post(INTAKE, data)
    assert first.status_code == 422
    body = first.content.decode()
    assert "14.05.1944" in body and "17.04.1992" in body
    codes = [code for code, _ in first.context["form"].fields["confirm_warnings"].choices]
    assert codes == ["foreign_id_birth_date_mismatch"]
    data.pop("document_file")
    data["confirm_warnings"] = codes
    second = caseworker_client.post(INTAKE, data)
    assert second.status_code == 302, second.context["form"].errors
    registration = Registration.objects.get()
    assert registration.warnings_confirmed == ["foreign_id_birth_date_mismatch"]
    assert registration.foreign_id_key == "44051401359"


def test_the_normalised_foreign_number_feeds_the_duplicate_check(caseworker_client):
    pesel = "92041701350"  # valid? computed below if not
    from stdnum.pl import pesel as stdnum_pesel

    base = "9204170124"
    pesel = next(base + str(d) for d in range(10) if stdnum_pesel.is_valid(base + str(d)))
    assert caseworker_client.post(INTAKE, intake_post(foreign_id_number=pesel)).status_code == 302
    spaced = f"{pesel[:4]} {pesel[4:8]}-{pesel[8:]}"
    again = caseworker_client.post(
        INTAKE,
        intake_post(
            foreign_id_number=spaced,
            surname="Nowak",
            given_names="Ewa",
            document_number="ZZZ999",
            sex="F",
        ),
    )
    assert again.status_code == 409
    assert Registration.objects.count() == 1
    assert date(1992, 4, 17) == Registration.objects.get().birth_date


def test_a_picture_sent_with_the_mrz_is_kept_and_not_asked_for_again(caseworker_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import png_bytes

    response = read(
        caseworker_client, td1(), document_file=SimpleUploadedFile("id.png", png_bytes())
    )
    assert response.status_code == 200
    assert response.context["pending"]["type"] == "PNG"
    assert not response.context["form"].fields["document_file"].required
