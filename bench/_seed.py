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

NAMES: dict[str, tuple[list[str], list[str]]] = {
    "PL": (
        [
            "Małgorzata",
            "Łucja",
            "Paweł",
            "Wojciech",
            "Zofia",
            "Jakub",
            "Agnieszka",
            "Michał",
            "Jan",
            "Anna",
        ],
        [
            "Wiśniewska",
            "Kowalski",
            "Wójcik",
            "Kamiński",
            "Lewandowska",
            "Zieliński",
            "Szymańska",
            "Dąbrowski",
            "Kozłowski",
            "Jankowska",
        ],
    ),
    "RO": (
        [
            "Ștefan",
            "Ioana",
            "Mihai",
            "Andreea",
            "Gheorghe",
            "Elena",
            "Răzvan",
            "Cătălina",
            "Ion",
            "Maria",
        ],
        [
            "Țăranu",
            "Popescu",
            "Ionescu",
            "Dumitrescu",
            "Stănescu",
            "Constantinescu",
            "Căpraru",
            "Munteanu",
            "Lăzărescu",
            "Șerban",
        ],
    ),
    "LT": (
        [
            "Rūta",
            "Jonas",
            "Aušra",
            "Žydrūnas",
            "Eglė",
            "Mindaugas",
            "Gintarė",
            "Tomas",
            "Dovilė",
            "Vytautas",
        ],
        [
            "Jonaitytė",
            "Kazlauskas",
            "Petrauskienė",
            "Žukauskas",
            "Šimkus",
            "Balčiūnas",
            "Vasiliauskaitė",
            "Černiauskas",
            "Paulauskas",
            "Butkutė",
        ],
    ),
    "DE": (
        [
            "Jürgen",
            "Anna-Lena",
            "Maximilian",
            "Sophie",
            "Lukas",
            "Jörg",
            "Käthe",
            "Felix",
            "Lea",
            "Günther",
        ],
        [
            "Müller",
            "Schröder",
            "Groß",
            "Weiß",
            "Schäfer",
            "Köhler",
            "Straße",
            "Fuchs",
            "Hoffmann",
            "Bäcker",
        ],
    ),
    "HU": (
        [
            "Ödön",
            "Zsófia",
            "Gábor",
            "Erzsébet",
            "Lőrinc",
            "Réka",
            "Bálint",
            "Dóra",
            "Ferenc",
            "Ágnes",
        ],
        [
            "Nagy",
            "Kovács",
            "Tóth",
            "Szabó",
            "Horváth",
            "Varga",
            "Kiss",
            "Molnár",
            "Németh",
            "Farkas",
        ],
    ),
    "GR": (
        [
            "Ελένη",
            "Γιώργος",
            "Μαρία",
            "Νίκος",
            "Κατερίνα",
            "Δημήτρης",
            "Σοφία",
            "Κώστας",
            "Άννα",
            "Γιάννης",
        ],
        [
            "Παπαδοπούλου",
            "Παπαδόπουλος",
            "Οικονόμου",
            "Γεωργίου",
            "Νικολάου",
            "Δημητρίου",
            "Αθανασίου",
            "Ιωάννου",
            "Βασιλείου",
            "Κωνσταντίνου",
        ],
    ),
    "BG": (
        [
            "Иван",
            "Мария",
            "Георги",
            "Елена",
            "Димитър",
            "Йорданка",
            "Петър",
            "Десислава",
            "Николай",
            "Цветелина",
        ],
        [
            "Иванов",
            "Петрова",
            "Георгиев",
            "Димитрова",
            "Стоянов",
            "Николова",
            "Христов",
            "Тодорова",
            "Маринов",
            "Ангелова",
        ],
    ),
    "MT": (
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
    ),
}
COUNTRIES = list(NAMES)
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
            "SELECT count(*) FROM registrations_registration WHERE document_file = 'bench/seed.png'"
        )
        return cursor.fetchone()[0]


def seed(n: int = 1_000_000, *, chunk: int = 100_000, log=print) -> float:
    """Make sure ``n`` seeded registrations exist; return the seconds it took."""
    from django.contrib.auth.models import Group
    from django.db import connection

    from apoc.accounts.models import User
    from cpr.personnummer import candidate_serials
    from registrations.names import name_key, normalise

    have = seeded_count()
    if have >= n:
        return 0.0
    started = time.perf_counter()
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
    used: dict[tuple[date, str], int] = {}
    start_day, span = date(1950, 1, 1), (date(2006, 1, 1) - date(1950, 1, 1)).days
    now = datetime.now(UTC)
    remaining = n - have
    while remaining > 0:
        size = min(chunk, remaining)
        allocations, registrations = io.StringIO(), io.StringIO()
        for _ in range(size):
            country = rng.choice(COUNTRIES)
            firsts, lasts = NAMES[country]
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
            row = [
                str(jobcentre),
                str(next_allocation),
                str(uuid.UUID(int=rng.getrandbits(128))),
                surname,
                given,
                name_key(surname, given),
                normalise(f"{given} {surname}"),
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
                "bench/seed.png",
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
            ]
            registrations.write("\t".join(row) + "\n")
            next_allocation += 1
        columns = (
            "jobcentre_id, allocation_id, submission_token, surname, given_names, name_key, name_search, "
            "birth_date, sex, nationality, place_of_birth, country_of_birth, document_type, document_number, "
            "document_number_key, document_country, document_expiry, document_file, document_content_type, "
            "foreign_id_number, foreign_id_key, address_abroad, stay_address, stay_co, phone, email, "
            "letter_language, entry_date, purpose, expected_stay_months, receives_pd_u2, pd_u2_date, category, "
            "offer_kind, asylum_case_id, decision_date, decision_reference, residence_registered, "
            "warnings_confirmed, registered_as_jobseeker_at, created_by_id, created_at, review_status, "
            "reviewed_by_id, reviewed_at, review_comment"
        )
        raw = connection.connection
        with raw.cursor() as cursor:
            with cursor.copy(
                "COPY cpr_allocation (id, personnummer, birth_date, sex, cpr_status, source, allocated_by_id, "
                "allocated_at, annulment_reason, annulled_at) FROM STDIN"
            ) as copy:
                copy.write(allocations.getvalue())
            with cursor.copy(f"COPY registrations_registration ({columns}) FROM STDIN") as copy:
                copy.write(registrations.getvalue())
        raw.commit()
        remaining -= size
        log(f"# seeded {n - remaining} of {n} registrations")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('cpr_allocation', 'id'), (SELECT max(id) FROM cpr_allocation))"
        )
        cursor.execute("ANALYZE cpr_allocation")
        cursor.execute("ANALYZE registrations_registration")
    return time.perf_counter() - started
