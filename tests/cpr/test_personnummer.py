"""cpr.personnummer: the contract in DESIGN §3, checked against facts written out here."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apoc.exceptions import DomainError
from cpr.personnummer import (
    MOD11_EXEMPT_DATES,
    InvalidPersonnummer,
    Personnummer,
    candidate_serials,
    century_digits,
    is_valid,
    parse,
)

FAR_FUTURE = date(2057, 12, 31)
TODAY = date(2026, 11, 29)

# The CPR office's century table, written out independently of the implementation:
# (digits 7, lowest YY, highest YY, century).
CENTURY_TABLE = [
    ((0, 1, 2, 3), 0, 99, 1900),
    ((4, 9), 0, 36, 2000),
    ((4, 9), 37, 99, 1900),
    ((5, 6, 7, 8), 0, 57, 2000),
    ((5, 6, 7, 8), 58, 99, 1800),
]
EDGE_YEARS = [1858, 1899, 1900, 1936, 1937, 1999, 2000, 2036, 2037, 2057]
WEIGHTS = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1]


def expected_year(digit7: int, yy: int) -> int:
    for digits, low, high, century in CENTURY_TABLE:
        if digit7 in digits and low <= yy <= high:
            return century + yy
    raise AssertionError("table incomplete")


def weighted_sum(digits: str) -> int:
    return sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True))


def with_check(prefix9: str, *, want_parity: int | None = None) -> str | None:
    """Complete nine digits to a modulus-11 valid number, or None when impossible."""
    for last in range(10):
        if want_parity is not None and last % 2 != want_parity:
            continue
        if weighted_sum(prefix9 + str(last)) % 11 == 0:
            return prefix9 + str(last)
    return None


# --- The century table ---------------------------------------------------------------


@pytest.mark.parametrize("digit7", range(10))
@pytest.mark.parametrize("yy", range(100))
def test_every_row_of_the_century_table(digit7, yy):
    number = parse(f"0101{yy:02d}{digit7}000", today=FAR_FUTURE)
    assert number.birth_date.year == expected_year(digit7, yy)


@pytest.mark.parametrize("year", EDGE_YEARS)
@pytest.mark.parametrize("digit7", range(10))
def test_edge_years_for_each_digit7(year, digit7):
    yy = year % 100
    number = parse(f"3112{yy:02d}{digit7}123", today=FAR_FUTURE)
    assert number.birth_date == date(expected_year(digit7, yy), 12, 31)
    assert (number.birth_date.year == year) == (digit7 in century_digits(year))


@pytest.mark.parametrize("year", EDGE_YEARS)
def test_century_digits_are_exactly_those_the_table_gives(year):
    yy = year % 100
    assert century_digits(year) == tuple(d for d in range(10) if expected_year(d, yy) == year)


@pytest.mark.parametrize(
    ("value", "year", "valid"),
    [
        ("290200-0000", 1900, False),  # 1900 was no leap year
        ("290200-4000", 2000, True),  # 2000 was
        ("290236-4000", 2036, True),
        ("290236-0000", 1936, True),
        ("290258-5000", 1858, False),
        ("290296-5000", 1896, True),
        ("290299-5000", 1899, False),
        ("290257-5000", 2057, False),
        ("290237-4000", 1937, False),
    ],
)
def test_leap_days_across_centuries(value, year, valid):
    if valid:
        assert parse(value, today=FAR_FUTURE).birth_date == date(year, 2, 29)
    else:
        with pytest.raises(InvalidPersonnummer) as err:
            parse(value, today=FAR_FUTURE)
        assert err.value.code == "leap_day"
        assert str(year) in err.value.message


@pytest.mark.parametrize(
    ("value", "code", "fragment"),
    [
        ("310485-1234", "day", "Dag 31 findes ikke i april 1985"),
        ("310685-1234", "day", "juni"),
        ("000185-1234", "day", "Dag 00"),
        ("320185-1234", "day", "Dag 32"),
        ("450185-1234", "day", "Dag 45"),
        ("920185-1234", "day", "Dag 92"),
        ("011385-1234", "month", "Måned 13"),
        ("010085-1234", "month", "Måned 00"),
    ],
)
def test_impossible_dates_name_what_is_wrong(value, code, fragment):
    with pytest.raises(InvalidPersonnummer) as err:
        parse(value, today=TODAY)
    assert err.value.code == code
    assert fragment in err.value.message


def test_error_messages_translate_month_names():
    with pytest.raises(InvalidPersonnummer) as err:
        parse("310485-1234", today=TODAY)
    english = {
        "Dag %(day)d findes ikke i %(month_name)s %(year)d.": "Day %(day)d does not "
        "exist in %(month_name)s %(year)d.",
        "april": "April",
    }
    assert (
        err.value.message_in(lambda s: english.get(s, s)) == "Day 31 does not exist in April 1985."
    )


def test_future_birth_date_is_rejected_and_today_is_accepted():
    assert parse("291126-4001", today=TODAY).birth_date == TODAY
    with pytest.raises(InvalidPersonnummer) as err:
        parse("301126-4001", today=TODAY)
    assert err.value.code == "future"
    assert "30.11.2026" in err.value.message


def test_today_defaults_to_the_current_date():
    tomorrow = date.today() + timedelta(days=1)
    value = tomorrow.strftime("%d%m%y") + "-4001"
    with pytest.raises(InvalidPersonnummer):
        parse(value)
    assert parse((date.today()).strftime("%d%m%y") + "-4001").birth_date == date.today()


# --- Malformed input --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\t\n", "empty"),
        ("070761-428", "length"),
        ("070761428", "length"),
        ("070761-42855", "length"),
        ("07076142855", "length"),
        ("0707614", "length"),
        ("07076a-4285", "character"),
        ("abcdefghij", "character"),
        ("070761--4285", "character"),
        ("070761/4285", "character"),
        ("070761_4285", "character"),
        ("0707-61-4285", "character"),
        ("070761-42 85", "character"),
        ("070761  4285", "character"),
        ("+070761-4285", "character"),
        ("070761-4285x", "character"),
        ("０７０７６１-４２８５", "non_ascii_digit"),
        ("070761-٤285", "non_ascii_digit"),
        ("०७०७६१४२८५", "non_ascii_digit"),
        ("070761\u20134285", "character"),  # en dash
    ],
)
def test_malformed_input_is_rejected_with_a_code(value, code):
    with pytest.raises(InvalidPersonnummer) as err:
        parse(value, today=TODAY)
    assert err.value.code == code
    assert err.value.message


@pytest.mark.parametrize("value", [None, 704614285, b"0707614285", ["0707614285"]])
def test_non_strings_are_rejected(value):
    with pytest.raises(InvalidPersonnummer) as err:
        parse(value, today=TODAY)
    assert err.value.code == "type"
    assert is_valid(value, today=TODAY) is False


@pytest.mark.parametrize(
    "value", ["070761-4285", "0707614285", " 070761-4285 ", "070761 4285", "\t0707614285\n"]
)
def test_accepted_shapes(value):
    number = parse(value, today=TODAY)
    assert str(number) == "070761-4285"
    assert number.birth_date == date(1961, 7, 7)
    assert number.serial == "4285"
    assert number.sex == "M"
    assert number.mod11_ok
    assert not number.mod11_exempt
    assert not number.is_replacement


def test_invalid_personnummer_is_a_value_error_and_a_domain_error():
    assert issubclass(InvalidPersonnummer, ValueError)
    assert issubclass(InvalidPersonnummer, DomainError)


def test_personnummer_is_immutable_and_masks_itself():
    number = parse("070761-4285", today=TODAY)
    with pytest.raises(AttributeError):
        number.sex = "F"
    assert number.masked == "070761-XXXX"
    assert "4285" not in repr(number)


def test_sex_comes_from_the_last_digit():
    assert parse("070761-4285", today=TODAY).sex == "M"
    assert parse("070761-4284", today=TODAY).sex == "F"


# --- Modulus 11, exempt dates and replacement numbers ------------------------------------


def test_worked_example_from_the_cpr_documentation_passes_modulus_11():
    # 0·4+7·3+0·2+7·7+6·6+1·5+4·4+2·3+8·2+5·1 = 154 = 14·11
    assert weighted_sum("0707614285") == 154
    assert parse("070761-4285", today=TODAY).mod11_ok
    assert is_valid("070761-4285", today=TODAY)


def test_modulus_11_failure_parses_but_is_not_valid():
    number = parse("070761-4286", today=TODAY)
    assert not number.mod11_ok
    assert not is_valid("070761-4286", today=TODAY)


EXEMPT_YEARS = [
    1960,
    1962,
    1964,
    1965,
    1966,
    1967,
    1969,
    1970,
    1974,
    1975,
    1978,
    1980,
    1981,
    1982,
    1983,
    1984,
    1985,
    1986,
    1987,
    1988,
    1989,
    1990,
    1991,
    1992,
    1994,
    1995,
]


def test_the_26_exempt_dates_are_all_1_january_of_the_listed_years():
    assert sorted(MOD11_EXEMPT_DATES) == [date(y, 1, 1) for y in EXEMPT_YEARS]


@pytest.mark.parametrize("year", EXEMPT_YEARS)
def test_exempt_dates_are_valid_without_modulus_11(year):
    prefix = f"0101{year % 100:02d}"
    failing = next(
        prefix + f"{s:04d}"
        for s in range(4000)
        if weighted_sum(prefix + f"{s:04d}") % 11 and expected_year(s // 1000, year % 100) == year
    )
    number = parse(failing, today=TODAY)
    assert number.mod11_exempt and not number.mod11_ok
    assert is_valid(failing, today=TODAY)


@pytest.mark.parametrize("year", [1961, 1963, 1968, 1993, 1996, 2000])
def test_non_exempt_1_january_requires_modulus_11(year):
    prefix = f"0101{year % 100:02d}"
    d7 = century_digits(year)[0]
    failing = next(
        prefix + f"{d7}{s:03d}" for s in range(1000) if weighted_sum(prefix + f"{d7}{s:03d}") % 11
    )
    assert not parse(failing, today=TODAY).mod11_exempt
    assert not is_valid(failing, today=TODAY)


def test_a_date_near_an_exempt_one_is_not_exempt():
    assert not parse("020165-1234", today=TODAY).mod11_exempt
    assert not parse("311264-1234", today=TODAY).mod11_exempt


@pytest.mark.parametrize(
    ("value", "real"),
    [
        ("670761-4285", date(1961, 7, 7)),
        ("610190-1234", date(1990, 1, 1)),
        ("911299-1234", date(1999, 12, 31)),
        ("890296-5001", date(1896, 2, 29)),
    ],
)
def test_replacement_numbers_parse_with_the_real_date_and_are_not_valid(value, real):
    number = parse(value, today=TODAY)
    assert number.is_replacement
    assert number.birth_date == real
    assert not is_valid(value, today=TODAY)


def test_replacement_number_on_an_impossible_date_is_rejected():
    with pytest.raises(InvalidPersonnummer) as err:
        parse("910485-1234", today=TODAY)  # 31 April + 60
    assert err.value.code == "day"


def test_replacement_number_that_passes_modulus_11_is_still_not_valid():
    nine = "670761428"
    value = with_check(nine)
    assert value is not None
    assert parse(value, today=TODAY).mod11_ok
    assert not is_valid(value, today=TODAY)


# --- Candidate serials -------------------------------------------------------------------


def brute_force_candidates(birth_date: date, sex: str) -> set[str]:
    prefix = birth_date.strftime("%d%m%y")
    found = set()
    for serial in range(10000):
        value = f"{prefix}{serial:04d}"
        if weighted_sum(value) % 11:
            continue
        if (serial % 2 == 1) != (sex == "M"):
            continue
        if expected_year(serial // 1000, birth_date.year % 100) != birth_date.year:
            continue
        found.add(f"{serial:04d}")
    return found


@pytest.mark.parametrize(
    "birth_date",
    [
        date(1858, 1, 1),
        date(1899, 12, 31),
        date(1900, 1, 1),
        date(1936, 6, 15),
        date(1937, 1, 1),
        date(1985, 4, 30),
        date(1999, 12, 31),
        date(2000, 2, 29),
        date(2026, 11, 29),
    ],
)
@pytest.mark.parametrize("sex", ["M", "F"])
def test_candidate_serials_match_a_brute_force_count(birth_date, sex):
    assert set(candidate_serials(birth_date, sex)) == brute_force_candidates(birth_date, sex)
    assert len(candidate_serials(birth_date, sex)) == len(set(candidate_serials(birth_date, sex)))


@given(
    birth_date=st.dates(min_value=date(1858, 1, 1), max_value=TODAY),
    sex=st.sampled_from(["M", "F"]),
)
def test_every_candidate_parses_back_to_the_date_and_sex(birth_date, sex):
    serials = candidate_serials(birth_date, sex)
    assert serials
    for serial in serials:
        number = parse(birth_date.strftime("%d%m%y") + serial, today=TODAY)
        assert number.birth_date == birth_date
        assert number.sex == sex
        assert number.mod11_ok
        assert is_valid(str(number), today=TODAY)


@given(st.text(max_size=30))
def test_parse_only_ever_raises_invalid_personnummer(value):
    try:
        result = parse(value, today=TODAY)
    except InvalidPersonnummer as err:
        assert err.code and err.message
    else:
        assert isinstance(result, Personnummer)
        assert result.birth_date <= TODAY
    assert isinstance(is_valid(value, today=TODAY), bool)


@given(st.from_regex(r"\A[0-9]{6}-?[0-9]{4}\Z"))
def test_is_valid_agrees_with_the_definition(value):
    try:
        number = parse(value, today=TODAY)
    except InvalidPersonnummer:
        assert not is_valid(value, today=TODAY)
        return
    digits = value.replace("-", "")
    expected = not number.is_replacement and (
        weighted_sum(digits) % 11 == 0 or number.birth_date in MOD11_EXEMPT_DATES
    )
    assert is_valid(value, today=TODAY) is expected


def _is_valid_by_parse(value, today):
    """The contract of is_valid, spelt out with parse (DESIGN §3)."""
    try:
        number = parse(value, today)
    except InvalidPersonnummer:
        return False
    return not number.is_replacement and (number.mod11_ok or number.mod11_exempt)


_SHAPED = st.builds(
    lambda day, month, yy, serial, sep, pad: (
        f"{pad}{day:02d}{month:02d}{yy:02d}{sep}{serial:04d}{pad}"
    ),
    st.integers(0, 99),
    st.integers(0, 13),
    st.integers(0, 99),
    st.integers(0, 9999),
    st.sampled_from(["", "-", " ", "--"]),
    st.sampled_from(["", " ", "\t"]),
)


@given(
    value=st.one_of(_SHAPED, st.text(alphabet="0123456789- x٣", max_size=14)),
    today=st.dates(min_value=date(1850, 1, 1), max_value=date(2060, 12, 31)),
)
def test_is_valid_agrees_with_parse_for_any_input(value, today):
    assert is_valid(value, today) is _is_valid_by_parse(value, today)
