"""Chaos: the caseworkers' load (bench/load.py) while PostgreSQL restarts.

Runs load.py's caseworkers against gunicorn for APOC_CHAOS_SECONDS (40) and,
APOC_CHAOS_AT (10) seconds in, takes PostgreSQL away: it stops the local
cluster (``pg_ctlcluster --skip-systemctl-redirect <version> main stop``, a
fast shutdown that ends every session), keeps it down APOC_CHAOS_DOWN (2)
seconds counted from the moment it is down, and starts it again. With
APOC_CHAOS_OUTAGES=2 it does so twice, the second time 15 seconds after the
first came back; never more. The machine's PostgreSQL serves other databases
too, so the cluster is started again whatever happens: in a ``finally``, also
when the script fails or is interrupted (SIGINT, SIGTERM, SIGHUP).

APOC_CHAOS_OUTAGE=database takes away only the benchmark's own database
instead (``ALTER DATABASE … ALLOW_CONNECTIONS false`` and its sessions
ended), for a machine where the cluster must not restart. The figures in
bench/README.md are from the restart.

Prints, after the load's own lines (prefixed ``chaos_load_``):

- chaos_duplicates: personnumre given to more than one registration, and the
  run's people registered twice (the same document, or name and birth date);
- chaos_orphans: the run's allocations without a registration, its Jobnet
  accounts without a registration, document files no registration refers to,
  and its registrations whose document file is missing (each also on its own);
- chaos_outage_s: from PostgreSQL down to accepting connections again;
- chaos_recovery_s: from PostgreSQL accepting connections again to the first
  intake answered with its redirect (the worst of the outages);
- chaos_first_answer_s: from then to the first page that needs the database
  answered as expected (the server's own recovery, without the caseworkers'
  pace: an intake comes when a caseworker gets to it);
- chaos_5xx_after_up: 5xx answers to requests sent after PostgreSQL accepted
  connections again (a server that does not recover by itself);
- chaos_5xx_<status>: the 5xx answers by status, 500 and 503 always;
- chaos_noanswer: requests that got no answer at all;
- chaos_errors_not_503: every other unexpected answer (a 4xx, a wrong page);
- chaos_db_faults: database errors the server logged that were not a lost
  connection (``database error on`` in its log, each a fault to look into).

The baseline is the load's own: the requests outside the outage and /healthz.
Exits non-zero on a duplicate, an orphan, a redirected intake missing, a 5xx
other than 503, a 5xx after PostgreSQL came back, any other error, a database
fault, or no intake after the database came back. APOC_CHAOS_TIMELINE names a
file for every answer's times (seconds from the outage: sent, answered, step,
status), APOC_LOAD_LOG one for gunicorn's log.
"""

from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import emit, setup

SECONDS = min(float(os.environ.get("APOC_CHAOS_SECONDS", "40")), 300.0)
AT = float(os.environ.get("APOC_CHAOS_AT", "10"))  # seconds into the load
DOWN = min(float(os.environ.get("APOC_CHAOS_DOWN", "2")), 10.0)  # a few seconds, no more
OUTAGES = max(1, min(int(os.environ.get("APOC_CHAOS_OUTAGES", "1")), 2))  # once or twice
BETWEEN = 15.0  # seconds from the first outage's end to the second's start
OUTAGE = os.environ.get("APOC_CHAOS_OUTAGE", "restart")
ACCEPT_TIMEOUT = 60.0  # seconds to wait for PostgreSQL to accept connections again


def _postgres(url: str, dbname: str | None = None):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or None,
        password=parts.password or None,
        dbname=dbname or parts.path.lstrip("/"),
        connect_timeout=2,
        autocommit=True,
    )


def accepting(url: str) -> bool:
    """Whether PostgreSQL lets a new session into the database ``url`` names."""
    import psycopg

    try:
        with _postgres(url) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


class ClusterRestart:
    """Stop the local cluster, and start it again."""

    def __init__(self, url: str) -> None:
        self.url = url
        if shutil.which("pg_ctlcluster") is None or not Path("/etc/postgresql").is_dir():
            raise SystemExit(
                "chaos: no Debian PostgreSQL cluster here (pg_ctlcluster, /etc/postgresql); "
                "APOC_CHAOS_OUTAGE=database takes away only the benchmark's database instead"
            )
        versions = sorted(os.listdir("/etc/postgresql"))
        if len(versions) != 1:
            raise SystemExit(
                f"chaos: expected one PostgreSQL version in /etc/postgresql: {versions}"
            )
        self.cluster = [versions[0], "main"]
        parts = urlsplit(url)
        port = self._port()
        if parts.hostname not in ("127.0.0.1", "localhost", "::1") or (parts.port or 5432) != port:
            raise SystemExit(
                f"chaos: DATABASE_URL must name the local cluster {' '.join(self.cluster)} "
                f"(127.0.0.1:{port}), the one this script restarts"
            )
        owner = Path(f"/etc/postgresql/{versions[0]}/main").stat().st_uid
        if os.geteuid() not in (0, owner):
            raise SystemExit(
                "chaos: restarting PostgreSQL needs root or the cluster's owner; "
                "APOC_CHAOS_OUTAGE=database takes away only the benchmark's database instead"
            )

    def _ctl(self, action: str, *, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", *self.cluster, action],
            capture_output=True,
            text=True,
            timeout=120,
            check=check,
        )

    def _port(self) -> int:
        lines = subprocess.run(
            ["pg_lsclusters", "--no-header", *self.cluster],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.split()
        return int(lines[2])

    def running(self) -> bool:
        return self._ctl("status", check=False).returncode == 0

    def _begin(self, action: str) -> subprocess.Popen:
        return subprocess.Popen(
            ["pg_ctlcluster", "--skip-systemctl-redirect", *self.cluster, action],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def down(self) -> subprocess.Popen:
        """Begin the (fast) shutdown; the caller watches for the moment it is down."""
        if not self.running():
            raise SystemExit("chaos: PostgreSQL is not running; it is left alone")
        return self._begin("stop")

    def up(self) -> subprocess.Popen:
        return self._begin("start")

    def ensure_up(self) -> None:
        """Start the cluster if it is down; tried three times, loudly."""
        for attempt in range(3):
            if self.running():
                return
            result = self._ctl("start", check=False)
            if result.returncode == 0:
                return
            print(
                f"# chaos: starting PostgreSQL failed ({attempt + 1}): {result.stderr}",
                file=sys.stderr,
            )
            time.sleep(2)
        print(
            f"# chaos: PostgreSQL IS DOWN; start it: pg_ctlcluster {' '.join(self.cluster)} start",
            file=sys.stderr,
        )


class DatabaseLockout:
    """Turn away the benchmark database's sessions, and let them in again."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.name = urlsplit(url).path.lstrip("/")

    def _allow(self, allowed: bool) -> None:
        from psycopg import sql

        with _postgres(self.url, dbname="postgres") as conn:
            conn.execute(
                sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS {}").format(
                    sql.Identifier(self.name), sql.SQL("true" if allowed else "false")
                )
            )
            if not allowed:
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    [self.name],
                )

    def down(self) -> None:
        self._allow(False)

    def up(self) -> None:
        self._allow(True)

    def ensure_up(self) -> None:
        self._allow(True)


def finished(action: subprocess.Popen | None) -> bool:
    """Whether the switch's command is done; raises when it failed."""
    if action is None or action.poll() is None:
        return action is None
    if action.returncode != 0:
        raise SystemExit(f"chaos: {' '.join(action.args)} failed: {action.stdout.read()}")
    return True


@dataclass
class Outage:
    down_at: float  # monotonic: PostgreSQL turns new sessions away
    accepting_at: float = math.nan  # monotonic: accepting connections again


@dataclass
class Chaos:
    """Takes the database away during the load, and records when."""

    switch: ClusterRestart | DatabaseLockout
    url: str
    outages: list[Outage] = field(default_factory=list)
    action: subprocess.Popen | None = None  # the switch's command under way

    def settle(self) -> None:
        """Let a stop or start under way finish (so that a start is not taken for done)."""
        if self.action is not None and self.action.poll() is None:
            try:
                self.action.wait(timeout=ACCEPT_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.action.kill()

    def during(self, tally) -> None:
        start = tally.began + AT
        for _ in range(OUTAGES):
            time.sleep(max(0.0, start - time.monotonic()))
            stopping = self.action = self.switch.down()
            outage = Outage(down_at=self._watch(stopping, accepted=False))
            self.outages.append(outage)
            self._finish(stopping)
            time.sleep(max(0.0, outage.down_at + DOWN - time.monotonic()))
            starting = self.action = self.switch.up()
            outage.accepting_at = self._watch(starting, accepted=True)
            self._finish(starting)
            start = outage.accepting_at + BETWEEN

    def _watch(self, action: subprocess.Popen | None, *, accepted: bool) -> float:
        """The moment a new session is turned away (or let in again), while the switch's
        command runs: it returns only some time after the server has stopped or started."""
        deadline = time.monotonic() + ACCEPT_TIMEOUT
        while time.monotonic() < deadline:
            if accepting(self.url) == accepted:
                return time.monotonic()
            finished(action)  # raises if the command failed
            time.sleep(0.02)
        raise SystemExit(f"chaos: PostgreSQL still {'down' if accepted else 'up'}")

    def _finish(self, action: subprocess.Popen | None) -> None:
        deadline = time.monotonic() + ACCEPT_TIMEOUT
        while not finished(action):
            if time.monotonic() > deadline:
                raise SystemExit(f"chaos: {' '.join(action.args)} did not finish")
            time.sleep(0.05)


def recovery(outages: list[Outage], intake_times: list[float]) -> float:
    """The longest time from accepting connections again to the next redirected intake."""
    worst = 0.0
    for outage in outages:
        after = [t for t in intake_times if t >= outage.accepting_at]
        if not after:
            return math.nan
        worst = max(worst, min(after) - outage.accepting_at)
    return worst


def after_up(outages: list[Outage], answers: list) -> tuple[int, float]:
    """5xx answers to requests sent after PostgreSQL accepted connections again, and the
    time from then to the first request that needs the database answered as expected
    (the worst of the outages)."""
    fives_after, firsts = 0, []
    for outage in outages:
        later = [a for a in answers if a[0] >= outage.accepting_at and a[2] != "trivial"]
        fives_after += sum(1 for a in later if a[3].isdigit() and int(a[3]) >= 500)
        ok = [answered for _, answered, _, _, expected in later if expected]
        firsts.append(min(ok) - outage.accepting_at if ok else math.nan)
    return fives_after, max(firsts, key=lambda s: math.inf if math.isnan(s) else s, default=0.0)


def write_timeline(path: Path, outages: list[Outage], answers: list) -> None:
    """Every answer, in seconds from the first outage: sent, answered, step, status."""
    base = outages[0].down_at if outages else 0.0
    with path.open("w") as out:
        for outage in outages:
            out.write(f"outage {outage.down_at - base:.3f} {outage.accepting_at - base:.3f}\n")
        for sent, answered, kind, status, _ in sorted(answers):
            out.write(f"{sent - base:.3f} {answered - base:.3f} {kind} {status}\n")


def fives(statuses: Counter) -> Counter:
    """The 5xx answers by status code, 500 and 503 always."""
    found: Counter = Counter({"500": 0, "503": 0})
    for (_, status), count in statuses.items():
        if status.isdigit() and int(status) >= 500:
            found[status] += count
    return found


SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _terminate(signum, frame) -> None:
    raise SystemExit(128 + signum)  # so that the finally below starts PostgreSQL


def main() -> None:
    from bench import load

    if OUTAGE not in ("restart", "database"):
        raise SystemExit(f"chaos: APOC_CHAOS_OUTAGE is restart or database, not {OUTAGE!r}")
    if AT + DOWN >= SECONDS:
        raise SystemExit("chaos: the outage must end before the load does (APOC_CHAOS_AT)")
    setup(needs_postgresql=True)
    url = os.environ["DATABASE_URL"]
    switch = ClusterRestart(url) if OUTAGE == "restart" else DatabaseLockout(url)
    chaos = Chaos(switch, url)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _terminate)  # SIGINT is KeyboardInterrupt already
    try:
        result = load.run(seconds=SECONDS, during=chaos.during)
    finally:
        for signum in SIGNALS:  # a second Ctrl-C must not stop the restart
            signal.signal(signum, signal.SIG_IGN)
        chaos.settle()
        switch.ensure_up()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)

    load.report(result, prefix="chaos_load")
    found, tally = result.integrity, result.tally
    outage_s = max((o.accepting_at - o.down_at for o in chaos.outages), default=math.nan)
    recovery_s = recovery(chaos.outages, tally.intake_times)
    fives_after, first_ok_s = after_up(chaos.outages, tally.answers)
    statuses = fives(tally.statuses)
    noanswer = sum(n for (_, status), n in tally.statuses.items() if status == load.NO_ANSWER)
    not_503 = tally.errors - statuses["503"]
    faults = [line for line in result.log.splitlines() if "database error on" in line]

    emit("chaos_outages", len(chaos.outages))
    emit("chaos_duplicates", found.duplicates)
    emit("chaos_duplicate_numbers", found.numbers_twice)
    emit("chaos_duplicate_people", found.people_twice)
    emit("chaos_orphans", found.orphans)
    emit("chaos_orphan_allocations", found.orphan_allocations)
    emit("chaos_orphan_accounts", found.orphan_accounts)
    emit("chaos_orphan_files", found.orphan_files)
    emit("chaos_registrations_without_file", found.missing_files)
    emit("chaos_intakes_missing", len(found.missing))
    emit("chaos_outage_s", outage_s)
    emit("chaos_recovery_s", recovery_s)
    emit("chaos_first_answer_s", first_ok_s)
    emit("chaos_5xx_after_up", fives_after)
    for status, count in sorted(statuses.items()):
        emit(f"chaos_5xx_{status}", count)
    emit("chaos_noanswer", noanswer)
    emit("chaos_errors_not_503", not_503)
    emit("chaos_db_faults", len(faults))
    if os.environ.get("APOC_CHAOS_TIMELINE"):
        write_timeline(Path(os.environ["APOC_CHAOS_TIMELINE"]), chaos.outages, tally.answers)
    failed = (
        found.duplicates
        or found.orphans
        or found.missing
        or found.strangers
        or not_503
        or faults
        or fives_after
        or math.isnan(recovery_s)
    )
    if failed:
        print(f"# gunicorn's log ends:\n{result.log[-6000:]}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
