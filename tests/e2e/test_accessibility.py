"""axe-core on every caseworker page, in Danish and in English; labels, required fields,
errors tied to their fields, and reflow at 200 % zoom."""

from __future__ import annotations

from datetime import date

import pytest

from registrations.forms import IntakeForm
from tests.factories import RegistrationFactory, UserFactory

from .helpers import login, page_width, wait_for_focus
from .intake import submit_intake

#: The caseworker's pages reached by a plain GET, by name. The search's results come
#: from a POST and a redirect to ?s=<key> (search_for).
PAGES = {
    "home": "/",
    "intake-empty": "/registreringer/ny/",
    "search-results": None,
}


def search_for(page, text: str) -> None:
    """Search as a caseworker does: the search page's box, then Enter."""
    page.goto("/registreringer/soeg/")
    box = page.locator("main input[name=q]")
    box.fill(text)
    with page.expect_navigation():
        box.press("Enter")
    assert "?s=" in page.url and text.split()[0] not in page.url


_LABELS = """() => {
    const visible = (e) => {
        const box = e.getBoundingClientRect();
        const style = getComputedStyle(e);
        return box.width > 1 && box.height > 1 && style.visibility !== 'hidden'
            && style.clipPath === 'none' && style.clip === 'auto';
    };
    const controls = [...document.querySelectorAll('input, select, textarea')]
        .filter(e => !['hidden', 'submit', 'button', 'reset', 'image'].includes(e.type))
        .filter(e => !e.closest('[aria-hidden=true]'))
        // A block the form hides until it applies (a category's fields) is not shown at all.
        .filter(e => !e.closest('[hidden]'));
    return controls.filter(e => {
        const labels = [...(e.labels || [])];
        return !labels.some(visible);
    }).map(e => e.outerHTML.slice(0, 120));
}"""

_DESCRIBEDBY = """() => [...document.querySelectorAll('[aria-invalid=true]')].map(e => {
    const owner = e.type === 'radio' || e.type === 'checkbox'
        ? (e.closest('fieldset') || e) : e;
    const ids = (e.getAttribute('aria-describedby') || owner.getAttribute('aria-describedby')
        || '').split(/\\s+/).filter(Boolean);
    const texts = ids.map(i => document.getElementById(i)).filter(Boolean)
        .filter(d => d.classList.contains('invalid-feedback') || /_error$/.test(d.id))
        .map(d => d.innerText.trim()).filter(Boolean);
    return {name: e.name, ids, texts};
})"""


@pytest.fixture
def stefan(caseworker):
    return RegistrationFactory(
        jobcentre=caseworker.jobcentre,
        created_by=caseworker,
        surname="Țăranu",
        given_names="Ștefan",
        birth_date=date(1988, 3, 9),
        sex="M",
        nationality="RO",
        letter_language="ro",
    )


def switch_to_english(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.get_attribute("html", "lang") == "en"


def check(page, shots, step: str, lang: str) -> None:
    assert page.get_attribute("html", "lang") == lang, step
    assert page.evaluate(_LABELS) == [], f"form fields without a visible label on {step}"
    shots(page, step)
    shots.axe(page, step)


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_caseworker_page_passes_axe(page, shots, caseworker, stefan, lang):
    page.goto("/login/")
    if lang == "en":
        switch_to_english(page)
    check(page, shots, "login", lang)
    page.fill("#id_username", "sara")
    page.fill("#id_password", "ikke-adgangskoden")
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    assert page.locator("main [role=alert]").count() == 1
    check(page, shots, "login-errors", lang)
    login(page, "sara")
    assert page.get_attribute("html", "lang") == lang

    for step, path in PAGES.items():
        if path is None:
            search_for(page, "stefan taranu")
        else:
            page.goto(path)
        if step == "search-results":
            assert page.locator("main table tbody tr").count() == 1
        check(page, shots, step, lang)

    page.goto("/registreringer/ny/")
    submit_intake(page, expect_errors=True)
    wait_for_focus(page, "#error-summary")
    check(page, shots, "intake-errors", lang)

    page.goto(f"/registreringer/{stefan.pk}/")
    check(page, shots, "registration", lang)
    page.goto(f"/registreringer/{stefan.pk}/jobnet-brev/")
    check(page, shots, "letter-confirmation", lang)

    response = page.goto("/registreringer/999999/")
    assert response.status == 404
    check(page, shots, "404", lang)


def test_403_page_passes_axe(page, shots, copenhagen):
    UserFactory(username="uden-rolle", jobcentre=copenhagen)
    login(page, "uden-rolle", next_path="/login/")
    response = page.goto("/")
    assert response.status == 403
    check(page, shots, "403", "da")
    switch_to_english(page)
    check(page, shots, "403-en", "en")


#: Fields shown only when they are needed: the warnings to confirm, CPR's candidates, and the
#: number from CPR's client (registry mode "issued in CPR"; not in training).
SHOWN_WHEN_NEEDED = {
    "confirm_warnings",
    "cpr_choice",
    "cpr_not_person_reason",
    "issued_personnummer",
}


def test_required_fields_are_announced(page, caseworker):
    login(page, "sara")
    page.goto("/registreringer/ny/")
    form = IntakeForm()
    for name, field in form.fields.items():
        if field.widget.is_hidden or name in SHOWN_WHEN_NEEDED:
            continue
        controls = page.locator(f"[name={name}]")
        assert controls.count() >= 1, name
        for i in range(controls.count()):
            control = controls.nth(i)
            announced = (
                control.get_attribute("required") is not None
                or control.get_attribute("aria-required") == "true"
            )
            assert announced == field.required, (name, field.required)


def test_errors_are_tied_to_their_fields(page, shots, caseworker):
    login(page, "sara")
    page.goto("/registreringer/ny/")
    submit_intake(page, expect_errors=True)
    fields = page.evaluate(_DESCRIBEDBY)
    assert {f["name"] for f in fields} >= {
        "surname",
        "given_names",
        "birth_date",
        "sex",
        "nationality",
        "document_file",
        "category",
    }
    untied = [f for f in fields if not f["texts"]]
    assert untied == [], f"fields whose error is not tied with aria-describedby: {untied}"
    # Every error shown is tied to a field.
    shown = page.locator(".invalid-feedback").count()
    assert shown == len({tuple(f["ids"]) for f in fields})
    shots(page, "errors")


REFLOW_PAGES = ["/", "/registreringer/ny/", None]  # None: the search's results


def test_pages_reflow_at_200_percent_zoom(browser, live_server, shots, caseworker, stefan):
    """1280 x 800 at 200 % zoom is a 640 x 400 CSS pixel viewport."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="da-DK",
        viewport={"width": 640, "height": 400},
        device_scale_factor=2,
    )
    try:
        page = context.new_page()
        login(page, "sara")
        paths = [
            *REFLOW_PAGES,
            f"/registreringer/{stefan.pk}/",
            f"/registreringer/{stefan.pk}/jobnet-brev/",
        ]
        for path in paths:
            if path is None:
                search_for(page, "taranu")
            else:
                page.goto(path)
            size = page_width(page)
            assert size["scrollWidth"] <= size["innerWidth"], (path, size)
            page.get_by_role("heading", level=1).scroll_into_view_if_needed()
            assert page.get_by_role("heading", level=1).is_visible()
            for link in ("Ny registrering", "Søg"):
                nav = page.get_by_role("navigation").get_by_role("link", name=link, exact=True)
                assert nav.is_visible(), (path, link)
            name = path or "/registreringer/soeg/"
            shots(page, "reflow" + name.replace("/", "-").split("?")[0].rstrip("-"))
        page.goto("/registreringer/ny/")
        submit = page.get_by_role("button", name="Tildel personnummer")
        submit.scroll_into_view_if_needed()
        assert submit.is_visible()
        submit_intake(page, expect_errors=True)
        size = page_width(page)
        assert size["scrollWidth"] <= size["innerWidth"], ("intake errors", size)
        assert page.locator("#error-summary").is_visible()
        shots(page, "reflow-intake-errors")
    finally:
        context.close()
