"""Search CPR before a number is given, through the intake, against the local fake Serviceplatformen.

The fake is a real HTTPS server on 127.0.0.1 that requires the client certificate
(tests/fake_serviceplatformen.py); nothing here patches the transport.
"""

import time
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from apoc.audit.models import AuditEntry
from cpr.models import Allocation, CprStatusChange, Source
from registrations.models import CprAttention, CprCheck, Registration
from tests.factories import AllocationFactory, RegistrationFactory

from .conftest import intake_post

pytestmark = pytest.mark.django_db

INTAKE = reverse("registrations:intake")
#: Anna Maria Kowalska, 1 January 1990, a woman: in the fake CPR as 010190-2000
#: (a number without modulus 11, on one of the CPR office's 26 dates).
ANNA = {"surname": "Kowalska", "given_names": "Anna Maria", "birth_date": "1990-01-01", "sex": "F"}


@pytest.fixture
def cpr(fake_serviceplatformen):
    """APOC asks the fake, with the search service on."""
    with override_settings(**fake_serviceplatformen.settings(CPR_QUERY_ENABLED=True)):
        yield fake_serviceplatformen


@pytest.fixture
def lookup_only(fake_serviceplatformen):
    """APOC asks the fake, with the look-up of a number only (the search service off)."""
    with override_settings(**fake_serviceplatformen.settings()):
        yield fake_serviceplatformen


def post(client, data):
    """Post the intake again without the file (it waits from the first post)."""
    data = {**data}
    data.pop("document_file", None)
    return client.post(INTAKE, data)


def confirm_all(client, response, data):
    codes = [code for code, _ in response.context["form"].fields["confirm_warnings"].choices]
    return post(client, {**data, "confirm_warnings": codes}), codes


# --- A search finds the person -------------------------------------------------------------------


def test_a_person_cpr_knows_keeps_the_number_and_gets_no_new_one(caseworker_client, cpr):
    data = intake_post(**ANNA)
    first = caseworker_client.post(INTAKE, data)
    assert first.status_code == 409
    body = first.content.decode()
    assert "010190-XXXX" in body and "010190-2000" not in body
    assert "Anna Maria Kowalska" in body
    rows = first.context["cpr_candidates"]
    assert [row["masked"] for row in rows] == ["010190-XXXX"]
    assert not Registration.objects.exists()

    response = post(caseworker_client, {**data, "cpr_choice": "0"})
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.personnummer == "010190-2000"
    assert registration.allocation.source == Source.RECORDED
    assert Allocation.objects.count() == 1  # no new number
    check = CprCheck.objects.get()
    assert (check.result, check.kind, check.checked_by) == (
        "person_confirmed",
        "search",
        registration.created_by,
    )
    assert check.candidates[0]["masked"] == "010190-XXXX"
    shown, entry = AuditEntry.objects.filter(action="cpr_lookup").order_by("id")
    # The candidates shown at the first post, by their full numbers (the page had them masked) ...
    assert shown.criteria == {
        "kind": "search",
        "result": "candidates_shown",
        "candidates": ["010190-2000"],
    }
    # ... and the answer, with the registration.
    assert entry.criteria == {
        "kind": "search",
        "result": "person_confirmed",
        "found": 1,
        "chosen": "010190-XXXX",
    }
    assert "opslag i CPR" in _audit_for("010190-2000")


def _audit_for(number: str) -> str:
    out = StringIO()
    call_command("audit_for", number, stdout=out)
    return out.getvalue()


def test_candidates_shown_and_left_are_logged_for_each_of_them(caseworker_client, cpr):
    """An intake given up after CPR showed people still leaves who was shown."""
    data = intake_post(**ANNA)
    assert caseworker_client.post(INTAKE, data).status_code == 409
    assert post(caseworker_client, {**data, "cpr_choice": "none"}).status_code == 422
    assert not Registration.objects.exists()
    entries = AuditEntry.objects.filter(action="cpr_lookup")
    assert [e.criteria["candidates"] for e in entries] == [["010190-2000"], ["010190-2000"]]
    text = _audit_for("010190-2000")
    assert text.count("opslag i CPR") == 2


def test_not_the_person_needs_a_reason_and_then_a_new_number_is_given(caseworker_client, cpr):
    data = intake_post(**ANNA)
    assert caseworker_client.post(INTAKE, data).status_code == 409
    without = post(caseworker_client, {**data, "cpr_choice": "none"})
    assert without.status_code == 422
    assert without.context["form"].errors["cpr_not_person_reason"]
    assert without.context["cpr_candidates"][0]["masked"] == "010190-XXXX"

    reason = "Anden mor og andet fødested ifølge passet"
    response = post(
        caseworker_client, {**data, "cpr_choice": "none", "cpr_not_person_reason": reason}
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.personnummer != "010190-2000"
    assert registration.allocation.source == Source.ALLOCATED
    check = CprCheck.objects.get()
    assert (check.result, check.reason) == ("not_person", reason)


def test_no_candidates_means_no_question(caseworker_client, cpr):
    assert caseworker_client.post(INTAKE, intake_post()).status_code == 302
    assert CprCheck.objects.get().result == "no_match"
    assert cpr.last_request.path.endswith("/Query/3")


def test_with_the_look_up_alone_nobody_is_searched_for(caseworker_client, lookup_only):
    assert caseworker_client.post(INTAKE, intake_post(**ANNA)).status_code == 302
    assert lookup_only.request_count == 0
    assert CprCheck.objects.get().result == "not_searched"


# --- A presented number is looked up ------------------------------------------------------------


def test_a_presented_number_cpr_knows_is_used(caseworker_client, lookup_only):
    data = intake_post(**ANNA, existing_personnummer="010190-2000")
    response = caseworker_client.post(INTAKE, data)
    assert response.status_code == 302
    assert Registration.objects.get().personnummer == "010190-2000"
    assert CprCheck.objects.get().result == "number_found"


def test_a_presented_number_under_another_name_is_a_warning(caseworker_client, lookup_only):
    data = intake_post(existing_personnummer="010190-2000", birth_date="1990-01-01")
    first = caseworker_client.post(INTAKE, data)
    assert first.status_code == 422
    assert "CPR har navnet Anna Maria Kowalska" in first.content.decode()
    response, codes = confirm_all(caseworker_client, first, data)
    assert codes == ["cpr_name_differs"]
    assert response.status_code == 302


def test_a_dead_persons_number_is_a_warning(caseworker_client, lookup_only):
    data = intake_post(
        surname="Hansen",
        given_names="Jens Peter",
        birth_date="1948-03-15",
        sex="M",
        existing_personnummer="150348-1991",
    )
    first = caseworker_client.post(INTAKE, data)
    assert first.status_code == 422
    assert "90 – død" in first.content.decode()


def test_a_number_cpr_does_not_know_is_a_warning(caseworker_client, lookup_only):
    data = intake_post(existing_personnummer="170492-4002")
    first = caseworker_client.post(INTAKE, data)
    assert first.status_code == 422
    assert "CPR kender ikke personnummeret 170492-XXXX" in first.content.decode()


# --- CPR does not answer -------------------------------------------------------------------------


@pytest.mark.parametrize("failure", ["503", "fault", "close"])
def test_when_cpr_fails_the_intake_goes_on_after_the_warning(caseworker_client, cpr, failure):
    cpr.failure = failure
    data = intake_post(**ANNA)
    first = caseworker_client.post(INTAKE, data)
    assert first.status_code == 422
    assert "CPR kunne ikke søges" in first.content.decode()
    response, codes = confirm_all(caseworker_client, first, data)
    assert codes == ["cpr_unavailable"]
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.cpr_pending
    assert "cpr_unavailable" in registration.warnings_confirmed
    assert CprCheck.objects.get().result == "unavailable"


def test_a_slow_cpr_is_given_up_on_in_time(caseworker_client, fake_serviceplatformen):
    fake_serviceplatformen.latency = 2.0
    settings = fake_serviceplatformen.settings(CPR_QUERY_ENABLED=True, SF1520_TIMEOUT=0.3)
    with override_settings(**settings):
        start = time.monotonic()
        response = caseworker_client.post(INTAKE, intake_post(**ANNA))
        elapsed = time.monotonic() - start
    assert response.status_code == 422
    assert "CPR kunne ikke søges" in response.content.decode()
    assert elapsed < 1.5


def test_cpr_down_then_the_nightly_reconciliation_finds_the_person(caseworker_client, cpr):
    cpr.failure = "503"
    data = intake_post(**ANNA)
    first = caseworker_client.post(INTAKE, data)
    confirm_all(caseworker_client, first, data)
    registration = Registration.objects.get()
    assert registration.cpr_pending

    cpr.failure = None
    out = StringIO()
    call_command("cpr_reconcile", "--rate", "0", stdout=out)
    registration.refresh_from_db()
    assert not registration.cpr_pending
    assert registration.cpr_attention == CprAttention.CANDIDATES
    found = registration.cpr_checks.get(result="candidates")
    assert found.candidates[0]["masked"] == "010190-XXXX"
    assert "candidates: 1" in out.getvalue()


# --- The nightly reconciliation -----------------------------------------------------------------


def reconcile():
    out = StringIO()
    call_command("cpr_reconcile", "--rate", "0", stdout=out)
    return out.getvalue()


def test_reconciliation_confirms_numbers_and_records_changed_statuses(lookup_only):
    residence = RegistrationFactory(
        surname="Rossi",
        given_names="Sofia",
        birth_date=date(1985, 7, 24),
        allocation=AllocationFactory(
            personnummer="240785-1962", birth_date=date(1985, 7, 24), sex="F"
        ),
    )
    text = reconcile()
    residence.allocation.refresh_from_db()
    assert residence.allocation.cpr_status == "01"
    assert residence.allocation.cpr_confirmed_at is not None
    change = CprStatusChange.objects.get()
    assert (change.previous_status, change.status, change.source) == ("20", "01", "reconcile")
    assert change.effective_date == date(2025, 2, 1)
    assert "status_changed: 1" in text
    # Idempotent: nothing more to do until the number is due again.
    assert "nothing was due" in reconcile()
    assert CprStatusChange.objects.count() == 1


def test_reconciliation_flags_numbers_cpr_does_not_know_or_names_it_differently(lookup_only):
    unknown = RegistrationFactory()
    renamed = RegistrationFactory(
        surname="Nowak",
        birth_date=date(1990, 1, 1),
        allocation=AllocationFactory(personnummer="010190-2000", birth_date=date(1990, 1, 1)),
    )
    reconcile()
    unknown.refresh_from_db()
    renamed.refresh_from_db()
    assert unknown.cpr_attention == CprAttention.NOT_FOUND
    assert renamed.cpr_attention == CprAttention.NAME_DIFFERS
    checks = CprCheck.objects.count()
    reconcile()  # the unknown one is asked again, and nothing is recorded twice
    assert CprCheck.objects.count() == checks


def test_reconciliation_stops_when_cpr_does_not_answer(lookup_only):
    RegistrationFactory.create_batch(6)
    lookup_only.failure = "503"
    with pytest.raises(Exception, match="CPR did not answer"):
        reconcile()
    assert not Allocation.objects.filter(cpr_confirmed_at__isnull=False).exists()


def test_a_supervisor_sees_the_choice_in_admin(caseworker_client, client, cpr, copenhagen):
    from tests.factories import SupervisorFactory

    data = intake_post(**ANNA)
    caseworker_client.post(INTAKE, data)
    reason = "Anden mor ifølge passet"
    post(caseworker_client, {**data, "cpr_choice": "none", "cpr_not_person_reason": reason})
    registration = Registration.objects.get()
    client.force_login(SupervisorFactory(jobcentre=copenhagen))
    change = reverse("admin:registrations_registration_change", args=[registration.pk])
    body = client.get(change).content.decode()
    assert "ikke personen" in body and reason in body and "010190-XXXX" in body
    assert "010190-2000" not in body
    listed = client.get(
        reverse("admin:registrations_registration_changelist") + "?cpr_attention__exact=candidates"
    )
    assert listed.status_code == 200
