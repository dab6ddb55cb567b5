"""The supervisor's review in Django admin, in the browser, with axe-core on each page.

Log in to admin, filter today's allocations, approve one, annul one with a reason (through
the action's page for the reason), and find both in the registration's audit trail and in
the access log.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.utils import timezone

from cpr.models import CprStatus
from registrations.models import Registration
from tests.factories import RegistrationFactory

from .helpers import PASSWORD, wait_for_focus

REASON = "Havde allerede et personnummer"


def people(jobcentre):
    today = [
        RegistrationFactory(
            jobcentre=jobcentre,
            surname=surname,
            given_names=given,
            birth_date=date(1990, 1, 1) + timedelta(days=300 * i),
        )
        for i, (surname, given) in enumerate(
            [("Ionescu", "Ana"), ("Popescu", "Bogdan"), ("Munteanu", "Cristina")]
        )
    ]
    yesterday = RegistrationFactory(jobcentre=jobcentre, surname="Vasile", given_names="Dan")
    Registration.objects.filter(pk=yesterday.pk).update(
        created_at=timezone.now() - timedelta(days=1)
    )
    return today, yesterday


def select_rows(page, *registrations) -> None:
    for registration in registrations:
        page.locator(f"input.action-select[value='{registration.pk}']").check()


def run_action(page, label: str) -> None:
    page.select_option("select[name=action]", label=label)
    with page.expect_navigation():
        page.locator("button[name=index]").click()


def messages(page) -> list[str]:
    return [m.strip() for m in page.locator("ul.messagelist li").all_inner_texts()]


def trail(page) -> str:
    return page.locator("#audit-trail").inner_text()


def test_supervisor_filters_today_approves_one_annuls_one_and_sees_the_trail(
    page, shots, supervisor, copenhagen
):
    (ana, bogdan, cristina), yesterday = people(copenhagen)

    # Log in to admin.
    page.goto("/admin/")
    assert "/admin/login/" in page.url
    shots(page, "admin-login")
    shots.axe(page, "admin login")
    page.fill("#id_username", "torben")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("#login-form [type=submit]").click()
    shots(page, "admin-index")
    shots.axe(page, "admin index")

    # Today's allocations.
    page.goto("/admin/registrations/registration/")
    shots(page, "changelist")
    shots.axe(page, "changelist")
    with page.expect_navigation():
        page.get_by_role("link", name="Dagens tildelinger").click()
    assert "created_at__day=" in page.url
    names = page.locator("#result_list tbody tr").all_inner_texts()
    assert len(names) == 3, names
    for registration in (ana, bogdan, cristina):
        assert any(registration.full_name in row for row in names)
    assert not any(yesterday.full_name in row for row in names)
    shots(page, "changelist-today")
    shots.axe(page, "changelist filtered to today")

    # Approve one.
    select_rows(page, ana)
    run_action(page, "Godkend de valgte registreringer")
    assert messages(page) == ["1 registrering er godkendt."]
    shots(page, "approved")

    # Annul one, with a reason on the action's own page.
    with page.expect_navigation():
        page.get_by_role("link", name="Dagens tildelinger").click()
    select_rows(page, bogdan)
    run_action(page, "Annullér de valgte personnumre (med begrundelse)")
    assert "Annullering kan ikke fortrydes." in page.locator("#content-main").inner_text()
    assert bogdan.masked_personnummer in page.locator("#content-main").inner_text()
    reason = page.get_by_label("Begrundelse for annulleringen")
    # The reason field is required and has the focus.
    wait_for_focus(page, "textarea[name=text]")
    shots(page, "annul-reason-page")
    shots.axe(page, "annul action page")
    page.locator("#content-main [type=submit]").click()  # without a reason: refused
    page.get_by_text("Skriv en begrundelse.").wait_for()
    assert Registration.objects.get(pk=bogdan.pk).review_status == "pending"
    # The error is tied to the reason field, which has the focus again.
    assert reason.get_attribute("aria-invalid") == "true"
    described = (reason.get_attribute("aria-describedby") or "").split()
    assert any(
        "Skriv en begrundelse." in page.locator(f"[id='{i}']").inner_text() for i in described
    ), described
    wait_for_focus(page, "textarea[name=text]")
    shots(page, "annul-without-reason")
    shots.axe(page, "annul action page with an error")
    reason.fill(REASON)
    # Why, as a choice: it decides whether the person may get a new number later.
    page.get_by_label("Årsag").select_option("mistake")
    with page.expect_navigation():
        page.locator("#content-main [type=submit]").click()
    assert messages(page) == ["1 personnummer er annulleret (CPR-status 30)."]
    shots(page, "annulled")

    ana.refresh_from_db()
    bogdan.refresh_from_db()
    bogdan.allocation.refresh_from_db()
    assert ana.review_status == "approved"
    assert bogdan.review_status == "annulled"
    assert bogdan.allocation.cpr_status == CprStatus.ANNULLED
    assert Registration.objects.get(pk=cristina.pk).review_status == "pending"

    # Both in the registrations' audit trails.
    page.goto(f"/admin/registrations/registration/{ana.pk}/change/")
    assert re.search(r"gennemgang\s+torben.*til: godkendt", trail(page), re.S), trail(page)
    shots(page, "change-approved")
    shots.axe(page, "change view")
    page.goto(f"/admin/registrations/registration/{bogdan.pk}/change/")
    assert re.search(rf"annullering\s+torben.*{REASON}", trail(page), re.S), trail(page)
    shots(page, "change-annulled")
    shots.axe(page, "change view of an annulled registration")

    # A single registration's review page, reached from its change view, then cancelled.
    page.goto(f"/admin/registrations/registration/{cristina.pk}/change/")
    page.get_by_role("link", name="Markér til opfølgning").click()
    page.get_by_label("Hvad skal følges op?").wait_for()
    shots(page, "flag-page")
    shots.axe(page, "flag page")
    page.get_by_role("link", name="Fortryd").click()
    page.wait_for_url(f"**/registration/{cristina.pk}/change/")
    assert Registration.objects.get(pk=cristina.pk).review_status == "pending"

    # And in the access log.
    page.goto("/admin/audit/auditentry/")
    rows = page.locator("#result_list tbody tr").all_inner_texts()
    assert any("torben" in row and "annullering" in row and REASON in row for row in rows)
    assert any("torben" in row and "gennemgang" in row and "til: godkendt" in row for row in rows)
    shots(page, "audit-log")
    shots.axe(page, "audit log")
