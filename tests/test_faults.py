"""Faults: a database error in the middle of a transaction leaves nothing behind.

The failures are injected where the intake and the letter write (the
registration, the Jobnet account, the access log, the letter's record), and
the connection is lost in the middle of a request. Each time the user gets the
503 page that says nothing was half-saved, never a 500, and the next request
works. These tests run in real transactions (not inside a test transaction),
so a commit or a rollback is the database's own.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import DatabaseError, OperationalError, connection
from django.test import Client
from django.urls import reverse

import jobnet.services
import registrations.services
from apoc.accounts.roles import ROLE_PERMISSIONS
from apoc.audit.models import AuditEntry
from cpr.models import Allocation
from jobnet.models import JobnetAccount, LetterPrint
from registrations.models import Registration
from tests.factories import CaseworkerFactory, JobcentreFactory, RegistrationFactory
from tests.jobnet.pdf import printed_credentials
from tests.registrations.conftest import intake_post

pytestmark = pytest.mark.django_db(transaction=True)

UNAVAILABLE = "Databasen svarer ikke"


@pytest.fixture
def roles():
    """The groups of the data migration: an earlier test in a real transaction
    may have emptied the tables (flush), and the permissions come back, the
    groups do not."""
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for name, permissions in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in permissions
        )


@pytest.fixture
def caseworker(roles):
    jobcentre = JobcentreFactory(municipality_code="101", municipality="København")
    return CaseworkerFactory(username="fejl", jobcentre=jobcentre)


@pytest.fixture
def browser(caseworker):
    """A logged-in client that shows the error page the user would see."""
    client = Client(raise_request_exception=False)
    client.force_login(caseworker)
    return client


def stored_files(folder: str = "") -> set[str]:
    root = Path(Registration._meta.get_field("document_file").storage.location) / folder
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def fail(exception=DatabaseError):
    def raise_(*args, **kwargs):
        raise exception("injected failure")

    return raise_


def assert_nothing_left(documents_before: set[str]) -> None:
    assert Allocation.objects.count() == 0
    assert Registration.objects.count() == 0
    assert JobnetAccount.objects.count() == 0
    assert AuditEntry.objects.count() == 0
    assert stored_files("documents") == documents_before


# --- The intake -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "target", "name", "exception"),
    [
        # The allocation itself fails: the connection went away.
        ("allocation", registrations.services, "allocate_personnummer", OperationalError),
        # After the allocation and the stored document, before the Jobnet account.
        ("jobnet account", jobnet.services, "jobnet_account_new", DatabaseError),
        # After the allocation and the account, before the registration is saved.
        ("registration", Registration.objects, "create", DatabaseError),
        # After the registration and the account, while the access log is written.
        ("access log", registrations.services, "audit_records", DatabaseError),
    ],
)
def test_a_failed_intake_leaves_nothing_and_can_be_retried(
    browser, monkeypatch, where, target, name, exception
):
    documents_before = stored_files("documents")
    data = intake_post()
    token = data["submission_token"]
    with monkeypatch.context() as patch:
        patch.setattr(target, name, fail(exception))
        response = browser.post(reverse("registrations:intake"), data)
    assert response.status_code == 503, where
    assert UNAVAILABLE in response.content.decode()
    assert "Intet er gemt halvt" in response.content.decode()
    assert_nothing_left(documents_before)
    # The verified upload waits for the retry (the browser does not send the
    # file again); purge_pending_documents removes it if nobody comes back.
    pending = stored_files("pending")
    assert any(token.replace("-", "") in name for name in pending)

    again = intake_post(submission_token=token, document_file=None)
    response = browser.post(reverse("registrations:intake"), again)
    assert response.status_code == 302, where
    registration = Registration.objects.get()
    assert registration.document_file.read()  # the document from the first attempt
    assert Allocation.objects.count() == 1
    assert JobnetAccount.objects.count() == 1
    assert not any(token.replace("-", "") in name for name in stored_files("pending"))


class Outage:
    """An execute wrapper: once ``start()`` is called, every query fails as the database
    went away (a restart) and no new connection gets in."""

    def __init__(self) -> None:
        self.down = False
        self.failed = 0

    def start(self) -> None:
        self.down = True

    def __call__(self, execute, sql, params, many, context):
        if self.down:
            self.failed += 1
            raise OperationalError("the database system is shutting down")
        return execute(sql, params, many, context)


def test_an_intake_cut_off_by_an_outage_leaves_no_document_file(browser, monkeypatch):
    """The database goes away in the middle of the intake's transaction, before its COMMIT,
    and stays away while the intake cleans up: nothing was committed, so the document's
    file goes too. (Kept only when the COMMIT itself failed: then the database may hold
    the registration, see test_lost_commit.py.)"""
    documents_before = stored_files("documents")
    outage = Outage()
    real_allocate = registrations.services.allocate_personnummer

    def allocate_as_the_database_goes(**kwargs):
        outage.start()
        return real_allocate(**kwargs)

    data = intake_post()
    monkeypatch.setattr(
        registrations.services, "allocate_personnummer", allocate_as_the_database_goes
    )
    with connection.execute_wrapper(outage):
        response = browser.post(reverse("registrations:intake"), data)
    monkeypatch.undo()
    assert response.status_code == 503
    assert UNAVAILABLE in response.content.decode()
    assert outage.failed >= 2  # the allocation, and the question whether the file is used
    assert_nothing_left(documents_before)

    # The database is back: the caseworker's retry of the same submission registers once.
    again = intake_post(submission_token=data["submission_token"], document_file=None)
    response = browser.post(reverse("registrations:intake"), again)
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert stored_files("documents") - documents_before == {
        registration.document_file.name.removeprefix("documents/")
    }


def test_an_upload_nobody_comes_back_for_is_purged(browser, monkeypatch):
    data = intake_post()
    token = data["submission_token"].replace("-", "")
    with monkeypatch.context() as patch:
        patch.setattr(registrations.services, "audit_records", fail())
        assert browser.post(reverse("registrations:intake"), data).status_code == 503
    assert any(token in name for name in stored_files("pending"))
    out = io.StringIO()
    call_command("purge_pending_documents", stdout=out)  # not yet 12 hours old
    assert any(token in name for name in stored_files("pending"))
    call_command("purge_pending_documents", "--hours", "0", stdout=out)
    assert not any(token in name for name in stored_files("pending"))
    assert "pending document(s) removed." in out.getvalue()


def test_a_failed_intake_writes_no_half_access_log(browser, monkeypatch):
    """The access log is written in the same transaction: it goes with the rest."""
    documents_before = stored_files("documents")
    real_create = Registration.objects.create
    calls = []

    def create_then_fail(**kwargs):
        calls.append(real_create(**kwargs))  # the row is inserted ...
        raise DatabaseError(
            "injected failure after the insert"
        )  # ... then the statement after fails

    monkeypatch.setattr(Registration.objects, "create", create_then_fail)
    response = browser.post(reverse("registrations:intake"), intake_post())
    assert response.status_code == 503
    assert len(calls) == 1
    assert_nothing_left(documents_before)


# --- The letter -----------------------------------------------------------------------------------


@pytest.fixture
def registration(caseworker):
    return RegistrationFactory(jobcentre=caseworker.jobcentre, created_by=caseworker)


def print_letter(client, registration):
    return client.post(reverse("registrations:letter", args=[registration.pk]))


@pytest.mark.parametrize(
    ("where", "target", "name"),
    [
        ("the record of the print", LetterPrint.objects, "create"),
        ("the access log", jobnet.services, "audit_record"),
    ],
)
def test_a_failed_reprint_keeps_the_previous_password(
    browser, registration, monkeypatch, where, target, name
):
    first = print_letter(browser, registration)
    assert first.status_code == 200
    _, password = printed_credentials(first.content)
    account = JobnetAccount.objects.get()
    hash_before, set_at = account.password, account.password_set_at
    prints, entries = LetterPrint.objects.count(), AuditEntry.objects.count()

    with monkeypatch.context() as patch:
        patch.setattr(target, name, fail())
        response = print_letter(browser, registration)
    assert response.status_code == 503, where
    assert UNAVAILABLE in response.content.decode()

    account.refresh_from_db()
    assert account.check_password(password)  # the letter the person has still works
    assert (account.password, account.password_set_at) == (hash_before, set_at)
    assert (LetterPrint.objects.count(), AuditEntry.objects.count()) == (prints, entries)
    assert print_letter(browser, registration).status_code == 200  # and printing works again


def test_a_failed_first_print_leaves_no_half_issued_account(browser, registration, monkeypatch):
    """A registration without an account gets one at its first print, or none at all."""
    assert registration.jobnet_account_id is None
    with monkeypatch.context() as patch:
        patch.setattr(LetterPrint.objects, "create", fail())
        response = print_letter(browser, registration)
    assert response.status_code == 503
    registration.refresh_from_db()
    assert registration.jobnet_account_id is None
    assert JobnetAccount.objects.count() == 0
    assert LetterPrint.objects.count() == 0
    assert AuditEntry.objects.filter(action="print_letter").count() == 0


# --- A lost connection ----------------------------------------------------------------------------


class FailingQueries:
    """An execute wrapper: every matching query fails as if the connection dropped."""

    def __init__(self, table: str = "") -> None:
        self.table = table
        self.failed = 0

    def __call__(self, execute, sql, params, many, context):
        if self.table in sql:
            self.failed += 1
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


def test_a_connection_lost_while_reading_the_session_gives_the_error_page(browser):
    home = reverse("registrations:home")
    failing = FailingQueries()  # the very first query: the session, read in middleware
    with connection.execute_wrapper(failing):
        response = browser.get(home)
    assert failing.failed >= 1
    assert response.status_code == 503
    assert UNAVAILABLE in response.content.decode()
    assert browser.get(home).status_code == 200  # the next request works


def test_a_connection_lost_inside_a_view_gives_the_error_page(browser, registration):
    detail = reverse("registrations:detail", args=[registration.pk])
    failing = FailingQueries("registrations_registration")
    with connection.execute_wrapper(failing):
        response = browser.get(detail)
    assert failing.failed == 1
    assert response.status_code == 503
    assert UNAVAILABLE in response.content.decode()
    assert browser.get(detail).status_code == 200


def test_a_connection_killed_by_the_server_is_replaced_on_the_next_request(
    postgresql_only, browser, registration
):
    """PostgreSQL ends the connection (as on a restart or failover) between two requests."""
    import psycopg

    detail = reverse("registrations:detail", args=[registration.pk])
    assert browser.get(detail).status_code == 200
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    response = browser.get(detail)
    assert response.status_code == 503
    assert UNAVAILABLE in response.content.decode()
    response = browser.get(detail)
    assert response.status_code == 200
    assert connection.connection.info.backend_pid != pid


def test_a_connection_lost_while_saving_the_session_gives_the_error_page(browser):
    """The view answered, then the session's renewal is written as the database goes away.

    Django's database sessions turn any DatabaseError of that write into
    SessionInterrupted, a 400 meant for a session deleted by a concurrent
    logout; a lost connection is the 503 page like any other.
    """
    home = reverse("registrations:home")
    failing = FailingQueries('UPDATE "django_session"')  # the read works, the write fails
    with connection.execute_wrapper(failing):
        response = browser.get(home)  # a new session: its idle timeout is renewed, so saved
    assert failing.failed == 1
    assert response.status_code == 503
    assert UNAVAILABLE in response.content.decode()
    assert browser.get(home).status_code == 200  # the next request works, still logged in


def test_a_session_deleted_meanwhile_is_still_the_400_page(browser):
    """Not every failed session write is the database going away: a session deleted by a
    concurrent logout (the row is gone when its renewal is written) stays Django's 400."""
    home = reverse("registrations:home")

    def delete_then_update(execute, sql, params, many, context):
        if sql.startswith('UPDATE "django_session"'):
            execute('DELETE FROM "django_session"', (), False, context)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(delete_then_update):
        response = browser.get(home)
    assert response.status_code == 400
    assert UNAVAILABLE not in response.content.decode()
