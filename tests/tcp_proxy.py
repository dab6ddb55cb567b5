"""A TCP proxy in front of PostgreSQL that can lose the reply to a COMMIT.

The proxy listens on 127.0.0.1 on an ephemeral port and forwards every
connection to the real server. It reads just enough of the frontend/backend
protocol (version 3) to see the messages go by:

- The first messages of a connection carry no type byte (Int32 length, then
  the request code). An SSLRequest or a GSSENCRequest is answered ``N`` by the
  proxy itself, so the client goes on in plain text (libpq's default
  ``sslmode=prefer`` accepts that) and the proxy can read what follows. The
  StartupMessage and a CancelRequest are forwarded.
- After that every message is a type byte and an Int32 length that counts
  itself. The proxy spots a commit sent as a simple Query (``Q`` whose SQL is
  ``COMMIT``, as psycopg 3's ``connection.commit()`` sends it) or through the
  extended protocol (a Parse ``P`` of ``COMMIT``, executed and then Sync'ed:
  psycopg does that in pipeline mode).

When armed with ``drop_after_commit(times=n)``, the next ``n`` commits are
forwarded to the server, the server's reply is read up to its ReadyForQuery
(so the server has committed) and thrown away, and both sockets are closed.
The client waits for an answer that never comes and sees the connection
closed: the transaction is committed, and the application cannot know it.

One event loop in one background thread serves all connections; ``stop()``
closes the listening socket and every connection and joins the thread.

    with PostgresProxy("127.0.0.1", 5432) as proxy:
        proxy.drop_after_commit()
        psycopg.connect(host=proxy.host, port=proxy.port, ...)
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import struct
import threading
from dataclasses import dataclass, field

__all__ = ["PostgresProxy", "is_commit"]

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102

_COMMIT = re.compile(rb"\s*(?:COMMIT|END)(?:\s+(?:WORK|TRANSACTION))?\s*;?\s*", re.IGNORECASE)

#: Client messages the server answers with one ReadyForQuery each.
_ANSWERED_WITH_READY = frozenset({b"Q", b"S", b"F"})


def is_commit(sql: bytes | str) -> bool:
    """Whether the statement is a plain COMMIT (or its synonyms COMMIT WORK, END)."""
    if isinstance(sql, str):
        sql = sql.encode()
    return _COMMIT.fullmatch(sql) is not None


def _cstring(data: bytes, start: int) -> tuple[bytes, int]:
    """The NUL-terminated string at ``start`` and the offset after its NUL."""
    end = data.index(b"\0", start)
    return data[start:end], end + 1


async def _read_message(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """A typed message: its type byte and the whole message as sent."""
    header = await reader.readexactly(5)
    (length,) = struct.unpack("!I", header[1:])
    return header[:1], header + await reader.readexactly(length - 4)


@dataclass
class _Link:
    """One proxied connection."""

    client: asyncio.StreamWriter
    server: asyncio.StreamWriter
    #: Queries, Syncs and function calls sent whose ReadyForQuery has not come back.
    outstanding: int = 0
    #: From the drop on, the server's messages are read and not relayed.
    swallow: bool = False
    answered: asyncio.Event = field(default_factory=asyncio.Event)
    #: Prepared statements and portals that are a COMMIT (extended protocol).
    commit_statements: set[bytes] = field(default_factory=set)
    commit_portals: set[bytes] = field(default_factory=set)
    #: A COMMIT portal was executed since the last Sync.
    commit_executed: bool = False


class PostgresProxy:
    """Forwards 127.0.0.1:<port> to PostgreSQL; can drop a connection after its COMMIT."""

    def __init__(
        self,
        upstream_host: str,
        upstream_port: int,
        *,
        host: str = "127.0.0.1",
        reply_timeout: float = 10.0,
    ) -> None:
        self.upstream_host = upstream_host or "127.0.0.1"
        self.upstream_port = int(upstream_port or 5432)
        self.host = host
        self.port = 0
        self.reply_timeout = reply_timeout
        #: Every commit seen: ("simple", sql) for a Query, ("extended", sql) for a Parse.
        self.commits: list[tuple[str, str]] = []
        #: How many connections were dropped after their COMMIT.
        self.drops = 0
        self.connections = 0
        #: SSLRequests and GSSENCRequests answered "N".
        self.encryption_requests = 0
        self._armed = 0
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    # --- Control, from the test's thread ---------------------------------------------------------

    def drop_after_commit(self, times: int = 1) -> None:
        """Drop the connection after each of the next ``times`` commits."""
        with self._lock:
            self._armed = times

    def disarm(self) -> None:
        self.drop_after_commit(0)

    @property
    def armed(self) -> int:
        with self._lock:
            return self._armed

    def start(self) -> PostgresProxy:
        if self._thread is not None:
            raise RuntimeError("the proxy is already running")
        loop = asyncio.new_event_loop()

        async def listen() -> None:
            self._server = await asyncio.start_server(self._handle, self.host, 0)
            self.port = self._server.sockets[0].getsockname()[1]

        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(listen())
            except BaseException as error:
                failure.append(error)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())  # name lookups
                loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="postgres-proxy", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._thread = self._loop = None
            raise failure[0]
        return self

    def stop(self) -> None:
        """Close the listening socket and every connection; join the thread."""
        if self._thread is None or self._loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=30)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)
            if self._thread.is_alive():  # pragma: no cover
                raise RuntimeError("the proxy's thread did not stop")
            self._thread = self._loop = self._server = None

    def __enter__(self) -> PostgresProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- The event loop, in the proxy's thread ---------------------------------------------------

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        handlers = list(self._handlers)
        for handler in handlers:
            handler.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    def _take_drop(self) -> bool:
        with self._lock:
            if self._armed > 0:
                self._armed -= 1
                return True
            return False

    async def _open_upstream(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.upstream_host.startswith("/"):  # a Unix-domain socket directory
            path = f"{self.upstream_host}/.s.PGSQL.{self.upstream_port}"
            return await asyncio.open_unix_connection(path)
        return await asyncio.open_connection(self.upstream_host, self.upstream_port)

    async def _handle(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        server_writer: asyncio.StreamWriter | None = None
        pumps: list[asyncio.Task[None]] = []
        try:
            with self._lock:
                self.connections += 1
            server_reader, server_writer = await self._open_upstream()
            link = _Link(client=client_writer, server=server_writer)
            pumps = [
                asyncio.create_task(self._client_to_server(link, client_reader)),
                asyncio.create_task(self._server_to_client(link, server_reader)),
            ]
            # Either side ending (or the drop) ends the connection.
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        except OSError:
            pass  # the server refused the connection: the client sees it closed
        except asyncio.CancelledError:
            pass  # stop(): the connection ends like any other (the task is ours)
        finally:
            for pump in pumps:
                pump.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            for writer in (client_writer, server_writer):
                if writer is not None:
                    await _close(writer)
            self._handlers.discard(task)

    async def _client_to_server(self, link: _Link, reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            if not await self._startup(link, reader):
                # A CancelRequest: the server closes the connection, nothing more to read.
                await reader.read()
                return
            while True:
                kind, message = await _read_message(reader)
                drop = self._is_drop(link, kind, message)
                if kind in _ANSWERED_WITH_READY:
                    link.outstanding += 1
                if drop:
                    link.swallow = True  # before the server can answer
                link.server.write(message)
                await link.server.drain()
                if drop:
                    # The server has committed once it says ReadyForQuery.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(link.answered.wait(), self.reply_timeout)
                    with self._lock:
                        self.drops += 1
                    return

    async def _startup(self, link: _Link, reader: asyncio.StreamReader) -> bool:
        """The untagged messages. False for a CancelRequest."""
        while True:
            head = await reader.readexactly(4)
            (length,) = struct.unpack("!I", head)
            body = await reader.readexactly(length - 4)
            (code,) = struct.unpack("!I", body[:4])
            if code in (SSL_REQUEST, GSSENC_REQUEST):
                with self._lock:
                    self.encryption_requests += 1
                link.client.write(b"N")  # no encryption: go on in plain text
                await link.client.drain()
                continue
            link.server.write(head + body)
            await link.server.drain()
            return code != CANCEL_REQUEST

    def _is_drop(self, link: _Link, kind: bytes, message: bytes) -> bool:
        """Whether to drop the connection once this message is forwarded."""
        body = message[5:]
        if kind == b"Q":
            sql, _ = _cstring(body, 0)
            if is_commit(sql):
                self._seen("simple", sql)
                return self._take_drop()
        elif kind == b"P":  # Parse: statement name, query, parameter types
            name, offset = _cstring(body, 0)
            sql, _ = _cstring(body, offset)
            if is_commit(sql):
                self._seen("extended", sql)
                link.commit_statements.add(name)
            else:
                link.commit_statements.discard(name)
        elif kind == b"B":  # Bind: portal name, statement name, ...
            portal, offset = _cstring(body, 0)
            statement, _ = _cstring(body, offset)
            if statement in link.commit_statements:
                link.commit_portals.add(portal)
            else:
                link.commit_portals.discard(portal)
        elif kind == b"E":  # Execute: portal name, row limit
            portal, _ = _cstring(body, 0)
            if portal in link.commit_portals:
                link.commit_executed = True
        elif kind == b"S":  # Sync: the server answers everything since the last one
            executed, link.commit_executed = link.commit_executed, False
            link.commit_portals.discard(b"")  # the unnamed portal ends with the transaction
            return executed and self._take_drop()
        return False

    def _seen(self, protocol: str, sql: bytes) -> None:
        with self._lock:
            self.commits.append((protocol, sql.decode(errors="replace")))

    async def _server_to_client(self, link: _Link, reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                kind, message = await _read_message(reader)
                if kind == b"Z":  # ReadyForQuery
                    link.outstanding = max(0, link.outstanding - 1)
                if link.swallow:
                    if link.outstanding == 0:
                        link.answered.set()
                    continue
                link.client.write(message)
                await link.client.drain()


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(OSError, TimeoutError):
        await asyncio.wait_for(writer.wait_closed(), 5)
