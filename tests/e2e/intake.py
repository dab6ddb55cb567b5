"""Filling in the intake form in the browser: with the mouse, and with the keyboard alone."""

from __future__ import annotations

import re

from .helpers import DOCUMENT, Person, danish_date, date_keys, tab_to, wait_for_focus

TEXT_FIELDS = ("surname", "given_names", "place_of_birth", "document_number", "phone")


def fill_intake(page, person: Person, *, document: bool = True) -> None:
    """Fill every field a caseworker fills, with clicks and typing (Playwright's fill)."""
    page.fill("#id_surname", person.surname)
    page.fill("#id_given_names", person.given_names)
    page.fill("#id_birth_date", danish_date(person.birth_date))
    page.check(f"#div_id_sex input[value={person.sex}]")
    page.select_option("#id_nationality", person.nationality)
    page.fill("#id_place_of_birth", person.place_of_birth)
    page.select_option("#id_country_of_birth", person.country_of_birth)
    fill_document(page, person, document=document)
    fill_stay(page, person)


def fill_document(page, person: Person, *, document: bool = True) -> None:
    page.select_option("#id_document_type", person.document_type)
    page.fill("#id_document_number", person.document_number)
    page.select_option("#id_document_country", person.document_country)
    page.fill("#id_document_expiry", danish_date(person.document_expiry))
    if document:
        page.set_input_files("#id_document_file", DOCUMENT)


def fill_stay(page, person: Person) -> None:
    # The letter's language follows the nationality; the person's is the derived one.
    page.fill("#id_address_abroad", person.address_abroad)
    page.fill("#id_stay_address", person.stay_address)
    page.fill("#id_phone", person.phone)
    page.fill("#id_entry_date", danish_date(person.entry_date))
    page.select_option("#id_purpose", person.purpose)
    page.fill("#id_expected_stay_months", str(person.expected_stay_months))
    page.check(f"#div_id_category input[value={person.category}]")


def submit_intake(page, *, expect_errors: bool = False) -> None:
    with page.expect_navigation():
        page.locator("#submit-id-submit").click()
    if not expect_errors:
        assert_no_error_summary(page)


class Keys:
    """The keyboard, counting the keys a person presses (not what a document reader types).

    ``mark(step)`` notes the keys since the previous mark, so that ``steps`` says where
    the keys went.
    """

    def __init__(self, page, *, check_focus: bool) -> None:
        self.page = page
        self.check_focus = check_focus
        self.count = 0
        self.steps: list[tuple[str, int]] = []
        self._marked = 0

    def mark(self, step: str) -> None:
        self.steps.append((step, self.count - self._marked))
        self._marked = self.count

    def to(self, selector: str) -> None:
        stops = tab_to(self.page, selector, check_focus=self.check_focus)
        self.count += len(stops)

    def type(self, text: str) -> None:
        # Typing a line break into a text area is Enter.
        for i, line in enumerate(text.split("\n")):
            if i:
                self.press("Enter")
            self.page.keyboard.type(line)
            self.count += len(line)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.count += 1


def select_radio(keys: Keys, group: str, value: str) -> None:
    """Tab into a radio group and move to ``value`` with the arrow keys; Space checks it."""
    keys.to(f"#{group} input[type=radio]")
    page = keys.page
    for _ in range(10):
        if page.evaluate("(v) => document.activeElement.value === v", value):
            break
        keys.press("ArrowDown")
    keys.press("Space")
    assert page.is_checked(f"#{group} input[value='{value}']")


def choose(keys: Keys, selector: str, text: str, value: str) -> None:
    """Tab to a select and pick an option by typing the start of its text.

    Only the text's leading ASCII letters are typed: Playwright types other characters
    (æ, ø) as inserted text, not as key presses, and Chromium sends inserted text to the
    last text field rather than to a select.
    """
    keys.to(selector)
    prefix = re.match(r"[A-Za-z ]*", text).group()
    assert prefix, text
    keys.type(prefix)
    got = keys.page.eval_on_selector(selector, "e => e.value")
    assert got == value, f"typing {text!r} in {selector} chose {got!r}, not {value!r}"


def keyboard_intake(page, person: Person, *, check_focus: bool) -> Keys:
    """The whole intake with Tab, Space, Enter, the arrow keys and typing; no clicks.

    Starts on the empty intake page, where the MRZ field has the focus, and ends by
    pressing Enter on "Tildel personnummer".
    """
    wait_for_focus(page, "#id_mrz")
    keys = Keys(page, check_focus=check_focus)
    keys.to("#id_surname")
    keys.type(person.surname)
    keys.to("#id_given_names")
    keys.type(person.given_names)
    keys.mark("names")
    keys.to("#id_birth_date")
    keys.type(date_keys(person.birth_date))
    select_radio(keys, "div_id_sex", person.sex)
    choose(keys, "#id_nationality", person.nationality_name, person.nationality)
    keys.mark("birth date, sex, nationality")
    keys.to("#id_place_of_birth")
    keys.type(person.place_of_birth)
    choose(keys, "#id_country_of_birth", person.nationality_name, person.country_of_birth)
    keys.mark("place and country of birth")
    choose(keys, "#id_document_type", person.document_type_name, person.document_type)
    keys.to("#id_document_number")
    keys.type(person.document_number)
    choose(keys, "#id_document_country", person.nationality_name, person.document_country)
    keys.to("#id_document_expiry")
    keys.type(date_keys(person.document_expiry))
    keys.mark("document type, number, country, expiry")
    keyboard_rest(keys, person)
    return keys


def mrz_intake(page, person: Person, mrz: str) -> Keys:
    """The intake from the MRZ, with the keyboard: the document reader types the MRZ into
    the field that has the focus, the form reads it, the caseworker corrects the name to
    the document's spelling, fills what the MRZ does not hold, and submits."""
    wait_for_focus(page, "#id_mrz")
    keys = Keys(page, check_focus=False)
    # The reader's typing is no key of the caseworker's; the script reads the MRZ as soon
    # as its lines are complete.
    with page.expect_navigation():
        page.keyboard.insert_text(mrz)
    page.locator("#mrz-summary").wait_for()
    # The MRZ has no diacritics; the surname has the focus for the correction.
    wait_for_focus(page, "#id_surname")
    keys.press("Control+A")
    keys.type(person.surname)
    keys.to("#id_given_names")
    keys.press("Control+A")
    keys.type(person.given_names)
    keys.mark("names")
    keys.to("#id_place_of_birth")
    keys.type(person.place_of_birth)
    choose(keys, "#id_country_of_birth", person.nationality_name, person.country_of_birth)
    keys.mark("place and country of birth")
    keyboard_rest(keys, person)
    return keys


def keyboard_rest(keys: Keys, person: Person) -> None:
    """From the document's picture to "Tildel personnummer", and Enter."""
    page = keys.page
    keys.to("#id_document_file")
    # The operating system's file dialog is outside the page and Playwright cannot drive it:
    # the file is handed to the focused file input, as the dialog would.
    page.set_input_files("#id_document_file", DOCUMENT)
    keys.mark("to the document's picture")
    # The letter's language follows the nationality, and says so; nothing to press.
    derived = page.locator("#id_letter_language option[value='']").inner_text()
    assert person.letter_language_name in derived, derived
    keys.to("#id_address_abroad")
    keys.type(person.address_abroad)
    keys.to("#id_stay_address")
    keys.type(person.stay_address)
    keys.mark("addresses")
    keys.to("#id_phone")
    keys.type(person.phone)
    keys.mark("phone")
    keys.to("#id_entry_date")
    keys.type(date_keys(person.entry_date))
    choose(keys, "#id_purpose", person.purpose_name, person.purpose)
    keys.to("#id_expected_stay_months")
    keys.type(str(person.expected_stay_months))
    keys.mark("entry, purpose, months")
    select_radio(keys, "div_id_category", person.category)
    keys.to("#submit-id-submit")
    with page.expect_navigation():
        keys.press("Enter")
    keys.mark("category and submit")
    assert_no_error_summary(page)


def assert_no_error_summary(page) -> None:
    summary = page.locator("#error-summary")
    assert summary.count() == 0, f"the intake was refused: {summary.inner_text()}"
