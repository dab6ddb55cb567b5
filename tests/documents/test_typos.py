"""Slips of typing between a typed name and a stored one (documents.typos)."""

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from documents.typos import MAX_SLIPS, deletion_keys, nearest, slips


def terms(*parts: str) -> tuple[frozenset[str], ...]:
    return tuple(frozenset({part}) for part in parts)


def test_deletion_keys_are_each_word_and_it_with_one_letter_left_out():
    assert deletion_keys("anna lund") == {
        "anna", "nna", "ana", "ann",
        "lund", "und", "lnd", "lud", "lun",
    }  # fmt: skip


def test_deletion_keys_leave_out_single_letters_and_empty_words():
    assert deletion_keys("bo  al") == {"bo", "al"}
    assert deletion_keys("") == frozenset()


@pytest.mark.parametrize(
    ("typed", "stored", "expected"),
    [
        ("lund", "lund", 0),
        ("lnud", "lund", 1),  # swapped
        ("lud", "lund", 1),  # dropped
        ("lunnd", "lund", 1),  # doubled
        ("lond", "lund", 1),  # wrong vowel
        ("nielsne", "nielsen", 1),
        ("micall", "micallef", 0),  # the start of the name, as the exact search has it
        ("lnd", "lund kirsten", 1),  # any word of the name
    ],
)
def test_slips_count_each_kind_of_typo(typed, stored, expected):
    assert slips(terms(typed), stored) == expected


def test_a_part_may_hold_one_slip_only():
    assert MAX_SLIPS == 1
    assert slips(terms("lnud"), "lund") == 1
    assert slips(terms("ldnu"), "lund") is None  # two slips: another name
    assert slips(terms("nilsne"), "nielsen") is None


def test_each_part_may_hold_its_own_slip():
    assert slips(terms("mete", "nilsen"), "mette nielsen") == 2


def test_every_part_typed_must_be_near_a_word():
    assert slips(terms("anna", "lnud"), "lund anna") == 1
    assert slips(terms("anna", "xyzzy"), "lund anna") is None


def test_the_nearest_spelling_of_a_part_counts():
    mueller = frozenset({"mueller", "muller", "mueler"})
    assert slips((mueller,), "joerg mueller jorg muller") == 0
    assert slips((frozenset({"mueler", "muler"}),), "jorg muller") == 1


def test_nearest_puts_fewest_slips_first_then_the_newest():
    now = datetime(2026, 12, 2, 12, 0)
    rows = [
        (1, "anna lund", now - timedelta(days=3)),
        (2, "anna land", now),
        (3, "anna lund", now - timedelta(days=1)),
        (4, "bo nielsen", now),
        (5, "ana lind", now),
    ]
    assert nearest(terms("anna", "lund"), rows, limit=10) == [3, 1, 2, 5]
    assert nearest(terms("anna", "lund"), rows, limit=2) == [3, 1]
    assert nearest(terms("anna", "lund"), rows + rows[:1], limit=10) == [3, 1, 2, 5]


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøåαβγδεζηθ", min_size=3, max_size=14)


@st.composite
def one_slip(draw):
    word = draw(names)
    kind = draw(st.sampled_from(["drop", "add", "change", "swap"]))
    i = draw(st.integers(0, len(word) - 1))
    letter = draw(st.sampled_from("abcdefghijklmnopqrstuvwxyzæøåαβγ"))
    if kind == "drop":
        typed = word[:i] + word[i + 1 :]
    elif kind == "add":
        typed = word[:i] + letter + word[i:]
    elif kind == "change":
        typed = word[:i] + letter + word[i + 1 :]
    else:
        i = min(i, len(word) - 2)
        typed = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word, typed


@given(one_slip())
def test_a_word_and_any_one_slip_of_it_share_a_deletion_key_and_are_near(pair):
    word, typed = pair
    assert deletion_keys(word) & deletion_keys(typed)
    assert slips(terms(typed), word) in (0, 1)
