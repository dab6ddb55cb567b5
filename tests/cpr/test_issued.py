"""A number taken out in CPR's own client must fit the person: cpr.issued and the registry."""

from datetime import date

import pytest
from django.test import override_settings

from cpr.exceptions import AlreadyRegistered
from cpr.issued import IssuedNumberMismatch, IssuedNumberRequired, check_issued_number
from cpr.models import Allocation, Source
from cpr.services import allocate_personnummer

TODAY = date(2026, 12, 2)
ISSUED = override_settings(CPR_REGISTRY="cpr.registry.IssuedInCprRegistry")


def check(text, birth_date=date(1961, 7, 7), sex="F"):
    return check_issued_number(text, birth_date=birth_date, sex=sex, today=TODAY)


def test_a_fitting_number_is_accepted_without_modulus_11():
    number = check(" 070761-4286 ")  # fails modulus 11 on an ordinary date: still fine
    assert (str(number), number.mod11_ok) == ("070761-4286", False)


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_field_asks_for_the_number(text):
    with pytest.raises(IssuedNumberRequired) as error:
        check(text)
    assert "Tag nummeret ud i CPR-kontorets klient" in error.value.message


def test_another_birth_date_is_named():
    with pytest.raises(IssuedNumberMismatch) as error:
        check("080761-4286")
    assert error.value.code == "issued_birth_date"
    assert "08.07.1961" in error.value.message and "07.07.1961" in error.value.message


def test_another_century_is_named_by_digit_7():
    # 070761 with digit 7 = 5 is 7 July 1861 by the century table: not 1961.
    with pytest.raises(IssuedNumberMismatch) as error:
        check("070761-5006", birth_date=date(1961, 7, 7), sex="F")
    assert error.value.code == "issued_century"
    assert "7. ciffer (5)" in error.value.message
    assert "1861" in error.value.message and "1961" in error.value.message


def test_another_sex_is_named_by_the_last_digit():
    with pytest.raises(IssuedNumberMismatch) as error:
        check("070761-4285", sex="F")  # odd: a man
    assert error.value.code == "issued_sex"
    assert "sidste ciffer (5)" in error.value.message
    assert "en mand" in error.value.message and "en kvinde" in error.value.message


def test_a_replacement_number_is_refused():
    with pytest.raises(IssuedNumberMismatch) as error:
        check("670761-4286")
    assert error.value.code == "issued_replacement"


def test_a_number_that_does_not_parse_says_why():
    with pytest.raises(IssuedNumberMismatch) as error:
        check("310461-4286", birth_date=date(1961, 4, 30))
    assert "april" in error.value.message


@pytest.mark.django_db
@ISSUED
def test_the_registry_records_an_issued_number_with_its_source():
    allocation = allocate_personnummer(
        birth_date=date(1990, 1, 1), sex="F", issued_number="010190-2000"
    )
    assert (allocation.personnummer, allocation.source) == ("010190-2000", Source.ISSUED)
    with pytest.raises(AlreadyRegistered):
        allocate_personnummer(birth_date=date(1990, 1, 1), sex="F", issued_number="0101902000")
    assert Allocation.objects.count() == 1


@pytest.mark.django_db
@ISSUED
def test_the_registry_refuses_a_number_that_does_not_fit():
    with pytest.raises(IssuedNumberMismatch):
        allocate_personnummer(birth_date=date(1990, 1, 2), sex="F", issued_number="010190-2000")
    assert not Allocation.objects.exists()
