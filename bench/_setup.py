"""Shared start-up for the bench scripts: Django on the database DATABASE_URL names.

The database may be empty: it is created when missing and migrated here.
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/apoc_bench"


def setup(*, needs_postgresql: bool = False, fresh_suffix: str = "") -> str:
    """Configure Django, create and migrate the database; return its vendor.

    With ``fresh_suffix``, a new empty database of that name's suffix instead, dropped
    first if an earlier run left it (:func:`drop_fresh_database` drops it after).
    """
    sys.path.insert(0, str(ROOT))
    url = os.environ.get("DATABASE_URL", "")
    if needs_postgresql and not url.startswith(("postgres://", "postgresql://")):
        url = DEFAULT_POSTGRES
    if fresh_suffix:
        url = _with_suffix(url, fresh_suffix)
        _drop_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apoc.settings.local")
    # As on a server: with DEBUG every query is also formatted and kept in memory.
    os.environ.setdefault("DJANGO_DEBUG", "false")
    if url.startswith(("postgres://", "postgresql://")):
        _create_database(url)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection

    return connection.vendor


def _split(url: str) -> tuple[str, str, str]:
    """The server's part of a database URL, the database's name, and the query string."""
    base, _, rest = url.rpartition("/")
    name, _, query = rest.partition("?")
    return base, name, query


def _maintenance(url: str):
    """A connection to the server's maintenance database, outside a transaction (as CREATE
    and DROP DATABASE need), and the name of the database that ``url`` names."""
    import psycopg

    base, name, _ = _split(url)
    return psycopg.connect(f"{base}/postgres", autocommit=True), name


def _create_database(url: str) -> None:
    from psycopg import sql

    conn, name = _maintenance(url)
    with conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _with_suffix(url: str, suffix: str) -> str:
    base, name, query = _split(url)
    return f"{base}/{name}{suffix}" + (f"?{query}" if query else "")


def _drop_database(url: str) -> None:
    from psycopg import sql

    conn, name = _maintenance(url)
    with conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def drop_fresh_database() -> None:
    """Drop the database that ``setup(fresh_suffix=...)`` made, closing Django's connections."""
    from django.db import connections

    connections.close_all()
    _drop_database(os.environ["DATABASE_URL"])


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values)


def best_rate(func, inputs: list, rounds: int = 3) -> float:
    """Calls per second of ``func`` over ``inputs``: the best of ``rounds`` runs."""
    import time

    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        for value in inputs:
            func(value)
        best = max(best, len(inputs) / (time.perf_counter() - start))
    return best


def emit(name: str, value: float | int | str) -> None:
    if isinstance(value, float):
        value = f"{value:.3f}" if abs(value) < 1000 else f"{value:.0f}"
    print(f"{name}={value}", flush=True)
