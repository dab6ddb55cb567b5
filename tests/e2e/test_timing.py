"""How long a scripted intake takes: from the MRZ versus every field typed by keyboard.

Both go by keyboard from the empty intake page to the registration page, without the focus
checks, and print ``name=value`` lines (shown with ``pytest -s``), also written to
``test-output/e2e/timings.txt``. The figures are the browser's and the server's time for
a script; a person's typing adds to both, and the MRZ saves most of the keystrokes.
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


def test_intake_time_with_the_mrz_and_by_keyboard(page, shots, caseworker, date_order):
    login(page, "sara")
    # An untimed intake first, so that neither timed one pays for the server's first.
    page.goto("/registreringer/ny/")
    fill_intake(page, WARM_UP)
    submit_intake(page)

    page.goto("/registreringer/ny/")
    started = time.perf_counter()
    mrz_keys = mrz_intake(page, STEFAN, date_order, td3(STEFAN))
    mrz_s = time.perf_counter() - started
    shots(page, "registered-from-mrz")

    page.goto("/registreringer/ny/")
    started = time.perf_counter()
    typed_keys = keyboard_intake(page, TYPED, date_order, check_focus=False)
    keyboard_s = time.perf_counter() - started
    shots(page, "registered-by-keyboard")

    for person in (STEFAN, TYPED):
        registration = Registration.objects.get(birth_date=person.birth_date)
        assert (registration.surname, registration.given_names) == ("Țăranu", "Ștefan")
        assert registration.document_number == person.document_number
        assert registration.document_expiry == person.document_expiry
        assert (registration.nationality, registration.sex) == ("RO", "M")

    lines = [
        f"e2e_intake_mrz_s={mrz_s:.2f}",
        f"e2e_intake_keyboard_s={keyboard_s:.2f}",
        f"e2e_intake_mrz_keys={mrz_keys.count}",
        f"e2e_intake_keyboard_keys={typed_keys.count}",
    ]
    print("\n" + "\n".join(lines))
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "timings.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert mrz_keys.count < typed_keys.count
