"""Allocation on PostgreSQL with 8 concurrent worker processes.

Phase 1, spread birth dates: each worker process allocates through the service on its
own connection; the baseline is plain INSERTs into a table with a unique index, by
the same number of processes, in the same run. Prints allocations_per_s,
raw_inserts_per_s, allocation_ratio (target >= 0.5) and allocation_p95_ms
(target <= 20).

Phase 2, contention: 8 workers allocate for one birth date and sex until the
series is exhausted. Prints contention_* lines: duplicates must be 0 and every
candidate handed out once, then SeriesExhausted for every worker.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import emit, percentile, setup

WORKERS = 8
PER_WORKER = 400


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
    vendor = setup(needs_postgresql=True)
    assert vendor == "postgresql", vendor
    from django.db import connection

    from cpr.exceptions import SeriesExhausted
    from cpr.models import Allocation
    from cpr.personnummer import candidate_serials
    from cpr.services import allocate_personnummer

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_insert")
        cursor.execute(
            "CREATE TABLE bench_raw_insert (id bigserial PRIMARY KEY, personnummer varchar(11) "
            "NOT NULL UNIQUE, birth_date date NOT NULL, sex varchar(1) NOT NULL)"
        )

    # The bench database may hold the 1,000,000 seeded registrations of search.py and
    # admin.py: allocate among them (a realistic density) and remove only our own rows.
    from apoc.accounts.models import User

    owner, _ = User.objects.get_or_create(username="bench-allocation")
    Allocation.objects.filter(allocated_by=owner).delete()
    already = Allocation.objects.count()

    rng = random.Random(5)
    start_date, span = date(1940, 1, 1), (date(2020, 1, 1) - date(1940, 1, 1)).days
    dates = [
        [
            (start_date + timedelta(days=rng.randrange(span)), rng.choice("MF"))
            for _ in range(PER_WORKER)
        ]
        for _ in range(WORKERS)
    ]

    def raw(index: int) -> list[float]:
        latencies = []
        with connection.cursor() as cursor:
            for n, (birth, sex) in enumerate(dates[index]):
                t0 = time.perf_counter()
                cursor.execute(
                    "INSERT INTO bench_raw_insert (personnummer, birth_date, sex) VALUES (%s, %s, %s)",
                    [f"{index:02d}{n:04d}-{rng.randrange(10000):04d}", birth, sex],
                )
                latencies.append(time.perf_counter() - t0)
        return latencies

    def allocate(index: int) -> list[float]:
        latencies = []
        for birth, sex in dates[index]:
            t0 = time.perf_counter()
            allocate_personnummer(birth_date=birth, sex=sex, allocated_by=owner)
            latencies.append(time.perf_counter() - t0)
        return latencies

    # Warm both paths a little, then measure.
    raw_seconds, _ = run_workers(lambda i: raw(i)[:0])
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE bench_raw_insert")
    raw_seconds, raw_lat = run_workers(raw)
    alloc_seconds, alloc_lat = run_workers(allocate)
    total = WORKERS * PER_WORKER
    latencies = [x for worker in alloc_lat for x in worker]
    assert Allocation.objects.count() == already + total
    emit("allocation_existing_numbers", already)
    emit("allocation_workers", WORKERS)
    emit("allocations", total)
    emit("allocations_per_s", total / alloc_seconds)
    emit("raw_inserts_per_s", total / raw_seconds)
    emit("allocation_ratio", (total / alloc_seconds) / (total / raw_seconds))
    emit("allocation_p50_ms", percentile(latencies, 50) * 1000)
    emit("allocation_p95_ms", percentile(latencies, 95) * 1000)
    emit("raw_insert_p95_ms", percentile([x for w in raw_lat for x in w], 95) * 1000)

    # Phase 2: contention on one birth date and sex.
    # A birth date and sex with no numbers yet (the seed uses 1950-2005).
    birth, sex = date(1912, 6, 12), "F"
    while Allocation.objects.filter(birth_date=birth, sex=sex).exists():
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
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_insert")


if __name__ == "__main__":
    main()
