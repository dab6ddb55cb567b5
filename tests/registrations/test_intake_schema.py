"""One schema for the intake: the form, the data, the model and the choice lists agree."""

import dataclasses
from datetime import date

import pytest
from django import forms

from cpr import eligibility
from registrations import models
from registrations.forms import IntakeForm
from registrations.intake import INPUT_ONLY_FIELDS, IntakeData, intake_decide
from registrations.models import Registration


def model_fields() -> dict[str, object]:
    return {f.name: f for f in Registration._meta.concrete_fields}


def test_every_intake_field_is_a_form_field():
    form = IntakeForm()
    missing = set(IntakeData.field_names()) - set(form.fields)
    assert not missing


def test_every_stored_intake_field_is_a_model_field_of_the_same_name():
    stored = set(IntakeData.field_names()) - INPUT_ONLY_FIELDS
    assert not stored - set(model_fields())


def test_the_input_only_fields_are_named_in_the_schema():
    assert set(IntakeData.field_names()) >= INPUT_ONLY_FIELDS


def test_the_decision_stores_only_model_fields(intake_data):
    decision = intake_decide(intake_data, today=date(2026, 12, 2))
    assert set(decision.values) <= set(model_fields())
    assert {"name_key", "name_search", "document_number_key", "foreign_id_key"} <= set(
        decision.values
    )


def test_a_field_without_a_default_is_required_in_the_form():
    form = IntakeForm()
    required = {
        f.name
        for f in dataclasses.fields(IntakeData)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    optional_in_form = {name for name in required if not form.fields[name].required}
    assert not optional_in_form


def test_the_form_keeps_only_intake_fields_and_its_own(intake_data):
    values = {**dataclasses.asdict(intake_data), "mrz": "x", "confirm_warnings": ["a"]}
    assert IntakeData.from_values(values) == intake_data


def _values(choices) -> set[str]:
    return {str(value) for value, _label in choices if value != ""}


@pytest.mark.parametrize("name", ["sex", "document_type", "purpose", "category", "offer_kind"])
def test_the_form_and_the_model_offer_the_same_choices(name):
    form_field = IntakeForm().fields[name]
    assert isinstance(form_field, forms.ChoiceField)
    assert _values(form_field.choices) == _values(model_fields()[name].choices)


def test_the_letter_languages_are_the_same_in_form_and_model():
    form_field = IntakeForm().fields["letter_language"]
    assert _values(form_field.choices) == _values(model_fields()["letter_language"].choices)


@pytest.mark.parametrize(
    ("rules", "choices", "labels"),
    [
        (eligibility.Category, models.Category, eligibility.CATEGORY_LABELS),
        (eligibility.Purpose, models.Purpose, eligibility.PURPOSE_LABELS),
    ],
)
def test_the_rules_and_the_model_share_one_list(rules, choices, labels):
    assert {m.value for m in rules} == set(choices.values)
    assert set(labels) == set(rules)
    for member in rules:
        assert choices(member.value).name == member.name


@pytest.fixture
def intake_data() -> IntakeData:
    return IntakeData(
        surname="Wiśniewska",
        given_names="Małgorzata Anna",
        birth_date=date(1992, 4, 17),
        sex="F",
        nationality="PL",
        place_of_birth="Łódź",
        country_of_birth="PL",
        document_type="id_card",
        document_number="ABA 123456",
        document_country="PL",
        document_expiry=date(2031, 5, 1),
        address_abroad="ul. Piotrkowska 1, 90-001 Łódź",
        stay_address="Istedgade 10, 1650 København V",
        entry_date=date(2026, 11, 1),
        purpose="jobseeking",
        expected_stay_months=3,
        category="A",
    )
