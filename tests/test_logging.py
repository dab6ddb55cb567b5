"""What the logs say: one line per failed request, a database outage once, tracebacks for bugs."""

from __future__ import annotations

import logging

import pytest
from django.db import IntegrityError, OperationalError, connection
from django.test import Client
from django.urls import reverse

import apoc.middleware
import registrations.views
from apoc.middleware import DatabaseOutage
from tests.factories import CaseworkerFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


class FailingQueries:
    """Every query on ``table`` (every query, when empty) fails as if the server went away."""

    def __init__(self, table: str = "") -> None:
        self.table = table

    def __call__(self, execute, sql, params, many, context):
        if self.table in sql:
            raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")
        return execute(sql, params, many, context)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(apoc.middleware, "OUTAGE", DatabaseOutage(clock=clock))
    return clock


@pytest.fixture
def registration():
    return RegistrationFactory()


@pytest.fixture
def browser(registration):
    client = Client(raise_request_exception=False)
    client.force_login(CaseworkerFactory(jobcentre=registration.jobcentre))
    return client


def _records(caplog, *, logger: str | None = None, level: int | None = None):
    return [
        r
        for r in caplog.records
        if (logger is None or r.name == logger) and (level is None or r.levelno == level)
    ]


def test_an_outage_is_one_line_per_failed_request_and_one_error(
    browser, registration, clock, caplog
):
    caplog.set_level(logging.INFO)
    home = reverse("registrations:home")
    detail = reverse("registrations:detail", args=[registration.pk])
    statuses = []
    # The session cannot be read (outside any view: Django's 500 handler gives the 503 page) ...
    with connection.execute_wrapper(FailingQueries()):
        for _ in range(5):
            statuses.append(browser.get(home).status_code)
            clock.now += 1
    # ... and a view's own query fails (the middleware gives the 503 page).
    with connection.execute_wrapper(FailingQueries("registrations_registration")):
        for _ in range(3):
            statuses.append(browser.get(detail).status_code)
            clock.now += 1
    assert statuses == [503] * 8

    assert not [r for r in caplog.records if r.exc_info], "no traceback for an outage"
    assert not _records(caplog, logger="django.request")
    failed = [r.getMessage() for r in _records(caplog, level=logging.WARNING)]
    assert (
        failed
        == [f"503 GET {home}: database unavailable (OperationalError)"] * 5
        + [f"503 GET {detail}: database unavailable (OperationalError)"] * 3
    )
    [outage] = _records(caplog, level=logging.ERROR)
    assert outage.getMessage().startswith("database unavailable since ")
    assert "(OperationalError)" in outage.getMessage()

    # A minute on, the next failure says how many have failed, once.
    caplog.clear()
    clock.now += 60
    with connection.execute_wrapper(FailingQueries()):
        assert browser.get(home).status_code == 503
        assert browser.get(home).status_code == 503
    errors = [r.getMessage() for r in _records(caplog, level=logging.ERROR)]
    assert len(errors) == 1
    assert errors[0].endswith(", 9 requests failed")
    assert len(_records(caplog, level=logging.WARNING)) == 2

    # The database answers again: the outage ends, once, with its count.
    caplog.clear()
    assert browser.get(detail).status_code == 200
    assert browser.get(detail).status_code == 200
    [ended] = _records(caplog, logger="apoc.middleware")
    assert ended.levelno == logging.WARNING
    assert ended.getMessage().startswith("database available again: unavailable since ")
    assert ended.getMessage().endswith("for 68.0 s, 10 requests failed")
    assert not apoc.middleware.OUTAGE.active


def test_outage_reports_are_rate_limited_per_process():
    clock = Clock()
    outage = DatabaseOutage(clock=clock, report_every=60)
    error = OperationalError("gone")
    with pytest.MonkeyPatch.context() as patch:
        seen = []
        patch.setattr(apoc.middleware.logger, "error", lambda msg, *a: seen.append(msg % a))
        patch.setattr(apoc.middleware.logger, "warning", lambda msg, *a: seen.append(msg % a))
        for _ in range(1000):  # 1,000 failures in 10 s: one line at the start
            outage.request_failed(error)
            clock.now += 0.01
        assert len(seen) == 1 and outage.failed == 1000
        clock.now += 60
        outage.request_failed(error)
        assert seen[-1].endswith(", 1001 requests failed") and len(seen) == 2
        outage.request_succeeded()
        outage.request_succeeded()
        assert len(seen) == 3 and seen[-1].endswith("1001 requests failed")
        assert not outage.active
        outage.request_failed(error)  # a new outage starts anew
        assert seen[-1].startswith("database unavailable since ") and outage.failed == 1


def test_a_database_error_that_is_a_bug_keeps_its_traceback_once(
    browser, registration, clock, caplog, monkeypatch
):
    def broken(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(registrations.views, "audit_record", broken)
    caplog.set_level(logging.INFO)
    response = browser.get(reverse("registrations:detail", args=[registration.pk]))
    assert response.status_code == 503
    errors = _records(caplog, level=logging.ERROR)
    assert len(errors) == 1
    assert errors[0].exc_info is not None and errors[0].exc_info[0] is IntegrityError
    assert not _records(caplog, logger="django.request")
    assert not apoc.middleware.OUTAGE.active


class ServerAnswered(Exception):
    """What psycopg raises for an error the server reported, with its SQLSTATE."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("sqlstate", "outage"),
    [
        (None, True),  # no answer at all: refused, reset, timed out
        ("08006", True),  # connection failure
        ("57P01", True),  # the server is shutting down
        ("57P03", True),  # the server is starting up
        ("40P01", False),  # a deadlock: a fault to look into
        ("57014", False),  # a statement cancelled by its timeout
    ],
)
def test_only_a_lost_or_refused_connection_counts_as_an_outage(sqlstate, outage):
    error = OperationalError("failed")
    if sqlstate is not None:
        error.__cause__ = ServerAnswered(sqlstate)
    assert apoc.middleware._is_outage(error) is outage


def test_a_deadlock_is_logged_with_its_traceback_not_as_an_outage(
    browser, registration, clock, caplog, monkeypatch
):
    def deadlock(*args, **kwargs):
        error = OperationalError("deadlock detected")
        error.__cause__ = ServerAnswered("40P01")
        raise error

    monkeypatch.setattr(registrations.views, "audit_record", deadlock)
    caplog.set_level(logging.INFO)
    response = browser.get(reverse("registrations:detail", args=[registration.pk]))
    assert response.status_code == 503
    [error] = _records(caplog, level=logging.ERROR)
    assert error.exc_info is not None
    assert not apoc.middleware.OUTAGE.active


def test_other_failed_requests_are_still_logged_by_django(browser, caplog):
    caplog.set_level(logging.INFO)
    assert browser.get("/registreringer/999999/").status_code == 404
    [record] = _records(caplog, logger="django.request")
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "Not Found: /registreringer/999999/"
