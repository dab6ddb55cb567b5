"""jobnet.credentials: random usernames and one-time passwords, and their printed form."""

import inspect
import re
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobnet import credentials
from jobnet.credentials import (
    ALPHABET,
    PASSWORD_LENGTH,
    is_password,
    is_username,
    new_password,
    new_username,
    normalise,
    printable,
)

LOOK_ALIKES = set("0Oo1lI")


def test_the_alphabet_has_no_look_alikes_capitals_or_repeats():
    assert not set(ALPHABET) & LOOK_ALIKES
    assert ALPHABET.lower() == ALPHABET
    assert len(set(ALPHABET)) == len(ALPHABET) == 26
    assert set(ALPHABET) <= set("abcdefghijkmnpqrstuvwxyz23456789")
    # Letters that QWERTZ keyboards swap are out too.
    assert not set(ALPHABET) & set("yz")


def test_nothing_about_the_person_can_go_in():
    assert inspect.signature(new_username).parameters == {}
    assert list(inspect.signature(new_password).parameters) == ["length"]


def test_a_username_is_syllables_then_two_digits():
    for _ in range(200):
        username = new_username()
        assert re.fullmatch(r"(?:[bdfghjkmnprstv][aeiu]){4}[2-9]{2}", username)
        assert set(username) <= set(ALPHABET)
        assert is_username(username)


@given(st.integers(min_value=12, max_value=64))
def test_a_password_has_the_length_asked_for_from_the_alphabet(length):
    password = new_password(length)
    assert len(password) == length
    assert set(password) <= set(ALPHABET)
    assert any(ch.isdigit() for ch in password)
    assert any(ch.isalpha() for ch in password)
    assert is_password(password)


def test_the_default_password_is_sixteen_characters():
    assert PASSWORD_LENGTH == 16
    assert len(new_password()) == 16


@pytest.mark.parametrize("length", [-1, 0, 8, 11])
def test_a_password_shorter_than_twelve_is_refused(length):
    with pytest.raises(ValueError, match="12"):
        new_password(length)


def test_draws_come_from_secrets(monkeypatch):
    calls = []

    def first(sequence):
        calls.append(sequence)
        return sequence[0]

    monkeypatch.setattr(credentials.secrets, "choice", first)
    assert new_username() == "babababa22"
    # All letters is no password; the stub never gives a digit, so stop it after a draw.
    monkeypatch.setattr(credentials, "_has_letter_and_digit", lambda value: True)
    assert new_password(12) == "b" * 12
    assert len(calls) == 10 + 12


def test_every_character_of_the_alphabet_is_drawn_about_equally_often():
    counts = Counter("".join(new_password() for _ in range(2000)))
    expected = 2000 * PASSWORD_LENGTH / len(ALPHABET)  # about 1231
    assert set(counts) == set(ALPHABET)
    # The standard deviation is about 34; ten of them either side.
    assert all(abs(n - expected) < 340 for n in counts.values()), counts


def test_usernames_vary_in_every_position():
    usernames = [new_username() for _ in range(500)]
    assert len(set(usernames)) >= 499
    for position in range(10):
        assert len({u[position] for u in usernames}) > 3


@given(st.text(alphabet=ALPHABET, min_size=1, max_size=40))
def test_the_printed_form_is_groups_of_four_that_normalise_back(value):
    shown = printable(value)
    groups = shown.split(" ")
    assert all(len(g) == 4 for g in groups[:-1])
    assert 1 <= len(groups[-1]) <= 4
    assert "".join(groups) == value
    assert normalise(shown) == value


def test_printable_examples():
    assert printable("bavetumi47") == "bave tumi 47"
    assert printable("k7ma3ub9hd4e8hrn") == "k7ma 3ub9 hd4e 8hrn"


@pytest.mark.parametrize(
    "typed",
    ["k7ma 3ub9 hd4e 8hrn", "K7MA3UB9HD4E8HRN", " k7ma-3ub9-hd4e-8hrn\n", "k7ma\t3ub9 hd4e8hrn"],
)
def test_normalise_forgives_spaces_hyphens_and_capitals(typed):
    assert normalise(typed) == "k7ma3ub9hd4e8hrn"


@pytest.mark.parametrize(
    "value",
    ["", "bavetumi4", "bavetumi470", "bavetumo47", "Bavetumi47", "bavetumil7", "ba vetumi47"],
)
def test_is_username_rejects_other_shapes(value):
    assert not is_username(value)


@pytest.mark.parametrize(
    "value",
    ["k7ma3ub9hd4", "k7ma3ub9hd4e8hr0", "kamaubahdaehrnvv", "2345678923456789", "K7MA3UB9HD4E8HRN"],
)
def test_is_password_rejects_short_foreign_or_one_sided_values(value):
    assert not is_password(value)


def test_is_password_accepts_a_drawn_shape():
    assert is_password("k7ma3ub9hd4e8hrn")
    assert is_password("k7ma3ub9hd4e")


# -- a login typed from the case system ----------------------------------------------


@pytest.mark.parametrize(
    "value", ["bavetumi47", "Maria.K-2024", "mk_4711", "anna@kk.dk", "abc", "W" * 32]
)
def test_a_typed_username_from_the_case_system_is_accepted(value):
    assert credentials.is_typed_username(value)


@pytest.mark.parametrize(
    "value",
    ["", "ab", "W" * 33, "anna kowalska", "søren", "anna\n", "anna\x00", "anna#1", " anna"],
)
def test_a_typed_username_that_cannot_be_one_is_refused(value):
    assert not credentials.is_typed_username(value)


@pytest.mark.parametrize(
    "value", ["Xq7#lO0p!Z", "k7ma3ub9hd4e8hrn", "abc123", "~" * 32, "!\"'`\\{}"]
)
def test_a_typed_password_from_the_case_system_is_accepted(value):
    assert credentials.is_typed_password(value)


@pytest.mark.parametrize(
    "value", ["", "abc12", "a" * 33, "abcd efgh", "abcdefgæ", "abcdefg\t", "abcdefg\u200b"]
)
def test_a_typed_password_that_cannot_be_one_is_refused(value):
    assert not credentials.is_typed_password(value)


@given(st.text(max_size=40))
def test_whatever_is_accepted_as_typed_is_printable_ascii_on_one_line(value):
    for check in (credentials.is_typed_username, credentials.is_typed_password):
        if check(value):
            assert value.isascii() and value.isprintable() and " " not in value
            assert 3 <= len(value) <= credentials.TYPED_MAX_LENGTH
