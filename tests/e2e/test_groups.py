"""Groups B and C in the browser, and the training band on every page (axe-clean)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from django.utils import timezone

from registrations.models import Offer, Registration

from .helpers import STEFAN, danish_date, login
from .intake import fill_intake, submit_intake

BAND = "Træningsmiljø – personnumre og Jobnet-koder er ikke registreret i CPR eller Jobnet"


def test_group_b_records_the_offer_and_gives_no_letter(page, shots, caseworker):
    login(page, "sara", next_path="/registreringer/ny/")
    page.get_by_role("heading", name="Ny registrering").wait_for()
    assert page.get_by_role("complementary", name="Træningsmiljø").inner_text().strip() == BAND
    shots.axe(page, "intake with the training band")
    person = replace(STEFAN, category="B")
    fill_intake(page, person)
    page.select_option("#id_offer_kind", "danish")
    page.fill("#id_offer_provider", "Sprogcenter København")
    page.fill("#id_offer_starts_on", danish_date(timezone.localdate() + timedelta(days=7)))
    shots(page, "group-b-filled")
    submit_intake(page)

    registration = Registration.objects.get()
    assert not registration.is_jobseeker
    assert Offer.objects.get().provider == "Sprogcenter København"
    page.get_by_text("Tilbud registreret, ikke tilmeldt som jobsøgende").wait_for()
    assert page.get_by_role("link", name="Udskriv Jobnet-brev").count() == 0
    assert page.get_by_role("button", name="Tilmeld som jobsøgende").is_visible()
    shots(page, "group-b-registration")
    shots.axe(page, "group B registration page")


def test_group_c_stateless_with_an_expired_passport(page, shots, caseworker):
    login(page, "sara", next_path="/registreringer/ny/")
    page.get_by_role("heading", name="Ny registrering").wait_for()
    expired = timezone.localdate() - timedelta(days=40)
    person = replace(
        STEFAN,
        surname="Haddad",
        given_names="Rami",
        nationality="XA",
        document_country="SY",
        country_of_birth="SY",
        document_expiry=expired,
        purpose="other",
        expected_stay_months=24,
        category="C",
        letter_language="en",
    )
    fill_intake(page, person)
    page.fill("#id_asylum_case_id", "UDL-2026-123456")
    page.fill("#id_decision_date", danish_date(timezone.localdate() - timedelta(days=5)))
    page.fill("#id_decision_reference", "PA-2026-77")
    page.fill("#id_decision_by", "Jobcenter København, Lise Holm")
    submit_intake(page, expect_errors=True)

    # The expired passport is a warning for an asylum seeker, not a block.
    summary = page.locator("#error-summary")
    assert "For en asylansøger er det ingen hindring" in summary.inner_text()
    shots(page, "group-c-warning")
    shots.axe(page, "group C warning")
    for box in page.locator("#div_id_confirm_warnings input[type=checkbox]").all():
        box.check()
    submit_intake(page)

    registration = Registration.objects.get()
    assert registration.nationality == "XA"
    assert "document_expired_asylum" in registration.warnings_confirmed
    page.get_by_text("Personlig assistance registreret, ikke tilmeldt som jobsøgende").wait_for()
    shots(page, "group-c-registration")
    shots.axe(page, "group C registration page")
