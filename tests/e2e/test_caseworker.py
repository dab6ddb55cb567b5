"""The caseworker's day in the browser: log in, register, print the letter, search, no duplicate."""

from __future__ import annotations

import re

from registrations.models import Registration
from tests.jobnet.pdf import flat, page_texts

from .helpers import STEFAN, login
from .intake import fill_intake, submit_intake


def test_caseworker_registers_prints_finds_and_cannot_register_twice(page, shots, caseworker):
    # 1. Log in.
    page.goto("/")
    assert "/login/" in page.url
    shots(page, "login")
    login(page, "sara")
    page.get_by_role("heading", name="Administrativt personnummer").wait_for()
    shots(page, "home")

    # 2. The intake for a Romanian jobseeker with diacritics, with the passport picture.
    page.get_by_role("link", name="Ny registrering").first.click()
    page.get_by_role("heading", name="Ny registrering").wait_for()
    shots(page, "intake-empty")
    fill_intake(page, STEFAN)
    shots(page, "intake-filled")
    submit_intake(page)

    # 3. The personnummer.
    registration = Registration.objects.select_related("allocation").get()
    assert (registration.surname, registration.given_names) == ("Țăranu", "Ștefan")
    # Nobody chose the letter's language: it followed the nationality, visibly.
    assert registration.letter_language == "ro"
    number = registration.personnummer
    assert re.fullmatch(r"090388-\d{3}[13579]", number), number  # born 9.3.1988, a man
    assert page.url.endswith(f"/registreringer/{registration.pk}/")
    page.get_by_text("Personen er registreret, og personnummeret er tildelt.").wait_for()
    assert page.locator(".personnummer").inner_text().strip() == number
    assert page.get_by_role("heading", level=1).inner_text() == "Ștefan Țăranu"
    shots(page, "registration")

    # 4. Print the letter: the form posts to a new tab, which gets the PDF.
    page.get_by_role("link", name="Udskriv Jobnet-brev").click()
    page.get_by_role("heading", name="Jobnet-brev").wait_for()
    shots(page, "letter-confirmation")
    pdf = print_letter(page)
    text = flat(" ".join(page_texts(pdf)))
    assert pdf.startswith(b"%PDF")
    assert "Ștefan Țăranu" in text
    assert number in text
    assert "Jobcenter København" in text
    (shots.folder / "jobnet-brev.pdf").write_bytes(pdf)
    page.reload()
    page.get_by_text("Der er allerede udskrevet et brev.").wait_for()
    shots(page, "letter-printed")

    # 5. Search by name without diacritics.
    page.goto("/")
    page.get_by_label("Søg efter en registrering").fill("stefan taranu")
    page.get_by_label("Søg efter en registrering").press("Enter")
    page.get_by_role("heading", name="1 resultat").wait_for()
    # Posted, then redirected to a key: what was searched for is in no URL.
    assert "/registreringer/soeg/?s=" in page.url
    assert "stefan" not in page.url and "taranu" not in page.url
    row = page.get_by_role("row").filter(has_text="Ștefan Țăranu")
    assert row.count() == 1
    assert registration.masked_personnummer in row.inner_text()
    assert number not in page.content()
    shots(page, "search-results")
    row.get_by_role("link", name="Ștefan Țăranu").click()
    page.wait_for_url(f"**/registreringer/{registration.pk}/")
    # Back shows the results again; so does a reload; the number typed never enters a URL.
    page.go_back()
    page.get_by_role("heading", name="1 resultat").wait_for()
    page.reload()
    page.get_by_role("heading", name="1 resultat").wait_for()
    box = page.locator("main input[name=q]")
    box.fill(number)
    box.press("Enter")
    page.get_by_role("heading", name="1 resultat").wait_for()
    assert number not in page.url and number.replace("-", "") not in page.url
    history = page.evaluate("() => window.location.href + ' ' + document.referrer")
    assert number not in history

    # 6. The same person again is stopped by the duplicate check.
    page.goto("/registreringer/ny/")
    fill_intake(page, STEFAN)
    submit_intake(page, expect_errors=True)
    summary = page.locator("#error-summary")
    summary.get_by_role("heading", name="Personen findes allerede").wait_for()
    assert summary.get_by_role("link", name=re.compile("Åbn registreringen")).count() == 1
    assert Registration.objects.count() == 1
    shots(page, "duplicate-stopped")


def print_letter(page) -> bytes:
    """Press "Udskriv Jobnet-brev" and return the PDF the new tab receives.

    Chromium hands a PDF to its viewer, which hides the bytes from Playwright's response
    object, so the POST is routed through the test: the server's answer is kept and then
    passed on to the tab unchanged.
    """
    context = page.context
    received = []

    def keep(route):
        if route.request.method != "POST":
            route.continue_()
            return
        response = route.fetch()
        received.append((response.status, response.headers, response.body()))
        route.fulfill(response=response)

    context.route("**/jobnet-brev/", keep)
    try:
        with context.expect_page() as new_page_info:
            page.get_by_role("button", name="Udskriv Jobnet-brev").click()
        new_page = new_page_info.value
        new_page.wait_for_load_state()
    finally:
        context.unroute("**/jobnet-brev/", keep)
    assert new_page.url == page.url
    new_page.close()
    [(status, headers, body)] = received
    assert status == 200
    assert headers["content-type"] == "application/pdf"
    assert "no-store" in headers["cache-control"]
    return body
