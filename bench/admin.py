"""The supervisor's admin change list among 1,000,000 registrations on PostgreSQL.

Seeds the registrations once (bench/_seed.py, shared with the search bench),
then times whole requests through Django's test client, logged in as a
national administrator (every jobcentre) and as a supervisor (Jobcenter
København, about 30 % of the rows): the unfiltered change list, and the list
with each filter and search. The baseline is the admin's password-change-done
page, a trivial admin page measured in the same run by the same client.

The statistics page is timed the same way, per role, p50 and p95 (target ≤ 300 ms
each), against the trivial page in the same rounds, and its figures read from the
counters are compared with the same figures counted from the table (COUNT(*)).

Prints admin_changelist_p50_ms, admin_filtered_p50_ms (target ≤ 300 ms each),
the same per role and per filter, their ratios to the trivial page, the
queries per change list, the CSV export's rows per second and memory, the size of
its access-log entry (the ids of every row) and the time audit_for takes to find a
person in it.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import emit, median, percentile, setup

if TYPE_CHECKING:
    from django.test import Client

ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
EXPORT = os.environ.get("BENCH_EXPORT", "1") == "1"
#: 0: only the export (the change list's rounds take minutes).
CHANGELIST = os.environ.get("BENCH_CHANGELIST", "1") == "1"
#: 0: no statistics page.
STATISTICS = os.environ.get("BENCH_STATISTICS", "1") == "1"
#: Rounds of the statistics' figures counted from the table with COUNT(*) (seconds each).
COUNTED_ROUNDS = int(os.environ.get("BENCH_COUNTED_ROUNDS", "3"))


def main() -> None:
    setup(needs_postgresql=True)
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.test.utils import setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    from apoc.accounts.models import Jobcentre, User
    from bench._seed import seed
    from registrations.models import Registration

    seconds = seed(ROWS, log=lambda line: print(line, file=sys.stderr))
    emit("seed_rows", ROWS)
    emit("seed_seconds", seconds)
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]

    copenhagen = Jobcentre.objects.get(municipality_code="101")
    users = {
        "national": _user(User, Group, "bench-admin-national", "landsadministrator", None),
        "supervisor": _user(User, Group, "bench-admin-supervisor", "teamleder", copenhagen),
    }
    sample = (
        Registration.objects.filter(jobcentre=copenhagen)
        .select_related("allocation")
        .order_by("-created_at")
        .first()
    )
    changelist = reverse("admin:registrations_registration_changelist")
    trivial = reverse("admin:password_change_done")
    filters = _filters(sample, timezone.localdate())

    all_plain, all_filtered, all_trivial = [], [], []
    for role, user in users.items() if CHANGELIST else ():
        plain, filtered, baseline = _bench_role(role, user, changelist, trivial, filters)
        all_plain += plain
        all_filtered += filtered
        all_trivial += baseline

    if CHANGELIST:
        emit("admin_rounds", ROUNDS)
        emit("admin_trivial_p50_ms", median(all_trivial) * 1000)
        emit("admin_changelist_p50_ms", median(all_plain) * 1000)
        emit("admin_filtered_p50_ms", median(all_filtered) * 1000)
        emit("admin_changelist_ratio", median(all_plain) / median(all_trivial))
        emit("admin_filtered_ratio", median(all_filtered) / median(all_trivial))

    if STATISTICS:
        _bench_statistics(users, trivial)

    if EXPORT:
        _bench_export(users["national"])


def _filters(sample: Any, today: date) -> dict[str, dict[str, Any]]:
    """The change list's filters and searches to time, by name."""
    return {
        "status_flagged": {"review_status__exact": "flagged"},
        "status_annulled": {"review_status__exact": "annulled"},
        "category_b": {"category__exact": "B"},
        "nationality_mt": {"nationality": "MT"},
        "nationality_other": {"nationality": "other"},
        "today": {
            "created_at__year": today.year,
            "created_at__month": today.month,
            "created_at__day": today.day,
        },
        "pending_pl": {"review_status__exact": "pending", "nationality": "PL"},
        "search_name": {"q": sample.surname},
        "search_name_part": {"q": "ana"},  # a fragment in many names
        "search_personnummer": {"q": sample.allocation.personnummer},
        "search_document": {"q": sample.document_number},
    }


def _timed(client: Client, url: str, params: dict | None = None) -> float:
    start = time.perf_counter()
    response = client.get(url, params or {})
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{url} {params}: HTTP {response.status_code}")
    return elapsed


def _bench_role(
    role: str, user: Any, changelist: str, trivial: str, filters: dict[str, dict[str, Any]]
) -> tuple[list[float], list[float], list[float]]:
    """Time the change list as ``user`` and emit the figures for ``role``.

    Returns the timings of the plain change list, the filtered ones and the trivial page.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    for _ in range(2):  # warm caches and connections
        _timed(client, changelist)
        _timed(client, trivial)
    with CaptureQueriesContext(connection) as queries:
        _timed(client, changelist, filters["pending_pl"])
    emit(f"admin_{role}_changelist_queries", len(queries))
    plain, baseline, filtered = [], [], []
    per_filter: dict[str, list[float]] = {name: [] for name in filters}
    for _ in range(ROUNDS):
        baseline.append(_timed(client, trivial))
        plain.append(_timed(client, changelist))
        for name, params in filters.items():
            elapsed = _timed(client, changelist, params)
            per_filter[name].append(elapsed)
            filtered.append(elapsed)
    emit(f"admin_{role}_trivial_p50_ms", median(baseline) * 1000)
    emit(f"admin_{role}_changelist_p50_ms", median(plain) * 1000)
    emit(f"admin_{role}_filtered_p50_ms", median(filtered) * 1000)
    emit(f"admin_{role}_filtered_p95_ms", percentile(filtered, 95) * 1000)
    for name, values in per_filter.items():
        emit(f"admin_{role}_{name}_p50_ms", median(values) * 1000)
    emit(f"admin_{role}_changelist_ratio", median(plain) / median(baseline))
    emit(f"admin_{role}_filtered_ratio", median(filtered) / median(baseline))
    return plain, filtered, baseline


def _bench_statistics(users: dict[str, Any], trivial: str) -> None:
    """The statistics page per role: p50 and p95 over ROUNDS, each round with the trivial
    page as its baseline. Then the page's figures read from the counters against the same
    figures counted from the table with COUNT(*), as the page did before it had counters
    (COUNTED_ROUNDS rounds: seconds each); the two must agree."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from apoc.accounts.scope import scope_for
    from registrations.admin_views import MONTHS, WEEKS, _month_starts, _week_starts
    from registrations.statistics import statistics_figures, statistics_figures_counted

    url = reverse("admin:registrations_registration_statistics")
    every = []
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        for _ in range(2):  # warm caches and connections
            _timed(client, url)
            _timed(client, trivial)
        with CaptureQueriesContext(connection) as queries:
            _timed(client, url)
        emit(f"admin_{role}_statistics_queries", len(queries))
        pages, baseline = [], []
        for _ in range(ROUNDS):
            baseline.append(_timed(client, trivial))
            pages.append(_timed(client, url))
        every += pages
        emit(f"admin_{role}_statistics_p50_ms", median(pages) * 1000)
        emit(f"admin_{role}_statistics_p95_ms", percentile(pages, 95) * 1000)
        emit(f"admin_{role}_statistics_trivial_p50_ms", median(baseline) * 1000)
        emit(f"admin_{role}_statistics_ratio", median(pages) / median(baseline))

        now = timezone.localtime()
        since = {
            "months_from": _month_starts(now, MONTHS)[0].date(),
            "days_from": _week_starts(now, WEEKS)[0].date(),
        }
        scope = scope_for(user)
        kept_times, counted_times = [], []
        for _ in range(COUNTED_ROUNDS):
            start = time.perf_counter()
            kept = statistics_figures(scope, **since)
            kept_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            counted = statistics_figures_counted(scope, **since)
            counted_times.append(time.perf_counter() - start)
            assert kept == counted, f"{role}: the counters disagree with COUNT(*)"
        emit(f"admin_{role}_statistics_figures_ms", median(kept_times) * 1000)
        emit(f"admin_{role}_statistics_counted_ms", median(counted_times) * 1000)
        emit(f"admin_{role}_statistics_counted_ratio", median(counted_times) / median(kept_times))
    emit("admin_statistics_p95_ms", percentile(every, 95) * 1000)


def _bench_export(user: Any) -> None:
    """Stream the CSV export of every registration; emit its rows per second and memory."""
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(user)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    response = client.get(reverse("admin:registrations_registration_export"))
    lines = 0
    size = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        size += len(chunk)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    emit("admin_export_rows", lines - 1)
    emit("admin_export_seconds", elapsed)
    emit("admin_export_rows_per_s", (lines - 1) / elapsed)
    emit("admin_export_mb", size / 1e6)
    emit("admin_export_peak_rss_growth_mb", (after - before) / 1024)
    _bench_export_log()
    _bench_export_paths(user)


def _bench_export_paths(user: Any) -> None:
    """The export as it streams now (the ids read in order and logged first, then the rows
    among them) against the same query streamed without them, as before the ids were
    logged: rows per second of each, in process, and their ratio."""
    from array import array

    from django.contrib import admin
    from django.test import RequestFactory

    from apoc.audit.services import Shown
    from registrations.admin_views import EXPORT_CHUNK, csv_rows
    from registrations.models import Registration

    request = RequestFactory().get("/admin/registrations/registration/udtraek/")
    request.user = user
    model_admin = admin.site._registry[Registration]
    queryset = model_admin.get_changelist_instance(request).get_queryset(request)

    def drain(lines) -> int:
        return sum(1 for _ in lines) - 1

    start = time.perf_counter()
    rows = drain(csv_rows(queryset, full_personnummer=True))
    plain = time.perf_counter() - start
    start = time.perf_counter()
    in_order = queryset.order_by("pk").values_list("pk", flat=True)
    ids = array("q", in_order.iterator(chunk_size=EXPORT_CHUNK))
    Shown.of_sorted(Registration, ids).as_criteria()
    logged = time.perf_counter() - start
    among = drain(csv_rows(queryset, full_personnummer=True, only=ids))
    with_ids = time.perf_counter() - start
    assert among == rows, (among, rows)
    emit("admin_export_plain_rows_per_s", rows / plain)
    emit("admin_export_logged_rows_per_s", rows / with_ids)
    emit("admin_export_ids_and_log_seconds", logged)
    emit("admin_export_logged_ratio", plain / with_ids)


def _bench_export_log() -> None:
    """The export's access-log entry (the ids of every row) and audit_for finding a person in it."""
    import json

    from apoc.audit.management.commands.audit_for import entries_for
    from apoc.audit.models import AuditEntry
    from registrations.models import Registration

    entry = AuditEntry.objects.filter(action="export").latest("id")
    emit("admin_export_log_kb", len(json.dumps(entry.criteria)) / 1024)
    middle = Registration.objects.order_by("-pk").values_list("pk", flat=True).first() // 2
    person = Registration.objects.select_related("allocation").filter(pk__gte=middle).first()
    times = []
    for _ in range(3):
        start = time.perf_counter()
        found = entries_for(person.allocation.personnummer)
        times.append(time.perf_counter() - start)
    assert any(e.pk == entry.pk for e in found), "audit_for misses the export"
    emit("audit_for_ms", median(times) * 1000)
    emit("audit_for_entries_scanned", AuditEntry.objects.count())


def _user(User, Group, username: str, group: str, jobcentre) -> object:
    user, _ = User.objects.get_or_create(username=username)
    user.is_staff = True
    user.jobcentre = jobcentre
    user.save()
    user.groups.set([Group.objects.get(name=group)])
    return user


if __name__ == "__main__":
    main()
