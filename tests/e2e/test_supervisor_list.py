"""The supervisor's list and a registration's page in admin, on a 1280 px screen.

The columns that matter for the review fit without scrolling sideways, for a supervisor
and for a national administrator (who also sees the jobcentre), with long names and
several warnings; axe-core finds nothing at all on the admin's login, list and page, in
Danish and in English.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.factories import (
    JobcentreFactory,
    NationalAdminFactory,
    OfferFactory,
    RegistrationFactory,
)

from .helpers import PASSWORD, page_width

#: The columns of the supervisor's list, left to right.
SUPERVISOR_COLUMNS = [
    "masked_personnummer",
    "name",
    "review_status",
    "warnings",
    "category_code",
    "nationality_name",
    "allocated_at",
]

_BOXES = """() => {
    const results = document.querySelector('#changelist-form .results');
    const box = (e) => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right}; };
    return {
        results: {...box(results), scrollWidth: results.scrollWidth, clientWidth: results.clientWidth},
        columns: [...document.querySelectorAll('#result_list thead th')].map(th => ({
            name: [...th.classList].find(c => c.startsWith('column-'))?.slice(7) || 'action-checkbox',
            ...box(th),
        })),
        cells: [...document.querySelectorAll('#result_list tbody tr:first-child td, '
            + '#result_list tbody tr:first-child th')].map(box),
    };
}"""


@pytest.fixture
def long_rows(copenhagen):
    """Registrations as long as they come: long names, three warnings."""
    odense = JobcentreFactory(municipality_code="461", municipality="Odense", region="1083")
    rows = [
        RegistrationFactory(
            jobcentre=copenhagen,
            surname="Constantinescu-Wiśniewska-Papadopoulou",
            given_names="Maria-Magdalena Alexandra",
            birth_date=date(1960, 1, 1) + timedelta(days=400 * i),
            category="C" if i % 2 else "A",
            nationality="XA" if i % 2 else "PL",
            warnings_confirmed=["age_over_80", "nordic_citizen", "document_expired_asylum"],
        )
        for i in range(6)
    ]
    RegistrationFactory(jobcentre=odense, surname="Ringkøbing-Skjernsen")
    return rows


def to_english(page) -> None:
    """The admin has no language button; the caseworker's pages set the same cookie."""
    page.goto("/login/")
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()


def admin_login(page, username: str) -> None:
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("#login-form [type=submit]").click()


def assert_columns_fit(page, expected: list[str]) -> dict:
    boxes = page.evaluate(_BOXES)
    names = [c["name"] for c in boxes["columns"]]
    assert names == ["action-checkbox", *expected]
    size = page_width(page)
    assert size["scrollWidth"] <= size["innerWidth"], size
    results = boxes["results"]
    # Nothing to scroll sideways inside the list either.
    assert results["scrollWidth"] <= results["clientWidth"], results
    for box in boxes["columns"] + boxes["cells"]:
        assert results["left"] - 0.5 <= box["left"] and box["right"] <= results["right"] + 0.5, (
            box,
            results,
        )
        assert box["right"] <= size["innerWidth"]
    return boxes


def test_the_supervisor_s_columns_fit_in_1280_px(page, shots, supervisor, long_rows):
    admin_login(page, "torben")
    page.goto("/admin/registrations/registration/")
    assert page.viewport_size["width"] == 1280
    shots(page, "supervisor-list")
    assert_columns_fit(page, SUPERVISOR_COLUMNS)
    assert page.locator("#result_list tbody tr").count() == 6  # Odense's is not theirs
    for column in ("review_status", "warnings"):
        header = page.locator(f"#result_list th.column-{column}")
        assert header.is_visible()
        box = header.bounding_box()
        assert box["x"] + box["width"] <= 1280
    first = page.locator("#result_list tbody tr").first
    assert "afventer gennemgang" in first.inner_text()
    assert "over 80 år" in first.inner_text()
    shots(page, "supervisor-list")


def test_the_national_administrator_s_columns_fit_too(page, shots, long_rows):
    NationalAdminFactory(username="niels")
    admin_login(page, "niels")
    page.goto("/admin/registrations/registration/")
    shots(page, "national-list")
    assert_columns_fit(page, [*SUPERVISOR_COLUMNS, "jobcentre_name"])
    assert page.locator("#result_list tbody tr").count() == 7
    assert "Odense (461)" in page.locator("#result_list").inner_text()
    shots(page, "national-list")


@pytest.mark.parametrize("lang", ["da", "en"])
def test_axe_finds_nothing_on_the_admin_s_login_list_and_page(
    page, shots, supervisor, long_rows, lang
):
    registration = long_rows[1]
    OfferFactory(registration=registration)
    if lang == "en":
        to_english(page)
    page.goto("/admin/login/?next=/admin/")
    assert page.get_attribute("html", "lang") == lang
    assert page.get_by_role("heading", level=1).count() == 1
    assert shots.axe(page, f"admin login ({lang})") == []
    admin_login(page, "torben")
    page.goto("/admin/registrations/registration/")
    assert shots.axe(page, f"list ({lang})") == []
    page.goto(f"/admin/registrations/registration/{registration.pk}/change/")
    assert shots.axe(page, f"registration ({lang})") == []
    headers = page.locator("#offers-group th").all_inner_texts()
    assert headers and all(h.strip() for h in headers), headers
    shots(page, f"registration-{lang}")
