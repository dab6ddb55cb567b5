"""Allocation on PostgreSQL with 8 concurrent worker processes.

Phase 1, spread birth dates: each worker process allocates through the service on its
own connection; the baseline is plain INSERTs into a table with a unique index, by
the same processes, in the same run. A second series inserts the allocation's row
alone, with the statement that claims a number but no service (row_*): it tells
what the row costs and what the code adds. Three rounds of the three series, in
alternating order, so that a machine that slows down or speeds up during the run
weighs on all alike. Prints allocations_per_s, raw_inserts_per_s, allocation_ratio
(target >= 0.5; all rounds together, and the lowest and highest round), row_ratio,
allocation_to_row_ratio and allocation_p95_ms (target <= 20). Run among the numbers
the bench database holds (the 1,000,000 registrations that search.py seeds), then
on a fresh database with no numbers, whose lines start with ``fresh_``.

Phase 2, contention: 8 workers allocate for one birth date and sex until the
series is exhausted. Prints contention_* lines: duplicates must be 0 and every
candidate handed out once, then SeriesExhausted for every worker.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import drop_fresh_database, emit, percentile, setup

WORKERS = 8
PER_WORKER = 400
ROUNDS = 3
FRESH = "--fresh" in sys.argv


def run_workers(work) -> tuple[float, list]:
    """Run ``work(index)`` in WORKERS processes at once; the seconds until all are done, and
    each one's result.

    Processes, as gunicorn's sync workers serve APOC (gunicorn.conf.py): threads in one
    process would take turns at one interpreter lock and measure that lock rather than
    the database. Each process opens its own connection before the clock starts.
    """
    import multiprocessing

    from django.db import connections

    context = multiprocessing.get_context("fork")
    connections.close_all()  # a forked process must not share its parent's connection
    barrier = context.Barrier(WORKERS + 1)
    results = context.Queue()

    def target(index: int) -> None:
        from django.db import connections

        connections["default"].ensure_connection()
        barrier.wait()
        try:
            results.put((index, work(index)))
        except BaseException as exc:
            results.put((index, exc))
            raise
        finally:
            connections.close_all()

    processes = [context.Process(target=target, args=(i,)) for i in range(WORKERS)]
    for process in processes:
        process.start()
    barrier.wait()
    start = time.perf_counter()
    collected = dict(results.get() for _ in processes)
    seconds = time.perf_counter() - start
    for process in processes:
        process.join()
    failed = [value for value in collected.values() if isinstance(value, BaseException)]
    if failed:
        raise RuntimeError(f"a worker failed: {failed[0]!r}")
    return seconds, [collected[i] for i in range(WORKERS)]


def main() -> None:
    vendor = setup(needs_postgresql=True, fresh_suffix="_allocation_fresh" if FRESH else "")
    assert vendor == "postgresql", vendor
    try:
        owner = spread_dates(prefix="fresh_" if FRESH else "")
        if not FRESH:
            contention(owner)
    finally:
        if FRESH:
            drop_fresh_database()
    if not FRESH:
        # The same on an empty database, in a process of its own (Django's settings name one).
        subprocess.run([sys.executable, __file__, "--fresh"], check=True)


# The allocation's row alone: the INSERT … ON CONFLICT DO NOTHING that claims a number,
# through Django's cursor, with no service around it. What the row costs (nine columns,
# three indexes, two checks and a foreign key) apart from what the code adds.
ROW_SQL = (
    "INSERT INTO cpr_allocation (personnummer, birth_date, sex, cpr_status, source, "
    "allocated_by_id, annulled_at, cpr_confirmed_at, annulment_reason) "
    "VALUES (%s, %s, %s, '20', 'allocated', %s, NULL, NULL, '') "
    "ON CONFLICT (personnummer) DO NOTHING RETURNING id, allocated_at"
)


def raw_series(requests: list[tuple[date, str]], index: int, round_: int) -> list[float]:
    """The baseline: plain INSERTs into a table with a unique index."""
    from django.db import connection

    latencies = []
    with connection.cursor() as cursor:
        for n, (birth, sex) in enumerate(requests):
            t0 = time.perf_counter()
            cursor.execute(
                "INSERT INTO bench_raw_insert (personnummer, birth_date, sex) VALUES (%s, %s, %s)",
                [f"{index}{round_}{n:04d}-{n:04d}", birth, sex],
            )
            latencies.append(time.perf_counter() - t0)
    return latencies


def row_series(requests: list[tuple[date, str]], owner) -> list[float]:
    from django.db import connection

    from cpr.personnummer import candidate_serials

    rng = random.Random()
    latencies = []
    with connection.cursor() as cursor:
        for birth, sex in requests:
            t0 = time.perf_counter()
            serials = candidate_serials(birth, sex)
            while True:
                number = birth.strftime("%d%m%y-") + rng.choice(serials)
                cursor.execute(ROW_SQL, [number, birth, sex, owner.pk])
                if cursor.fetchone() is not None:
                    break
            latencies.append(time.perf_counter() - t0)
    return latencies


def allocation_series(requests: list[tuple[date, str]], owner) -> list[float]:
    from cpr.services import allocate_personnummer

    latencies = []
    for birth, sex in requests:
        t0 = time.perf_counter()
        allocate_personnummer(birth_date=birth, sex=sex, allocated_by=owner)
        latencies.append(time.perf_counter() - t0)
    return latencies


def spread_dates(prefix: str):
    from django.db import connection

    from apoc.accounts.models import User
    from cpr.models import Allocation

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_insert")
        cursor.execute(
            "CREATE TABLE bench_raw_insert (id bigserial PRIMARY KEY, personnummer varchar(11) "
            "NOT NULL UNIQUE, birth_date date NOT NULL, sex varchar(1) NOT NULL)"
        )

    # The bench database may hold the 1,000,000 seeded registrations of search.py and
    # admin.py: allocate among them (a realistic density) and remove only our own rows.
    owner, _ = User.objects.get_or_create(username="bench-allocation")
    Allocation.objects.filter(allocated_by=owner).delete()
    already = Allocation.objects.count()

    rng = random.Random(5)
    start_date, span = date(1940, 1, 1), (date(2020, 1, 1) - date(1940, 1, 1)).days
    dates = [
        [
            [
                (start_date + timedelta(days=rng.randrange(span)), rng.choice("MF"))
                for _ in range(PER_WORKER)
            ]
            for _ in range(WORKERS)
        ]
        for _ in range(ROUNDS)
    ]
    series = {
        "raw": lambda round_, i: raw_series(dates[round_][i], i, round_),
        "row": lambda round_, i: row_series(dates[round_][i], owner),
        "alloc": lambda round_, i: allocation_series(dates[round_][i], owner),
    }

    # Warm the baseline a little, then measure, alternating which series goes first.
    run_workers(lambda i: raw_series(dates[0][i][:20], i, 9))
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE bench_raw_insert")
    seconds = dict.fromkeys(series, 0.0)
    latencies = {name: [] for name in series}
    ratios = []
    for round_ in range(ROUNDS):
        timed = {}
        for name in list(series) if round_ % 2 == 0 else reversed(series):
            timed[name] = run_workers(lambda i, name=name, r=round_: series[name](r, i))
        for name, (spent, per_worker) in timed.items():
            seconds[name] += spent
            latencies[name] += [x for worker in per_worker for x in worker]
        ratios.append(timed["raw"][0] / timed["alloc"][0])
    total = ROUNDS * WORKERS * PER_WORKER
    assert Allocation.objects.count() == already + 2 * total
    emit(f"{prefix}allocation_existing_numbers", already)
    emit(f"{prefix}allocation_workers", WORKERS)
    emit(f"{prefix}allocations", total)
    emit(f"{prefix}allocations_per_s", total / seconds["alloc"])
    emit(f"{prefix}raw_inserts_per_s", total / seconds["raw"])
    emit(f"{prefix}allocation_ratio", seconds["raw"] / seconds["alloc"])
    emit(f"{prefix}allocation_ratio_rounds_min", min(ratios))
    emit(f"{prefix}allocation_ratio_rounds_max", max(ratios))
    emit(f"{prefix}row_inserts_per_s", total / seconds["row"])
    emit(f"{prefix}row_ratio", seconds["raw"] / seconds["row"])
    emit(f"{prefix}allocation_to_row_ratio", seconds["row"] / seconds["alloc"])
    emit(f"{prefix}allocation_p50_ms", percentile(latencies["alloc"], 50) * 1000)
    emit(f"{prefix}allocation_p95_ms", percentile(latencies["alloc"], 95) * 1000)
    emit(f"{prefix}raw_insert_p95_ms", percentile(latencies["raw"], 95) * 1000)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_insert")
    return owner


def contention(owner) -> None:
    from cpr.exceptions import SeriesExhausted
    from cpr.models import Allocation
    from cpr.personnummer import candidate_serials
    from cpr.services import allocate_personnummer

    # Phase 2: contention on one birth date and sex.
    # A birth date and sex with no numbers yet (the seed uses 1950-2005).
    birth, sex = date(1912, 6, 12), "F"
    while Allocation.objects.filter(personnummer__startswith=birth.strftime("%d%m%y-")).exists():
        birth += timedelta(days=1)
    candidates = {birth.strftime("%d%m%y-") + s for s in candidate_serials(birth, sex)}

    def contend(index: int) -> tuple[list[str], int, list[str]]:
        numbers, errors = [], []
        while True:
            try:
                numbers.append(
                    allocate_personnummer(
                        birth_date=birth, sex=sex, allocated_by=owner
                    ).personnummer
                )
            except SeriesExhausted:
                return numbers, 1, errors
            except Exception as exc:
                errors.append(repr(exc))
                return numbers, 0, errors

    seconds, results = run_workers(contend)
    numbers = [n for worker in results for n in worker[0]]
    emit("contention_candidates", len(candidates))
    emit("contention_handed_out", len(numbers))
    emit("contention_duplicates", len(numbers) - len(set(numbers)))
    emit("contention_missing", len(candidates - set(numbers)))
    emit("contention_exhausted_workers", sum(worker[1] for worker in results))
    emit("contention_errors", sum(len(worker[2]) for worker in results))
    emit("contention_seconds", seconds)


if __name__ == "__main__":
    main()
