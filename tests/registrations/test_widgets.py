"""The cached select renders exactly what Django's own select does."""

import pytest
from django import forms
from django.utils import translation

from registrations.forms import CountryChoiceField, IntakeForm, country_choices
from registrations.widgets import CachedSelect, attrs_html

COUNTRY_FIELDS = ["nationality", "country_of_birth", "document_country"]


def django_rendering(field: forms.ChoiceField, name: str, value, attrs) -> str:
    """What forms.Select makes of the same field's choices."""
    widget = forms.Select(attrs=field.widget.attrs)
    widget.choices = field.choices
    return widget.render(name, value, attrs)


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("name", COUNTRY_FIELDS)
@pytest.mark.parametrize("value", [None, "", "DK", "PL", "XXA", "GR", "ZZ", ["DE"], 7])
def test_a_country_list_renders_as_djangos_select(language, name, value):
    with translation.override(language):
        field = IntakeForm().fields[name]
        assert isinstance(field.widget, CachedSelect)
        attrs = {"id": f"id_{name}", "class": "form-select", "required": True, "data-x": '"<&>'}
        assert field.widget.render(name, value, attrs) == django_rendering(
            field, name, value, attrs
        )


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_intake_form_renders_its_country_lists_as_django_would(language):
    """Bound to a submission: the chosen countries are marked, in the page's language."""
    data = {"nationality": "FR", "country_of_birth": "XXB", "document_country": "<b>"}
    with translation.override(language):
        form = IntakeForm(data=data)
        for name in COUNTRY_FIELDS:
            bound = form[name]
            html = str(bound)
            field = form.fields[name]
            expected = django_rendering(
                field,
                bound.html_name,
                bound.value(),
                bound.build_widget_attrs({}) | {"id": bound.auto_id},
            )
            assert html == expected, name


def test_the_options_follow_the_language():
    field = CountryChoiceField(flag_eea=True)
    with translation.override("da"):
        danish = field.widget.render("nationality", "DE", {})
    with translation.override("en"):
        english = field.widget.render("nationality", "DE", {})
    assert ">Tyskland (EU/EØS)</option>" in danish
    assert ">Germany (EU/EEA)</option>" in english
    assert '<option value="DE" selected>' in danish and '<option value="DE" selected>' in english


def test_only_the_first_option_with_the_value_is_chosen():
    choices = [("", "---------"), ("Group", [("A", "a"), ("B", "b")]), ("A", "again")]
    widget = CachedSelect(key=("test", "duplicate values"), choices=lambda: choices)
    html = widget.render("field", "A", {})
    django = forms.Select(choices=choices).render("field", "A", {})
    assert html == django
    assert html.count(" selected") == 1


@pytest.mark.parametrize(
    ("attrs", "html"),
    [
        ({}, ""),
        ({"required": True, "disabled": False}, " required"),
        (
            {"title": 'a "quoted" <tag> & more'},
            ' title="a &quot;quoted&quot; &lt;tag&gt; &amp; more"',
        ),
        ({"maxlength": 5}, ' maxlength="5"'),
    ],
)
def test_attributes_are_written_as_djangos_attrs_template(attrs, html):
    assert attrs_html(attrs) == html
    assert forms.Select(attrs=attrs).render("f", None, {}).startswith(f'<select name="f"{html}>')


def test_every_country_choice_is_offered():
    with translation.override("da"):
        field = CountryChoiceField(flag_eea=True, special=True)
        html = field.widget.render("nationality", None, {})
        for group, options in country_choices(flag_eea=True, special=True)[1:]:
            assert f'<optgroup label="{group}">' in html
            for code, _label in options:
                assert f'<option value="{code}">' in html


@pytest.mark.parametrize(
    "choices",
    [
        [("", "---------"), ("A", "a")],
        [(None, "none"), ("A", "a")],
        [("A", "a"), ("", "---------")],
        [("Group", [("", "empty"), ("A", "a")])],
    ],
)
def test_required_is_written_as_django_decides(choices):
    """HTML allows ``required`` on a select only when its first option is empty."""
    widget = CachedSelect(key=("test", "required", repr(choices)), choices=lambda: choices)
    assert widget.use_required_attribute(None) == forms.Select(
        choices=choices
    ).use_required_attribute(None)
    hidden = CachedSelect(key=("test", "required", repr(choices)), choices=lambda: choices)
    hidden.input_type = "hidden"
    assert not hidden.use_required_attribute(None)


@pytest.mark.django_db
def test_the_intake_page_marks_cached_selects_as_plain_selects(caseworker_client):
    """Crispy names a select's class after its widget: the cached ones read as selects."""
    from django.urls import reverse

    html = caseworker_client.get(reverse("registrations:intake")).content.decode()
    for name in [*COUNTRY_FIELDS, "stay_municipality", "document_type", "purpose"]:
        assert f'<select name="{name}" class="select form-select"' in html, name
    assert "cachedselect" not in html


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize(
    "data", [None, {"nationality": "RO"}, {"nationality": "BE"}, {"nationality": "XA"}]
)
def test_the_letter_language_names_its_derived_choice_as_djangos_select_would(language, data):
    """The empty choice's label follows the nationality per form; the rest is cached."""
    from registrations.forms import derived_language_label
    from registrations.models import LETTER_LANGUAGES

    with translation.override(language):
        form = IntakeForm(data=data) if data else IntakeForm()
        bound = form["letter_language"]
        label = derived_language_label((data or {}).get("nationality", ""))
        django = forms.Select(
            attrs=form.fields["letter_language"].widget.attrs,
            choices=[("", label), *LETTER_LANGUAGES],
        )
        attrs = bound.build_widget_attrs({}) | {"id": bound.auto_id}
        assert str(bound) == django.render(bound.html_name, bound.value(), attrs)
        # Another form keeps its own label: nothing is shared between forms.
        other = IntakeForm(data={"nationality": "PL"})
        assert str(derived_language_label("PL")) in str(other["letter_language"])
        assert str(bound) == django.render(bound.html_name, bound.value(), attrs)
