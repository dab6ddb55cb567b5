"""The intake with a CPR search, against a local fake of Serviceplatformen answering in 50 ms.

The same whole intake POST as bench/intake.py, on PostgreSQL, twice in the same
run: with the embedded look-up (APOC's own register, no CPR call) and with the
Serviceplatformen adapter (SF1520) asking the fake (tests/fake_serviceplatformen.py,
real HTTPS with the client certificate) with the search service on, the fake
answering each call after FAKE_LATENCY. Prints cpr_lookup_intake_p95_ms,
intake_without_lookup_p95_ms, cpr_lookup_fake_latency_ms, cpr_lookup_overhead_p95_ms
(the p95 with the look-up less the fake's latency), cpr_lookup_ratio (median with
the look-up / median without) and cpr_lookup_target_ms (50 + the fake's latency).
"""

from __future__ import annotations

import random
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import emit, median, percentile, setup

ROUNDS = 200
WARMUP = 20
FAKE_LATENCY = 0.050


def main() -> None:
    setup(needs_postgresql=True)
    from django.test import override_settings
    from django.test.utils import setup_test_environment

    from bench.intake import intake_client, intake_data, timed_post
    from tests.factories import png_bytes
    from tests.fake_serviceplatformen import FakeServiceplatformen

    setup_test_environment()
    client = intake_client("bench-cpr-lookup")
    image = png_bytes(64, 48)
    rng = random.Random(13)
    today = date.today()

    def run() -> list[float]:
        for _ in range(WARMUP):
            timed_post(client, intake_data(rng, image, today))
        return [timed_post(client, intake_data(rng, image, today))[0] for _ in range(ROUNDS)]

    without = run()
    with FakeServiceplatformen() as fake:
        fake.latency = FAKE_LATENCY
        with override_settings(**fake.settings(CPR_QUERY_ENABLED=True)):
            looked_up = run()
        calls = fake.request_count

    p95 = percentile(looked_up, 95) * 1000
    emit("cpr_lookup_rounds", ROUNDS)
    emit("cpr_lookup_calls", calls)
    emit("cpr_lookup_fake_latency_ms", FAKE_LATENCY * 1000)
    emit("intake_without_lookup_p95_ms", percentile(without, 95) * 1000)
    emit("cpr_lookup_intake_p50_ms", percentile(looked_up, 50) * 1000)
    emit("cpr_lookup_intake_p95_ms", p95)
    emit("cpr_lookup_overhead_p95_ms", p95 - FAKE_LATENCY * 1000)
    emit("cpr_lookup_target_ms", 50 + FAKE_LATENCY * 1000)
    emit("cpr_lookup_ratio", median(looked_up) / median(without))


if __name__ == "__main__":
    main()
