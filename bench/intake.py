"""The whole intake POST, in process, on PostgreSQL.

Each round posts a complete, eligible intake for a new person through Django's
test client (session, CSRF-exempt client, permission checks, form, upload
check, eligibility, duplicate check, allocation, registration, access log),
and counts the queries it makes. Prints intake_p50_ms, intake_p95_ms,
intake_queries (an intake's, the most common count) and intake_queries_max (with the
session's renewal, once a minute), and intake_ratio against a GET of the login page (a trivial
view through the same middleware) measured in the same run; then
mrz_parse_per_s, against bare check-digit verification of the same MRZs. Also the blank
intake form's GET (three lists of every country, the caseworker's first page of every
intake): intake_form_p50_ms, intake_form_p95_ms and intake_form_ratio against the same
trivial view.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import best_rate, emit, median, percentile, setup

ROUNDS = 300
WARMUP = 20


LETTERS = "abcdefghijklmnoprstuvwyząćęłńóśźż"


def intake_data(rng: random.Random, image: bytes, today: date) -> dict:
    """A complete, eligible intake for a new, made-up Polish jobseeker."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {
        "submission_token": str(uuid.uuid4()),
        "surname": "".join(rng.choice(LETTERS) for _ in range(9)).capitalize(),
        "given_names": "Bench Łucja",
        "birth_date": (date(1960, 1, 1) + timedelta(days=rng.randrange(15000))).isoformat(),
        "sex": rng.choice("MF"),
        "nationality": "PL",
        "place_of_birth": "Gdańsk",
        "country_of_birth": "PL",
        "document_type": "passport",
        "document_number": f"BN{rng.randrange(10**9):09d}",
        "document_country": "PL",
        "document_expiry": (today + timedelta(days=900)).isoformat(),
        "document_file": SimpleUploadedFile("id.png", image, content_type="image/png"),
        "address_abroad": "ul. Długa 5, Gdańsk",
        "stay_address": "Nørrebrogade 1, 2200 København N",
        "letter_language": "pl",
        "entry_date": (today - timedelta(days=10)).isoformat(),
        "purpose": "jobseeking",
        "expected_stay_months": "3",
        "category": "A",
    }


def timed_post(client, data: dict) -> tuple[float, int]:
    """One intake POST: its time in seconds and its number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.post("/registreringer/ny/", data)
        elapsed = time.perf_counter() - start
    assert response.status_code == 302, (response.status_code, response.content[:2000])
    return elapsed, len(queries)


def intake_client(username: str):
    """A logged-in test client of a caseworker of its own, with earlier runs' rows removed."""
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.test import Client

    from apoc.accounts.models import Jobcentre, User
    from cpr.models import Allocation
    from registrations.models import Registration
    from registrations.statistics import registrations_delete_counted

    settings.ALLOWED_HOSTS = ["testserver"]
    jobcentre = Jobcentre.objects.get(municipality_code="101")
    user, _ = User.objects.get_or_create(username=username, defaults={"jobcentre": jobcentre})
    user.groups.add(Group.objects.get(name="sagsbehandler"))
    mine = Registration.objects.filter(created_by=user)
    allocation_ids = list(mine.values_list("allocation_id", flat=True))
    registrations_delete_counted(mine)  # and off the statistics' counters
    Allocation.objects.filter(pk__in=allocation_ids).delete()
    client = Client()
    client.force_login(user)
    return client


def main() -> None:
    setup(needs_postgresql=True)
    from tests.factories import png_bytes

    # No setup_test_environment(): its template instrumentation (a signal and a copy of the
    # context per template) would be measured too, and a server does not run it.
    # Start from a clean slate: the bench database may hold an earlier run.
    client = intake_client("bench-intake")
    image = png_bytes(64, 48)
    rng = random.Random(11)
    today = date.today()

    def post() -> tuple[float, int]:
        return timed_post(client, intake_data(rng, image, today))

    def trivial() -> float:
        start = time.perf_counter()
        response = client.get("/login/")
        elapsed = time.perf_counter() - start
        assert response.status_code in (200, 302)
        return elapsed

    def form() -> float:
        start = time.perf_counter()
        response = client.get("/registreringer/ny/")
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.status_code
        return elapsed

    for _ in range(WARMUP):
        post()
        trivial()
        form()
    timings, query_counts, baseline, forms = [], [], [], []
    for _ in range(ROUNDS):
        elapsed, queries = post()
        timings.append(elapsed)
        query_counts.append(queries)
        baseline.append(trivial())
        forms.append(form())
    emit("intake_rounds", ROUNDS)
    emit("intake_p50_ms", percentile(timings, 50) * 1000)
    emit("intake_p95_ms", percentile(timings, 95) * 1000)
    # An intake's own queries, and the most any request made: the idle timeout also renews
    # the session's expiry, once a minute (apoc.middleware), in whichever request comes then.
    emit("intake_queries", statistics.mode(query_counts))
    emit("intake_queries_max", max(query_counts))
    emit("trivial_view_p50_ms", median(baseline) * 1000)
    emit("intake_ratio", median(timings) / median(baseline))
    emit("intake_form_p50_ms", percentile(forms, 50) * 1000)
    emit("intake_form_p95_ms", percentile(forms, 95) * 1000)
    emit("intake_form_ratio", median(forms) / median(baseline))

    # Reading an MRZ is the first step of a scanned intake (bench/mrz.py has more).
    from bench.mrz import TODAY, baseline_verify, make_mrzs
    from documents.mrz import parse_mrz

    mrzs = make_mrzs(10_000)
    mrz_rate = best_rate(lambda text: parse_mrz(text, today=TODAY), mrzs)
    emit("mrz_parse_per_s", mrz_rate)
    emit("mrz_parse_ratio", mrz_rate / best_rate(baseline_verify, mrzs))


if __name__ == "__main__":
    main()
