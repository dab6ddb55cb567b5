"""Keys and time of a scripted intake: from the MRZ versus every field typed by keyboard.

Both go by keyboard from the empty intake page to the registration page, without the focus
checks. The keys are the ones a person presses: Tab, typing, arrows, Space, Enter; what a
document reader types into the MRZ field is not counted, and the file dialog (outside the
page) neither. The time is the browser's and the server's for the script, from the empty
form to the registration page; a person's typing comes on top, so a person's time is also
estimated with the keystroke-level model's 0.28 s a key of an average typist (Card, Moran
and Newell, 1980). Printed as ``name=value`` lines (``pytest -s``) and written to
``test-output/e2e/timings.txt``; bench/README.md has the figures.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import timedelta

from registrations.models import Registration

from .helpers import OUTPUT, STEFAN, login, td3
from .intake import fill_intake, keyboard_intake, mrz_intake, submit_intake

#: The same amount of typing as STEFAN, but not duplicates of him.
TYPED = dataclasses.replace(
    STEFAN, birth_date=STEFAN.birth_date + timedelta(days=1), document_number="054718363"
)
WARM_UP = dataclasses.replace(
    STEFAN, birth_date=STEFAN.birth_date + timedelta(days=2), document_number="054718364"
)
#: Seconds a key for an average typist (the keystroke-level model's K, 40 words a minute).
SECONDS_A_KEY = 0.28
#: The steps (Keys.mark) up to the document's picture: the part an MRZ can do.
DOCUMENT_STEPS = {
    "names",
    "birth date, sex, nationality",
    "place and country of birth",
    "document type, number, country, expiry",
    "to the document's picture",
}


def _document_part(keys) -> int:
    return sum(count for step, count in keys.steps if step in DOCUMENT_STEPS)


def test_intake_keys_and_time_with_the_mrz_and_by_keyboard(page, shots, caseworker):
    login(page, "sara")
    # An untimed intake first, so that neither timed one pays for the server's first.
    page.goto("/registreringer/ny/")
    fill_intake(page, WARM_UP)
    submit_intake(page)

    page.goto("/registreringer/ny/")
    started = time.perf_counter()
    mrz_keys = mrz_intake(page, STEFAN, td3(STEFAN))
    mrz_s = time.perf_counter() - started
    shots(page, "registered-from-mrz")

    page.goto("/registreringer/ny/")
    started = time.perf_counter()
    typed_keys = keyboard_intake(page, TYPED, check_focus=False)
    keyboard_s = time.perf_counter() - started
    shots(page, "registered-by-keyboard")

    for person in (STEFAN, TYPED):
        registration = Registration.objects.get(birth_date=person.birth_date)
        assert (registration.surname, registration.given_names) == ("Țăranu", "Ștefan")
        assert registration.document_number == person.document_number
        assert registration.document_expiry == person.document_expiry
        assert (registration.nationality, registration.sex) == ("RO", "M")
        assert registration.letter_language == "ro"

    mrz_part, typed_part = _document_part(mrz_keys), _document_part(typed_keys)
    lines = [
        f"e2e_intake_mrz_keys={mrz_keys.count}",
        f"e2e_intake_keyboard_keys={typed_keys.count}",
        f"e2e_intake_keys_ratio={mrz_keys.count / typed_keys.count:.2f}",
        f"e2e_intake_document_part_mrz_keys={mrz_part}",
        f"e2e_intake_document_part_keyboard_keys={typed_part}",
        f"e2e_intake_document_part_ratio={mrz_part / typed_part:.2f}",
        f"e2e_intake_mrz_s={mrz_s:.2f}",
        f"e2e_intake_keyboard_s={keyboard_s:.2f}",
        f"e2e_intake_mrz_person_s={mrz_s + SECONDS_A_KEY * mrz_keys.count:.1f}",
        f"e2e_intake_keyboard_person_s={keyboard_s + SECONDS_A_KEY * typed_keys.count:.1f}",
    ]
    for name, keys in (("mrz", mrz_keys), ("keyboard", typed_keys)):
        lines += [f"e2e_intake_{name}_keys[{step}]={count}" for step, count in keys.steps]
    print("\n" + "\n".join(lines))
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "timings.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert sum(count for _, count in mrz_keys.steps) == mrz_keys.count
    assert mrz_keys.count < typed_keys.count
    # What follows the document's picture (addresses, phone, stay, category) is the same
    # typing both ways; of the part before it, the MRZ leaves at most half.
    assert mrz_keys.count - mrz_part == typed_keys.count - typed_part
    assert mrz_part * 2 <= typed_part
