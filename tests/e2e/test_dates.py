"""Dates in an English browser: typed the Danish way, stored the Danish way.

Debian's Chromium ships the en-US locale only, and a native ``<input type="date">``
takes its field order from the browser's locale: month first. APOC's date fields are
text fields read day first, so 02.03.1990 is 2 March in every browser.

The second test decides between one date field and the GOV.UK design system's three
(day, month, year) by the keys a caseworker presses in each.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from django.utils import timezone

from registrations.forms import DateField
from registrations.models import Registration

from .conftest import VIEWPORT
from .helpers import OUTPUT, STEFAN, login
from .intake import Keys, fill_intake, submit_intake

MARCH_2ND = dataclasses.replace(STEFAN, birth_date=date(1990, 3, 2))


def test_a_date_typed_day_first_in_an_english_browser_is_that_day(
    browser, live_server, shots, caseworker
):
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", timezone_id="Europe/Copenhagen", viewport=VIEWPORT
    )
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        assert page.evaluate("navigator.language") == "en-US"
        # What a native date input in this browser makes of the same eight keys.
        page.set_content('<input type="date" id="native">')
        page.focus("#native")
        page.keyboard.type("02031990")
        native = page.eval_on_selector("#native", "e => e.value")

        login(page, "sara", next_path="/registreringer/ny/")
        fill_intake(page, MARCH_2ND)
        field = page.locator("#id_birth_date")
        assert field.get_attribute("type") == "text"
        # An impossible date is named at its field, with what is wrong with it.
        field.fill("31.04.1990")
        submit_intake(page, expect_errors=True)
        error = page.locator("#div_id_birth_date .invalid-feedback")
        assert error.inner_text().strip() == "31.04.1990: april har 30 dage."
        assert page.input_value("#id_birth_date") == "31.04.1990"
        shots(page, "impossible-date")
        # The same field, typed by keyboard as a caseworker does. The picture of the
        # document was kept from the first submission.
        field.fill("")
        field.focus()
        page.keyboard.type("02.03.1990")
        submit_intake(page)
        shots(page, "registered")
    finally:
        context.close()
    assert errors == []
    registration = Registration.objects.get()
    assert registration.birth_date == date(1990, 3, 2)
    assert registration.birth_date.strftime("%d %B") == "02 March"
    (OUTPUT / "native-date-input.txt").write_text(
        f"native_date_input_en_US_02031990={native}\n", encoding="utf-8"
    )


# --- One field or three -----------------------------------------------------------------------

#: The GOV.UK design system's date input: a fieldset, and day, month and year fields
#: with their own labels, numeric, no automatic jump to the next field.
GOVUK = """
<fieldset id="{name}"><legend>{name}</legend>
  <label for="{name}-day">Dag</label>
  <input id="{name}-day" type="text" inputmode="numeric" size="2">
  <label for="{name}-month">Måned</label>
  <input id="{name}-month" type="text" inputmode="numeric" size="2">
  <label for="{name}-year">År</label>
  <input id="{name}-year" type="text" inputmode="numeric" size="4">
</fieldset>"""


def _one_field(name: str) -> str:
    # Every date field renders the same widget; its range only matters when it cleans.
    field = DateField(range_name="birth_date")
    return f'<label for="{name}">{name}</label>' + field.widget.render(name, None, {"id": name})


def _intake_dates() -> dict[str, date]:
    today = timezone.localdate()
    return {
        "birth_date": STEFAN.birth_date,
        "document_expiry": STEFAN.document_expiry,
        "entry_date": today - timedelta(days=10),
        "decision_date": date(2026, 11, 12),
    }


def _type_one(keys: Keys, name: str, day: date) -> str:
    keys.to(f"#{name}")
    keys.type(f"{day:%d%m%Y}")
    return keys.page.input_value(f"#{name}")


def _type_three(keys: Keys, name: str, day: date, *, zeros: bool) -> tuple[str, str, str]:
    parts = (f"{day.day:02d}", f"{day.month:02d}") if zeros else (str(day.day), str(day.month))
    keys.to(f"#{name}-day")
    keys.type(parts[0])
    keys.to(f"#{name}-month")
    keys.type(parts[1])
    keys.to(f"#{name}-year")
    keys.type(str(day.year))
    return tuple(keys.page.input_value(f"#{name}-{part}") for part in ("day", "month", "year"))


def _tab_stops(page) -> int:
    """Tab stops from ``#start`` to ``#after``."""
    page.focus("#start")
    count = 0
    while page.evaluate("(s) => !document.activeElement.matches(s)", "#after"):
        page.keyboard.press("Tab")
        count += 1
    return count


def test_one_date_field_takes_no_more_keys_than_three(page, shots):
    dates = _intake_dates()
    one = "".join(_one_field(name) for name in dates)
    three = "".join(GOVUK.format(name=f"g-{name}") for name in dates)
    page.set_content(
        f'<html lang="da"><body><input id="before">{one}<input id="between">'
        f'{three}<input id="after"></body></html>'
    )

    one_keys = Keys(page, check_focus=False)
    page.focus("#before")
    for name, day in dates.items():
        assert _type_one(one_keys, name, day) == f"{day:%d%m%Y}"
    three_keys = {}
    for zeros in (False, True):
        for name in dates:
            for part in ("day", "month", "year"):
                page.fill(f"#g-{name}-{part}", "")
        keys = Keys(page, check_focus=False)
        page.focus("#between")
        for name, day in dates.items():
            typed = _type_three(keys, f"g-{name}", day, zeros=zeros)
            assert tuple(int(v) for v in typed) == (day.day, day.month, day.year)
        three_keys[zeros] = keys.count
    shots(page, "one-field-and-three")

    # Passing a date the MRZ has filled in: one Tab stop or three.
    page.set_content(
        f'<body><input id="start">{_one_field("filled")}<input id="after"></body>',
        wait_until="load",
    )
    pass_one = _tab_stops(page)
    page.set_content(f'<body><input id="start">{GOVUK.format(name="g")}<input id="after"></body>')
    pass_three = _tab_stops(page)

    lines = [
        f"e2e_dates_typed={len(dates)}",
        f"e2e_date_one_field_keys={one_keys.count}",
        f"e2e_date_three_fields_keys={three_keys[False]}",
        f"e2e_date_three_fields_with_zeros_keys={three_keys[True]}",
        f"e2e_date_one_field_tab_stops_to_pass={pass_one}",
        f"e2e_date_three_fields_tab_stops_to_pass={pass_three}",
    ]
    print("\n" + "\n".join(lines))
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "date-fields.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert one_keys.count <= three_keys[False] < three_keys[True]
    assert (pass_one, pass_three) == (2, 4)
