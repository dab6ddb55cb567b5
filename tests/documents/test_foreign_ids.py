"""documents.foreign_ids: schemes by nationality, against stdnum's own examples.

Every number here comes from python-stdnum 2.2's docstrings or its upstream
test files (tests/test_bg_egn.doctest, tests/test_cz_rc.doctest); none is made
up. The birth dates and sexes are what those sources state or what the
number's published structure gives.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apoc.exceptions import DomainError
from documents.foreign_ids import (
    SCHEMES,
    ForeignIdMismatch,
    ForeignIdResult,
    InvalidForeignId,
    check_foreign_id,
    normalise,
)

TODAY = date(2026, 11, 29)

VALID = [
    # nationality, input, normalised, scheme, encoded birth date, encoded sex
    ("PL", "44051401359", "44051401359", "PESEL", date(1944, 5, 14), "M"),
    ("PL", "02211307589", "02211307589", "PESEL", date(2002, 1, 13), "F"),
    ("RO", "1630615123457", "1630615123457", "CNP", date(1963, 6, 15), "M"),
    ("SE", "880320-0016", "198803200016", "personnummer", date(1988, 3, 20), "M"),
    ("SE", "890102-3286", "198901023286", "personnummer", date(1989, 1, 2), "F"),
    ("SE", "811228-9841", "198112289841", "personnummer", date(1981, 12, 28), "F"),
    ("SE", "198703142391", "198703142391", "personnummer", date(1987, 3, 14), "M"),
    ("NO", "151086 95088", "15108695088", "fødselsnummer", date(1986, 10, 15), "F"),
    ("FI", "131052-308T", "131052-308T", "henkilötunnus", date(1952, 10, 13), "F"),
    ("LT", "33309240064", "33309240064", "asmens kodas", date(1933, 9, 24), "M"),
    ("LV", "161175-19997", "16117519997", "personas kods", date(1975, 11, 16), None),
    ("LV", "328673-00679", "32867300679", "personas kods", None, None),
    ("EE", "36805280109", "36805280109", "isikukood", date(1968, 5, 28), "M"),
    ("BG", "7501020018", "7501020018", "EGN", date(1975, 1, 2), "F"),
    ("BG", "8001010008", "8001010008", "EGN", date(1980, 1, 1), "M"),
    ("BG", "8032056031", "8032056031", "EGN", date(1880, 12, 5), "F"),
    ("IT", "RCCMNL83S18D969H", "RCCMNL83S18D969H", "codice fiscale", date(1983, 11, 18), "M"),
    ("IT", "CNTCHR83T41D969D", "CNTCHR83T41D969D", "codice fiscale", date(1983, 12, 1), "F"),
    ("ES", "54362315-K", "54362315K", "DNI", None, None),
    ("ES", "x-2482300w", "X2482300W", "NIE", None, None),
    ("BE", "85.07.30-033 28", "85073003328", "rijksregisternummer", date(1985, 7, 30), "M"),
    ("BE", "17 07 30 033 84", "17073003384", "rijksregisternummer", date(2017, 7, 30), "M"),
    ("BE", "98.47.28-997.65", "98472899765", "BIS-nummer", date(1998, 7, 28), "M"),
    ("CZ", "710319/2745", "7103192745", "rodné číslo", date(1971, 3, 19), "M"),
    ("CZ", "8801251680", "8801251680", "rodné číslo", date(1988, 1, 25), "M"),
    ("SK", "710319/2745", "7103192745", "rodné číslo", date(1971, 3, 19), "M"),
    ("HR", "HR 33392005961", "33392005961", "OIB", None, None),
    ("IS", "120174-3399", "1201743399", "kennitala", date(1974, 1, 12), None),
    ("NL", "1112.22.333", "111222333", "BSN", None, None),
    ("PT", "00000000 0 ZZ4", "000000000ZZ4", "Cartão de Cidadão", None, None),
    ("FR", "2 95 10 99 126 111 93", "295109912611193", "NIR", None, "F"),
    ("SI", "0101006500006", "0101006500006", "EMŠO", date(2006, 1, 1), "M"),
    ("TR", "17291716060", "17291716060", "T.C. Kimlik No.", None, None),
    ("UA", "1759013776", "1759013776", "RNOKPP", None, None),
]


@pytest.mark.parametrize(
    ("nationality", "value", "normalised", "scheme", "birth_date", "sex"),
    VALID,
    ids=[f"{row[0]}-{row[1]}" for row in VALID],
)
def test_valid_numbers(
    nationality: str,
    value: str,
    normalised: str,
    scheme: str,
    birth_date: date | None,
    sex: str | None,
) -> None:
    result = check_foreign_id(nationality, value, today=TODAY)
    assert result.errors == ()
    assert result.warnings == ()
    assert result.ok
    assert result.normalised == normalised
    assert result.scheme_name == scheme
    assert result.birth_date == birth_date
    assert result.sex == sex


INVALID = [
    ("PL", "44051401358", "foreign_id_checksum"),
    ("PL", "02381307589", "foreign_id_component"),
    ("PL", "4405140135", "foreign_id_length"),
    ("RO", "1630615123458", "foreign_id_checksum"),
    ("RO", "1632215123457", "foreign_id_component"),
    ("RO", "0800101221142", "foreign_id_component"),
    ("SE", "880320-0018", "foreign_id_checksum"),
    ("NO", "15108695077", "foreign_id_checksum"),
    ("FI", "131052-308U", "foreign_id_checksum"),
    ("FI", "310252-308Y", "foreign_id_component"),
    ("FI", "131052a308t", "foreign_id_future_birth_date"),  # century sign A: 2052
    ("LT", "33309240164", "foreign_id_checksum"),
    ("LV", "161375-19997", "foreign_id_component"),
    ("LV", "328673-00677", "foreign_id_checksum"),
    ("LV", "LV 4000 3521 600", "foreign_id_not_personal"),
    ("EE", "36805280108", "foreign_id_checksum"),
    ("BG", "7552A10004", "foreign_id_format"),
    ("BG", "8019010008", "foreign_id_component"),
    ("BG", "7542011030", "foreign_id_future_birth_date"),
    ("IT", "RCCMNL83S18D969", "foreign_id_length"),
    ("IT", "00743110157", "foreign_id_not_personal"),
    ("ES", "54362315Z", "foreign_id_checksum"),
    ("ES", "54362315", "foreign_id_length"),
    ("ES", "x-2482300a", "foreign_id_checksum"),
    ("BE", "12345678901", "foreign_id_checksum"),
    ("BE", "1", "foreign_id_length"),  # too short to tell a BIS number from a national one
    ("CZ", "7103192746", "foreign_id_checksum"),
    ("CZ", "1103492745", "foreign_id_component"),
    ("CZ", "590312/123", "foreign_id_length"),
    ("HR", "33392005962", "foreign_id_checksum"),
    ("IS", "530575-0299", "foreign_id_checksum"),
    ("IS", "320174-3399", "foreign_id_component"),
    ("IS", "450401-3150", "foreign_id_not_personal"),
    ("NL", "1112.52.333", "foreign_id_checksum"),
    ("NL", "1112223334", "foreign_id_length"),
    ("PT", "00000000 A ZZ4", "foreign_id_format"),
    ("PT", "00000000 0 ZZ3", "foreign_id_checksum"),
    ("FR", "295109912611199", "foreign_id_checksum"),
    ("FR", "6546546546546703", "foreign_id_length"),
    ("SI", "0101006500007", "foreign_id_checksum"),
    ("TR", "17291716050", "foreign_id_checksum"),
    ("TR", "07291716092", "foreign_id_format"),
    ("UA", "1759013770", "foreign_id_checksum"),
    ("PL", "4405140l359", "foreign_id_format"),
    ("PL", "44051401٣59", "foreign_id_character"),
    ("PL", "440514_01359", "foreign_id_character"),
]


@pytest.mark.parametrize(
    ("nationality", "value", "code"), INVALID, ids=[f"{n}-{v}" for n, v, _ in INVALID]
)
def test_invalid_numbers(nationality: str, value: str, code: str) -> None:
    result = check_foreign_id(nationality, value, today=TODAY)
    [error] = result.errors
    assert not result.ok
    assert isinstance(error, InvalidForeignId)
    assert error.code == code
    assert result.scheme_name is not None
    assert error.message.startswith(f"Ugyldigt nummer ({result.scheme_name})")
    assert result.normalised == normalise(value)
    assert result.birth_date is None and result.sex is None


def test_the_message_uses_the_scheme_name() -> None:
    [error] = check_foreign_id("PL", "44051401358", today=TODAY).errors
    assert error.message == "Ugyldigt nummer (PESEL): kontrolcifferet passer ikke."


# --- Mismatch warnings ------------------------------------------------------------------------


def test_a_pesel_with_another_birth_date_is_a_warning_naming_both_dates() -> None:
    result = check_foreign_id("PL", "44051401359", birth_date=date(1944, 5, 15), today=TODAY)
    assert result.ok
    assert result.errors == ()
    [warning] = result.warnings
    assert isinstance(warning, ForeignIdMismatch)
    assert warning.code == "foreign_id_birth_date_mismatch"
    assert warning.message == (
        "Ifølge nummeret (PESEL) er fødselsdatoen 14.05.1944, "
        "men den oplyste fødselsdato er 15.05.1944."
    )
    assert result.normalised == "44051401359"


def test_another_sex_is_a_warning_with_translatable_values() -> None:
    result = check_foreign_id("PL", "44051401359", sex="F", today=TODAY)
    [warning] = result.warnings
    assert warning.code == "foreign_id_sex_mismatch"
    assert warning.message == (
        "Ifølge nummeret (PESEL) er kønnet mand, men det oplyste køn er kvinde."
    )
    english = {
        "Ifølge nummeret (%(scheme)s) er kønnet %(encoded)s, men det oplyste køn er %(given)s.": (
            "According to the number (%(scheme)s) the sex is %(encoded)s, but %(given)s was given."
        ),
        "mand": "male",
        "kvinde": "female",
    }
    assert warning.message_in(lambda s: english.get(s, s)) == (
        "According to the number (PESEL) the sex is male, but female was given."
    )


def test_both_mismatches_give_two_warnings() -> None:
    result = check_foreign_id(
        "EE", "36805280109", birth_date=date(1968, 5, 29), sex="F", today=TODAY
    )
    assert [w.code for w in result.warnings] == [
        "foreign_id_birth_date_mismatch",
        "foreign_id_sex_mismatch",
    ]


@pytest.mark.parametrize("sex", ["M", "m", " M ", None, "X", "", "unknown"])
def test_a_matching_or_unstated_sex_gives_no_warning(sex: str | None) -> None:
    result = check_foreign_id(
        "PL", "44051401359", birth_date=date(1944, 5, 14), sex=sex, today=TODAY
    )
    assert result.warnings == ()


def test_a_number_without_a_birth_date_never_warns_about_one() -> None:
    result = check_foreign_id("NL", "111222333", birth_date=date(1990, 1, 1), sex="F", today=TODAY)
    assert result.warnings == ()


def test_an_invalid_number_gets_no_mismatch_warnings() -> None:
    result = check_foreign_id("PL", "44051401358", birth_date=date(2000, 1, 1), today=TODAY)
    assert result.warnings == ()


# --- Centuries follow today ---------------------------------------------------------------------


def test_swedish_ten_digit_numbers_take_their_century_from_today() -> None:
    assert check_foreign_id("SE", "880320-0016", today=TODAY).birth_date == date(1988, 3, 20)
    later = check_foreign_id("SE", "880320-0016", today=date(2088, 6, 1))
    assert later.birth_date == date(2088, 3, 20)
    assert later.normalised == "208803200016"


def test_a_swedish_plus_sign_means_a_century_earlier() -> None:
    result = check_foreign_id("SE", "880320+0016", today=TODAY)
    assert result.birth_date == date(1888, 3, 20)
    assert result.normalised == "188803200016"


def test_ten_and_twelve_digit_swedish_numbers_normalise_alike() -> None:
    short = check_foreign_id("SE", "8703142391", today=TODAY)
    long = check_foreign_id("SE", "19870314-2391", today=TODAY)
    assert short.normalised == long.normalised == "198703142391"


def test_italian_century_is_the_latest_on_or_before_today() -> None:
    value = "RCCMNL83S18D969H"
    assert check_foreign_id("IT", value, today=TODAY).birth_date == date(1983, 11, 18)
    assert check_foreign_id("IT", value, today=date(2084, 1, 1)).birth_date == date(2083, 11, 18)
    assert check_foreign_id("IT", value, today=date(2083, 11, 17)).birth_date == date(1983, 11, 18)


def test_a_future_birth_date_is_an_error_until_that_day() -> None:
    [error] = check_foreign_id("BG", "7542011030", today=TODAY).errors
    assert error.message == (
        "Ugyldigt nummer (EGN): fødselsdatoen 01.02.2075 i nummeret ligger efter dags dato."
    )
    assert check_foreign_id("BG", "7542011030", today=date(2075, 2, 1)).ok


# --- Normalising and nationalities without a scheme ------------------------------------------------


@pytest.mark.parametrize(
    ("nationality", "value", "normalised"),
    [
        ("DE", " t22 000-129 ", "T22000129"),
        ("AT", "ab\u00a0123\u2013456", "AB123456"),
        ("GB", "AB 12 34 56 C", "AB123456C"),
        ("XX", "abc", "ABC"),
        ("", "abc", "ABC"),
        ("DK", "010203-1234", "0102031234"),
    ],
)
def test_nationalities_without_a_scheme_only_normalise(
    nationality: str, value: str, normalised: str
) -> None:
    result = check_foreign_id(nationality, value, today=TODAY)
    assert result == ForeignIdResult(normalised=normalised, scheme_name=None)


@pytest.mark.parametrize("nationality", ["pl", " PL ", "Pl"])
def test_nationality_is_case_and_space_insensitive(nationality: str) -> None:
    assert check_foreign_id(nationality, "44051401359", today=TODAY).scheme_name == "PESEL"


def test_a_unicode_dash_is_a_hyphen() -> None:
    result = check_foreign_id("SE", "880320\u20130016", today=TODAY)
    assert result.ok
    assert result.normalised == "198803200016"


@pytest.mark.parametrize(("nationality", "scheme"), [("PL", "PESEL"), ("DE", None)])
@pytest.mark.parametrize("value", ["", "   ", " - "])
def test_an_empty_number_is_an_error(nationality: str, scheme: str | None, value: str) -> None:
    result = check_foreign_id(nationality, value, today=TODAY)
    [error] = result.errors
    assert error.code == "foreign_id_empty"
    assert result.scheme_name == scheme


@pytest.mark.parametrize("value", [None, 44051401359, b"44051401359"])
def test_non_text_is_an_error(value: object) -> None:
    result = check_foreign_id("PL", value, today=TODAY)  # type: ignore[arg-type]
    assert [e.code for e in result.errors] == ["foreign_id_type"]


def test_every_scheme_is_a_stdnum_module() -> None:
    for country, schemes in SCHEMES.items():
        assert len(country) == 2 and country.isupper()
        for scheme in schemes:
            assert scheme.module.__name__.startswith("stdnum.")
            assert callable(scheme.module.validate)


@pytest.mark.parametrize(
    "country",
    ["BE", "BG", "CZ", "EE", "ES", "FI", "FR", "HR", "IS", "IT", "LT", "LV", "NL", "NO", "PL",
     "PT", "RO", "SE", "SK"],
)  # fmt: skip
def test_the_schemes_the_brief_asks_for(country: str) -> None:
    assert country in SCHEMES


# --- Never raises ---------------------------------------------------------------------------------

NATIONALITIES = [*SCHEMES, "DE", "DK", "XX", "", "pl"]
sexes = st.sampled_from(["M", "F", "X", "", "m", None])
birth_dates = st.none() | st.dates(min_value=date(1850, 1, 1), max_value=date(2100, 1, 1))


def _assert_sane(result: ForeignIdResult) -> None:
    for problem in (*result.errors, *result.warnings):
        assert isinstance(problem, DomainError)
        assert problem.message and "%(" not in problem.message
    assert result.ok is (not result.errors)


@given(st.sampled_from(NATIONALITIES), st.text(), birth_dates, sexes)
def test_any_text_never_raises(
    nationality: str, value: str, birth_date: date | None, sex: str | None
) -> None:
    _assert_sane(check_foreign_id(nationality, value, birth_date=birth_date, sex=sex, today=TODAY))


@given(
    st.sampled_from(NATIONALITIES),
    st.from_regex(r"\A[0-9A-Z]{0,3}[0-9 ./+-]{4,16}[0-9A-Z]{0,2}\Z"),
    birth_dates,
    sexes,
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1)),
)
def test_number_like_text_never_raises(
    nationality: str, value: str, birth_date: date | None, sex: str | None, today: date
) -> None:
    result = check_foreign_id(nationality, value, birth_date=birth_date, sex=sex, today=today)
    _assert_sane(result)
    if result.ok and result.birth_date is not None:
        assert result.birth_date <= today


@given(st.text(), st.text())
def test_any_nationality_never_raises(nationality: str, value: str) -> None:
    _assert_sane(check_foreign_id(nationality, value, today=TODAY))
