"""The statistics page's counters: kept in the writer's transaction, read by the page,
recomputed by ``rebuild_statistics`` (docs/decisions.md, 22).

Which counters a registration or a refused intake adds to is decided in
:mod:`registrations.tally`. Here:

* the write: every service that makes, moves or reviews a registration, or records a
  refused intake, calls one of the ``statistics_*`` functions last in its own
  transaction (and :func:`registrations_delete_counted` removes rows with their counts,
  for the benches: APOC deletes no registration). They apply the change in one statement, ``INSERT … ON CONFLICT DO
  UPDATE SET n = n + excluded.n``, on PostgreSQL and SQLite alike: the database adds,
  so concurrent writers on several app servers never lose a count, and a rollback
  takes the counts back with the change. The counters are touched in key order, so
  two writers never wait for each other in a circle;
* the read: :func:`statistics_figures`, a few small queries over the counters;
* the recount: :func:`statistics_rebuild` (the command and the data migration) and
  :func:`statistics_differences` (the check that they agree with the tables).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from apoc.accounts.scope import Scope

from .models import IntakeRefusal, Registration, StatisticsCount
from .tally import (
    REGISTRATION_COUNTERS,
    Counted,
    Key,
    Kind,
    Refused,
    change,
    month_of,
    refusal_keys,
    total,
)

__all__ = [
    "Figures",
    "counted",
    "registrations_delete_counted",
    "statistics_apply",
    "statistics_differences",
    "statistics_figures",
    "statistics_figures_counted",
    "statistics_rebuild",
    "statistics_refusal_recorded",
    "statistics_registration_changed",
    "statistics_registration_created",
]

#: Counters written per statement.
WRITE_BATCH = 500


def local_day(moment: datetime) -> date:
    """The day of ``moment`` in the project's time zone (the page's days and months)."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def counted(registration: Registration) -> Counted:
    """What the statistics count of ``registration``, as it is now."""
    return Counted(
        jobcentre_id=registration.jobcentre_id,
        day=local_day(registration.created_at),
        category=registration.category,
        nationality=_code(registration.nationality),
        review_status=registration.review_status,
    )


def _code(country: Any) -> str:
    return getattr(country, "code", country) or ""


# --- Writing --------------------------------------------------------------------------------


def statistics_apply(delta: Mapping[Key, int], *, model: Any = StatisticsCount) -> None:
    """Add ``delta`` to the counters, in the caller's transaction, one statement per
    :data:`WRITE_BATCH` counters. A counter not there yet is made."""
    rows = sorted((key, n) for key, n in delta.items() if n)
    if not rows:
        return
    alias = router.db_for_write(model)
    connection = connections[alias]
    table = connection.ops.quote_name(model._meta.db_table)
    period = model._meta.get_field("period")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), WRITE_BATCH):
            chunk = rows[start : start + WRITE_BATCH]
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            params: list[Any] = []
            for key, n in chunk:
                day = period.get_db_prep_value(key.period, connection)
                params += [str(key.kind), day, key.jobcentre_id, key.value, n]
            cursor.execute(
                f"INSERT INTO {table} (kind, period, jobcentre_id, value, n) "  # noqa: S608 - names from the model, values bound
                f"VALUES {values} "
                f"ON CONFLICT (kind, period, jobcentre_id, value) "
                f"DO UPDATE SET n = {table}.n + excluded.n",
                params,
            )


def statistics_registration_created(registration: Registration) -> None:
    """Count a new registration. Call last in the transaction that made it."""
    statistics_apply(change(None, counted(registration)))


def statistics_registration_changed(before: Counted, registration: Registration) -> None:
    """Move the counts of a registration that changed (jobcentre, review status) from
    ``before`` (``counted`` of it before the change). Call last in the transaction."""
    statistics_apply(change(before, counted(registration)))


def statistics_refusal_recorded(refusal: IntakeRefusal) -> None:
    """Count a refused intake. Call last in the transaction that recorded it."""
    statistics_apply(
        refusal_keys(
            Refused(
                jobcentre_id=refusal.jobcentre_id,
                day=local_day(refusal.refused_at),
                reason_codes=tuple(refusal.reason_codes or ()),
            )
        )
    )


def registrations_delete_counted(registrations: QuerySet[Registration]) -> int:
    """Delete ``registrations`` and take them off the counters, in one transaction.

    APOC itself never deletes a registration: the register of numbers and the access log
    must stay whole. Tools that remove rows of their own (the benches) use this, so the
    counters stay right. Returns the number of registrations deleted.
    """
    with transaction.atomic():
        rows = list(
            registrations.order_by("pk")
            .select_for_update()
            .values_list(
                "pk", "jobcentre_id", "created_at", "category", "nationality", "review_status"
            )
        )
        removed = total(
            change(Counted(jobcentre, local_day(made), category, _code(nationality), status), None)
            for _pk, jobcentre, made, category, nationality, status in rows
        )
        Registration.objects.filter(pk__in=[row[0] for row in rows]).delete()
        statistics_apply(removed)
    return len(rows)


# --- Reading --------------------------------------------------------------------------------


@dataclass
class Figures:
    """The page's numbers, for the jobcentres of one scope."""

    per_day: Counter[date] = field(default_factory=Counter)
    per_month: Counter[date] = field(default_factory=Counter)
    by_category: Counter[str] = field(default_factory=Counter)
    by_nationality: Counter[str] = field(default_factory=Counter)
    by_jobcentre: Counter[int] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    refusals: int = 0
    by_reason: Counter[str] = field(default_factory=Counter)


def statistics_figures(scope: Scope, *, months_from: date, days_from: date) -> Figures:
    """The registrations per day since ``days_from``; per month, by category, nationality
    and jobcentre since ``months_from``; by review status, ever; the refused intakes and
    their reasons since ``months_from``. Three queries over the counters."""
    counters = scope.filter(StatisticsCount.objects.order_by())
    figures = Figures()
    days = counters.filter(kind=Kind.DAY, period__gte=days_from)
    for row in days.values("period").annotate(total=Sum("n")):
        figures.per_day[row["period"]] = row["total"]
    # The month series, the categories and the jobcentres: the category counters hold all three.
    months = counters.filter(kind=Kind.CATEGORY, period__gte=months_from)
    for row in months.values("period", "jobcentre_id", "value").annotate(total=Sum("n")):
        n = row["total"]
        figures.per_month[row["period"]] += n
        figures.by_category[row["value"]] += n
        figures.by_jobcentre[row["jobcentre_id"]] += n
    rest = counters.filter(
        Q(kind=Kind.STATUS)
        | Q(kind__in=[Kind.NATIONALITY, Kind.REFUSALS, Kind.REASON], period__gte=months_from)
    )
    into = {
        Kind.NATIONALITY: figures.by_nationality,
        Kind.STATUS: figures.by_status,
        Kind.REASON: figures.by_reason,
    }
    for row in rest.values("kind", "value").annotate(total=Sum("n")):
        if row["kind"] == Kind.REFUSALS:
            figures.refusals += row["total"]
        else:
            into[Kind(row["kind"])][row["value"]] += row["total"]
    # A counter whose rows all moved away (a transfer, a review) is no line on the page.
    for counts in (
        figures.by_category,
        figures.by_nationality,
        figures.by_jobcentre,
        figures.by_reason,
    ):
        for key in [key for key, n in counts.items() if not n]:
            del counts[key]
    return figures


def statistics_figures_counted(scope: Scope, *, months_from: date, days_from: date) -> Figures:
    """The same figures as :func:`statistics_figures`, counted from the tables with
    ``COUNT(*)`` as the page did before the counters: the reference that the tests and
    the bench compare the counters with. Seconds at a million registrations."""
    zone = timezone.get_default_timezone()
    since_months = datetime.combine(months_from, datetime.min.time(), zone)
    since_days = datetime.combine(days_from, datetime.min.time(), zone)
    made = scope.filter(Registration.objects.order_by())
    figures = Figures()
    days = made.filter(created_at__gte=since_days).annotate(
        day=TruncDate("created_at", tzinfo=zone)
    )
    for row in days.values("day").annotate(total=Count("id")):
        figures.per_day[row["day"]] += row["total"]
    months = made.filter(created_at__gte=since_months).annotate(
        month=TruncMonth("created_at", tzinfo=zone)
    )
    for row in months.values("month", "category", "nationality", "jobcentre_id").annotate(
        total=Count("id")
    ):
        n = row["total"]
        figures.per_month[local_day(row["month"])] += n
        figures.by_category[row["category"]] += n
        figures.by_nationality[_code(row["nationality"])] += n
        figures.by_jobcentre[row["jobcentre_id"]] += n
    for row in made.values("review_status").annotate(total=Count("id")):
        figures.by_status[row["review_status"]] += row["total"]
    refused = scope.filter(IntakeRefusal.objects.filter(refused_at__gte=since_months))
    for codes in refused.values_list("reason_codes", flat=True).iterator(chunk_size=2000):
        figures.refusals += 1
        figures.by_reason.update(codes or [])
    return figures


# --- Recounting -----------------------------------------------------------------------------


def _month_bounds(first: date, last: date) -> Iterator[tuple[date, datetime, datetime]]:
    """Each local month from ``first``'s to ``last``'s: its first day, start and end."""
    zone = timezone.get_default_timezone()
    month = month_of(first)
    while month <= last:
        following = month_of(month + timedelta(days=31))
        yield (
            month,
            datetime.combine(month, datetime.min.time(), zone),
            datetime.combine(following, datetime.min.time(), zone),
        )
        month = following


def _recount(registrations: Any, refusals: Any) -> Iterator[dict[Key, int]]:
    """Every counter, computed from the tables, one local month at a time (a batch)."""
    firsts = [
        registrations.objects.aggregate(first=Min("created_at"))["first"],
        refusals.objects.aggregate(first=Min("refused_at"))["first"],
    ]
    known = [local_day(moment) for moment in firsts if moment is not None]
    if not known:
        return
    zone = timezone.get_default_timezone()
    for month, start, end in _month_bounds(min(known), local_day(timezone.now())):
        counts: Counter[Key] = Counter()
        made = registrations.objects.filter(created_at__gte=start, created_at__lt=end).order_by()
        for kind, (fact, per_day) in REGISTRATION_COUNTERS.items():
            grouped = ["jobcentre_id", *([fact] if fact else [])]
            rows = made
            if per_day:
                rows = rows.annotate(day=TruncDate("created_at", tzinfo=zone))
                grouped.append("day")
            for row in rows.values(*grouped).annotate(n=Count("id")):
                period = row["day"] if per_day else month
                value = _code(row[fact]) if fact else ""
                counts[Key(kind, period, row["jobcentre_id"], value)] += row["n"]
        refused = refusals.objects.filter(refused_at__gte=start, refused_at__lt=end)
        for jobcentre_id, codes in refused.values_list("jobcentre_id", "reason_codes").iterator(
            chunk_size=2000
        ):
            counts.update(refusal_keys(Refused(jobcentre_id, month, tuple(codes or ()))))
        yield {key: n for key, n in counts.items() if n}


def _lock(model: Any) -> None:
    """Keep writers of counters waiting until the recount commits (PostgreSQL; SQLite has
    one writer at a time anyway). Readers go on reading the old counters."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")


def statistics_rebuild(
    *,
    registrations: Any = Registration,
    refusals: Any = IntakeRefusal,
    counts: Any = StatisticsCount,
    log: Any = None,
) -> int:
    """Recompute every counter from the tables, a month at a time, in one transaction.

    The models may be a migration's historical ones. While it runs, writers of
    counters wait (intakes and reviews, for the seconds it takes); a failure leaves
    the counters as they were. Returns the number of counters written.
    """
    written = 0
    with transaction.atomic(using=router.db_for_write(counts)):
        _lock(counts)
        counts.objects.all().delete()
        for month in _recount(registrations, refusals):
            rows = [
                counts(
                    kind=str(key.kind),
                    period=key.period,
                    jobcentre_id=key.jobcentre_id,
                    value=key.value,
                    n=n,
                )
                for key, n in sorted(month.items())
            ]
            counts.objects.bulk_create(rows, batch_size=WRITE_BATCH)
            written += len(rows)
            if log is not None and rows:
                log(f"{rows[0].period:%Y-%m}: {len(rows)} counters")
    return written


def statistics_differences() -> dict[Key, tuple[int, int]]:
    """The counters that disagree with the tables: key -> (counted, in the tables)."""
    expected: dict[Key, int] = {}
    for month in _recount(Registration, IntakeRefusal):
        expected.update(month)
    actual: Counter[Key] = Counter()
    for kind, period, jobcentre_id, value, n in StatisticsCount.objects.values_list(
        "kind", "period", "jobcentre_id", "value", "n"
    ).iterator(chunk_size=5000):
        actual[Key(kind, period, jobcentre_id, value)] += n
    return {
        key: (actual.get(key, 0), expected.get(key, 0))
        for key in sorted(set(actual) | set(expected))
        if actual.get(key, 0) != expected.get(key, 0)
    }
