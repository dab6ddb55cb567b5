"""apoc.dates: dates are read day first, and what has two readings or none is refused by name."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apoc.dates import InvalidDate, format_date, parse_date


@pytest.mark.parametrize(
    "text", ["29021984", "29.02.1984", "29-02-1984", "29/02/1984", " 29.02.1984 ", "1984-02-29"]
)
def test_the_four_danish_ways_and_iso_give_the_same_day(text):
    assert parse_date(text) == date(1984, 2, 29)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("02.03.1990", date(1990, 3, 2)),  # 2 March: never 3 February
        ("02031990", date(1990, 3, 2)),
        ("2.3.1990", date(1990, 3, 2)),
        ("2. 3. 1990", date(1990, 3, 2)),
        ("12/01/2027", date(2027, 1, 12)),
        ("31.12.1858", date(1858, 12, 31)),
    ],
)
def test_the_day_comes_first(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("31.04.1990", "date_day", "31.04.1990: april har 30 dage."),
        ("31041990", "date_day", "31.04.1990: april har 30 dage."),
        ("32.01.2001", "date_day", "32.01.2001: januar har 31 dage."),
        ("30.02.2000", "date_day", "30.02.2000: februar har 29 dage."),
        (
            "29.02.1985",
            "date_leap_day",
            "29.02.1985: 1985 er ikke et skudår, så februar har 28 dage.",
        ),
        (
            "29.02.1900",
            "date_leap_day",
            "29.02.1900: 1900 er ikke et skudår, så februar har 28 dage.",
        ),
        (
            "15.13.1990",
            "date_month",
            "15.13.1990: der er ingen måned 13; måneden skal være 01–12.",
        ),
        ("01.00.1990", "date_month", "01.00.1990: der er ingen måned 0; måneden skal være 01–12."),
        ("00.01.1990", "date_day_zero", "00.01.1990: der er ingen dag 0."),
        ("1990-04-31", "date_day", "31.04.1990: april har 30 dage."),
        ("01.01.0990", "date_year", "01.01.0990: år 0990 findes ikke."),
    ],
)
def test_an_impossible_date_is_refused_with_what_is_wrong(text, code, message):
    with pytest.raises(InvalidDate) as caught:
        parse_date(text)
    assert caught.value.code == code
    assert caught.value.message == message


@pytest.mark.parametrize(
    "text", ["02.03.90", "020390", "2/3/90", "90-03-02", "02-03-990", "0203199"]
)
def test_a_year_without_four_digits_is_refused_rather_than_guessed(text):
    with pytest.raises(InvalidDate) as caught:
        parse_date(text)
    assert caught.value.code == "date_two_digit_year"
    assert caught.value.message == (
        f"{text}: skriv året med fire cifre (DD.MM.ÅÅÅÅ), så der ikke er tvivl."
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "marts 1990",
        "02.03-1990",  # two different separators
        "02 03 1990",
        "1990.03.02",
        "2.3",
        "١٢٠٣١٩٩٠",  # Arabic-Indic digits
        "０２０３１９９０",  # full-width digits
        "02.03.1990 12:00",
    ],
)
def test_anything_else_is_refused_with_the_format(text):
    with pytest.raises(InvalidDate) as caught:
        parse_date(text)
    assert caught.value.code == "invalid_date"
    assert "skriv datoen som DD.MM.ÅÅÅÅ, fx 02.03.1990." in caught.value.message


def test_the_messages_name_the_month_in_the_reader_s_language():
    with pytest.raises(InvalidDate) as caught:
        parse_date("31.04.1990")
    english = {
        "%(value)s: %(month_name)s har %(days)d dage.": "%(value)s: %(month_name)s has %(days)d days.",
        "april": "April",
    }
    assert caught.value.message_in(lambda s: english.get(s, s)) == "31.04.1990: April has 30 days."


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)))
def test_every_date_written_by_apoc_reads_back_as_the_same_date(day):
    written = format_date(day)
    assert parse_date(written) == day
    assert parse_date(written.replace(".", "")) == day
    assert parse_date(written.replace(".", "/")) == day
    assert parse_date(day.isoformat()) == day


@given(st.text(max_size=24))
def test_any_text_is_a_date_or_a_named_refusal(text):
    try:
        result = parse_date(text)
    except InvalidDate as error:
        assert error.code.startswith(("date_", "invalid_date"))
        assert error.message
    else:
        assert isinstance(result, date)
