"""cpr.countries: the table of domain.md §1.2, checked against facts written out here."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpr.countries import (
    COUNTRIES,
    DANISH,
    LANGUAGES,
    NORDIC,
    OTHER_COUNTRY_NAMES,
    Country,
    Group,
    by_alpha2,
    by_code,
    danish_name,
    is_eea_or_swiss,
    is_nordic,
    language_of,
)

EU = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
}  # fmt: skip
EEA_ONLY = {"IS", "LI", "NO"}
NORDIC_CODES = {"DK", "FI", "IS", "NO", "SE"}

# Nationalities that are neither EU, EEA nor Swiss, some of them easily mistaken for one.
OUTSIDE = [
    "GB",  # left the EU on 31 January 2020
    "US",
    "UA",
    "TR",
    "AD",
    "MC",
    "SM",
    "VA",
    "FO",  # the Faroe Islands and Greenland are outside the EU; their people are Danish
    "GL",
    "XK",
    "EL",  # the EU's own code for Greece, not ISO
    "",
    "D",
    "DEU",
]


# --- The table ----------------------------------------------------------------------


def test_the_table_has_31_rows():
    assert len(COUNTRIES) == 31


def test_27_eu_members():
    assert {c.alpha2 for c in COUNTRIES if c.group is Group.EU} == EU
    assert len(EU) == 27


def test_iceland_liechtenstein_and_norway_are_eea_but_not_eu():
    assert {c.alpha2 for c in COUNTRIES if c.group is Group.EEA} == EEA_ONLY


def test_switzerland_is_its_own_group():
    assert [c.alpha2 for c in COUNTRIES if c.group is Group.CH] == ["CH"]


def test_the_united_kingdom_is_not_in_the_table():
    assert by_alpha2("GB") is None
    assert by_code("GBR") is None
    assert not is_eea_or_swiss("GB")


def test_nordic_rows():
    assert {c.alpha2 for c in COUNTRIES if c.nordic} == NORDIC_CODES
    assert NORDIC == NORDIC_CODES


@pytest.mark.parametrize("attribute", ["alpha2", "alpha3", "mrz", "name_da", "name_en"])
def test_no_duplicates(attribute):
    values = [getattr(c, attribute) for c in COUNTRIES]
    assert len(set(values)) == len(values)


def test_no_code_is_both_an_alpha3_and_another_countrys_mrz_code():
    by_alpha3 = {c.alpha3: c for c in COUNTRIES}
    for c in COUNTRIES:
        assert by_alpha3.get(c.mrz, c) == c


def test_codes_are_upper_case_ascii():
    for c in COUNTRIES:
        assert len(c.alpha2) == 2 and c.alpha2.isascii() and c.alpha2.isupper()
        assert len(c.alpha3) == 3 and c.alpha3.isascii() and c.alpha3.isupper()


def test_mrz_code_is_alpha3_except_germany():
    for c in COUNTRIES:
        if c.alpha2 == "DE":
            assert c.mrz == "D"
        else:
            assert c.mrz == c.alpha3


@pytest.mark.parametrize(
    ("alpha2", "alpha3", "name_da", "name_en"),
    [
        ("DE", "DEU", "Tyskland", "Germany"),
        ("GR", "GRC", "Grækenland", "Greece"),
        ("NL", "NLD", "Nederlandene", "Netherlands"),
        ("CZ", "CZE", "Tjekkiet", "Czechia"),
        ("AT", "AUT", "Østrig", "Austria"),
        ("RO", "ROU", "Rumænien", "Romania"),
        ("CH", "CHE", "Schweiz", "Switzerland"),
        ("IS", "ISL", "Island", "Iceland"),
        ("NO", "NOR", "Norge", "Norway"),
        ("LI", "LIE", "Liechtenstein", "Liechtenstein"),
        ("DK", "DNK", "Danmark", "Denmark"),
    ],
)
def test_rows(alpha2, alpha3, name_da, name_en):
    country = by_alpha2(alpha2)
    assert country is not None
    assert (country.alpha3, country.name_da, country.name_en) == (alpha3, name_da, name_en)


def test_rows_are_immutable():
    with pytest.raises(AttributeError):
        COUNTRIES[0].alpha2 = "XX"  # type: ignore[misc]


# --- Lookups --------------------------------------------------------------------------


@pytest.mark.parametrize("country", COUNTRIES, ids=lambda c: c.alpha2)
def test_every_row_is_found_by_each_of_its_codes(country: Country):
    assert by_alpha2(country.alpha2) is country
    assert by_code(country.alpha3) is country
    assert by_code(country.mrz) is country


@pytest.mark.parametrize("code", ["D<<", "D", "DEU", "d<<", " D<< ", "deu"])
def test_germany_by_mrz_and_alpha3(code):
    assert by_code(code).alpha2 == "DE"


def test_lookups_ignore_case_and_surrounding_space():
    assert by_alpha2(" pl ").alpha2 == "PL"
    assert is_eea_or_swiss("pl")
    assert is_nordic(" se")


@pytest.mark.parametrize("code", ["POL<", "SWE", "CHE", "ISL"])
def test_by_code_for_alpha3(code):
    assert by_code(code).alpha3 == code.rstrip("<")


@pytest.mark.parametrize("code", ["<<<", "", "UTO", "XXA", "GBR", "GBD", "USA", "PL", "EL"])
def test_by_code_for_codes_outside_the_table(code):
    assert by_code(code) is None


# --- Predicates -----------------------------------------------------------------------


@pytest.mark.parametrize("alpha2", sorted(EU | EEA_ONLY | {"CH"}))
def test_eea_or_swiss(alpha2):
    assert is_eea_or_swiss(alpha2)


def test_denmark_is_a_member_of_the_table():
    assert DANISH == "DK"
    assert is_eea_or_swiss(DANISH)
    assert is_nordic(DANISH)


@pytest.mark.parametrize("alpha2", OUTSIDE)
def test_outside_the_eea(alpha2):
    assert not is_eea_or_swiss(alpha2)
    assert not is_nordic(alpha2)


@pytest.mark.parametrize("alpha2", ["FI", "IS", "NO", "SE", "DK"])
def test_nordic(alpha2):
    assert is_nordic(alpha2)


@pytest.mark.parametrize("alpha2", ["DE", "CH", "LI", "EE", "GB", "FO", "GL", "AX"])
def test_not_nordic(alpha2):
    # The Faroe Islands, Greenland and Åland are Nordic, but their people are
    # Danish or Finnish citizens: nationality is what the rules look at.
    assert not is_nordic(alpha2)


@given(st.text(max_size=6))
def test_lookups_never_raise(value):
    assert is_eea_or_swiss(value) == (by_alpha2(value) is not None)
    assert is_nordic(value) <= is_eea_or_swiss(value)
    by_code(value)
    danish_name(value)


# --- Names ----------------------------------------------------------------------------


def test_danish_names_of_table_members():
    assert danish_name("PL") == "Polen"
    assert danish_name("de") == "Tyskland"


def test_danish_names_of_some_others():
    assert danish_name("GB") == "Storbritannien"
    assert danish_name("US") == "USA"


def test_no_other_country_is_a_member():
    for alpha2, _, _ in OTHER_COUNTRY_NAMES:
        assert not is_eea_or_swiss(alpha2)


def test_no_name_for_unknown_codes():
    assert danish_name("UA") is None
    assert danish_name("") is None


# --- The language of a nationality's letters -----------------------------------------


@pytest.mark.parametrize(
    ("alpha2", "language"),
    [
        ("RO", "ro"),
        ("pl", "pl"),
        ("AT", "de"),
        ("LI", "de"),
        ("CY", "el"),
        ("GR", "el"),
        ("NO", "nb"),
        ("IE", "en"),
        ("FI", "fi"),
    ],
)
def test_a_nationality_with_one_language_gives_it(alpha2, language):
    assert language_of(alpha2) == language


@pytest.mark.parametrize("alpha2", ["BE", "LU", "CH", "GB", "US", "XA", "XX", "", "ROU"])
def test_several_languages_or_none_give_no_language(alpha2):
    assert language_of(alpha2) == ""


def test_every_member_state_with_a_language_is_in_the_table_and_has_a_letter():
    from jobnet.letters import available_languages

    assert set(LANGUAGES) == {c.alpha2 for c in COUNTRIES} - {"BE", "LU", "CH"}
    assert set(LANGUAGES.values()) <= set(available_languages())
