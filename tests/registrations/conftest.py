import uuid
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import CaseworkerFactory, JobcentreFactory, png_bytes


@pytest.fixture
def copenhagen(db):
    return JobcentreFactory(municipality_code="101", municipality="København")


@pytest.fixture
def odense(db):
    return JobcentreFactory(municipality_code="461", municipality="Odense", region="1083")


@pytest.fixture
def caseworker(copenhagen):
    return CaseworkerFactory(username="sara", jobcentre=copenhagen)


@pytest.fixture
def caseworker_client(client, caseworker):
    client.force_login(caseworker)
    return client


def intake_post(**overrides):
    """A complete, eligible intake for a Polish jobseeker."""
    data = {
        "submission_token": str(uuid.uuid4()),
        "surname": "Wiśniewska",
        "given_names": "Małgorzata Anna",
        "birth_date": "1992-04-17",
        "sex": "F",
        "nationality": "PL",
        "place_of_birth": "Łódź",
        "country_of_birth": "PL",
        "document_type": "id_card",
        "document_number": "ABA 123456",
        "document_country": "PL",
        "document_expiry": "2031-05-01",
        "document_file": SimpleUploadedFile("id.png", png_bytes(), content_type="image/png"),
        "foreign_id_number": "",
        "address_abroad": "ul. Piotrkowska 1\n90-001 Łódź",
        "stay_address": "Istedgade 10, 2. tv\n1650 København V",
        "stay_co": "",
        "phone": "+48 600 000 000",
        "email": "",
        "letter_language": "pl",
        "entry_date": date.today().replace(day=1).isoformat(),
        "purpose": "jobseeking",
        "expected_stay_months": "3",
        "category": "A",
        "offer_kind": "",
        "asylum_case_id": "",
        "decision_date": "",
        "decision_reference": "",
        "existing_personnummer": "",
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data
