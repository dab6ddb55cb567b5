"""apoc.db.insert_first_free: the database claims the first free candidate, on both backends."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from apoc.db import insert_first_free, insert_unless_conflict
from cpr.models import Allocation, CprStatus, Source
from cpr.personnummer import candidate_serials
from tests.factories import AllocationFactory, UserFactory

pytestmark = pytest.mark.django_db

BIRTH = date(1987, 2, 9)


def numbers(count: int) -> list[str]:
    prefix = BIRTH.strftime("%d%m%y-")
    return [prefix + serial for serial in candidate_serials(BIRTH, "M")[:count]]


def values(**extra) -> dict:
    return {"birth_date": BIRTH, "sex": "M", "source": Source.ALLOCATED, **extra}


def test_one_free_candidate_comes_back_as_save_leaves_an_instance():
    user = UserFactory()
    (number,) = numbers(1)
    allocation = insert_first_free(
        Allocation, field="personnummer", candidates=[number], values=values(allocated_by=user)
    )
    stored = Allocation.objects.get(personnummer=number)
    assert allocation.pk == stored.pk
    # The database's default and the values given, as a fresh read has them.
    for field in Allocation._meta.concrete_fields:
        assert getattr(allocation, field.attname) == getattr(stored, field.attname), field.name
    assert allocation.allocated_at is not None
    assert allocation.cpr_status == CprStatus.NO_RESIDENCE
    assert allocation.allocated_by == user
    assert not allocation._state.adding
    assert allocation._state.db == "default"


def test_the_first_free_candidate_in_the_order_given_is_claimed():
    first, second, third = numbers(3)
    AllocationFactory(personnummer=first, birth_date=BIRTH, sex="M")
    allocation = insert_first_free(
        Allocation, field="personnummer", candidates=[first, second, third], values=values()
    )
    assert allocation.personnummer == second
    assert Allocation.objects.filter(personnummer=third).count() == 0


@pytest.mark.parametrize("count", [1, 3])
def test_every_candidate_taken_gives_none_and_the_transaction_goes_on(count):
    taken = numbers(count)
    for number in taken:
        AllocationFactory(personnummer=number, birth_date=BIRTH, sex="M")
    with transaction.atomic():
        assert (
            insert_first_free(Allocation, field="personnummer", candidates=taken, values=values())
            is None
        )
        # The refusal left the caller's transaction usable.
        assert Allocation.objects.filter(personnummer__in=taken).count() == count
    assert Allocation.objects.count() == count


def test_no_candidates_gives_none():
    assert insert_first_free(Allocation, field="personnummer", candidates=[], values={}) is None


@pytest.mark.parametrize("count", [1, 3])
def test_a_violation_of_another_constraint_is_raised_not_taken_for_a_conflict(count):
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_first_free(
            Allocation, field="personnummer", candidates=numbers(count), values=values(sex="X")
        )
    assert not Allocation.objects.exists()


def test_insert_unless_conflict_refuses_a_value_held():
    (number,) = numbers(1)
    first = insert_unless_conflict(
        Allocation, field="personnummer", values={"personnummer": number, **values()}
    )
    assert first is not None
    again = insert_unless_conflict(
        Allocation, field="personnummer", values={"personnummer": number, **values()}
    )
    assert again is None
    assert Allocation.objects.filter(personnummer=number).count() == 1


@pytest.mark.parametrize("count", [1, 3])
def test_the_claim_goes_through_the_connections_execute_wrappers(count):
    """The fault tests inject outages with execute wrappers: the claim must pass them."""
    seen = []

    def spy(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        insert_first_free(
            Allocation, field="personnummer", candidates=numbers(count), values=values()
        )
    assert any(sql.startswith('INSERT INTO "cpr_allocation"') for sql in seen)
