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
QUERIES = int(os.environ.get("BENCH_QUERIES", "400"))


VOWELS = "aeiouy"


def _dropped(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    return word[:i] + word[i + 1 :]


def _swapped(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _doubled(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    return word[:i] + word[i] + word[i:]


def _wrong_vowel(word: str, rng: random.Random) -> str:
    places = [i for i, c in enumerate(word) if c.lower() in VOWELS and i > 0]
    if not places:
        return _dropped(word, rng)
    i = rng.choice(places)
    other = rng.choice([v for v in VOWELS if v != word[i].lower()])
    return word[:i] + other + word[i + 1 :]


#: The kinds of typo a caseworker makes in a surname, by name.
TYPOS = {"dropped": _dropped, "swapped": _swapped, "doubled": _doubled, "vowel": _wrong_vowel}
#: Surnames of at most this many letters are counted apart: trigrams find them worst.
SHORT = 5


def typo(word: str, kind: str, rng: random.Random) -> str:
    """``word`` with one typo of ``kind``; the first letter is left alone, as people do."""
    if len(word) < 3:
        return word
    return TYPOS[kind](word, rng)


def timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def pick_sample(jobcentre, rng: random.Random) -> list[dict]:
    """QUERIES registrations of the jobcentre, spread over the table."""
    from registrations.models import Registration

    max_id = Registration.objects.order_by("-id").values_list("id", flat=True).first()
    sample = []
    while len(sample) < QUERIES:
        row = (
            Registration.objects.filter(id__gte=rng.randrange(max_id), jobcentre=jobcentre)
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
    return sample


def duplicate_checks(sample: list[dict]) -> tuple[list[float], list[float]]:
    """The duplicate check's time for each person as registered, and spelt otherwise."""
    from documents.names import normalise
    from registrations.intake import person_keys
    from registrations.selectors import find_duplicates

    def check(r: dict, surname: str, given_names: str, document_number: str) -> float:
        keys = person_keys(
            surname=surname,
            given_names=given_names,
            birth_date=r["birth_date"],
            document_country=r["document_country"],
            document_number=document_number,
            nationality=r["nationality"],
        )
        return timed(lambda: find_duplicates(keys))

    exact = [check(r, r["surname"], r["given_names"], r["document_number"]) for r in sample]
    tolerant = [
        check(
            r,
            normalise(r["surname"]).upper(),
            " ".join(reversed(r["given_names"].split())),
            "X" + r["document_number"],
        )
        for r in sample
    ]
    return exact, tolerant


def searches(sample: list[dict], user, rng: random.Random) -> tuple[dict, dict, dict]:
    """Each kind of search for each person: times, whether they were found, and the typos'
    found rate by kind of typo and length of surname."""
    from documents.names import name_key, normalise
    from registrations.selectors import SearchQuery, registration_search

    kinds: dict[str, list[float]] = {"exact": [], "no_diacritics": [], "reordered": [], "typo": []}
    found = dict.fromkeys(kinds, 0)
    typo_found = {f"{name}_{length}": [0, 0] for name in TYPOS for length in ("long", "short")}
    for number, r in enumerate(sample):
        kind_of_typo = list(TYPOS)[number % len(TYPOS)]
        queries = {
            "exact": f"{r['given_names']} {r['surname']}",
            "no_diacritics": normalise(f"{r['given_names']} {r['surname']}"),
            "reordered": f"{r['surname']} {r['given_names']}",
            "typo": f"{r['given_names'].split()[0]} {typo(r['surname'], kind_of_typo, rng)}",
        }
        wanted = name_key(r["surname"], r["given_names"])
        for kind, text in queries.items():
            results: list = []
            query = SearchQuery("text", text)
            kinds[kind].append(
                timed(
                    lambda q=query, out=results: out.extend(registration_search(user=user, query=q))
                )
            )
            # Found: the person, or a namesake (common names repeat among 1M rows).
            hit = any(x.name_key == wanted for x in results)
            found[kind] += hit
            if kind == "typo":
                length = "short" if len(r["surname"]) <= SHORT else "long"
                typo_found[f"{kind_of_typo}_{length}"][0] += hit
                typo_found[f"{kind_of_typo}_{length}"][1] += 1
    return kinds, found, typo_found


def main() -> None:
    setup(needs_postgresql=True)
    from apoc.accounts.models import Jobcentre, User
    from bench._seed import seed
    from registrations.models import Registration

    seconds = seed(ROWS, log=lambda line: print(line, file=sys.stderr))
    emit("seed_rows", ROWS)
    emit("seed_seconds", seconds)

    copenhagen = Jobcentre.objects.get(municipality_code="101")
    user = User.objects.get(username=f"bench-seed-{copenhagen.pk}")
    rng = random.Random(99)
    sample = pick_sample(copenhagen, rng)
    baseline = [timed(lambda r=r: Registration.objects.filter(pk=r["id"]).first()) for r in sample]
    exact_dup, tolerant_dup = duplicate_checks(sample)
    kinds, found, typo_found = searches(sample, user, rng)

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
    for name, (hits, tried) in typo_found.items():
        if tried:
            emit(f"search_typo_{name}_found", hits / tried)
    emit("search_p95_ms", percentile(all_search, 95) * 1000)
    emit("duplicate_check_ratio", median(all_dup) / median(baseline))
    emit("search_ratio", median(all_search) / median(baseline))


if __name__ == "__main__":
    main()
