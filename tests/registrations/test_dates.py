"""Every date a form takes lies in a range that makes sense for it (registrations.dates)."""

from __future__ import annotations

import inspect
from datetime import date, timedelta

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone, translation

from apoc.audit.models import AuditEntry
from cpr.models import Allocation
from registrations import admin_views
from registrations import forms as caseworker_forms
from registrations.dates import DATE_RANGES
from registrations.forms import DateField
from registrations.models import Offer, Registration
from tests.factories import RegistrationFactory, SupervisorFactory

from .conftest import intake_post

DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _danish():
    """Some fields are cleaned outside a request: in Danish, whatever an earlier request
    activated (LocaleMiddleware leaves the request's language active in the thread)."""
    with translation.override("da"):
        yield


def _form_classes() -> list[type[forms.Form]]:
    found = []
    for module in (caseworker_forms, admin_views):
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                found.append(value)
    return found


def _date_fields() -> list[tuple[type[forms.Form], str, forms.Field]]:
    fields = []
    for form_class in _form_classes():
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.DateField):
                fields.append((form_class, name, field))
    return fields


def test_every_date_field_of_the_forms_has_a_range():
    fields = _date_fields()
    names = {(form.__name__, name) for form, name, _field in fields}
    assert {
        ("IntakeForm", "birth_date"),
        ("IntakeForm", "document_expiry"),
        ("IntakeForm", "entry_date"),
        ("IntakeForm", "pd_u2_date"),
        ("IntakeForm", "decision_date"),
        ("IntakeForm", "offer_starts_on"),
        ("OfferForm", "starts_on"),
        ("OfferForm", "ends_on"),
        ("CprStatusForm", "effective_date"),
    } <= names
    unranged = [(form.__name__, name) for form, name, f in fields if not isinstance(f, DateField)]
    assert not unranged, f"date fields without a range in registrations.dates: {unranged}"


def _errors_on(field: DateField, value: date) -> list[str]:
    try:
        field.clean(value.isoformat())
    except forms.ValidationError as error:
        return [str(message) for message in error.messages]
    return []


@pytest.mark.parametrize(
    ("form", "name", "field"), _date_fields(), ids=lambda v: getattr(v, "__name__", str(v))
)
def test_the_ends_of_each_range_are_accepted_and_a_day_beyond_is_refused_by_name(form, name, field):
    earliest, latest = field.date_range.bounds(timezone.localdate())
    assert earliest < latest
    message = f"Datoen skal ligge mellem {earliest:%d.%m.%Y} og {latest:%d.%m.%Y}."
    assert _errors_on(field, earliest) == []
    assert _errors_on(field, latest) == []
    assert _errors_on(field, earliest - DAY) == [message]
    assert _errors_on(field, latest + DAY) == [message]
    assert _errors_on(field, date(9999, 12, 31)) == [message]
    # A year before 1000 is not read as a date at all: the field names the year.
    assert _errors_on(field, date(1, 1, 1)) == ["01.01.0001: år 0001 findes ikke."]


def test_the_ranges_make_sense_for_their_dates():
    today = date(2026, 12, 2)
    bounds = {name: r.bounds(today) for name, r in DATE_RANGES.items()}
    assert bounds["birth_date"] == (date(1906, 12, 2), today)
    assert bounds["entry_date"][1] == today
    assert bounds["decision_date"][1] == today
    assert bounds["effective_date"][1] == today
    assert bounds["document_expiry"] == (date(1976, 12, 2), date(2099, 12, 31))
    assert bounds["pd_u2_date"] == (date(2024, 12, 2), date(2027, 12, 2))
    # 29 February, a year on, is the 28th.
    assert DATE_RANGES["birth_date"].bounds(date(2024, 2, 29))[0] == date(1904, 2, 29)
    assert DATE_RANGES["pd_u2_date"].bounds(date(2024, 2, 29))[1] == date(2025, 2, 28)


# --- The findings, through the pages -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "extra", "says"),
    [
        ("entry_date", "0001-01-01", {}, "01.01.0001: år 0001 findes ikke."),
        ("entry_date", "1900-01-01", {}, "Datoen skal ligge mellem "),
        ("pd_u2_date", "9999-12-31", {"receives_pd_u2": "on"}, "Datoen skal ligge mellem "),
        ("birth_date", "1858-01-01", {}, "Datoen skal ligge mellem "),
        ("document_expiry", "2200-01-01", {}, "Datoen skal ligge mellem "),
        ("decision_date", "1900-01-01", {"category": "C"}, "Datoen skal ligge mellem "),
        ("offer_starts_on", "3000-01-01", {"category": "B"}, "Datoen skal ligge mellem "),
    ],
)
def test_an_implausible_intake_date_is_a_form_error_and_nothing_is_stored(
    caseworker_client, field, value, extra, says
):
    data = intake_post(**{field: value}, **extra)
    response = caseworker_client.post(reverse("registrations:intake"), data)
    assert response.status_code == 400
    [message] = response.context["form"].errors[field]
    assert message.startswith(says)
    # Even with every warning confirmed, the date is not stored.
    data.pop("document_file")
    data["confirm_warnings"] = ["entry_long_ago", "age_over_80", "document_expired_asylum"]
    again = caseworker_client.post(reverse("registrations:intake"), data)
    assert again.status_code == 400
    assert not Registration.objects.exists()
    assert not Allocation.objects.exists()


@pytest.mark.django_db
def test_an_offer_far_in_the_past_or_future_is_refused(caseworker_client, caseworker):
    registration = RegistrationFactory(jobcentre=caseworker.jobcentre, created_by=caseworker)
    url = reverse("registrations:offer_add", args=[registration.pk])
    this_year = timezone.localdate().year
    for starts, ends, says in (
        ("0001-01-01", "", "år 0001 findes ikke"),
        ("1900-01-01", "", "Datoen skal ligge mellem"),
        (f"{this_year}-01-01", "9999-12-31", "Datoen skal ligge mellem"),
    ):
        response = caseworker_client.post(
            url, {"kind": "danish", "provider": "Sprogskolen", "starts_on": starts, "ends_on": ends}
        )
        assert response.status_code == 400
        assert says in response.content.decode()
    assert not Offer.objects.exists()


@pytest.mark.django_db
def test_a_cpr_status_from_long_ago_is_refused_in_admin(client, caseworker):
    registration = RegistrationFactory(jobcentre=caseworker.jobcentre, created_by=caseworker)
    client.force_login(SupervisorFactory(jobcentre=caseworker.jobcentre))
    url = reverse(
        "admin:registrations_registration_lifecycle", args=[registration.pk, "cpr_status"]
    )
    response = client.post(
        url, {"status": "80", "effective_date": "1901-01-01", "source": "caseworker"}
    )
    assert response.status_code == 400
    assert "Datoen skal ligge mellem" in response.content.decode()
    registration.allocation.refresh_from_db()
    assert registration.allocation.cpr_status == "20"
    assert not AuditEntry.objects.filter(action="update").exists()
