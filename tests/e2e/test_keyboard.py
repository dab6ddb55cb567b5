"""The intake with the keyboard alone, the focus visible at every Tab stop."""

from __future__ import annotations

from registrations.models import Registration

from .helpers import PASSWORD, STEFAN, assert_focus_visible, tab_to, wait_for_focus
from .intake import keyboard_intake


def test_intake_with_the_keyboard_alone_keeps_the_focus_visible(page, shots, caseworker):
    page.goto("/login/")
    # The user name field has the focus from the start (autofocus).
    wait_for_focus(page, "#id_username")
    tab_to(page, "#id_username")
    page.keyboard.type("sara")
    tab_to(page, "#id_password")
    page.keyboard.type(PASSWORD)
    shots(page, "login-by-keyboard")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # The skip link is the first stop and shows itself when focused.
    page.keyboard.press("Tab")
    assert_focus_visible(page)
    assert page.evaluate("document.activeElement.textContent.trim()") == "Gå til indhold"
    shots(page, "skip-link-focused")
    tab_to(page, "main a[href='/registreringer/ny/']")
    shots(page, "new-registration-focused")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/registreringer/ny/")

    keys = keyboard_intake(page, STEFAN, check_focus=True)

    registration = Registration.objects.get()
    assert page.url.endswith(f"/registreringer/{registration.pk}/")
    assert (registration.surname, registration.given_names) == ("Țăranu", "Ștefan")
    assert registration.birth_date == STEFAN.birth_date
    assert registration.document_expiry == STEFAN.document_expiry
    assert registration.entry_date == STEFAN.entry_date
    # Browsers send a text area's line breaks as CR LF.
    assert registration.address_abroad.replace("\r\n", "\n") == STEFAN.address_abroad
    assert (registration.nationality, registration.letter_language) == ("RO", "ro")
    assert registration.document_content_type == "image/png"
    assert keys.count > 100
    shots(page, "registered-by-keyboard")
