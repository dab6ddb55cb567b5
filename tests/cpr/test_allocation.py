"""cpr.services.allocate_personnummer against the register in the database."""

import threading
from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apoc.exceptions import DomainError
from cpr.exceptions import AlreadyRegistered, BirthDateOutOfRange, InvalidSex, SeriesExhausted
from cpr.models import Allocation, CprStatus, Source
from cpr.personnummer import is_valid, parse
from cpr.registry import get_registry
from cpr.services import (
    allocate_personnummer,
    allocation_annul,
    record_existing_personnummer,
)
from tests.factories import AllocationFactory, UserFactory

pytestmark = pytest.mark.django_db

WEIGHTS = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1]


def independent_candidates(birth_date: date, sex: str) -> set[str]:
    """Count the candidates without the code under test: all 10,000 serials."""
    prefix = birth_date.strftime("%d%m%y")
    found = set()
    for serial in range(10000):
        digits = f"{prefix}{serial:04d}"
        if sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True)) % 11:
            continue
        if (serial % 2 == 1) != (sex == "M"):
            continue
        if parse(digits, today=date(2057, 12, 31)).birth_date != birth_date:
            continue
        found.add(f"{prefix}-{serial:04d}")
    return found


def test_allocation_returns_a_valid_number_for_the_birth_date_and_sex():
    user = UserFactory()
    allocation = allocate_personnummer(birth_date=date(1991, 3, 14), sex="M", allocated_by=user)
    number = parse(allocation.personnummer)
    assert allocation.personnummer == str(number)
    assert number.birth_date == date(1991, 3, 14)
    assert number.sex == "M"
    assert number.mod11_ok and is_valid(allocation.personnummer)
    stored = Allocation.objects.get(pk=allocation.pk)
    assert stored.personnummer == allocation.personnummer
    assert stored.cpr_status == CprStatus.NO_RESIDENCE == "20"
    assert stored.source == Source.ALLOCATED
    assert stored.allocated_by == user
    assert abs(stored.allocated_at - timezone.now()) < timedelta(minutes=1)


def test_allocation_is_part_of_the_callers_transaction():
    with pytest.raises(RuntimeError), transaction.atomic():
        allocate_personnummer(birth_date=date(1980, 6, 1), sex="F")
        raise RuntimeError("the caller fails after allocating")
    assert not Allocation.objects.exists()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    birth_date=st.dates(min_value=date(1858, 1, 1), max_value=date.today()),
    sex=st.sampled_from(["M", "F"]),
)
def test_every_allocated_number_parses_back(birth_date, sex):
    allocation = allocate_personnummer(birth_date=birth_date, sex=sex)
    number = parse(allocation.personnummer)
    assert number.birth_date == birth_date
    assert number.sex == sex
    assert number.mod11_ok


@pytest.mark.parametrize(
    ("birth_date", "sex"),
    [(date(1990, 1, 1), "F"), (date(1862, 8, 9), "M"), (date(2003, 2, 28), "F")],
)
def test_exhaustion_hands_out_every_candidate_once_then_refuses(birth_date, sex):
    expected = independent_candidates(birth_date, sex)
    handed_out = [
        allocate_personnummer(birth_date=birth_date, sex=sex).personnummer
        for _ in range(len(expected))
    ]
    assert len(handed_out) == len(set(handed_out))
    assert set(handed_out) == expected
    with pytest.raises(SeriesExhausted) as err:
        allocate_personnummer(birth_date=birth_date, sex=sex)
    assert birth_date.strftime("%d.%m.%Y") in err.value.message
    assert err.value.code == "series_exhausted"


def test_other_sex_is_not_exhausted_with_one():
    birth_date = date(1990, 1, 1)
    for _ in independent_candidates(birth_date, "F"):
        allocate_personnummer(birth_date=birth_date, sex="F")
    other = allocate_personnummer(birth_date=birth_date, sex="M")
    assert parse(other.personnummer).sex == "M"


def test_annulled_and_recorded_numbers_are_never_handed_out_again():
    birth_date = date(1975, 9, 30)
    candidates = sorted(independent_candidates(birth_date, "M"))
    annulled = AllocationFactory(birth_date=birth_date, sex="M", personnummer=candidates[0])
    allocation_annul(allocation=annulled, reason="tastefejl")
    record_existing_personnummer(number=parse(candidates[1]))
    handed_out = {
        allocate_personnummer(birth_date=birth_date, sex="M").personnummer
        for _ in range(len(candidates) - 2)
    }
    assert candidates[0] not in handed_out and candidates[1] not in handed_out
    with pytest.raises(SeriesExhausted):
        allocate_personnummer(birth_date=birth_date, sex="M")
    annulled.refresh_from_db()
    assert annulled.cpr_status == CprStatus.ANNULLED == "30"
    assert annulled.annulment_reason == "tastefejl"


def test_choice_is_spread_over_the_free_candidates():
    birth_date = date(1988, 7, 21)
    candidates = independent_candidates(birth_date, "F")
    first_serials = Counter()
    for _ in range(60):
        with transaction.atomic():
            allocation = allocate_personnummer(birth_date=birth_date, sex="F")
            first_serials[allocation.personnummer] += 1
            transaction.set_rollback(True)
    # 60 draws from ~270 candidates: a fixed or sequential choice would repeat at once.
    assert len(first_serials) > 30
    assert set(first_serials) <= candidates


def test_recording_an_existing_number_twice_is_refused():
    number = parse("070761-4285")
    recorded = record_existing_personnummer(number=number)
    assert recorded.source == Source.RECORDED
    assert recorded.birth_date == date(1961, 7, 7)
    with pytest.raises(AlreadyRegistered) as err:
        record_existing_personnummer(number=number)
    assert "070761-XXXX" in err.value.message
    assert "4285" not in err.value.message
    assert Allocation.objects.filter(personnummer="070761-4285").count() == 1


@pytest.mark.parametrize(
    "birth_date", [date(1857, 12, 31), date.today() + timedelta(days=1), date(2057, 1, 1)]
)
def test_birth_dates_outside_the_range_are_refused(birth_date):
    with pytest.raises(BirthDateOutOfRange) as err:
        allocate_personnummer(birth_date=birth_date, sex="F")
    assert isinstance(err.value, DomainError)
    assert birth_date.strftime("%d.%m.%Y") in err.value.message
    assert not Allocation.objects.exists()


def test_first_and_last_possible_birth_dates_are_served():
    assert allocate_personnummer(birth_date=date(1858, 1, 1), sex="M")
    assert allocate_personnummer(birth_date=date.today(), sex="F")


@pytest.mark.parametrize("sex", ["K", "", "m", None, "X"])
def test_unknown_sex_is_refused(sex):
    with pytest.raises(InvalidSex):
        allocate_personnummer(birth_date=date(1990, 1, 1), sex=sex)


def test_registry_comes_from_the_setting(settings):
    settings.CPR_REGISTRY = "tests.cpr.test_allocation.RecordingRegistry"
    RecordingRegistry.calls.clear()
    allocate_personnummer(birth_date=date(1990, 1, 2), sex="M")
    assert RecordingRegistry.calls == [(date(1990, 1, 2), "M")]
    assert isinstance(get_registry(), RecordingRegistry)


class RecordingRegistry:
    calls: list = []

    def allocate(self, *, birth_date, sex, allocated_by=None):
        self.calls.append((birth_date, sex))
        return Allocation(personnummer="020190-0000", birth_date=birth_date, sex=sex)


# --- Concurrency on PostgreSQL -------------------------------------------------------------

WORKERS = 8


def _run_workers(target, count=WORKERS):
    barrier = threading.Barrier(count)
    results: list = []
    lock = threading.Lock()

    def work():
        outcome = []
        try:
            barrier.wait()
            outcome = target()
        finally:
            connections.close_all()
        with lock:
            results.extend(outcome)

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_allocation_for_one_date_hands_out_each_number_once(postgresql_only):
    birth_date = date(1993, 10, 5)
    expected = independent_candidates(birth_date, "M")

    def allocate_until_exhausted():
        outcome = []
        while True:
            try:
                with transaction.atomic():
                    outcome.append(
                        ("ok", allocate_personnummer(birth_date=birth_date, sex="M").personnummer)
                    )
            except SeriesExhausted:
                outcome.append(("exhausted", None))
                return outcome
            except Exception as exc:
                outcome.append(("error", repr(exc)))
                return outcome

    results = _run_workers(allocate_until_exhausted)
    numbers = [n for kind, n in results if kind == "ok"]
    errors = [n for kind, n in results if kind == "error"]
    assert errors == []
    assert sum(1 for kind, _ in results if kind == "exhausted") == WORKERS
    assert len(numbers) == len(set(numbers))
    assert set(numbers) == expected
    assert set(Allocation.objects.values_list("personnummer", flat=True)) == expected


@pytest.mark.django_db(transaction=True)
def test_concurrent_allocation_over_spread_dates_loses_nothing(postgresql_only):
    per_worker = 25

    def allocate_some():
        outcome = []
        for i in range(per_worker):
            birth_date = date(1970 + i % 40, 1 + i % 12, 1 + i % 28)
            with transaction.atomic():
                outcome.append(
                    allocate_personnummer(birth_date=birth_date, sex="MF"[i % 2]).personnummer
                )
        return outcome

    numbers = _run_workers(allocate_some)
    assert len(numbers) == WORKERS * per_worker
    assert len(set(numbers)) == len(numbers)
    assert Allocation.objects.count() == len(numbers)
    assert connection.vendor == "postgresql"
