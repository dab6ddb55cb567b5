"""The statistics page's counters (registrations.statistics, docs/decisions.md 22).

They are kept in the same transaction as every change they count, so after any series
of intakes, transfers, reviews, refusals, purges and deletions they equal COUNT(*) over the tables,
and the page shows what counting the tables shows. A failure half-way leaves neither
the change nor its counts. The recount (``rebuild_statistics``, migration 0013) repairs
counters that were changed around the services, in one transaction.
"""

from __future__ import annotations

import importlib
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apoc.accounts.scope import Scope
from apoc.audit.services import AuditContext
from apoc.exceptions import DomainError
from registrations import lifecycle, review
from registrations.models import IntakeRefusal, Registration, StatisticsCount
from registrations.retention import retention_purge
from registrations.statistics import (
    counted,
    registrations_delete_counted,
    statistics_apply,
    statistics_differences,
    statistics_figures,
    statistics_figures_counted,
    statistics_rebuild,
)
from registrations.tally import Counted, Key, Kind, Refused, change, refusal_keys, total
from tests.concurrency import run_at_once
from tests.factories import (
    IntakeRefusalFactory,
    JobcentreFactory,
    NationalAdminFactory,
    RegistrationFactory,
)

from .conftest import intake_post

pytestmark = pytest.mark.django_db

STATISTICS = reverse("admin:registrations_registration_statistics")
INTAKE = reverse("registrations:intake")


@contextmanager
def at(moment: datetime):
    """Let the database's clock (auto_now_add) read ``moment``."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def since() -> dict[str, date]:
    """The page's periods: twelve months and twelve weeks back from today."""
    from registrations.admin_views import MONTHS, WEEKS, _month_starts, _week_starts

    now = timezone.localtime()
    return {
        "months_from": _month_starts(now, MONTHS)[0].date(),
        "days_from": _week_starts(now, WEEKS)[0].date(),
    }


def assert_counters_agree(jobcentres) -> None:
    """The counters against the tables: the recount, plain COUNT(*)s, and the page's
    figures for every scope against the same figures counted from the tables."""
    assert statistics_differences() == {}
    counters = StatisticsCount.objects.all()

    def summed(**where) -> int:
        return counters.filter(**where).aggregate(n=Sum("n"))["n"] or 0

    for kind in (Kind.DAY, Kind.CATEGORY, Kind.NATIONALITY, Kind.STATUS):
        assert summed(kind=kind) == Registration.objects.count()
    for status in ("pending", "approved", "flagged", "annulled"):
        assert summed(kind=Kind.STATUS, value=status) == (
            Registration.objects.filter(review_status=status).count()
        )
    for jobcentre in jobcentres:
        assert summed(kind=Kind.DAY, jobcentre=jobcentre) == (
            Registration.objects.filter(jobcentre=jobcentre).count()
        )
        assert summed(kind=Kind.REFUSALS, jobcentre=jobcentre) == (
            IntakeRefusal.objects.filter(jobcentre=jobcentre).count()
        )
    scopes = [Scope(everywhere=True, jobcentre_id=None)] + [
        Scope(everywhere=False, jobcentre_id=j.pk) for j in jobcentres
    ]
    for scope in scopes:
        assert statistics_figures(scope, **since()) == statistics_figures_counted(scope, **since())


# --- The rule: which counters a change moves ----------------------------------------------------


FACTS = Counted(
    jobcentre_id=1, day=date(2026, 3, 29), category="A", nationality="PL", review_status="pending"
)


def test_a_new_registration_adds_one_to_its_day_and_its_months_counters():
    assert change(None, FACTS) == {
        Key("category", date(2026, 3, 1), 1, "A"): 1,
        Key("day", date(2026, 3, 29), 1, ""): 1,
        Key("nationality", date(2026, 3, 1), 1, "PL"): 1,
        Key("status", date(2026, 3, 1), 1, "pending"): 1,
    }


def test_a_review_moves_only_the_status_and_a_transfer_moves_every_counter():
    from dataclasses import replace

    approved = replace(FACTS, review_status="approved")
    assert change(FACTS, approved) == {
        Key("status", date(2026, 3, 1), 1, "approved"): 1,
        Key("status", date(2026, 3, 1), 1, "pending"): -1,
    }
    moved = change(FACTS, replace(FACTS, jobcentre_id=2))
    assert sorted(moved.values()) == [-1] * 4 + [1] * 4
    assert change(FACTS, FACTS) == {}
    assert total([change(None, FACTS), change(FACTS, None)]) == {}


def test_a_refusal_counts_once_and_each_reason_as_often_as_it_is_named():
    keys = refusal_keys(
        Refused(jobcentre_id=3, day=date(2026, 1, 31), reason_codes=("a", "b", "a"))
    )
    assert keys == Counter(
        {
            Key("refusals", date(2026, 1, 1), 3): 1,
            Key("reason", date(2026, 1, 1), 3, "a"): 2,
            Key("reason", date(2026, 1, 1), 3, "b"): 1,
        }
    )


def test_the_day_is_the_local_day_and_the_month_the_local_month(copenhagen):
    # 23:30 UTC on 31 January is 00:30 on 1 February in Copenhagen.
    with at(datetime(2026, 1, 31, 23, 30, tzinfo=UTC)):
        registration = RegistrationFactory(jobcentre=copenhagen)
    assert counted(registration).day == date(2026, 2, 1)
    assert StatisticsCount.objects.get(kind="category").period == date(2026, 2, 1)
    assert_counters_agree([copenhagen])


# --- Every write path keeps them ----------------------------------------------------------------


def test_the_intake_counts_the_registration_and_the_refusal(caseworker_client, copenhagen):
    assert caseworker_client.post(INTAKE, intake_post()).status_code == 302
    refused = intake_post(nationality="US", document_country="US", country_of_birth="US")
    assert caseworker_client.post(INTAKE, refused).status_code == 422
    assert Registration.objects.count() == IntakeRefusal.objects.count() == 1
    figures = statistics_figures(Scope(everywhere=True, jobcentre_id=None), **since())
    assert figures.by_nationality == Counter({"PL": 1})
    assert figures.by_status == Counter({"pending": 1})
    assert figures.refusals == 1
    assert sum(figures.by_reason.values()) == len(IntakeRefusal.objects.get().reason_codes)
    assert_counters_agree([copenhagen])


def test_reviews_and_transfers_move_the_counts(copenhagen, odense):
    by = AuditContext.of(NationalAdminFactory(username="niels"))
    first, second = RegistrationFactory.create_batch(2, jobcentre=copenhagen)
    review.registration_approve(registration=first, by=by)
    review.registration_flag(registration=second, by=by, comment="Tjek dokumentet")
    review.registration_annul(registration=second, by=by, reason="Fejl")
    lifecycle.registration_transfer(
        registration=first, to_jobcentre=odense, reason="Flyttet", by=by
    )
    figures = statistics_figures(Scope(everywhere=False, jobcentre_id=odense.pk), **since())
    assert figures.by_status == Counter({"approved": 1})
    assert figures.by_jobcentre == Counter({odense.pk: 1})
    assert_counters_agree([copenhagen, odense])


def test_a_failure_half_way_leaves_neither_the_change_nor_its_counts(copenhagen, odense):
    by = AuditContext.of(NationalAdminFactory(username="niels"))
    registration = RegistrationFactory(jobcentre=copenhagen)
    before = list(StatisticsCount.objects.values_list("kind", "period", "jobcentre", "value", "n"))

    def counted_then_broken(*args, **kwargs):
        original(*args, **kwargs)
        raise RuntimeError("the database went away")

    original = review.statistics_registration_changed
    with (
        mock.patch.object(review, "statistics_registration_changed", counted_then_broken),
        pytest.raises(RuntimeError),
    ):
        review.registration_approve(registration=registration, by=by)
    original = lifecycle.statistics_registration_changed
    with (
        mock.patch.object(lifecycle, "statistics_registration_changed", counted_then_broken),
        pytest.raises(RuntimeError),
    ):
        lifecycle.registration_transfer(
            registration=registration, to_jobcentre=odense, reason="Flyttet", by=by
        )
    current = Registration.objects.get(pk=registration.pk)
    assert (current.review_status, current.jobcentre_id) == ("pending", copenhagen.pk)
    after = list(StatisticsCount.objects.values_list("kind", "period", "jobcentre", "value", "n"))
    assert sorted(after) == sorted(before)
    assert_counters_agree([copenhagen, odense])


def test_a_failed_intake_leaves_no_count(caseworker_client, copenhagen):
    from registrations import services

    def counted_then_broken(registration):
        original(registration)
        raise RuntimeError("the database went away")

    original = services.statistics_registration_created
    with (
        mock.patch.object(services, "statistics_registration_created", counted_then_broken),
        pytest.raises(RuntimeError),
    ):
        caseworker_client.post(INTAKE, intake_post())
    assert not Registration.objects.exists()
    assert not StatisticsCount.objects.exists()


# --- A mixed series of changes, drawn by hypothesis ---------------------------------------------

#: Moments within the last 14 months: some inside the page's twelve, some before; near
#: midnight and over the changes of daylight saving time.
MOMENTS = st.integers(min_value=0, max_value=14 * 31 * 24 * 4).map(lambda q: q * 15)

OPERATIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("create"),
            st.integers(0, 2),
            st.sampled_from("ABC"),
            st.sampled_from(["PL", "RO", "DE", "XX"]),
            MOMENTS,
        ),
        st.tuples(st.just("transfer"), st.integers(0, 20), st.integers(0, 2)),
        st.tuples(
            st.just("review"), st.integers(0, 20), st.sampled_from(["approve", "flag", "annul"])
        ),
        st.tuples(
            st.just("refuse"),
            st.integers(0, 2),
            st.lists(st.sampled_from(["nationality_not_eea", "document_expired"]), max_size=3),
            MOMENTS,
        ),
        st.tuples(st.just("purge")),
        st.tuples(st.just("delete"), st.integers(0, 20)),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_after_any_series_of_changes_the_counters_equal_count_over_the_tables(
    copenhagen, odense, operations
):
    with transaction.atomic():
        jobcentres = [copenhagen, odense, JobcentreFactory(municipality_code="851")]
        by = AuditContext.of(NationalAdminFactory(username="niels"))
        made: list[Registration] = []
        now = timezone.now()
        for operation in operations:
            _apply(operation, jobcentres, made, by, now)
        assert_counters_agree(jobcentres)
        transaction.set_rollback(True)


def _apply(operation, jobcentres, made, by, now) -> None:
    name, *args = operation
    if name == "create":
        where, category, nationality, minutes = args
        with at(now - timedelta(minutes=minutes)):
            made.append(
                RegistrationFactory(
                    jobcentre=jobcentres[where], category=category, nationality=nationality
                )
            )
    elif name == "refuse":
        where, codes, minutes = args
        with at(now - timedelta(minutes=minutes)):
            IntakeRefusalFactory(jobcentre=jobcentres[where], reason_codes=codes)
    elif name == "purge":
        retention_purge(days=1, now=now + timedelta(days=800))
    elif name == "delete" and made:
        registrations_delete_counted(
            Registration.objects.filter(pk=made.pop(args[0] % len(made)).pk)
        )
    elif made:
        registration = made[args[0] % len(made)]
        try:
            if name == "transfer":
                lifecycle.registration_transfer(
                    registration=registration,
                    to_jobcentre=jobcentres[args[1]],
                    reason="Flyttet",
                    by=by,
                )
            else:
                review.registrations_review(
                    registrations=[registration], action=args[1], by=by, text="Begrundelse"
                )
        except DomainError:
            pass  # refused (same jobcentre, annulled): nothing changed, nothing counted


# --- The recount --------------------------------------------------------------------------------


def test_the_recount_repairs_counters_changed_around_the_services(copenhagen, odense):
    RegistrationFactory.create_batch(3, jobcentre=copenhagen)
    IntakeRefusalFactory(jobcentre=odense, reason_codes=["document_expired"])
    moved = RegistrationFactory(jobcentre=copenhagen)
    Registration.objects.filter(pk=moved.pk).update(jobcentre=odense, review_status="flagged")
    StatisticsCount.objects.filter(kind="reason").delete()
    assert statistics_differences()
    with pytest.raises(CommandError, match="disagree"):
        call_command("rebuild_statistics", "--check", stdout=_Sink())
    call_command("rebuild_statistics", stdout=_Sink())
    call_command("rebuild_statistics", "--check", stdout=_Sink())
    assert_counters_agree([copenhagen, odense])
    assert statistics_rebuild() == StatisticsCount.objects.count()  # again: the same


def test_a_recount_that_fails_half_way_leaves_the_counters_as_they_were(copenhagen):
    for months_ago in (0, 2):
        with at(timezone.now() - timedelta(days=31 * months_ago)):
            RegistrationFactory(jobcentre=copenhagen)
    statistics_apply({Key("day", date(2020, 1, 1), copenhagen.pk): 5})
    before = sorted(StatisticsCount.objects.values_list("kind", "period", "value", "n"))
    original = StatisticsCount.objects.bulk_create
    calls = []

    def second_month_breaks(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    with (
        mock.patch.object(StatisticsCount.objects, "bulk_create", second_month_breaks),
        pytest.raises(RuntimeError),
    ):
        statistics_rebuild()
    assert sorted(StatisticsCount.objects.values_list("kind", "period", "value", "n")) == before


def test_the_data_migration_counts_what_was_there(copenhagen, odense):
    RegistrationFactory.create_batch(2, jobcentre=copenhagen, nationality="RO")
    IntakeRefusalFactory(jobcentre=odense)
    StatisticsCount.objects.all().delete()
    migration = importlib.import_module("registrations.migrations.0013_statistics_counters_fill")
    from django.apps import apps

    migration.forwards(apps, None)
    assert_counters_agree([copenhagen, odense])
    migration.forwards(apps, None)  # again: nothing twice
    assert_counters_agree([copenhagen, odense])


def test_the_page_shows_the_counters_and_a_counter_emptied_by_a_move_is_no_line(
    client, copenhagen, odense
):
    by = AuditContext.of(NationalAdminFactory(username="niels"))
    moved = RegistrationFactory(jobcentre=copenhagen, category="B", nationality="DE")
    RegistrationFactory(jobcentre=copenhagen, category="A", nationality="PL")
    lifecycle.registration_transfer(registration=moved, to_jobcentre=odense, reason="x", by=by)
    from tests.factories import SupervisorFactory

    client.force_login(SupervisorFactory(username="tina", jobcentre=copenhagen))
    context = client.get(STATISTICS).context
    assert dict(context["by_nationality"]) == {"Polen": 1}
    assert len(context["by_category"]) == 1
    assert dict(context["backlog"]) == {
        "afventer gennemgang": 1,
        "godkendt": 0,
        "markeret til opfølgning": 0,
        "annulleret": 0,
    }


class _Sink:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


# --- Concurrent writers (PostgreSQL) ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_lose_no_count(postgresql_only):
    """Eight threads add to the same counters at once; the database adds, none is lost."""
    jobcentre = JobcentreFactory(municipality_code="101")
    key = {Key("day", date(2026, 5, 1), jobcentre.pk): 1}

    def add(_: int) -> None:
        for _ in range(25):
            with transaction.atomic():
                statistics_apply(key)

    _, errors = run_at_once(add, 8)
    assert not errors
    assert StatisticsCount.objects.get().n == 200
