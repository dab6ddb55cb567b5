"""Duplicate check and search among 1,000,000 registrations on PostgreSQL.

Seeds the registrations once (bench/_seed.py, shared with the admin bench),
then times the nationwide duplicate check and the caseworker's name search for
names taken from the data: exact, without diacritics, in another order, and
with a typo. Prints duplicate_check_p95_ms, search_p95_ms (and per kind), and
ratios against an indexed primary-key lookup of one registration measured in
the same run.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._setup import emit, median, percentile, setup

ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
QUERIES = 200


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :]  # drop one letter


def main() -> None:
    setup(needs_postgresql=True)
    from apoc.accounts.models import Jobcentre, User
    from bench._seed import seed
    from documents.names import name_key, normalise
    from registrations.intake import person_keys
    from registrations.models import Registration
    from registrations.selectors import SearchQuery, find_duplicates, registration_search

    seconds = seed(ROWS, log=lambda line: print(line, file=sys.stderr))
    emit("seed_rows", ROWS)
    emit("seed_seconds", seconds)

    copenhagen = Jobcentre.objects.get(municipality_code="101")
    user = User.objects.get(username=f"bench-seed-{copenhagen.pk}")
    rng = random.Random(99)
    max_id = Registration.objects.order_by("-id").values_list("id", flat=True).first()
    sample = []
    while len(sample) < QUERIES:
        row = (
            Registration.objects.filter(id__gte=rng.randrange(max_id), jobcentre=copenhagen)
            .order_by("id")
            .values(
                "id",
                "surname",
                "given_names",
                "birth_date",
                "document_country",
                "document_number",
                "nationality",
            )
            .first()
        )
        if row:
            sample.append(row)

    def timed(func) -> float:
        start = time.perf_counter()
        func()
        return time.perf_counter() - start

    baseline = [timed(lambda r=r: Registration.objects.filter(pk=r["id"]).first()) for r in sample]

    exact_dup, tolerant_dup = [], []
    for r in sample:
        exact_dup.append(
            timed(
                lambda r=r: find_duplicates(
                    person_keys(
                        surname=r["surname"],
                        given_names=r["given_names"],
                        birth_date=r["birth_date"],
                        document_country=r["document_country"],
                        document_number=r["document_number"],
                        nationality=r["nationality"],
                    )
                )
            )
        )
        tolerant_dup.append(
            timed(
                lambda r=r: find_duplicates(
                    person_keys(
                        surname=normalise(r["surname"]).upper(),
                        given_names=" ".join(reversed(r["given_names"].split())),
                        birth_date=r["birth_date"],
                        document_country=r["document_country"],
                        document_number="X" + r["document_number"],
                        nationality=r["nationality"],
                    )
                )
            )
        )
    kinds: dict[str, list[float]] = {"exact": [], "no_diacritics": [], "reordered": [], "typo": []}
    found = dict.fromkeys(kinds, 0)
    for r in sample:
        queries = {
            "exact": f"{r['given_names']} {r['surname']}",
            "no_diacritics": normalise(f"{r['given_names']} {r['surname']}"),
            "reordered": f"{r['surname']} {r['given_names']}",
            "typo": f"{r['given_names'].split()[0]} {typo(r['surname'], rng)}",
        }
        for kind, text in queries.items():
            results = []
            kinds[kind].append(
                timed(
                    lambda text=text, results=results: results.extend(
                        registration_search(user=user, query=SearchQuery("text", text))
                    )
                )
            )
            # Found: the person, or a namesake (common names repeat among 1M rows).
            wanted = name_key(r["surname"], r["given_names"])
            found[kind] += any(x.name_key == wanted for x in results)

    all_search = [x for values in kinds.values() for x in values]
    all_dup = exact_dup + tolerant_dup
    emit("queries_per_kind", QUERIES)
    emit("pk_lookup_p50_ms", median(baseline) * 1000)
    emit("duplicate_check_exact_p95_ms", percentile(exact_dup, 95) * 1000)
    emit("duplicate_check_tolerant_p95_ms", percentile(tolerant_dup, 95) * 1000)
    emit("duplicate_check_p95_ms", percentile(all_dup, 95) * 1000)
    for kind, values in kinds.items():
        emit(f"search_{kind}_p95_ms", percentile(values, 95) * 1000)
        emit(f"search_{kind}_found", found[kind] / QUERIES)
    emit("search_p95_ms", percentile(all_search, 95) * 1000)
    emit("duplicate_check_ratio", median(all_dup) / median(baseline))
    emit("search_ratio", median(all_search) / median(baseline))


if __name__ == "__main__":
    main()
