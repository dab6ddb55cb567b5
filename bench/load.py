"""Load: caseworkers at the counter against gunicorn and PostgreSQL, over loopback.

Starts gunicorn with the production settings (``apoc.settings.production``,
``gunicorn.conf.py``) on 127.0.0.1 and a free port, on the PostgreSQL database
DATABASE_URL names (default: postgres://postgres@127.0.0.1:5432/apoc_bench).
The client plays the TLS-terminating reverse proxy as well as the browsers: it
sends X-Forwarded-Proto: https, so the server runs exactly as in production
(secure cookies, HSTS, CSRF origin checks) over plain HTTP on loopback.

Each of APOC_LOAD_CLIENTS (20) caseworkers logs in through the login form and
then, until APOC_LOAD_SECONDS (60) have passed, repeats what the counter does:
the intake form, the intake with an uploaded ID document, the registration
page it leads to, the letter's confirmation step, the printed letter (PDF), and
a search for the person; and once a round a GET of /healthz, the trivial view
that touches neither database nor session, as the baseline measured on the
same server in the same run.

The caseworkers behave as people do when something fails. After an error page
(a 5xx) or no answer at all, a caseworker waits a few seconds, longer when it
fails again and never in step with the others (:func:`backoff`), and tries the
same again: the same page, or the same intake with the same submission token,
which the server registers at most once. A caseworker whose intake has been
sent still sees it through after the run's end (for up to GRACE seconds), as
nobody leaves a person at the counter half-registered. Any other unexpected
answer ends the round; the caseworker starts over with a new person.

An intake counts when its POST answered with the redirect to the registration
page. Afterwards, once the database answers (the script's own connection is
replaced when it was lost, and every query is retried for up to
DB_RETRY_SECONDS), every redirected intake is looked up: it must exist exactly
once, under the id the redirect named, with a personnummer. The same check
counts numbers given twice, people registered twice, and what an intake may
leave behind without its registration (allocations, Jobnet accounts, document
files) or a registration without its document file.

Prints load_requests, load_errors (answers other than the expected one, no
answer included), load_status_<step>_<code> (every answer by step and status
code; ``none`` for no answer), load_duplicates (numbers given to more than one
registration, counted in the whole database, and people of this run
registered twice), load_intakes, load_intakes_missing, load_orphans,
load_p50_ms and load_p95_ms (the caseworkers' requests answered as expected),
per-step p95s, load_wait_p95_ms and load_wait_max_ms (per step, from its first
try to its success, back-offs included: the time a user waited), the trivial
view's p50/p95 and load_ratio (p95 over the trivial view's p95). Exits
non-zero when there were errors, duplicates, missing intakes or orphans.
Bounded: loopback only, at most MAX_SECONDS (plus GRACE and SLACK) and
MAX_REQUESTS; gunicorn is stopped and the temporary folders removed at the
end. APOC_LOAD_LOG names a file to keep gunicorn's whole log in.

bench/chaos.py runs the same load while PostgreSQL restarts (:func:`run`).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from random import Random
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import ROOT, emit, percentile, setup

HOST = "127.0.0.1"  # loopback only, never anything else
CLIENTS = min(int(os.environ.get("APOC_LOAD_CLIENTS", "20")), 64)
MAX_SECONDS = 600.0  # the longest run
SECONDS = min(float(os.environ.get("APOC_LOAD_SECONDS", "60")), MAX_SECONDS)
GRACE = 60.0  # after the end, a caseworker still sees a submitted intake through for this long
SLACK = 120.0  # start-up and shut-down: the whole run takes at most seconds + GRACE + SLACK
MAX_REQUESTS = 500_000
TIMEOUT = 30.0  # per request
BACKOFF_FIRST = 3.0  # seconds a caseworker waits after a first error page, before the jitter
BACKOFF_MAX = 10.0
DB_RETRY_SECONDS = 120.0  # how long the script's own queries wait for the database
PASSWORD = "belastning-" + secrets.token_urlsafe(12)
LETTERS = "abcdefghijklmnoprstuvwyząćęłńóśźż"
STEPS = (
    "intake_form",
    "intake",
    "detail",
    "letter_confirm",
    "letter_print",
    "search",
    "search_results",
)
NO_ANSWER = "none"  # the status of a request that got no answer at all

T = TypeVar("T")


# --- The server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def server_env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "APOC_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="apoc.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        DATABASE_URL=os.environ["DATABASE_URL"],
        APOC_VAR_DIR=str(workdir / "var"),
        APOC_UPLOAD_DIR=str(workdir / "uploads"),
        # The letter with APOC's own login: a password drawn and hashed at each print,
        # the heavier of the two sources, and one the scripted counter can print alone.
        JOBNET_ACCOUNTS="jobnet.accounts.LocalAccounts",
        PYTHONPATH=str(ROOT),
    )
    for name in ("APOC_WORKERS", "APOC_THREADS"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def start_server(workdir: Path, port: int) -> tuple[subprocess.Popen, Path]:
    env = server_env(workdir)
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    log = workdir / "gunicorn.log"
    server = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"{HOST}:{port}",
            "--access-logfile",
            "/dev/null",
            "apoc.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until_up(server, log, port)
    except BaseException:
        stop_server(server)
        raise
    return server, log


def wait_until_up(server: subprocess.Popen, log: Path, port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start:\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
            status = conn.getresponse().status
            conn.close()
        except OSError:
            time.sleep(0.2)
            continue
        if status != 200:
            raise SystemExit(f"/healthz answered {status}:\n{log.read_text()[-3000:]}")
        return
    raise SystemExit(f"gunicorn did not answer:\n{log.read_text()[-3000:]}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


# --- A caseworker's browser -----------------------------------------------------------------------


class Failure(Exception):
    """The round ends: an answer the caseworker cannot go on from."""


@dataclass
class Answer:
    status: int | str  # the HTTP status, or NO_ANSWER
    seconds: float
    response: http.client.HTTPResponse | None = None
    content: bytes = b""
    problem: str = ""  # why there was no answer


@dataclass
class Tally:
    """What the caseworkers saw. Latencies count from the start signal on."""

    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[tuple[str, str]] = field(default_factory=Counter)
    error_timings: list[float] = field(default_factory=list)  # until the error page came
    # (sent, answered, step, status, as expected) of every answer; monotonic times
    answers: list[tuple[float, float, str, str, bool]] = field(default_factory=list)
    waits: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    retried: Counter[str] = field(default_factory=Counter)  # steps that needed more than one try
    given_up: Counter[str] = field(default_factory=Counter)  # steps the run's end cut short
    backoffs: int = 0
    backoff_seconds: float = 0.0
    requests: int = 0
    errors: int = 0
    messages: list[str] = field(default_factory=list)
    sent: set[str] = field(default_factory=set)  # submission tokens of intakes sent
    intakes: dict[str, int] = field(default_factory=dict)  # token -> registration id redirected to
    intake_times: list[float] = field(default_factory=list)  # monotonic, each redirect's arrival
    letters: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    logged_in: threading.Barrier = field(default_factory=lambda: threading.Barrier(CLIENTS + 1))
    go: threading.Event = field(default_factory=threading.Event)
    began: float = 0.0  # monotonic, the start signal
    stop_at: float = float("inf")  # no new round after this
    deadline: float = float("inf")  # nothing at all after this

    def answered(self, kind: str, answer: Answer, expected: bool) -> None:
        now = time.monotonic()
        with self.lock:
            self.statuses[kind, str(answer.status)] += 1
            self.answers.append((now - answer.seconds, now, kind, str(answer.status), expected))
            self.requests += self.go.is_set()  # the measured window's
            if expected:
                if self.go.is_set():  # not while logging in, before the measured window
                    self.timings[kind].append(answer.seconds)
                return
            self.errors += 1
            self.error_timings.append(answer.seconds)

    def note(self, message: str) -> None:
        with self.lock:
            if len(self.messages) < 10:
                self.messages.append(message)

    def fault(self, message: str) -> None:
        """A page that came as expected but is wrong (a field or the person missing)."""
        with self.lock:
            self.errors += 1
        self.note(message)

    def waited(self, kind: str, seconds: float, tries: int) -> None:
        with self.lock:
            self.waits[kind].append(seconds)
            if tries > 1:
                self.retried[kind] += 1

    def gave_up(self, kind: str, seconds: float) -> None:
        """The run ended before the step succeeded: the caseworker waited in vain."""
        with self.lock:
            self.waits[kind].append(seconds)
            self.given_up[kind] += 1

    def paused(self, seconds: float) -> None:
        with self.lock:
            self.backoffs += 1
            self.backoff_seconds += seconds

    def intake(self, token: str, registration_id: int) -> None:
        with self.lock:
            self.intakes[token] = registration_id
            self.intake_times.append(time.monotonic())


def backoff(tries: int, rng: Random) -> float:
    """Seconds a caseworker waits after the ``tries``-th error page in a row before trying
    again: about three at first, longer when it keeps failing (at most BACKOFF_MAX before
    the jitter), and never in step with the others (0.5 to 1.5 times that)."""
    return min(BACKOFF_MAX, BACKOFF_FIRST * 1.5 ** (tries - 1)) * rng.uniform(0.5, 1.5)


class Browser:
    """One keep-alive connection with its own cookies, behind our 'proxy'."""

    def __init__(self, port: int, tally: Tally, rng: Random) -> None:
        self.port = port
        self.origin = f"https://{HOST}:{port}"
        self.tally = tally
        self.rng = rng
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)

    def send(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        content_type: str | None = None,
        cookies: bool = True,
    ) -> Answer:
        """One request, as the browser sends it; a lost connection is an answer too."""
        if self.tally.requests >= MAX_REQUESTS:
            raise Failure("request cap reached")
        headers = {
            "Host": f"{HOST}:{self.port}",
            "X-Forwarded-Proto": "https",
            "User-Agent": "apoc-bench-load",
        }
        if cookies and self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
            headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=TIMEOUT)
            problem = f"{type(error).__name__}: {error}"
            return Answer(NO_ANSWER, time.perf_counter() - start, problem=problem)
        elapsed = time.perf_counter() - start
        if cookies:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return Answer(response.status, elapsed, response, content)

    def step(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        content_type: str | None = None,
        expect: int = 200,
        cookies: bool = True,
        until: float | None = None,
    ) -> Answer:
        """One thing the caseworker does, until it gives the ``expect``-ed answer.

        After an error page (5xx) or no answer, the caseworker waits (:func:`backoff`)
        and sends the same again, the same form with the same submission token
        included, as long as the next try can start before ``until`` (the run's end
        by default). Any other answer, or giving up, ends the round.
        """
        until = self.tally.stop_at if until is None else until
        first = time.monotonic()
        tries = 0
        while True:
            tries += 1
            answer = self.send(method, path, body=body, content_type=content_type, cookies=cookies)
            expected = answer.status == expect
            self.tally.answered(kind, answer, expected)
            if expected:
                self.tally.waited(kind, time.monotonic() - first, tries)
                return answer
            shown = answer.problem or f"{answer.status}, not {expect}"
            message = f"{kind}: {method} {path.split('?')[0]} gave {shown}"
            self.tally.note(message)
            if answer.status != NO_ANSWER and answer.status < 500:
                raise Failure(message)
            pause = backoff(tries, self.rng)
            if time.monotonic() + pause >= min(until, self.tally.deadline):
                self.tally.gave_up(kind, time.monotonic() - first)
                raise Failure(f"{kind}: gave up after {tries} tries")
            self.tally.paused(pause)
            time.sleep(pause)

    def wrong(self, message: str) -> NoReturn:
        """The page is not what the caseworker needs: an error, and the round ends."""
        self.tally.fault(message)
        raise Failure(message)

    def cookies_csrf(self) -> str:
        """The CSRF token from the cookie (any form of the session would carry the same)."""
        for name, value in self.cookies.items():
            if name.endswith("csrftoken"):
                return value
        self.wrong("no CSRF cookie")

    def field(self, html: bytes, name: str) -> str:
        found = re.search(rb'name="' + name.encode() + rb'" value="([^"]+)"', html)
        if found is None:
            self.wrong(f"no {name} in the page")
        return found.group(1).decode()

    def login(self, username: str) -> None:
        until = time.monotonic() + 60
        page = self.step("login_form", "GET", "/login/", until=until).content
        body = urlencode(
            {
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.field(page, "csrfmiddlewaretoken"),
            }
        ).encode()
        self.step("login", "POST", "/login/", body=body, expect=302, until=until)


def multipart(
    fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]
) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content, content_type) in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def person(rng: Random) -> dict[str, str]:
    today = date.today()
    surname = "".join(rng.choice(LETTERS) for _ in range(10)).capitalize()
    return {
        "surname": surname,
        "given_names": "Load Łucja",
        "birth_date": (date(1960, 1, 1) + timedelta(days=rng.randrange(15000))).isoformat(),
        "sex": rng.choice("MF"),
        "nationality": "PL",
        "place_of_birth": "Gdańsk",
        "country_of_birth": "PL",
        "document_type": "passport",
        "document_number": "LD" + uuid.uuid4().hex[:14].upper(),
        "document_country": "PL",
        "document_expiry": (today + timedelta(days=900)).isoformat(),
        "address_abroad": "ul. Długa 5, Gdańsk",
        "stay_address": "Nørrebrogade 1, 2200 København N",
        "letter_language": "pl",
        "entry_date": (today - timedelta(days=10)).isoformat(),
        "purpose": "jobseeking",
        "expected_stay_months": "3",
        "category": "A",
    }


def counter_round(browser: Browser, rng: Random, image: bytes) -> None:
    """One person at the counter: intake, letter, search, and the trivial baseline."""
    tally = browser.tally
    page = browser.step("intake_form", "GET", "/registreringer/ny/").content
    data = person(rng)
    token = browser.field(page, "submission_token")
    data["submission_token"] = token
    data["csrfmiddlewaretoken"] = browser.field(page, "csrfmiddlewaretoken")
    body, content_type = multipart(data, {"document_file": ("id.png", image, "image/png")})
    with tally.lock:
        tally.sent.add(token)
    response = browser.step(
        "intake",
        "POST",
        "/registreringer/ny/",
        body=body,
        content_type=content_type,
        expect=302,
        until=tally.deadline,  # once sent, the intake is seen through
    ).response
    detail = response.headers["Location"]
    found = re.fullmatch(r"/registreringer/(\d+)/", detail)
    if found is None:
        browser.wrong(f"intake: redirected to {detail}")
    tally.intake(token, int(found.group(1)))
    page = browser.step("detail", "GET", detail).content
    if data["surname"].encode() not in page:
        browser.wrong("detail: the person is not on the page")
    letter = detail + "jobnet-brev/"
    page = browser.step("letter_confirm", "GET", letter).content
    csrf = urlencode({"csrfmiddlewaretoken": browser.field(page, "csrfmiddlewaretoken")})
    answer = browser.step("letter_print", "POST", letter, body=csrf.encode())
    if not answer.content.startswith(b"%PDF") or (
        answer.response.headers["Content-Type"] != "application/pdf"
    ):
        browser.wrong("letter: not a PDF")
    with tally.lock:
        tally.letters += 1
    # The search posts its text and is sent on to ?s=<key> (Post/Redirect/Get): two requests.
    search = urlencode({"q": data["surname"], "csrfmiddlewaretoken": browser.cookies_csrf()})
    results = browser.step(
        "search", "POST", "/registreringer/soeg/", body=search.encode(), expect=303
    ).response.headers["Location"]
    if not re.fullmatch(r"/registreringer/soeg/\?s=[\w-]+", results):
        browser.wrong(f"search: redirected to {results}")
    if data["surname"].encode() not in browser.step("search_results", "GET", results).content:
        browser.wrong("search: the person was not found")
    if browser.step("trivial", "GET", "/healthz", cookies=False).content != b"ok\n":
        browser.wrong("healthz: unexpected body")


def caseworker(index: int, port: int, tally: Tally) -> None:
    from tests.factories import png_bytes

    rng = Random(uuid.uuid4().int)  # new people every run: the database keeps earlier runs
    image = png_bytes(64, 48)
    browser = Browser(port, tally, rng)
    with contextlib.suppress(Failure):  # counted and noted; every round will say so again
        browser.login(f"load-{index:02d}")
    tally.logged_in.wait(timeout=120)
    tally.go.wait(timeout=120)
    while time.monotonic() < tally.stop_at and tally.requests < MAX_REQUESTS:
        try:
            counter_round(browser, rng, image)
        except Failure:  # counted and noted where it happened
            pause = backoff(1, rng)  # a moment before the next person
            if time.monotonic() + pause < tally.stop_at:
                tally.paused(pause)
                time.sleep(pause)
    browser.conn.close()


# --- The database, afterwards -----------------------------------------------------------------


def with_database(query: Callable[[], T]) -> T:
    """``query()``, retried until the database answers (at most DB_RETRY_SECONDS).

    The script's own connection may have been lost with the server (a restart),
    so a failed attempt closes it and the next one connects anew.
    """
    from django.db import InterfaceError, OperationalError, connections

    deadline = time.monotonic() + DB_RETRY_SECONDS
    while True:
        try:
            return query()
        except (OperationalError, InterfaceError):
            connections.close_all()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def make_users() -> list[str]:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from apoc.accounts.models import Jobcentre, User

    jobcentre = Jobcentre.objects.get(municipality_code="101")
    caseworkers = Group.objects.get(name="sagsbehandler")
    hashed = make_password(PASSWORD)  # hashed once: the hasher is slow by design
    names = []
    for index in range(CLIENTS):
        user, _ = User.objects.update_or_create(
            username=f"load-{index:02d}",
            defaults={"jobcentre": jobcentre, "password": hashed, "is_active": True},
        )
        user.groups.add(caseworkers)
        names.append(user.username)
    return names


@dataclass(frozen=True)
class Before:
    """The highest ids before the run: what comes after is the run's."""

    registration: int
    allocation: int
    account: int

    @classmethod
    def now(cls) -> Before:
        from django.db.models import Max

        from cpr.models import Allocation
        from jobnet.models import JobnetAccount
        from registrations.models import Registration

        def highest(model: Any) -> int:
            return model.objects.aggregate(n=Max("pk"))["n"] or 0

        return cls(highest(Registration), highest(Allocation), highest(JobnetAccount))


@dataclass
class Integrity:
    """What the database and the document folder hold after the run."""

    missing: list[str] = field(default_factory=list)  # redirected intakes not found whole
    unconfirmed: int = 0  # registered, but the caseworker never saw the redirect
    strangers: int = 0  # registered in the run under a token no caseworker sent
    numbers_twice: int = 0  # personnumre of more than one registration (whole database)
    people_twice: int = 0  # the run's registrations of a person registered again (document, name)
    orphan_allocations: int = 0  # the run's numbers without a registration
    orphan_accounts: int = 0  # the run's Jobnet accounts without a registration
    orphan_files: int = 0  # document files no registration refers to
    missing_files: int = 0  # the run's registrations whose document file is not there
    pending_files: int = 0  # uploads kept for a submission (purge_pending_documents's job)

    @property
    def duplicates(self) -> int:
        return self.numbers_twice + self.people_twice

    @property
    def orphans(self) -> int:
        return (
            self.orphan_allocations + self.orphan_accounts + self.orphan_files + self.missing_files
        )


def check_database(tally: Tally, usernames: list[str], before: Before, uploads: Path) -> Integrity:
    """Every redirected intake exactly once, with a number; nothing twice, nothing left over."""
    from django.db.models import Count, Exists, OuterRef

    from cpr.models import Allocation
    from jobnet.models import JobnetAccount
    from registrations.models import Registration

    found = Integrity()
    run = Registration.objects.filter(
        pk__gt=before.registration, created_by__username__in=usernames
    )
    rows = {
        str(token): (pk, personnummer, document)
        for token, pk, personnummer, document in run.values_list(
            "submission_token", "pk", "allocation__personnummer", "document_file"
        )
    }
    for token, registration_id in sorted(tally.intakes.items()):
        row = rows.get(token)
        if row is None:
            found.missing.append(f"intake {token}: redirected to {registration_id}, not stored")
        elif row[0] != registration_id or not re.fullmatch(r"\d{6}-\d{4}", row[1] or ""):
            found.missing.append(f"intake {token}: stored as {row[0]} with number {row[1]!r}")
    found.unconfirmed = len((rows.keys() & tally.sent) - tally.intakes.keys())
    found.strangers = len(rows.keys() - tally.sent)

    registrations = Registration.objects.count()
    numbers = Registration.objects.values("allocation__personnummer").distinct().count()
    allocated_twice = (
        Allocation.objects.values("personnummer").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    found.numbers_twice = (registrations - numbers) + allocated_twice
    for same in (("document_country", "document_number_key"), ("name_key", "birth_date")):
        twins = Registration.objects.filter(**{name: OuterRef(name) for name in same}).exclude(
            pk=OuterRef("pk")
        )
        found.people_twice += run.filter(Exists(twins)).count()

    found.orphan_allocations = Allocation.objects.filter(
        pk__gt=before.allocation,
        allocated_by__username__in=usernames,
        registration__isnull=True,
    ).count()
    found.orphan_accounts = JobnetAccount.objects.filter(
        pk__gt=before.account, issued_by__username__in=usernames, registration__isnull=True
    ).count()
    files = {f"documents/{p.name}" for p in (uploads / "documents").glob("*") if p.is_file()}
    referenced = set(
        Registration.objects.filter(document_file__in=sorted(files)).values_list(
            "document_file", flat=True
        )
    )
    found.orphan_files = len(files - referenced)
    found.missing_files = sum(1 for _, _, name in rows.values() if not (uploads / name).is_file())
    found.pending_files = sum(1 for p in (uploads / "pending").glob("*") if p.is_file())
    return found


# --- The run ----------------------------------------------------------------------------------


@dataclass
class Run:
    """A finished run: what the caseworkers saw and what the database holds."""

    tally: Tally
    integrity: Integrity
    seconds: float
    log: str  # gunicorn's log


def run(seconds: float = SECONDS, during: Callable[[Tally], None] | None = None) -> Run:
    """The load for ``seconds``, with ``during(tally)`` in this thread while the
    caseworkers work (it sees ``tally.go``'s time as ``tally.began``).

    Django must be set up (:func:`bench._setup.setup`). gunicorn is stopped and
    the temporary folder removed before this returns or raises.
    """
    run_started = time.monotonic()
    usernames = with_database(make_users)
    before = with_database(Before.now)
    workdir = Path(tempfile.mkdtemp(prefix="apoc-load-"))
    server = None
    try:
        port = free_port()
        server, log = start_server(workdir, port)
        tally = Tally()
        threads = [
            threading.Thread(target=caseworker, args=(i, port, tally), daemon=True)
            for i in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        tally.logged_in.wait(timeout=120)
        began = time.monotonic()
        tally.began = began
        limit = run_started + min(seconds, MAX_SECONDS) + GRACE + SLACK
        tally.stop_at = min(began + seconds, limit - GRACE)
        tally.deadline = min(tally.stop_at + GRACE, limit)
        tally.go.set()
        if during is not None:
            during(tally)
        for thread in threads:
            thread.join(timeout=max(1.0, tally.deadline - time.monotonic() + TIMEOUT))
        elapsed = time.monotonic() - began
        stop_server(server)
        integrity = with_database(
            lambda: check_database(tally, usernames, before, workdir / "uploads")
        )
        if os.environ.get("APOC_LOAD_LOG"):  # a copy of gunicorn's whole log, to read later
            shutil.copyfile(log, os.environ["APOC_LOAD_LOG"])
        return Run(tally, integrity, elapsed, log.read_text(errors="replace"))
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)


def report(result: Run, prefix: str = "load") -> None:
    """The ``name=value`` lines of a run, each name starting with ``prefix``."""
    tally, found = result.tally, result.integrity
    app = [t for kind, values in tally.timings.items() if kind != "trivial" for t in values]
    trivial = tally.timings["trivial"]
    waits = [t for kind in STEPS for t in tally.waits[kind]]

    def line(name: str, value: float | int | str) -> None:
        emit(f"{prefix}_{name}", value)

    line("clients", CLIENTS)
    line("seconds", result.seconds)
    line("requests", tally.requests)
    line("errors", tally.errors)
    for (kind, status), count in sorted(tally.statuses.items()):
        line(f"status_{kind}_{status}", count)
    line("duplicates", found.duplicates)
    line("intakes", len(tally.intakes))
    line("intakes_retried", tally.retried["intake"])
    line("intakes_given_up", tally.given_up["intake"])
    line("intakes_missing", len(found.missing))
    line("intakes_unconfirmed", found.unconfirmed)
    line("orphans", found.orphans)
    line("pending_files", found.pending_files)
    line("letters", tally.letters)
    line("requests_per_s", len(app) / result.seconds if result.seconds else 0.0)
    line("p50_ms", percentile(app, 50) * 1000)
    line("p95_ms", percentile(app, 95) * 1000)
    for kind in STEPS:
        line(f"{kind}_p95_ms", percentile(tally.timings[kind], 95) * 1000)
    if tally.error_timings:
        line("error_p95_ms", percentile(tally.error_timings, 95) * 1000)
    line("wait_p95_ms", percentile(waits, 95) * 1000)
    line("wait_max_ms", max(waits, default=0.0) * 1000)
    line("intake_wait_max_ms", max(tally.waits["intake"], default=0.0) * 1000)
    line("given_up", sum(tally.given_up.values()))
    line("backoffs", tally.backoffs)
    line("backoff_s", tally.backoff_seconds)
    line("trivial_p50_ms", percentile(trivial, 50) * 1000)
    line("trivial_p95_ms", percentile(trivial, 95) * 1000)
    line("ratio", percentile(app, 95) / percentile(trivial, 95))
    for message in tally.messages:
        print(f"# {message}", file=sys.stderr)
    for message in found.missing[:10]:
        print(f"# missing: {message}", file=sys.stderr)
    if found.strangers:
        print(f"# {found.strangers} registrations of the run under no token sent", file=sys.stderr)


def main() -> None:
    setup(needs_postgresql=True)
    result = run()
    report(result)
    found = result.integrity
    if result.tally.errors or found.duplicates or found.missing or found.orphans or found.strangers:
        print(f"# gunicorn's log ends:\n{result.log[-4000:]}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
