"""Jobnet usernames and one-time passwords.

Pure Python: nothing here imports Django. Both are drawn with :mod:`secrets`
and owe nothing to the person: no name, birth date or personnummer goes in, so
neither can be guessed from what is known about someone, and neither tells
anything about them.

The alphabet leaves out every character that is easily mistaken for another
when printed, read aloud or typed on a foreign keyboard:

* ``0``/``O``/``o`` and ``1``/``l``/``I``: look-alikes (the vowel ``o`` goes
  with them, as some fonts draw it like a zero);
* ``c``, ``q``, ``w``, ``x``: letters whose names or sounds differ most between
  the languages of the letter;
* ``y`` and ``z``: swapped on German and other QWERTZ keyboards;
* capitals: the password is in one case, so Caps Lock cannot spoil it.

A username is a few consonant-vowel syllables and two digits (``bavetumi47``),
easy to say over the counter and on the phone. A password is sixteen
characters from the same alphabet. Both are printed in groups of four
(``bave tumi 47``) and typed without the spaces; :func:`normalise` forgives
spaces, hyphens and capitals in what a person types.

A login made in the jobcentre's case system (``jobnet.accounts.CaseSystemAccounts``)
follows the case system's rules, not these. APOC only checks that what the
caseworker typed is plausible and printable (:func:`is_typed_username`,
:func:`is_typed_password`) and prints it exactly as typed.
"""

from __future__ import annotations

import re
import secrets

__all__ = [
    "ALPHABET",
    "CONSONANTS",
    "DIGITS",
    "PASSWORD_LENGTH",
    "TYPED_MAX_LENGTH",
    "TYPED_PASSWORD_MIN_LENGTH",
    "TYPED_USERNAME_MIN_LENGTH",
    "USERNAME_PATTERN",
    "VOWELS",
    "is_password",
    "is_typed_password",
    "is_typed_username",
    "is_username",
    "new_password",
    "new_username",
    "normalise",
    "printable",
]

CONSONANTS = "bdfghjkmnprstv"
VOWELS = "aeiu"
DIGITS = "23456789"
#: Every character a username or password can hold.
ALPHABET = CONSONANTS + VOWELS + DIGITS

#: A username: this many consonant-vowel syllables, then this many digits.
USERNAME_SYLLABLES = 4
USERNAME_DIGITS = 2
USERNAME_LENGTH = 2 * USERNAME_SYLLABLES + USERNAME_DIGITS
USERNAME_PATTERN = re.compile(
    rf"(?:[{CONSONANTS}][{VOWELS}]){{{USERNAME_SYLLABLES}}}[{DIGITS}]{{{USERNAME_DIGITS}}}"
)

#: A login typed from the case system: the longest username or password the letter
#: prints on one line in its box, and the shortest plausible ones. A username
#: holds ASCII letters, digits and ``. _ - @``; a one-time password any printable
#: ASCII character but the space (what every keyboard can type).
TYPED_MAX_LENGTH = 32
TYPED_USERNAME_MIN_LENGTH = 3
TYPED_PASSWORD_MIN_LENGTH = 6
TYPED_USERNAME_PATTERN = re.compile(
    rf"[A-Za-z0-9._@-]{{{TYPED_USERNAME_MIN_LENGTH},{TYPED_MAX_LENGTH}}}"
)
TYPED_PASSWORD_PATTERN = re.compile(rf"[!-~]{{{TYPED_PASSWORD_MIN_LENGTH},{TYPED_MAX_LENGTH}}}")

#: 16 characters from 26 symbols: about 75 bits, printed as four groups of four.
PASSWORD_LENGTH = 16
GROUP = 4


def new_username() -> str:
    """A random username, e.g. ``bavetumi47`` (about 29 bits).

    Unique-able, not unique: the database's unique constraint decides, and the
    caller draws again on a collision.
    """
    syllables = "".join(
        secrets.choice(CONSONANTS) + secrets.choice(VOWELS) for _ in range(USERNAME_SYLLABLES)
    )
    return syllables + "".join(secrets.choice(DIGITS) for _ in range(USERNAME_DIGITS))


def new_password(length: int = PASSWORD_LENGTH) -> str:
    """A random one-time password of ``length`` characters (at least 12).

    It holds at least one letter and one digit, so that common password rules
    accept it. Drawing again until it does keeps every such password equally
    likely.
    """
    if length < 12:
        raise ValueError("A one-time password has at least 12 characters.")
    while True:
        password = "".join(secrets.choice(ALPHABET) for _ in range(length))
        if _has_letter_and_digit(password):
            return password


def printable(value: str, group: int = GROUP) -> str:
    """The printed form: groups of ``group`` characters with a space between."""
    return " ".join(value[i : i + group] for i in range(0, len(value), group))


def normalise(typed: str) -> str:
    """What a person typed, without the spaces, hyphens and capitals the printed
    form or a keyboard may add."""
    return re.sub(r"[\s\-]+", "", typed).lower()


def is_username(value: str) -> bool:
    return USERNAME_PATTERN.fullmatch(value) is not None


def is_password(value: str) -> bool:
    return len(value) >= 12 and set(value) <= set(ALPHABET) and _has_letter_and_digit(value)


def is_typed_username(value: str) -> bool:
    """Whether ``value`` is a plausible username from the case system, as the letter prints it."""
    return TYPED_USERNAME_PATTERN.fullmatch(value) is not None


def is_typed_password(value: str) -> bool:
    """Whether ``value`` is a plausible one-time password from the case system."""
    return TYPED_PASSWORD_PATTERN.fullmatch(value) is not None


def _has_letter_and_digit(value: str) -> bool:
    return any(ch in DIGITS for ch in value) and any(ch not in DIGITS for ch in value)
