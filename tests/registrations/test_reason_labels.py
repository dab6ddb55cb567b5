"""Warnings and blocks are shown to people by their short Danish names, never by their codes.

A registration keeps the codes of the warnings the caseworker confirmed (``age_over_80``);
the supervisor's admin, the caseworker's page, the statistics and the export show the
names (``over 80 år``). The export keeps the codes too, in a column of their own.
"""

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation

from cpr.eligibility import BLOCK_CODES, LABELS, TEMPLATES, WARNING_CODES
from documents import foreign_ids
from registrations.intake import CONFIRMABLE_CODES, CPR_LABELS, CPR_TEMPLATES, REASON_LABELS
from registrations.models import reason_label
from tests.factories import IntakeRefusalFactory, RegistrationFactory, SupervisorFactory

FOREIGN_ID_WARNINGS = {"foreign_id_birth_date_mismatch", "foreign_id_sex_mismatch"}
#: The look-up in CPR before a number is given (registrations.cpr_check).
CPR_WARNINGS = set(CPR_TEMPLATES)
ALL_CODES = sorted(BLOCK_CODES | WARNING_CODES | FOREIGN_ID_WARNINGS | CPR_WARNINGS)


@pytest.fixture
def supervisor_client(client, copenhagen):
    client.force_login(SupervisorFactory(username="tina", jobcentre=copenhagen))
    return client


@pytest.fixture
def warned(copenhagen):
    """A registration with every warning a caseworker can confirm."""
    return RegistrationFactory(
        jobcentre=copenhagen, nationality="SE", warnings_confirmed=list(CONFIRMABLE_CODES)
    )


def assert_no_code(body: str) -> None:
    """No code in what the page shows (its text and attribute values people see)."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.DOTALL)
    text = re.sub(r"<[^>]*>", " ", text)
    visible = " ".join([text, *re.findall(r'(?:title|alt|aria-label)="([^"]*)"', body)])
    shown = [code for code in ALL_CODES if code in visible]
    assert not shown, shown


# --- The names ----------------------------------------------------------------------------------


def test_every_block_and_warning_code_has_a_name():
    assert set(LABELS) == set(TEMPLATES) == BLOCK_CODES | WARNING_CODES
    assert set(foreign_ids.WARNING_LABELS) == foreign_ids.WARNING_CODES == FOREIGN_ID_WARNINGS
    assert set(CPR_LABELS) == CPR_WARNINGS
    assert set(REASON_LABELS) == set(ALL_CODES)
    assert set(CONFIRMABLE_CODES) == WARNING_CODES | FOREIGN_ID_WARNINGS | CPR_WARNINGS


@pytest.mark.parametrize("code", ALL_CODES)
def test_a_name_is_short_danish_text_that_lists_well(code):
    name = REASON_LABELS[code]
    assert name and name != code and "_" not in name
    assert len(name) <= 50
    assert name[0] == name[0].lower()  # it goes mid-sentence and in lists
    assert "," not in name  # names are listed with ", " between them
    with translation.override("da"):
        assert reason_label(code) == name


def test_names_are_unique():
    names = list(REASON_LABELS.values())
    assert len(set(names)) == len(names)


def test_names_are_translated_to_english():
    with translation.override("en"):
        assert reason_label("age_over_80") == "over 80"
        assert reason_label("foreign_id_sex_mismatch") == "sex differs from the ID number"


def test_an_unknown_code_is_shown_as_it_is():
    assert reason_label("no_such_code") == "no_such_code"


# --- Where they are shown -----------------------------------------------------------------------


def test_admin_change_list_shows_names_not_codes(supervisor_client, warned):
    body = supervisor_client.get(reverse("admin:registrations_registration_changelist")).content
    body = body.decode()
    assert "over 80 år" in body and "køn afviger fra ID-nummeret" in body
    assert_no_code(body)


def test_admin_change_page_shows_names_and_messages_not_codes(supervisor_client, warned):
    url = reverse("admin:registrations_registration_change", args=[warned.pk])
    body = supervisor_client.get(url).content.decode()
    assert "<strong>Over 80 år</strong>: Personen er … år (født …), altså over 80 år." in body
    assert "<strong>Nordisk statsborger</strong>: Statsborgere fra Sverige er nordiske" in body
    assert "<strong>Fødselsdato afviger fra ID-nummeret</strong>: Ifølge nummeret" in body
    assert "<code>" not in body
    assert_no_code(body)


def test_caseworker_page_shows_names_not_codes(caseworker_client, copenhagen):
    registration = RegistrationFactory(
        jobcentre=copenhagen, warnings_confirmed=["age_over_80", "foreign_id_sex_mismatch"]
    )
    body = caseworker_client.get(reverse("registrations:detail", args=[registration.pk]))
    body = body.content.decode()
    assert "over 80 år, køn afviger fra ID-nummeret" in body
    assert_no_code(body)


def test_statistics_name_the_refusal_reasons(supervisor_client, copenhagen):
    IntakeRefusalFactory(jobcentre=copenhagen, category="A", reason_codes=["nationality_not_eea"])
    body = supervisor_client.get(reverse("admin:registrations_registration_statistics"))
    body = body.content.decode()
    assert '<th scope="row">Statsborger uden for EU/EØS og Schweiz</th>' in body
    assert_no_code(body)


def test_export_keeps_the_codes_and_adds_the_names(supervisor_client, copenhagen):
    RegistrationFactory(jobcentre=copenhagen, warnings_confirmed=["age_over_80", "nordic_citizen"])
    RegistrationFactory(jobcentre=copenhagen, warnings_confirmed=[])
    response = supervisor_client.get(reverse("admin:registrations_registration_export"))
    text = b"".join(response.streaming_content).decode("utf-8")
    header, *rows = csv.reader(io.StringIO(text[1:]), delimiter=";")
    codes_at, names_at = header.index("advarselskoder"), header.index("bekræftede advarsler")
    assert names_at == len(header) - 1  # added last: the other columns keep their places
    cells = sorted((row[codes_at], row[names_at]) for row in rows)
    assert cells == [("", ""), ("age_over_80 nordic_citizen", "over 80 år, nordisk statsborger")]
