"""The intake form: no choice made in advance, the letter's language derived and said so,
each category's fields kept to that category, and the script that shortens the form."""

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from registrations.forms import IntakeForm, derived_language_label, derived_letter_language
from registrations.models import Offer, Registration

from .conftest import intake_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _danish():
    """Some tests below use the form outside a request: in Danish, whatever ran before."""
    with translation.override("da"):
        yield


INTAKE = reverse("registrations:intake")
TODAY = date.today()
SCRIPT = Path(settings.BASE_DIR) / "static" / "intake.js"


def submit(client, **overrides):
    return client.post(INTAKE, intake_post(**overrides))


def test_the_empty_form_chooses_nothing_in_advance(caseworker_client):
    form = caseworker_client.get(INTAKE).context["form"]
    for name in ("document_type", "purpose", "letter_language", "nationality", "category"):
        assert form[name].value() in (None, ""), name
    assert form.fields["document_type"].required
    assert form.fields["purpose"].required


@pytest.mark.parametrize("name", ["document_type", "purpose"])
def test_a_choice_left_empty_is_asked_for(caseworker_client, name):
    response = submit(caseworker_client, **{name: ""})
    assert response.status_code == 400
    assert name in response.context["form"].errors
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("nationality", "language"),
    [("PL", "pl"), ("RO", "ro"), ("AT", "de"), ("IE", "en"), ("NO", "nb"), ("US", "en")],
)
def test_the_letter_language_follows_the_nationality(nationality, language):
    assert derived_letter_language(nationality) == language


@pytest.mark.parametrize("nationality", ["BE", "LU", "CH"])
def test_a_nationality_of_several_languages_leaves_the_choice_to_the_caseworker(nationality):
    assert derived_letter_language(nationality) is None


def test_an_empty_letter_language_is_stored_as_the_nationality_s(caseworker_client):
    response = submit(caseworker_client, letter_language="")
    assert response.status_code == 302
    assert Registration.objects.get().letter_language == "pl"


def test_a_chosen_letter_language_is_kept(caseworker_client):
    response = submit(caseworker_client, letter_language="de")
    assert response.status_code == 302
    assert Registration.objects.get().letter_language == "de"


def test_a_belgian_s_letter_language_must_be_chosen(caseworker_client):
    response = submit(
        caseworker_client,
        nationality="BE",
        country_of_birth="BE",
        document_country="BE",
        letter_language="",
    )
    assert response.status_code == 400
    assert response.context["form"].errors["letter_language"] == [
        "Vælg sproget til brevet: Belgien har flere sprog."
    ]
    assert "vælg et sprog: statsborgerskabet giver flere" in response.content.decode()


def test_the_empty_choice_names_the_derived_language_when_the_form_comes_back(caseworker_client):
    response = submit(caseworker_client, letter_language="", surname="")
    assert response.status_code == 400
    body = response.content.decode()
    assert re.search(r'<option value=""[^>]*>\s*polsk \(følger statsborgerskabet\)', body)


def test_the_labels_say_where_the_language_comes_from():
    assert derived_language_label("") == "følger statsborgerskabet"
    assert derived_language_label("RO") == "rumænsk (følger statsborgerskabet)"
    assert derived_language_label("XA") == "kun dansk og engelsk (følger statsborgerskabet)"
    assert derived_language_label("CH") == "vælg et sprog: statsborgerskabet giver flere"


def test_the_script_gets_the_same_labels_as_data():
    attrs = IntakeForm().fields["letter_language"].widget.attrs
    labels = json.loads(attrs["data-derived-labels"])
    assert labels["RO"] == "rumænsk (følger statsborgerskabet)"
    assert labels["BE"] == "vælg et sprog: statsborgerskabet giver flere"
    assert attrs["data-derived-other"] == "kun dansk og engelsk (følger statsborgerskabet)"
    assert attrs["data-derived-none"] == "følger statsborgerskabet"


# --- Each category's fields ------------------------------------------------------------------


def test_a_decision_typed_for_category_a_is_not_stored(caseworker_client):
    response = submit(
        caseworker_client,
        asylum_case_id="UDL-2026-1",
        decision_date=(TODAY - timedelta(days=3)).strftime("%d.%m.%Y"),
        decision_reference="PA-1",
        decision_by="Lise Holm",
        offer_kind="danish",
        offer_provider="Sprogskolen",
        offer_starts_on=TODAY.strftime("%d.%m.%Y"),
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.category == "A"
    assert (registration.asylum_case_id, registration.decision_date) == ("", None)
    assert (registration.decision_reference, registration.decision_by) == ("", "")
    assert registration.offer_kind == ""
    assert not Offer.objects.exists()


def test_the_blocks_say_which_category_they_belong_to(caseworker_client):
    body = caseworker_client.get(INTAKE).content.decode()
    assert re.search(r'data-shown-for="B" data-shown-when="category"> <legend>Kategori B', body)
    assert re.search(r'data-shown-for="C" data-shown-when="category"> <legend>Kategori C', body)
    assert 'data-shown-for="B C" data-shown-when="category"' in body
    assert 'data-shown-when="has_personnummer"' in body
    assert 'data-shown-when="receives_pd_u2"' in body
    # "Kategori" heads one section, not two.
    assert len(re.findall(r"<legend[^>]*>\s*Kategori\b(?!\s*[BC]:)", body)) == 1


# --- The script ------------------------------------------------------------------------------


def test_the_page_loads_the_script_from_apoc_and_runs_no_inline_script(caseworker_client):
    response = caseworker_client.get(INTAKE)
    body = response.content.decode()
    assert '<script src="/static/intake.js" defer></script>' in body
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)
    assert not re.search(r"\son[a-z]+=", body)  # no inline event handlers
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_the_script_does_nothing_the_policy_forbids():
    source = SCRIPT.read_text(encoding="utf-8")
    for forbidden in ("eval(", "new Function", "innerHTML", 'setAttribute("style', ".style."):
        assert forbidden not in source, forbidden
    assert "setTimeout(function" in source  # never a string


def test_the_document_reader_s_field_has_the_focus_on_the_empty_form(caseworker_client):
    form = caseworker_client.get(INTAKE).context["form"]
    assert "autofocus" in str(form["mrz"])
    assert "autofocus" not in str(form["surname"])


def test_the_registration_page_says_which_languages_the_letter_has(caseworker_client):
    response = submit(caseworker_client, letter_language="")
    page = caseworker_client.get(response.url).content.decode()
    assert re.search(r"Brevets sprog</dt><dd[^>]*>dansk, engelsk, polsk</dd>", page)
