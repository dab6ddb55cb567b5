"""The intake form as it shows itself: the fields of a category only for that category, no
choice made in advance, the letter's language derived where people can see it, the form
without its script, and outlines that can be seen (WCAG 1.4.11)."""

from __future__ import annotations

import dataclasses

import pytest

from registrations.models import Offer, Registration

from .conftest import VIEWPORT
from .helpers import DOCUMENT, OUTPUT, STEFAN, login, td3, wait_for_focus
from .intake import fill_intake, fill_stay, submit_intake

B_FIELDS = ("offer_kind", "offer_provider", "offer_starts_on")
C_FIELDS = ("asylum_case_id", "decision_date", "decision_reference", "decision_by")


def shown(page, name: str) -> bool:
    field = page.locator(f"[name={name}]")
    return field.is_visible() and field.is_enabled()


def choose_category(page, value: str) -> None:
    page.check(f"#div_id_category input[value={value}]")


def test_the_fields_of_b_and_c_appear_only_for_their_category(page, shots, caseworker):
    login(page, "sara", next_path="/registreringer/ny/")
    for name in (*B_FIELDS, *C_FIELDS, "jobseeker"):
        assert not shown(page, name), name
    # "Kategori" heads the section once (it was the section's and the radio group's).
    legends = [t.strip() for t in page.locator("legend:visible").all_inner_texts()]
    assert [t for t in legends if "Kategori" in t] == ["Kategori*"], legends
    shots(page, "no-category")

    choose_category(page, "A")
    assert not any(shown(page, name) for name in (*B_FIELDS, *C_FIELDS, "jobseeker"))
    height_a = page.evaluate("document.documentElement.scrollHeight")
    shots(page, "category-a")

    choose_category(page, "B")
    assert all(shown(page, name) for name in (*B_FIELDS, "jobseeker"))
    assert not any(shown(page, name) for name in C_FIELDS)
    page.get_by_role("group", name="Kategori B: tilbuddet").wait_for()
    shots(page, "category-b")

    choose_category(page, "C")
    assert all(shown(page, name) for name in (*C_FIELDS, "jobseeker"))
    assert not any(shown(page, name) for name in B_FIELDS)
    page.get_by_role("group", name="Kategori C: afgørelsen om personlig assistance").wait_for()
    shots(page, "category-c")
    shots.axe(page, "intake, category C")

    # Back to A: what was typed for C is neither shown nor sent.
    page.fill("#id_asylum_case_id", "UDL-2026-999999")
    choose_category(page, "A")
    assert not shown(page, "asylum_case_id")
    fill_intake(page, STEFAN)
    submit_intake(page)
    registration = Registration.objects.get()
    assert registration.category == "A"
    assert registration.asylum_case_id == ""

    (OUTPUT / "intake-height.txt").write_text(
        f"e2e_intake_height_category_a_px={height_a}\n", encoding="utf-8"
    )
    assert height_a <= 2150, height_a


def test_the_pd_u2_date_and_the_earlier_number_appear_when_ticked(page, caseworker):
    login(page, "sara", next_path="/registreringer/ny/")
    assert not shown(page, "pd_u2_date")
    page.check("#id_receives_pd_u2")
    assert shown(page, "pd_u2_date")
    assert not shown(page, "existing_personnummer")
    page.check("#id_has_personnummer")
    assert shown(page, "existing_personnummer")
    page.uncheck("#id_has_personnummer")
    assert not shown(page, "existing_personnummer")


def test_no_choice_is_made_in_advance_and_the_letter_language_says_where_it_comes_from(
    page, shots, caseworker
):
    login(page, "sara", next_path="/registreringer/ny/")
    # The document reader's field has the focus.
    wait_for_focus(page, "#id_mrz")
    for name in ("document_type", "purpose", "letter_language", "nationality"):
        assert page.input_value(f"#id_{name}") == "", name
    assert page.get_attribute("#id_document_type", "required") is not None
    assert page.get_attribute("#id_purpose", "required") is not None
    language = page.locator("#id_letter_language option[value='']")
    assert language.inner_text() == "følger statsborgerskabet"

    page.select_option("#id_nationality", "RO")
    assert language.inner_text() == "rumænsk (følger statsborgerskabet)"
    page.select_option("#id_nationality", "BE")
    assert language.inner_text() == "vælg et sprog: statsborgerskabet giver flere"
    page.select_option("#id_nationality", "XA")
    assert language.inner_text() == "kun dansk og engelsk (følger statsborgerskabet)"
    shots(page, "derived-language")

    # Belgian: the caseworker must choose, and is told so at the field.
    belgian = dataclasses.replace(
        STEFAN,
        nationality="BE",
        nationality_name="Belgien",
        country_of_birth="BE",
        document_country="BE",
    )
    fill_intake(page, belgian)
    submit_intake(page, expect_errors=True)
    error = page.locator("#div_id_letter_language .invalid-feedback")
    assert error.inner_text().strip() == "Vælg sproget til brevet: Belgien har flere sprog."
    shots.axe(page, "letter language to choose")
    page.select_option("#id_letter_language", "fr")
    submit_intake(page)
    assert Registration.objects.get().letter_language == "fr"


def test_without_javascript_every_block_says_its_category_and_the_form_works(
    browser, live_server, shots, caseworker
):
    context = browser.new_context(
        base_url=live_server.url, locale="da-DK", viewport=VIEWPORT, java_script_enabled=False
    )
    try:
        page = context.new_page()
        login(page, "sara", next_path="/registreringer/ny/")
        for name in (*B_FIELDS, *C_FIELDS, "jobseeker", "pd_u2_date", "existing_personnummer"):
            assert shown(page, name), name
        assert page.locator("legend", has_text="Kategori B: tilbuddet").is_visible()
        legend_c = "Kategori C: afgørelsen om personlig assistance"
        assert page.locator("legend", has_text=legend_c).is_visible()
        assert "(kategori B og C)" in page.locator("label[for=id_jobseeker]").inner_text()
        shots(page, "no-javascript")

        # A category A intake with a C field filled by mistake: the field is ignored.
        fill_intake(page, STEFAN)
        page.fill("#id_asylum_case_id", "UDL-2026-999999")
        page.select_option("#id_offer_kind", "danish")
        submit_intake(page)
    finally:
        context.close()
    registration = Registration.objects.get()
    assert (registration.category, registration.asylum_case_id) == ("A", "")
    assert registration.letter_language == "ro"  # derived on the server
    assert not Offer.objects.exists()


# --- The outlines of the controls: WCAG 1.4.11, 3:1 ------------------------------------

_BORDERS = """() => {
    const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
    const luminance = ([r, g, b]) => {
        const c = [r, g, b].map(v => {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
        });
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const background = (element) => {
        for (let e = element.parentElement; e; e = e.parentElement) {
            const c = rgb(getComputedStyle(e).backgroundColor);
            if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
        }
        return [255, 255, 255];
    };
    const ratio = (a, b) => {
        const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
        return (x + 0.05) / (y + 0.05);
    };
    return [...document.querySelectorAll('main input, main select, main textarea')]
        .filter(e => e.type !== 'hidden' && e.offsetParent !== null && !e.disabled)
        .filter(e => !e.classList.contains('visually-hidden'))
        .map(e => {
            const style = getComputedStyle(e);
            const border = rgb(style.borderTopColor).slice(0, 3);
            return {
                name: e.name + (e.type === 'radio' || e.type === 'checkbox' ? ':' + e.value : ''),
                type: e.type, border: style.borderTopColor,
                width: parseFloat(style.borderTopWidth),
                ratio: Math.round(ratio(border, background(e)) * 100) / 100,
            };
        });
}"""


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_control_outline_has_3_to_1_against_its_background(page, shots, caseworker, lang):
    login(page, "sara", next_path="/registreringer/ny/")
    if lang == "en":
        with page.expect_navigation():
            page.get_by_role("button", name="English").click()
    choose_category(page, "C")
    page.check("#id_receives_pd_u2")
    page.check("#id_has_personnummer")
    controls = page.evaluate(_BORDERS)
    kinds = {c["type"] for c in controls}
    assert {"radio", "checkbox", "text", "select-one", "textarea", "file"} <= kinds, kinds
    faint = [c for c in controls if c["width"] < 1 or c["ratio"] < 3]
    assert faint == [], faint
    shots.axe(page, f"intake ({lang})")
    lowest = min(controls, key=lambda c: c["ratio"])
    (OUTPUT / f"outline-contrast-{lang}.txt").write_text(
        f"e2e_outline_contrast_min={lowest['ratio']} ({lowest['name']}, {lowest['border']})\n",
        encoding="utf-8",
    )


def test_what_the_mrz_gave_is_one_line_that_opens_to_be_corrected(page, shots, caseworker):
    login(page, "sara", next_path="/registreringer/ny/")
    wait_for_focus(page, "#id_mrz")
    with page.expect_navigation():
        page.keyboard.insert_text(td3(STEFAN))  # as a document reader types it
    block = page.locator("#mrz-read")
    summary = block.locator("summary")
    assert "Fødselsdato: 09.03.1988" in summary.inner_text()
    assert not page.locator("#id_document_number").is_visible()
    wait_for_focus(page, "#id_surname")
    shots(page, "read-from-mrz")
    shots.axe(page, "intake read from the MRZ")
    # Shift+Tab from the name reaches it; Enter opens it.
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    assert page.input_value("#id_document_number") == STEFAN.document_number
    page.fill("#id_document_number", "054718369")
    shots(page, "read-from-mrz-opened")
    fill_intake_rest(page)
    registration = Registration.objects.get()
    assert registration.document_number == "054718369"
    assert registration.birth_date == STEFAN.birth_date
    assert registration.document_expiry == STEFAN.document_expiry


def fill_intake_rest(page) -> None:
    page.fill("#id_surname", STEFAN.surname)
    page.fill("#id_given_names", STEFAN.given_names)
    page.fill("#id_place_of_birth", STEFAN.place_of_birth)
    page.select_option("#id_country_of_birth", STEFAN.country_of_birth)
    page.set_input_files("#id_document_file", DOCUMENT)
    fill_stay(page, STEFAN)
    submit_intake(page)
