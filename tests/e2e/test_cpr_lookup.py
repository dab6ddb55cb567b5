"""An intake through the Serviceplatformen adapter, against the local fake CPR, in the browser."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from django.test import override_settings

from cpr.models import Allocation
from registrations.models import Registration

from .helpers import STEFAN, login
from .intake import fill_intake, submit_intake


def test_a_person_cpr_knows_keeps_the_number(page, shots, caseworker, fake_serviceplatformen):
    anna = replace(
        STEFAN,
        surname="Kowalska",
        given_names="Anna Maria",
        birth_date=date(1990, 1, 1),
        sex="F",
        nationality="PL",
        country_of_birth="PL",
        document_country="PL",
        letter_language="pl",
    )
    with override_settings(**fake_serviceplatformen.settings(CPR_QUERY_ENABLED=True)):
        login(page, "sara", next_path="/registreringer/ny/")
        page.get_by_role("heading", name="Ny registrering").wait_for()
        fill_intake(page, anna)
        submit_intake(page, expect_errors=True)

        # CPR knows a person who may be her: masked, with name, birth date and status.
        candidates = page.locator("#cpr-candidates")
        candidates.wait_for()
        assert "010190-XXXX" in candidates.inner_text()
        assert "010190-2000" not in page.content()
        shots(page, "cpr-candidates")
        shots.axe(page, "CPR candidates")
        page.get_by_label("Det er personen").check()
        submit_intake(page)

    registration = Registration.objects.get()
    assert registration.personnummer == "010190-2000"
    assert Allocation.objects.count() == 1
    assert page.locator(".personnummer").inner_text().strip() == "010190-2000"
    shots(page, "registration-with-own-number")
