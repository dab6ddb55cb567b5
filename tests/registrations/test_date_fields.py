"""Every date field the caseworker and the supervisor type into reads the date day first."""

from datetime import date, timedelta

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from cpr.models import CprStatusChange
from registrations.admin_views import CprStatusForm
from registrations.forms import DateField, DateInput, IntakeForm, OfferForm
from registrations.models import Offer, Registration
from tests.factories import RegistrationFactory, SupervisorFactory

from .conftest import intake_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _danish():
    """The forms below are used outside a request: in Danish, whatever ran before."""
    with translation.override("da"):
        yield


TODAY = date.today()

#: Every form with dates, and its date fields.
FORMS = [
    (
        IntakeForm,
        {
            "birth_date",
            "document_expiry",
            "entry_date",
            "pd_u2_date",
            "offer_starts_on",
            "decision_date",
        },
    ),
    (OfferForm, {"starts_on", "ends_on"}),
    (CprStatusForm, {"effective_date"}),
]


@pytest.mark.parametrize(("form_class", "names"), FORMS, ids=lambda v: getattr(v, "__name__", ""))
def test_every_date_field_is_a_danish_text_field(form_class, names):
    form = form_class()
    dates = {name for name, field in form.fields.items() if isinstance(field, forms.DateField)}
    assert dates == names
    for name in names:
        field = form.fields[name]
        assert isinstance(field, DateField), name
        assert isinstance(field.widget, DateInput), name
        html = str(form[name])
        assert 'type="text"' in html and 'type="date"' not in html, html
        assert 'inputmode="numeric"' in html
        assert "DD.MM.ÅÅÅÅ" in str(field.help_text), name


#: A year the offer's start accepts (DATE_RANGES: from five years back to two ahead).
YEAR = TODAY.year + 1


@pytest.mark.parametrize(
    "typed",
    [
        f"02.03.{YEAR}",
        f"0203{YEAR}",
        f"02-03-{YEAR}",
        f"02/03/{YEAR}",
        f"2.3.{YEAR}",
        f"{YEAR}-03-02",
    ],
)
def test_a_typed_date_is_read_day_first(typed):
    form = OfferForm(data={"kind": "danish", "provider": "Sprogskolen", "starts_on": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["starts_on"] == date(YEAR, 3, 2)


def test_a_date_is_shown_back_the_danish_way():
    form = OfferForm(initial={"starts_on": date(1990, 3, 2)})
    assert 'value="02.03.1990"' in str(form["starts_on"])
    # What was typed comes back as typed when the form has an error.
    bound = OfferForm(data={"kind": "danish", "provider": "", "starts_on": "2.3.1990"})
    assert not bound.is_valid()
    assert 'value="2.3.1990"' in str(bound["starts_on"])


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("31.04.1990", "31.04.1990: april har 30 dage."),
        ("02.03.90", "02.03.90: skriv året med fire cifre (DD.MM.ÅÅÅÅ), så der ikke er tvivl."),
        ("3/2/1990 kl. 9", "3/2/1990 kl. 9: skriv datoen som DD.MM.ÅÅÅÅ, fx 02.03.1990."),
    ],
)
def test_a_date_that_cannot_be_read_one_way_is_refused_by_its_field(typed, message):
    form = OfferForm(data={"kind": "danish", "provider": "Sprogskolen", "starts_on": typed})
    assert not form.is_valid()
    assert form.errors["starts_on"] == [message]


def test_the_intake_stores_the_day_first(caseworker_client):
    response = caseworker_client.post(
        reverse("registrations:intake"),
        intake_post(birth_date="02.03.1990", document_expiry="01052031"),
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    registration = Registration.objects.get()
    assert registration.birth_date == date(1990, 3, 2)
    assert registration.document_expiry == date(2031, 5, 1)


def test_the_intake_names_the_impossible_date_at_its_field(caseworker_client):
    response = caseworker_client.post(
        reverse("registrations:intake"), intake_post(birth_date="31.04.1990")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["birth_date"] == ["31.04.1990: april har 30 dage."]
    body = response.content.decode()
    assert 'value="31.04.1990"' in body
    assert not Registration.objects.exists()


def test_the_error_is_in_english_for_an_english_user(caseworker_client):
    caseworker_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = caseworker_client.post(
        reverse("registrations:intake"), intake_post(birth_date="31.04.1990")
    )
    assert response.context["form"].errors["birth_date"] == ["31.04.1990: April has 30 days."]


def test_an_offer_is_registered_with_danish_dates(caseworker_client, caseworker):
    registration = RegistrationFactory(jobcentre=caseworker.jobcentre, created_by=caseworker)
    start = TODAY + timedelta(days=3)
    response = caseworker_client.post(
        reverse("registrations:offer_add", args=[registration.pk]),
        {"kind": "danish", "provider": "Sprogskolen", "starts_on": start.strftime("%d.%m.%Y")},
    )
    assert response.status_code == 302
    assert Offer.objects.get().starts_on == start


def test_the_supervisor_records_a_cpr_status_with_a_danish_date(client, copenhagen):
    registration = RegistrationFactory(jobcentre=copenhagen)
    client.force_login(SupervisorFactory(jobcentre=copenhagen))
    url = reverse(
        "admin:registrations_registration_lifecycle", args=[registration.pk, "cpr_status"]
    )
    response = client.post(
        url, {"status": "01", "effective_date": "02.03.2026", "source": "cpr_lookup"}
    )
    assert response.status_code == 302
    assert CprStatusChange.objects.get().effective_date == date(2026, 3, 2)
    refused = client.post(
        url, {"status": "80", "effective_date": "31.04.2026", "source": "cpr_lookup"}
    )
    assert refused.status_code == 400
    assert "31.04.2026: april har 30 dage." in refused.content.decode()
