"""The intake's three steps, each on its own: decide, create, keep the document."""

import contextlib
import uuid
from datetime import date

import pytest
from django.db import OperationalError, transaction
from django.urls import reverse

import registrations.services
from apoc.audit.models import AuditEntry
from apoc.audit.services import AuditContext
from cpr.eligibility import NotEligible
from cpr.models import Allocation
from documents.foreign_ids import InvalidForeignId
from jobnet.models import JobnetAccount
from registrations.files import SubmittedDocument, document_storage, stored_document
from registrations.intake import IntakeData, WarningsNotConfirmed, intake_decide
from registrations.models import Registration
from registrations.services import DuplicateFound, registration_create, registration_submit
from tests import test_faults
from tests.concurrency import run_at_once
from tests.factories import CaseworkerFactory, JobcentreFactory, RegistrationFactory, png_bytes

TODAY = date(2026, 12, 2)


def data(**changes) -> IntakeData:
    values = {
        "surname": "Wiśniewska",
        "given_names": "Małgorzata Anna",
        "birth_date": date(1992, 4, 17),
        "sex": "F",
        "nationality": "PL",
        "place_of_birth": "Łódź",
        "country_of_birth": "PL",
        "document_type": "id_card",
        "document_number": "aba 123-456",
        "document_country": "PL",
        "document_expiry": date(2031, 5, 1),
        "address_abroad": "ul. Piotrkowska 1, 90-001 Łódź",
        "stay_address": "Istedgade 10, 1650 København V",
        "entry_date": date(2026, 11, 1),
        "purpose": "jobseeking",
        "expected_stay_months": 3,
        "category": "A",
    }
    values.update(changes)
    return IntakeData(**values)


def document() -> SubmittedDocument:
    return SubmittedDocument(png_bytes(), "png", "image/png")


# --- Step 1: the decision (pure) -------------------------------------------------------------


def test_an_eligible_intake_has_no_refusal_and_derives_its_keys():
    decision = intake_decide(data(), today=TODAY)
    assert decision.refusal(frozenset()) is None
    assert decision.keys.name_key == "anna malgorzata wisniewska"
    assert decision.keys.document_number_key == "ABA123456"
    assert decision.values["name_search"] == "malgorzata anna wisniewska"
    assert decision.values["document_number"] == "aba 123-456"  # as typed, kept
    assert "existing_personnummer" not in decision.values


def test_the_decision_drops_what_was_not_meant():
    decision = intake_decide(
        data(receives_pd_u2=False, pd_u2_date=date(2026, 10, 1), offer_kind="danish"), today=TODAY
    )
    assert decision.values["pd_u2_date"] is None
    assert decision.values["offer_kind"] == ""
    kept = intake_decide(data(category="B", offer_kind="danish"), today=TODAY)
    assert kept.values["offer_kind"] == "danish"


def test_blocks_come_before_a_bad_foreign_id_and_warnings():
    decision = intake_decide(
        data(nationality="US", foreign_id_number="123", birth_date=date(2015, 1, 1)), today=TODAY
    )
    assert isinstance(decision.refusal(frozenset()), NotEligible)


def test_an_invalid_foreign_id_comes_before_unconfirmed_warnings():
    decision = intake_decide(
        data(foreign_id_number="44051401358", birth_date=date(2015, 1, 1)), today=TODAY
    )
    refusal = decision.refusal(frozenset())
    assert isinstance(refusal, InvalidForeignId)
    assert refusal.code == "foreign_id_checksum"


def test_warnings_must_each_be_confirmed():
    decision = intake_decide(data(birth_date=date(1930, 1, 1)), today=TODAY)
    refusal = decision.refusal(frozenset())
    assert isinstance(refusal, WarningsNotConfirmed)
    assert [w.code for w in refusal.warnings] == ["age_over_80"]
    assert decision.refusal(frozenset({"age_over_80"})) is None
    assert decision.warning_codes == ["age_over_80"]


def test_a_foreign_id_mismatch_is_a_warning_of_the_decision():
    # PESEL 44051401359's birth date is 14.05.1944, not the one stated.
    decision = intake_decide(data(foreign_id_number="44051401359"), today=TODAY)
    assert "foreign_id_birth_date_mismatch" in decision.warning_codes
    assert "foreign_id_sex_mismatch" in decision.warning_codes
    assert decision.keys.foreign_id_key == "44051401359"


# --- Step 2: the transaction ------------------------------------------------------------------


@pytest.fixture
def by(caseworker):
    return AuditContext.of(caseworker, "10.0.0.7")


def test_create_stores_the_decision_with_its_number_account_and_log(by):
    decision = intake_decide(data(), today=TODAY)
    token = uuid.uuid4()
    registration = registration_create(
        decision=decision,
        document_name="documents/x.png",
        document_content_type="image/png",
        submission_token=token,
        by=by,
    )
    registration.refresh_from_db()
    assert registration.document_number_key == "ABA123456"
    assert registration.allocation.birth_date == date(1992, 4, 17)
    assert registration.allocation.sex == "F"
    assert registration.jobnet_account.issued_by == by.user
    assert registration.jobcentre_id == by.jobcentre_id
    assert registration.submission_token == token
    entries = AuditEntry.objects.order_by("id")
    assert [(e.action, e.subject_type) for e in entries] == [
        ("duplicate_check", ""),
        ("create", "registrations.registration"),
        ("create", "jobnet.jobnetaccount"),
    ]
    assert {e.ip_address for e in entries} == {"10.0.0.7"}
    assert entries[0].criteria["document"] == "PL:ABA123456"


def test_create_refuses_a_duplicate_and_leaves_nothing(by, caseworker):
    RegistrationFactory(document_country="PL", document_number_key="ABA123456")
    before = (Allocation.objects.count(), JobnetAccount.objects.count())
    with pytest.raises(DuplicateFound) as found:
        registration_create(
            decision=intake_decide(data(), today=TODAY),
            document_name="documents/x.png",
            document_content_type="image/png",
            submission_token=uuid.uuid4(),
            by=by,
        )
    assert found.value.matches[0].reasons == ("document",)
    assert (Allocation.objects.count(), JobnetAccount.objects.count()) == before
    assert Registration.objects.count() == 1


# --- Step 3: the document's file --------------------------------------------------------------


def test_a_failure_removes_the_stored_file(db):
    storage = document_storage()
    with pytest.raises(RuntimeError), stored_document(document()) as stored:
        assert storage.exists(stored.name)
        raise RuntimeError("the transaction failed")
    assert not storage.exists(stored.name)


def test_a_file_a_registration_refers_to_is_kept(db):
    storage = document_storage()
    with pytest.raises(OperationalError), stored_document(document()) as stored:
        RegistrationFactory(document_file=stored.name)
        raise OperationalError("the reply to COMMIT was lost")
    assert storage.exists(stored.name)


def unavailable(*args, **kwargs):
    raise OperationalError("the server is gone")


def test_the_file_is_kept_when_the_commit_failed_and_the_database_cannot_say(db, monkeypatch):
    storage = document_storage()
    with pytest.raises(OperationalError), stored_document(document()) as stored:
        monkeypatch.setattr(Registration.objects, "filter", unavailable)
        stored.committing = True
        raise OperationalError("the reply to COMMIT was lost")
    monkeypatch.undo()
    assert storage.exists(stored.name)


def test_the_file_goes_when_a_failure_before_the_commit_leaves_the_database_gone(db, monkeypatch):
    """Nothing was committed, so nothing can refer to the file: the database need not say."""
    storage = document_storage()
    with pytest.raises(OperationalError), stored_document(document()) as stored:
        monkeypatch.setattr(Registration.objects, "filter", unavailable)
        raise OperationalError("the database system is shutting down")
    monkeypatch.undo()
    assert not storage.exists(stored.name)


def test_an_intake_cut_off_before_its_commit_leaves_no_file(by, monkeypatch):
    """The database goes away during the intake's transaction and stays away."""
    before = set(document_storage().listdir("documents")[1])

    def allocation_lost(**kwargs):
        monkeypatch.setattr(Registration.objects, "filter", unavailable)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(registrations.services, "allocate_personnummer", allocation_lost)
    with pytest.raises(OperationalError):
        registration_submit(
            data=data(),
            document=document(),
            confirmed_warnings=frozenset(),
            submission_token=uuid.uuid4(),
            by=by,
            today=TODAY,
        )
    monkeypatch.undo()
    assert set(document_storage().listdir("documents")[1]) == before
    assert Registration.objects.count() == 0


class LostCommitReply:
    """Stands in for ``django.db.transaction`` in the services: the intake's transaction
    commits, then the connection fails before the reply arrives."""

    @contextlib.contextmanager
    def atomic(self, *args, **kwargs):
        with transaction.atomic(*args, **kwargs):
            yield
        raise OperationalError("server closed the connection unexpectedly")


def test_a_commit_whose_reply_was_lost_is_a_registration(by, monkeypatch):
    """The intake committed, then the connection failed: the intake succeeded."""
    monkeypatch.setattr(registrations.services, "transaction", LostCommitReply())
    token = uuid.uuid4()
    registration, created = registration_submit(
        data=data(),
        document=document(),
        confirmed_warnings=frozenset(),
        submission_token=token,
        by=by,
        today=TODAY,
    )
    assert created
    assert registration.submission_token == token
    assert document_storage().exists(registration.document_file.name)


def test_submit_without_a_jobcentre_is_refused(db, caseworker):
    caseworker.jobcentre = None
    with pytest.raises(registrations.services.NoJobcentre):
        registration_submit(
            data=data(),
            document=document(),
            confirmed_warnings=frozenset(),
            submission_token=uuid.uuid4(),
            by=AuditContext.of(caseworker),
            today=TODAY,
        )


# --- Serving a document whose file is missing -------------------------------------------------


def test_a_missing_document_is_a_clear_page_not_a_500(caseworker_client, caseworker, client):
    registration = RegistrationFactory(jobcentre=caseworker.jobcentre)
    document_storage().delete(registration.document_file.name)
    response = caseworker_client.get(reverse("registrations:document", args=[registration.pk]))
    assert response.status_code == 404
    assert "Billedet af ID-dokumentet mangler" in response.content.decode()
    assert AuditEntry.objects.filter(action="view_document").count() == 1


def test_a_missing_document_in_admin_is_a_clear_page_not_a_500(client, caseworker):
    from tests.factories import SupervisorFactory

    supervisor = SupervisorFactory(jobcentre=caseworker.jobcentre)
    registration = RegistrationFactory(jobcentre=caseworker.jobcentre)
    document_storage().delete(registration.document_file.name)
    client.force_login(supervisor)
    url = reverse("admin:registrations_registration_document", args=[registration.pk])
    response = client.get(url)
    assert response.status_code == 404
    assert "Billedet af ID-dokumentet mangler" in response.content.decode()


# --- The same submission again -------------------------------------------------------------


def _submit(by, token):
    return registration_submit(
        data=data(),
        document=document(),
        confirmed_warnings=frozenset(),
        submission_token=token,
        by=by,
        today=TODAY,
    )


def test_the_same_submission_again_is_the_registration_it_made(by):
    """Found by its token in the duplicate check: no second number, account, log or file."""
    token = uuid.uuid4()
    first, created = _submit(by, token)
    files = set(document_storage().listdir("documents")[1])
    entries = AuditEntry.objects.count()
    again, created_again = _submit(by, token)
    assert (created, created_again) == (True, False)
    assert again == first
    assert Registration.objects.count() == Allocation.objects.count() == 1
    assert JobnetAccount.objects.count() == 1
    assert AuditEntry.objects.count() == entries
    assert set(document_storage().listdir("documents")[1]) == files


def test_another_submission_of_the_same_person_is_still_a_duplicate(by):
    _submit(by, uuid.uuid4())
    with pytest.raises(DuplicateFound):
        _submit(by, uuid.uuid4())
    assert Registration.objects.count() == 1


# As in tests/test_faults.py: a flush in an earlier test in a real transaction may have emptied
# the groups of the data migration.
roles = test_faults.roles


@pytest.mark.django_db(transaction=True)
def test_a_double_click_registers_once_and_answers_both_with_the_registration(
    postgresql_only, roles
):
    """Two requests with the same submission at once: the second waits for the person's lock,
    then finds the first one's registration by its token, rather than calling it a duplicate."""
    jobcentre = JobcentreFactory(municipality_code="101", municipality="København")
    caseworker = CaseworkerFactory(username="dobbeltklik", jobcentre=jobcentre)
    by = AuditContext.of(caseworker, "10.0.0.7")
    token = uuid.uuid4()
    results, errors = run_at_once(lambda _: _submit(by, token), 2)
    assert not errors
    assert sorted(created for _, created in results) == [False, True]
    assert results[0][0] == results[1][0]
    assert Registration.objects.count() == Allocation.objects.count() == 1
