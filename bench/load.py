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

Prints load_requests, load_errors, load_duplicates (personnumre given to more
than one registration, counted in the database), load_p50_ms and load_p95_ms
(all the caseworkers' requests), per-step p95s, the trivial view's p50/p95 and
load_ratio (p95 over the trivial view's p95). Exits non-zero when there were
errors or duplicates. Bounded: loopback only, at most MAX_SECONDS and
MAX_REQUESTS; gunicorn is stopped and the temporary folders removed at the end.
"""

from __future__ import annotations

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
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from random import Random
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import ROOT, emit, percentile, setup

HOST = "127.0.0.1"  # loopback only, never anything else
CLIENTS = min(int(os.environ.get("APOC_LOAD_CLIENTS", "20")), 64)
SECONDS = min(float(os.environ.get("APOC_LOAD_SECONDS", "60")), 600.0)
MAX_SECONDS = SECONDS + 120  # the whole run, start-up and shut-down included
MAX_REQUESTS = 500_000
TIMEOUT = 30.0  # per request
PASSWORD = "belastning-" + secrets.token_urlsafe(12)
LETTERS = "abcdefghijklmnoprstuvwyząćęłńóśźż"


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
    pass


@dataclass
class Tally:
    """What the caseworkers did; requests count from the start signal on."""

    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    requests: int = 0
    errors: int = 0
    messages: list[str] = field(default_factory=list)
    intakes: int = 0
    letters: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    logged_in: threading.Barrier = field(default_factory=lambda: threading.Barrier(CLIENTS + 1))
    go: threading.Event = field(default_factory=threading.Event)
    stop_at: float = float("inf")

    def record(self, kind: str, seconds: float) -> None:
        if not self.go.is_set():
            return  # logging in, before the measured window
        with self.lock:
            self.timings[kind].append(seconds)
            self.requests += 1

    def error(self, message: str) -> None:
        with self.lock:
            self.requests += 1
            self.errors += 1
            if len(self.messages) < 10:
                self.messages.append(message)


class Browser:
    """One keep-alive connection with its own cookies, behind our 'proxy'."""

    def __init__(self, port: int, tally: Tally) -> None:
        self.port = port
        self.origin = f"https://{HOST}:{port}"
        self.tally = tally
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        content_type: str | None = None,
        expect: int = 200,
        cookies: bool = True,
    ) -> tuple[http.client.HTTPResponse, bytes]:
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
            raise Failure(f"{kind}: {type(error).__name__}: {error}") from None
        elapsed = time.perf_counter() - start
        if cookies:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.status != expect:
            raise Failure(f"{kind}: {method} {path} gave {response.status}, not {expect}")
        self.tally.record(kind, elapsed)
        return response, content

    def cookies_csrf(self) -> str:
        """The CSRF token from the cookie (any form of the session would carry the same)."""
        for name, value in self.cookies.items():
            if name.endswith("csrftoken"):
                return value
        raise Failure("no CSRF cookie")

    @staticmethod
    def field(html: bytes, name: str) -> str:
        found = re.search(rb'name="' + name.encode() + rb'" value="([^"]+)"', html)
        if found is None:
            raise Failure(f"no {name} in the page")
        return found.group(1).decode()

    def login(self, username: str) -> None:
        _, page = self.request("login_form", "GET", "/login/")
        body = urlencode(
            {
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.field(page, "csrfmiddlewaretoken"),
            }
        ).encode()
        self.request("login", "POST", "/login/", body=body, expect=302)


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
    _, page = browser.request("intake_form", "GET", "/registreringer/ny/")
    data = person(rng)
    data["submission_token"] = browser.field(page, "submission_token")
    data["csrfmiddlewaretoken"] = browser.field(page, "csrfmiddlewaretoken")
    body, content_type = multipart(data, {"document_file": ("id.png", image, "image/png")})
    response, _ = browser.request(
        "intake", "POST", "/registreringer/ny/", body=body, content_type=content_type, expect=302
    )
    detail = response.headers["Location"]
    if not re.fullmatch(r"/registreringer/\d+/", detail):
        raise Failure(f"intake: redirected to {detail}")
    _, page = browser.request("detail", "GET", detail)
    if data["surname"].encode() not in page:
        raise Failure("detail: the person is not on the page")
    with browser.tally.lock:
        browser.tally.intakes += 1
    letter = detail + "jobnet-brev/"
    _, page = browser.request("letter_confirm", "GET", letter)
    token = urlencode({"csrfmiddlewaretoken": browser.field(page, "csrfmiddlewaretoken")})
    response, pdf = browser.request("letter_print", "POST", letter, body=token.encode())
    if not pdf.startswith(b"%PDF") or response.headers["Content-Type"] != "application/pdf":
        raise Failure("letter: not a PDF")
    with browser.tally.lock:
        browser.tally.letters += 1
    # The search posts its text and is sent on to ?s=<key> (Post/Redirect/Get): two requests.
    search = urlencode({"q": data["surname"], "csrfmiddlewaretoken": browser.cookies_csrf()})
    response, _ = browser.request(
        "search", "POST", "/registreringer/soeg/", body=search.encode(), expect=303
    )
    results = response.headers["Location"]
    if not re.fullmatch(r"/registreringer/soeg/\?s=[\w-]+", results):
        raise Failure(f"search: redirected to {results}")
    _, page = browser.request("search_results", "GET", results)
    if data["surname"].encode() not in page:
        raise Failure("search: the person was not found")
    _, ok = browser.request("trivial", "GET", "/healthz", cookies=False)
    if ok != b"ok\n":
        raise Failure("healthz: unexpected body")


def caseworker(index: int, port: int, tally: Tally) -> None:
    from tests.factories import png_bytes

    rng = Random(uuid.uuid4().int)  # new people every run: the database keeps earlier runs
    image = png_bytes(64, 48)
    browser = Browser(port, tally)
    try:
        browser.login(f"load-{index:02d}")
    except Failure as failure:
        tally.error(f"login: {failure}")
    tally.logged_in.wait(timeout=120)
    tally.go.wait(timeout=120)
    while time.monotonic() < tally.stop_at and tally.requests < MAX_REQUESTS:
        try:
            counter_round(browser, rng, image)
        except Failure as failure:
            tally.error(str(failure))
    browser.conn.close()


# --- The run ----------------------------------------------------------------------------------


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


def duplicates() -> tuple[int, int, int]:
    """(registrations, distinct personnumre among them, personnumre allocated twice)."""
    from django.db.models import Count

    from cpr.models import Allocation
    from registrations.models import Registration

    registrations = Registration.objects.count()
    distinct = Registration.objects.values("allocation__personnummer").distinct().count()
    twice = (
        Allocation.objects.values("personnummer").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    return registrations, distinct, twice


def main() -> None:
    run_started = time.monotonic()
    setup(needs_postgresql=True)
    from registrations.models import Registration

    usernames = make_users()
    before = Registration.objects.filter(created_by__username__in=usernames).count()
    workdir = Path(tempfile.mkdtemp(prefix="apoc-load-"))
    server, log_tail = None, ""
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
        tally.stop_at = min(began + SECONDS, run_started + MAX_SECONDS)
        tally.go.set()
        for thread in threads:
            thread.join(timeout=max(1.0, tally.stop_at - time.monotonic() + TIMEOUT * 3))
        elapsed = time.monotonic() - began
    finally:
        if server is not None:
            stop_server(server)
            log_tail = log.read_text(errors="replace")[-4000:]
        shutil.rmtree(workdir, ignore_errors=True)

    registrations, distinct, twice = duplicates()
    made = Registration.objects.filter(created_by__username__in=usernames).count() - before
    if made != tally.intakes:
        tally.error(f"{tally.intakes} intakes answered, {made} registrations in the database")
    app = [t for kind, values in tally.timings.items() if kind != "trivial" for t in values]
    trivial = tally.timings["trivial"]
    emit("load_clients", CLIENTS)
    emit("load_seconds", elapsed)
    emit("load_requests", tally.requests)
    emit("load_errors", tally.errors)
    emit("load_duplicates", (registrations - distinct) + twice)
    emit("load_intakes", tally.intakes)
    emit("load_letters", tally.letters)
    emit("load_requests_per_s", len(app) / elapsed if elapsed else 0.0)
    emit("load_p50_ms", percentile(app, 50) * 1000)
    emit("load_p95_ms", percentile(app, 95) * 1000)
    for kind in (
        "intake_form",
        "intake",
        "detail",
        "letter_confirm",
        "letter_print",
        "search",
        "search_results",
    ):
        emit(f"load_{kind}_p95_ms", percentile(tally.timings[kind], 95) * 1000)
    emit("load_trivial_p50_ms", percentile(trivial, 50) * 1000)
    emit("load_trivial_p95_ms", percentile(trivial, 95) * 1000)
    emit("load_ratio", percentile(app, 95) / percentile(trivial, 95))
    for message in tally.messages:
        print(f"# error: {message}", file=sys.stderr)
    if tally.errors or (registrations - distinct) or twice:
        print(f"# gunicorn's log ends:\n{log_tail}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
