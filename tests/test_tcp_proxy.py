"""The proxy that loses a COMMIT's reply (tests/tcp_proxy.py), against the real server."""

from __future__ import annotations

import socket
import threading
import uuid

import pytest
from django.db import connection

from tests import dbroles
from tests.tcp_proxy import PostgresProxy, is_commit


@pytest.fixture
def server(postgresql_only):
    """Where the test database is, as psycopg connection arguments.

    The tests make and drop tables: as the owner, when the suite runs as the
    application's role (tests/dbroles.py).
    """
    settings = {**connection.settings_dict, **(dbroles.owner_credentials() or {})}
    return {
        "host": settings["HOST"] or "127.0.0.1",
        "port": int(settings["PORT"] or 5432),
        "user": settings["USER"],
        "password": settings["PASSWORD"] or None,
        "dbname": settings["NAME"],
    }


@pytest.fixture
def proxy(server):
    with PostgresProxy(server["host"], server["port"]) as proxy:
        yield proxy


def through(proxy, server, **kwargs):
    import psycopg

    return psycopg.connect(**{**server, "host": proxy.host, "port": proxy.port, **kwargs})


def direct(server):
    import psycopg

    return psycopg.connect(**server, autocommit=True)


@pytest.fixture
def table(server):
    """A table name nobody uses; the table is dropped afterwards."""
    name = f"proxy_probe_{uuid.uuid4().hex}"
    yield name
    with direct(server) as admin:
        admin.execute(f"DROP TABLE IF EXISTS {name}")


def exists(server, table: str) -> bool:
    with direct(server) as admin:
        return admin.execute("SELECT to_regclass(%s) IS NOT NULL", [table]).fetchone()[0]


@pytest.mark.parametrize(
    ("sql", "commits"),
    [
        ("COMMIT", True),
        ("commit", True),
        ("  Commit ;\n", True),
        ("COMMIT WORK", True),
        ("commit transaction;", True),
        ("END", True),
        ("COMMIT PREPARED 'x'", False),
        ("SELECT 'COMMIT'", False),
        ("ROLLBACK", False),
        ("RELEASE SAVEPOINT s1", False),
        ("", False),
    ],
)
def test_what_counts_as_a_commit(sql, commits):
    assert is_commit(sql) is commits


@pytest.mark.parametrize("sslmode", ["prefer", "disable"])
def test_queries_go_through(proxy, server, sslmode):
    with through(proxy, server, sslmode=sslmode) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)  # simple protocol
        cursor = conn.cursor()
        cursor.execute("SELECT %s::int + 1", [41], prepare=True)  # Parse, Bind, Execute
        assert cursor.fetchone() == (42,)
        conn.commit()
    assert proxy.drops == 0
    assert proxy.encryption_requests == (1 if sslmode == "prefer" else 0)


def test_psycopg_commits_with_a_simple_query(proxy, server):
    with through(proxy, server) as conn:
        conn.execute("SELECT 1")
        conn.commit()
    assert proxy.commits == [("simple", "COMMIT")]


def test_the_connection_is_dropped_only_after_the_commit(proxy, server, table):
    import psycopg

    proxy.drop_after_commit(times=1)
    conn = through(proxy, server)
    try:
        conn.execute(f"CREATE TABLE {table} (n int)")
        conn.execute(f"INSERT INTO {table} VALUES (1)")
        conn.execute("SAVEPOINT s1")
        conn.execute("RELEASE SAVEPOINT s1")
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (1,)
        assert proxy.drops == 0
        with pytest.raises(psycopg.OperationalError):
            conn.commit()
        assert conn.closed
    finally:
        conn.close()
    assert proxy.drops == 1
    assert proxy.armed == 0
    assert exists(server, table)  # the server committed; the client never heard of it


def test_a_rollback_is_not_dropped(proxy, server, table):
    proxy.drop_after_commit(times=1)
    conn = through(proxy, server)
    try:
        conn.execute(f"CREATE TABLE {table} (n int)")
        conn.rollback()
        assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        conn.close()  # without the commit of leaving a with block
    assert proxy.drops == 0
    assert proxy.armed == 1
    assert not exists(server, table)


def test_a_commit_through_the_extended_protocol_is_dropped(proxy, server, table):
    import psycopg

    proxy.drop_after_commit(times=1)
    conn = through(proxy, server)
    try:
        with pytest.raises(psycopg.OperationalError), conn.pipeline():
            conn.execute(f"CREATE TABLE {table} (n int)")
            conn.commit()  # in a pipeline: Parse, Bind, Describe, Execute, Sync
    finally:
        conn.close()
    assert proxy.commits == [("extended", "COMMIT")]
    assert proxy.drops == 1
    assert exists(server, table)


def test_a_new_connection_works_after_the_drop(proxy, server, table):
    import psycopg

    proxy.drop_after_commit(times=1)
    with pytest.raises(psycopg.OperationalError), through(proxy, server) as conn:
        conn.execute("SELECT 1")
        conn.commit()
    with through(proxy, server) as conn:  # disarmed: this commit is answered
        conn.execute(f"CREATE TABLE {table} (n int)")
        conn.commit()
        assert conn.execute("SELECT 1").fetchone() == (1,)
    assert proxy.drops == 1
    assert proxy.connections == 2
    assert exists(server, table)


def test_stop_closes_everything(server):
    before = set(threading.enumerate())
    proxy = PostgresProxy(server["host"], server["port"]).start()
    port = proxy.port
    idle = through(proxy, server)  # still open when the proxy stops
    try:
        assert idle.execute("SELECT 1").fetchone() == (1,)
        proxy.stop()
        assert set(threading.enumerate()) == before
        with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
            pass
        import psycopg

        with pytest.raises(psycopg.OperationalError):
            idle.execute("SELECT 1")
    finally:
        idle.close()
        proxy.stop()  # a second stop does nothing
