"""Refusals and warnings in the browser: the reason by the right field, the focus on the summary."""

from __future__ import annotations

import dataclasses

from registrations.models import Registration

from .helpers import STEFAN, login, wait_for_focus
from .intake import fill_intake, submit_intake

AMERICAN = dataclasses.replace(
    STEFAN,
    surname="Miller",
    given_names="John",
    nationality="US",
    nationality_name="USA",
    country_of_birth="US",
    document_country="US",
    document_number="567123890",
    letter_language="en",
    letter_language_name="engelsk",
)
SWEDE = dataclasses.replace(
    STEFAN,
    surname="Åberg",
    given_names="Linnéa",
    sex="F",
    birth_date=STEFAN.birth_date.replace(year=1994),
    nationality="SE",
    nationality_name="Sverige",
    country_of_birth="SE",
    document_country="SE",
    document_number="89123456",
    letter_language="en",
    letter_language_name="engelsk",
)


def describedby(page, selector: str) -> list[str]:
    return (page.get_attribute(selector, "aria-describedby") or "").split()


def test_american_is_refused_with_the_reason_at_the_nationality_field(page, shots, caseworker):
    login(page, "sara")
    page.goto("/registreringer/ny/")
    fill_intake(page, AMERICAN)
    submit_intake(page, expect_errors=True)

    summary = page.locator("#error-summary")
    summary.get_by_role(
        "heading", name="Personen kan ikke få et administrativt personnummer"
    ).wait_for()
    # The focus moves to the summary, which a screen reader then reads out.
    wait_for_focus(page, "#error-summary")
    assert summary.get_attribute("role") == "alert"
    reason = "Statsborgere fra USA kan ikke få et administrativt personnummer"
    link = summary.get_by_role("link", name="Statsborgerskab")
    assert link.get_attribute("href") == "#id_nationality"
    assert reason in summary.inner_text()

    # The reason sits by the nationality field and is tied to it.
    error_ids = [i for i in describedby(page, "#id_nationality") if "error" in i]
    assert error_ids, describedby(page, "#id_nationality")
    errors = " ".join(page.locator(f"[id='{i}']").inner_text() for i in error_ids)
    assert reason in errors
    assert page.get_attribute("#id_nationality", "aria-invalid") == "true"
    assert page.locator("#div_id_nationality").get_by_text(reason).is_visible()
    # ... and by no other field.
    invalid = page.eval_on_selector_all("[aria-invalid=true]", "els => els.map(e => e.id)")
    assert invalid == ["id_nationality"]
    shots(page, "refused-american")
    shots.axe(page, "intake refused")

    # The summary's link takes the keyboard user to the field.
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#id_nationality'")
    assert Registration.objects.count() == 0


def test_warnings_must_be_confirmed_before_the_number_is_given(page, shots, caseworker):
    login(page, "sara")
    page.goto("/registreringer/ny/")
    fill_intake(page, SWEDE)
    submit_intake(page, expect_errors=True)

    summary = page.locator("#error-summary")
    summary.get_by_role("heading", name="Bekræft advarslerne nederst i formularen").wait_for()
    wait_for_focus(page, "#error-summary")
    assert "nordiske" in summary.inner_text()
    confirm = page.locator("#div_id_confirm_warnings input[type=checkbox]")
    assert confirm.count() == 1
    shots(page, "warnings-to-confirm")
    shots.axe(page, "intake with warnings")

    confirm.check()
    submit_intake(page)
    registration = Registration.objects.get()
    assert registration.warnings_confirmed == ["nordic_citizen"]
    assert page.url.endswith(f"/registreringer/{registration.pk}/")
    shots(page, "registered-after-confirming")
