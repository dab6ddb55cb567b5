"""Seed many registrations into PostgreSQL with COPY, for the search and admin benchmarks.

Names are realistic EU names with their diacritics. Every row gets a real,
unique, modulus-11-valid personnummer for its birth date and sex. A run that
finds the rows already there does nothing, so the 1,000,000 rows are made once
per bench database.
"""

from __future__ import annotations

import io
import json
import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta

#: Faker's name lists by locale: about 10,000 first names and 14,000 surnames in
#: all, Latin with diacritics, Greek and Cyrillic. Maltese is added by hand.
LOCALES = {
    "PL": "pl_PL", "RO": "ro_RO", "LT": "lt_LT", "DE": "de_DE", "HU": "hu_HU", "GR": "el_GR",
    "BG": "bg_BG", "CZ": "cs_CZ", "SK": "sk_SK", "HR": "hr_HR", "SI": "sl_SI", "LV": "lv_LV",
    "EE": "et_EE", "PT": "pt_PT", "ES": "es_ES", "IT": "it_IT", "FR": "fr_FR", "NL": "nl_NL",
    "FI": "fi_FI", "SE": "sv_SE",
}  # fmt: skip
MALTESE = (
    ["Ġużè", "Marija", "Ġorġ", "Ċensina", "Pawlu", "Rita", "Ħabib", "Doris", "Karmenu", "Anna"],
    [
        "Borg",
        "Camilleri",
        "Vella",
        "Farrugia",
        "Żammit",
        "Galea",
        "Micallef",
        "Grech",
        "Attard",
        "Spiteri",
    ],
)
SEED_MARK = "bench/seed-v2.png"


def _name_pools() -> dict[str, tuple[list[str], list[str]]]:
    from faker import Faker

    pools = {"MT": MALTESE}
    for country, locale in LOCALES.items():
        fake = Faker(locale)
        fake.seed_instance(7)
        firsts = sorted({fake.first_name() for _ in range(3000)})
        lasts = sorted({fake.last_name() for _ in range(3000)})
        pools[country] = (firsts, lasts)
    return pools


JOBCENTRE_WEIGHTS = {"101": 0.3, "751": 0.15, "461": 0.1, "851": 0.1}


def _jobcentres() -> tuple[list[int], list[float]]:
    from apoc.accounts.models import Jobcentre

    ids, weights = [], []
    rest = (1 - sum(JOBCENTRE_WEIGHTS.values())) / (98 - len(JOBCENTRE_WEIGHTS))
    for pk, code in Jobcentre.objects.values_list("pk", "municipality_code"):
        ids.append(pk)
        weights.append(JOBCENTRE_WEIGHTS.get(code, rest))
    return ids, weights


def seeded_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM registrations_registration WHERE document_file = %s", [SEED_MARK]
        )
        return cursor.fetchone()[0]


def _drop_old_seed() -> None:
    """An earlier seed (fewer distinct names) would skew the figures: remove it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM registrations_registration WHERE document_file LIKE 'bench/seed%%' "
            "AND document_file <> %s",
            [SEED_MARK],
        )
        if cursor.fetchone()[0]:
            cursor.execute("TRUNCATE registrations_registration, cpr_allocation CASCADE")


def seed(n: int = 1_000_000, *, chunk: int = 100_000, log=print) -> float:
    """Make sure ``n`` seeded registrations exist; return the seconds it took."""
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from apoc.accounts.models import User
    from cpr.personnummer import candidate_serials
    from documents.names import name_key
    from documents.transliteration import name_keys, search_forms

    _drop_old_seed()
    have = seeded_count()
    if have >= n:
        return 0.0
    started = time.perf_counter()
    names = _name_pools()
    countries = sorted(names)
    rng = random.Random(1234 + have)
    jobcentre_ids, weights = _jobcentres()
    owners = {}
    for pk in jobcentre_ids:
        user, _ = User.objects.get_or_create(
            username=f"bench-seed-{pk}", defaults={"jobcentre_id": pk}
        )
        owners[pk] = user.pk
    User.objects.get(username=f"bench-seed-{jobcentre_ids[0]}").groups.add(
        Group.objects.get(name="teamleder")
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT personnummer FROM cpr_allocation")
        taken = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT coalesce(max(id), 0) FROM cpr_allocation")
        next_allocation = cursor.fetchone()[0] + 1
        cursor.execute("SELECT coalesce(max(id), 0) FROM registrations_registration")
        next_registration = cursor.fetchone()[0] + 1
    used: dict[tuple[date, str], int] = {}
    start_day, span = date(1950, 1, 1), (date(2006, 1, 1) - date(1950, 1, 1)).days
    now = datetime.now(UTC)
    remaining = n - have
    while remaining > 0:
        size = min(chunk, remaining)
        allocations, registrations, keys = io.StringIO(), io.StringIO(), io.StringIO()
        for _ in range(size):
            country = rng.choice(countries)
            firsts, lasts = names[country]
            sex = rng.choice("MF")
            given = (
                rng.choice(firsts)
                if rng.random() < 0.7
                else f"{rng.choice(firsts)} {rng.choice(firsts)}"
            )
            surname = rng.choice(lasts)
            while True:
                birth = start_day + timedelta(days=rng.randrange(span))
                serials = candidate_serials(birth, sex)
                index = used.get((birth, sex), rng.randrange(len(serials)))
                number = None
                for step in range(len(serials)):
                    candidate = birth.strftime("%d%m%y-") + serials[(index + step) % len(serials)]
                    if candidate not in taken:
                        number = candidate
                        used[(birth, sex)] = (index + step + 1) % len(serials)
                        break
                if number:
                    break
            taken.add(number)
            jobcentre = rng.choices(jobcentre_ids, weights)[0]
            created = now - timedelta(minutes=rng.randrange(60 * 24 * 365))
            allocations.write(
                f"{next_allocation}\t{number}\t{birth}\t{sex}\t20\tallocated\t{owners[jobcentre]}\t{created.isoformat()}\t\t\\N\n"
            )
            document = f"{country}{next_allocation:010d}"
            status = rng.choices(
                ["pending", "approved", "flagged", "annulled"], [0.4, 0.55, 0.04, 0.01]
            )[0]
            for key in sorted(name_keys(surname, given)):
                keys.write(f"{next_registration}\t{_copy_text(key)}\t{birth.isoformat()}\n")
            row = [
                str(next_registration),
                str(jobcentre),
                str(next_allocation),
                str(uuid.UUID(int=rng.getrandbits(128))),
                surname,
                given,
                name_key(surname, given),
                search_forms(f"{given} {surname}"),
                birth.isoformat(),
                sex,
                country,
                "Bench",
                country,
                "passport",
                document,
                document,
                country,
                (date(2030, 1, 1) + timedelta(days=rng.randrange(2000))).isoformat(),
                SEED_MARK,
                "image/png",
                "",
                "",
                "Bench address",
                "Bench stay address",
                "",
                "",
                "",
                "en",
                (created.date() - timedelta(days=rng.randrange(120))).isoformat(),
                "jobseeking",
                "3",
                "f",
                "\\N",
                rng.choice("AAAAB"),
                "",
                "",
                "\\N",
                "",
                "f",
                json.dumps([]),
                created.isoformat(),
                str(owners[jobcentre]),
                created.isoformat(),
                status,
                "\\N",
                "\\N",
                "",
                # Added since the seed was first written: the stay municipality, the
                # document's sex, jobseeker and annulment reasons, the CPR look-up.
                "101",
                "",
                "f",
                "",
                "",
                "",
                "f",
                "",
            ]
            registrations.write("\t".join(row) + "\n")
            next_allocation += 1
            next_registration += 1
        columns = (
            "id, jobcentre_id, allocation_id, submission_token, surname, given_names, name_key, name_search, "
            "birth_date, sex, nationality, place_of_birth, country_of_birth, document_type, document_number, "
            "document_number_key, document_country, document_expiry, document_file, document_content_type, "
            "foreign_id_number, foreign_id_key, address_abroad, stay_address, stay_co, phone, email, "
            "letter_language, entry_date, purpose, expected_stay_months, receives_pd_u2, pd_u2_date, category, "
            "offer_kind, asylum_case_id, decision_date, decision_reference, residence_registered, "
            "warnings_confirmed, registered_as_jobseeker_at, created_by_id, created_at, review_status, "
            "reviewed_by_id, reviewed_at, review_comment, stay_municipality, document_sex, "
            "document_withheld, decision_by, jobseeker_end_reason, annulment_reason, cpr_pending, "
            "cpr_attention"
        )
        # Both COPYs in one transaction: a failure leaves no orphan numbers.
        with transaction.atomic(), connection.connection.cursor() as cursor:
            with cursor.copy(
                "COPY cpr_allocation (id, personnummer, birth_date, sex, cpr_status, source, allocated_by_id, "
                "allocated_at, annulment_reason, annulled_at) FROM STDIN"
            ) as copy:
                copy.write(allocations.getvalue())
            with cursor.copy(f"COPY registrations_registration ({columns}) FROM STDIN") as copy:
                copy.write(registrations.getvalue())
            with cursor.copy(
                "COPY registrations_namekey (registration_id, key, birth_date) FROM STDIN"
            ) as copy:
                copy.write(keys.getvalue())
        remaining -= size
        log(f"# seeded {n - remaining} of {n} registrations")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('cpr_allocation', 'id'), (SELECT max(id) FROM cpr_allocation))"
        )
        cursor.execute("ANALYZE cpr_allocation")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('registrations_registration', 'id'), "
            "(SELECT max(id) FROM registrations_registration))"
        )
        cursor.execute("ANALYZE registrations_registration")
        cursor.execute("ANALYZE registrations_namekey")
    # COPY goes around the services that keep the statistics' counters: recount them.
    from registrations.statistics import statistics_rebuild

    counters = statistics_rebuild()
    log(f"# recounted {counters} statistics counters")
    return time.perf_counter() - started


def _copy_text(value: str) -> str:
    """A value for PostgreSQL's COPY text format."""
    return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")
