"""A search with a typo finds the person: one slip in each name part, in any script, on
SQLite and on PostgreSQL (documents.typos)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documents.typos import deletion_keys
from registrations.selectors import SearchQuery, registration_search
from tests.factories import RegistrationFactory

from .test_pages import search

pytestmark = pytest.mark.django_db


def found(user, text):
    return [r.pk for r in registration_search(user=user, query=SearchQuery("text", text))]


@pytest.fixture
def people(caseworker):
    """A short surname, a long one, a Greek and a Bulgarian name, and people near them."""
    make = lambda surname, given: RegistrationFactory(  # noqa: E731
        jobcentre=caseworker.jobcentre, surname=surname, given_names=given
    )
    return {
        "lund": make("Lund", "Anna"),
        "nielsen": make("Nielsen", "Mette"),
        "papadopoulos": make("Παπαδόπουλος", "Γεώργιος"),
        "ivanova": make("Иванова", "Мария"),
        "other": make("Kowalski", "Jan"),
        "near_lund": make("Lind", "Jonas"),
    }


@pytest.mark.parametrize(
    ("query", "person"),
    [
        ("Anna Lnud", "lund"),  # swapped, short
        ("Anna Lud", "lund"),  # dropped, short
        ("Anna Lunnd", "lund"),  # doubled, short
        ("Anna Lond", "lund"),  # wrong vowel, short
        ("Ana Lund", "lund"),  # the typo in the given name
        ("Lnud Anna", "lund"),  # in another order
        ("Mette Nilesen", "nielsen"),  # swapped, long
        ("Mette Nielsn", "nielsen"),  # dropped, long
        ("Mette Niellsen", "nielsen"),  # doubled, long
        ("Mette Nielson", "nielsen"),  # wrong vowel, long
        ("Mete Nilsen", "nielsen"),  # a slip in each part
        ("Georgios Papadopolos", "papadopoulos"),  # the Latin spelling, with a typo
        ("Γεώργιος Παπαδόπολος", "papadopoulos"),  # the Greek spelling, with a typo
        ("Maria Ivanva", "ivanova"),
        ("Мария Иванва", "ivanova"),
    ],
)
def test_a_typo_finds_the_person(caseworker, people, query, person):
    results = found(caseworker, query)
    assert people[person].pk in results
    assert people["other"].pk not in results


def test_too_many_slips_find_nobody(caseworker, people):
    assert found(caseworker, "Anna Ldnu") == []  # two slips in one part
    assert found(caseworker, "Mette Nilsne") == []
    assert found(caseworker, "Anna Lund Xqzwv") == []  # every part typed must be near


def test_the_nearest_name_comes_first(caseworker, people):
    """ "Anna Lind" is one slip from Anna Lund and one from Jonas Lind, but Jonas is two
    parts away: Anna comes first."""
    results = found(caseworker, "Anna Lind")
    assert results[0] == people["lund"].pk
    assert people["near_lund"].pk not in results  # "anna" is not near "jonas"


def test_namesakes_as_near_come_newest_first(caseworker):
    older = RegistrationFactory(jobcentre=caseworker.jobcentre, surname="Lund", given_names="Bo")
    newer = RegistrationFactory(jobcentre=caseworker.jobcentre, surname="Lund", given_names="Bo")
    type(older).objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=9))
    assert found(caseworker, "Bo Lnud") == [newer.pk, older.pk]


def test_a_typo_does_not_reach_another_jobcentre(caseworker, odense):
    RegistrationFactory(jobcentre=odense, surname="Lund", given_names="Anna")
    assert found(caseworker, "Anna Lnud") == []


def test_an_exact_match_is_not_mixed_with_near_names(caseworker, people):
    RegistrationFactory(jobcentre=caseworker.jobcentre, surname="Lnud", given_names="Anna")
    assert [r.surname for r in registration_search(
        user=caseworker, query=SearchQuery("text", "Anna Lnud")
    )] == ["Lnud"]  # fmt: skip


def test_names_that_only_contain_what_was_typed_are_weighed_with_the_near_ones(caseworker):
    """ "Maria Vian" is in Maria Viana, but no name has it whole: it may be a typo of Vain."""
    viana = RegistrationFactory(
        jobcentre=caseworker.jobcentre, surname="Viana", given_names="Maria"
    )
    vain = RegistrationFactory(jobcentre=caseworker.jobcentre, surname="Vain", given_names="Maria")
    assert found(caseworker, "Maria Vian") == [viana.pk, vain.pk]


def test_a_part_of_two_letters_is_weighed_not_looked_for(caseworker):
    de_wit = RegistrationFactory(
        jobcentre=caseworker.jobcentre, surname="de Wit", given_names="Nynke"
    )
    RegistrationFactory(jobcentre=caseworker.jobcentre, surname="Wit", given_names="Nynke Ulla")
    assert found(caseworker, "Nynke do Wit") == [de_wit.pk]


def test_the_caseworkers_search_page_finds_a_typo(caseworker_client, people):
    response = search(caseworker_client, "Anna Lnud")
    assert response.status_code == 200
    assert [r.pk for r in response.context["results"]] == [people["lund"].pk]


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøåαβγδжщ'-", min_size=0, max_size=12)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(words, max_size=5).map(" ".join))
def test_the_databases_deletion_keys_are_the_python_rule(postgresql_only, name):
    """The SQL function the index is built on (migration 0011) and documents.typos agree."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT registration_name_deletions(%s)", [name])
        (keys,) = cursor.fetchone()
    assert frozenset(keys) == deletion_keys(name)


def test_the_search_with_a_typo_uses_the_deletion_index(postgresql_only, caseworker, people):
    """At 1,000,000 rows only an index makes this fast; here the plan must at least be able
    to use it (sequential scans off, as the planner would choose on a big table)."""
    from registrations.models import Registration

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = (
        Registration.objects.extra(
            where=["registration_name_deletions(name_search) && registration_name_deletions(%s)"],
            params=["lnud"],
        )
        .order_by()
        .values("id")
        .explain()
    )
    assert "registration_name_deletions_idx" in plan


@pytest.mark.django_db
def test_the_name_indexes_take_each_name_at_once(postgresql_only):
    """No pending list (fastupdate off): a search never reads the names written since the
    index last merged them one by one (migration 0014). Asked as the application's role,
    which may read the catalogue but not manage the owner's indexes."""
    RegistrationFactory(surname="Koutsogiannopoulos", given_names="Zacharenia")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)",
            [["registration_name_trgm_idx", "registration_name_deletions_idx"]],
        )
        options = dict(cursor.fetchall())
    # Without fastupdate, GIN writes each entry into the index itself: no pending list.
    assert options == {
        "registration_name_trgm_idx": ["fastupdate=off"],
        "registration_name_deletions_idx": ["fastupdate=off"],
    }
