"""apoc.accounts.contact: opening hours read the way an administrator writes them, and
whether a letter can say how to reach a jobcentre."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apoc.accounts.contact import (
    Hours,
    InvalidOpeningHours,
    format_opening_hours,
    is_contactable,
    parse_opening_hours,
)


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("man-tor 9-15, fre 9-13", [Hours(0, 3, (9, 0), (15, 0)), Hours(4, 4, (9, 0), (13, 0))]),
        ("Mandag – Fredag kl. 8.30–15.00", [Hours(0, 4, (8, 30), (15, 0))]),
        (
            "man.-tor. 9:00-15:30; fre. 9-12",
            [Hours(0, 3, (9, 0), (15, 30)), Hours(4, 4, (9, 0), (12, 0))],
        ),
        ("lør 10-12\nsøn 10-12", [Hours(5, 5, (10, 0), (12, 0)), Hours(6, 6, (10, 0), (12, 0))]),
        ("lor 10-12", [Hours(5, 5, (10, 0), (12, 0))]),
        ("", []),
        ("  ;  ", []),
    ],
)
def test_opening_hours_are_read_as_an_administrator_writes_them(text, hours):
    assert list(parse_opening_hours(text)) == hours


def test_they_are_written_back_the_same_way_every_time():
    hours = parse_opening_hours("mandag-torsdag 9-15, fre 9-13")
    assert format_opening_hours(hours) == "man–tor 9.00–15.00; fre 9.00–13.00"
    assert parse_opening_hours(format_opening_hours(hours)) == hours


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        (
            "weekend 10-12",
            "opening_hours_day",
            "»weekend« i »weekend 10-12« er ikke en ugedag (man, tir, ons, tor, fre, lør, søn).",
        ),
        (
            "man 9",
            "invalid_opening_hours",
            "»man 9« kan ikke læses. Skriv dage og tider som »man-tor 9-15, fre 9-13«.",
        ),
        (
            "tor-man 9-15",
            "opening_hours_day_order",
            "»tor-man 9-15«: den sidste dag kommer før den første.",
        ),
        ("man 15-9", "opening_hours_time_order", "»man 15-9«: der lukkes, før der åbnes."),
        ("man 9-9", "opening_hours_time_order", "»man 9-9«: der lukkes, før der åbnes."),
        ("man 9-25", "opening_hours_time", "»man 9-25«: klokken 25.00 findes ikke."),
        ("man 9.75-12", "opening_hours_time", "»man 9.75-12«: klokken 9.75 findes ikke."),
    ],
)
def test_what_cannot_be_read_is_refused_with_the_part_named(text, code, message):
    with pytest.raises(InvalidOpeningHours) as caught:
        parse_opening_hours(text)
    assert caught.value.code == code
    assert caught.value.message == message


@given(
    st.lists(
        st.tuples(
            st.integers(0, 6),
            st.integers(0, 6),
            st.integers(0, 21),
            st.sampled_from([0, 15, 30, 45]),
            st.integers(1, 2),
        ),
        max_size=7,
    )
)
def test_any_hours_written_by_apoc_read_back_the_same(rows):
    hours = tuple(Hours(min(a, b), max(a, b), (h, m), (h + d, m)) for a, b, h, m, d in rows)
    assert parse_opening_hours(format_opening_hours(hours)) == hours


@pytest.mark.parametrize(
    ("details", "contactable"),
    [
        ({"phone": "33 17 33 17"}, True),
        ({"email": "jobcenter@kk.example"}, True),
        ({"address": "Gyldenløvesgade 15", "has_opening_hours": True}, True),
        ({"address": "Gyldenløvesgade 15"}, False),
        ({"has_opening_hours": True}, False),
        ({"phone": "  "}, False),
        ({}, False),
    ],
)
def test_a_letter_can_point_to_a_phone_an_e_mail_or_an_open_door(details, contactable):
    values = {"phone": "", "email": "", "address": "", "has_opening_hours": False, **details}
    assert is_contactable(**values) is contactable
