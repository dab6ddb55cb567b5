"""The caseworker's forms. Field validation only; the rules live in services."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from crispy_forms.bootstrap import InlineRadios, StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from apoc.dates import FORMAT_HINT, InvalidDate, format_date, parse_date
from cpr.countries import (
    COUNTRIES,
    LANGUAGES,
    SPECIAL_NATIONALITIES,
    by_alpha2,
    is_eea_or_swiss,
    language_of,
)
from cpr.eligibility import TEMPLATES
from cpr.personnummer import InvalidPersonnummer, parse
from cpr.registry import get_registry
from documents.foreign_ids import check_foreign_id
from jobnet.credentials import is_typed_password, is_typed_username
from jobnet.exceptions import InvalidTypedPassword, InvalidTypedUsername
from jobnet.letters import Credentials

from .dates import DATE_RANGES
from .intake import CONFIRMABLE_CODES
from .models import (
    LETTER_LANGUAGES,
    MUNICIPALITY_CHOICES,
    Category,
    DocumentSex,
    DocumentType,
    JobseekerEnd,
    OfferKind,
    Purpose,
    Sex,
    reason_label,
)
from .uploads import DocumentRejected, rebuild_document
from .widgets import CachedSelect


def no_control_characters(value: str) -> None:
    for char in value:
        if char in "\n\r\t":
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise ValidationError(
                _("Feltet indeholder et usynligt styretegn (U+%(code)04X). Skriv teksten igen."),
                code="control_character",
                params={"code": ord(char)},
            )


def one_line(value: str) -> None:
    if "\n" in value or "\r" in value:
        raise ValidationError(_("Feltet skal stå på én linje."), code="one_line")


def has_a_letter(value: str) -> None:
    if not any(char.isalpha() for char in value):
        raise ValidationError(_("Skriv navnet med bogstaver."), code="no_letters")


class TextField(forms.CharField):
    """A one-line text field without control characters."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [])
        kwargs["validators"] = [no_control_characters, one_line, *kwargs["validators"]]
        super().__init__(*args, **kwargs)


class AreaField(forms.CharField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        kwargs.setdefault("validators", [])
        kwargs["validators"] = [no_control_characters, *kwargs["validators"]]
        super().__init__(*args, **kwargs)


class DateInput(forms.TextInput):
    """A date typed the Danish way, ``DD.MM.ÅÅÅÅ``, whatever the browser's locale.

    Not ``<input type="date">``: its field order follows the browser's own locale,
    and an English browser reads 02/03/1990 as 3 February. One text field rather
    than the GOV.UK design system's three (day, month, year): the same keys or
    fewer for every date, and one Tab stop (tests/e2e/test_dates.py measures both).
    """

    def __init__(self, attrs=None):
        defaults = {
            "class": "apoc-date",
            "inputmode": "numeric",
            "autocomplete": "off",
            "spellcheck": "false",
            "maxlength": "20",
        }
        super().__init__(attrs={**defaults, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, date):
            return format_date(value)
        return super().format_value(value)


class DateField(forms.DateField):
    """A date read day first (:func:`apoc.dates.parse_date`): ``29021984``, ``29.02.1984``,
    ``29-02-1984``, ``29/02/1984`` or ISO ``1984-02-29``; a two-digit year or a day the
    month does not have is refused with a message that names it, and so is a date outside
    the field's range in :data:`registrations.dates.DATE_RANGES` (``range_name``)."""

    widget = DateInput

    def __init__(self, *, range_name: str, help_text="", **kwargs):
        hint = _(FORMAT_HINT)
        kwargs["help_text"] = format_lazy("{}. {}", hint, help_text) if help_text else hint
        super().__init__(**kwargs)
        self.range_name = range_name
        self.date_range = DATE_RANGES[range_name]

    def validate(self, value):
        super().validate(value)
        if value not in self.empty_values:
            self.date_range.check(value, timezone.localdate())

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return parse_date(str(value))
        except InvalidDate as error:
            raise ValidationError(error.message_in(gettext), code=error.code) from None

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != self.to_python(initial)
        except ValidationError:
            return True


def country_choices(*, flag_eea: bool, special: bool = False) -> list[tuple[str, object]]:
    """Every country, with EU/EEA/Swiss ones first and flagged; with ``special``, also
    the nationalities of stateless persons, refugees and unknown nationality."""
    eea, others = [], []
    flag = gettext("EU/EØS")
    for code, name in countries:
        if flag_eea and is_eea_or_swiss(code):
            eea.append((code, f"{name} ({flag})"))
        else:
            others.append((code, name))
    groups: list[tuple[str, object]] = [("", "---------")]
    if flag_eea:
        groups += [(_("EU/EØS og Schweiz"), eea), (_("Øvrige lande"), others)]
    else:
        groups += others
    if special:
        groups.append(
            (
                _("Uden et lands statsborgerskab"),
                [(n.alpha2, gettext(n.name_da)) for n in SPECIAL_NATIONALITIES],
            )
        )
    return groups


def announce_required_selects(form: forms.Form) -> None:
    """Mark required selects that have no empty choice with ``aria-required``.

    Django leaves ``required`` off such a select (HTML allows it only with an empty first
    option), so a screen reader would not hear that the field is required.
    """
    for field in form.fields.values():
        widget = field.widget
        if (
            field.required
            and isinstance(widget, forms.Select)
            and not widget.use_required_attribute(None)
        ):
            widget.attrs["aria-required"] = "true"


def shown_when(name: str, *values: str) -> dict[str, str]:
    """Attributes for a block of the intake form that matters only when the field ``name``
    has one of ``values`` (a radio group), or is ticked (a check box, no values).

    ``static/intake.js`` hides and disables such a block otherwise, so that what is not
    shown is not sent either; without the script every block is shown, and each says
    which category it belongs to. The server ignores what does not belong to the
    chosen category (:func:`registrations.intake.intake_decide`).
    """
    attrs = {"data_shown_when": name}
    if values:
        attrs["data_shown_for"] = " ".join(values)
    return attrs


#: Member states with several languages of equal standing: the caseworker chooses.
MULTILINGUAL = tuple(c.alpha2 for c in COUNTRIES if not language_of(c.alpha2))
#: Stands for any nationality outside the EU/EEA table in :func:`derived_language_label`.
OUTSIDE_THE_TABLE = "*"


def derived_letter_language(nationality: str) -> str | None:
    """The letter language that follows from the nationality (:func:`cpr.countries.language_of`),
    "en" where the person's language has no letter (Danish and English only), or None for a
    member state with several languages, where the caseworker must choose."""
    code = language_of(nationality)
    if code:
        return code
    if by_alpha2(nationality) is not None:
        return None
    return "en"


def derived_language_label(nationality: str) -> str:
    """What the letter language's empty choice says for ``nationality`` ("" for none yet)."""
    if not nationality:
        return gettext("følger statsborgerskabet")
    if nationality == OUTSIDE_THE_TABLE:
        code: str | None = "en"
    else:
        code = derived_letter_language(nationality)
    if code is None:
        return gettext("vælg et sprog: statsborgerskabet giver flere")
    if code == "en":
        return gettext("kun dansk og engelsk (følger statsborgerskabet)")
    return gettext("%(language)s (følger statsborgerskabet)") % {
        "language": dict(LETTER_LANGUAGES)[code]
    }


@lru_cache(maxsize=16)
def _derived_language_attrs(language: str | None) -> dict[str, str]:
    """The letter language select's data for intake.js: every nationality's label, in the
    active ``language`` (the cache's key; the labels depend on nothing else)."""
    return {
        "data-derived-from": "id_nationality",
        "data-derived-labels": json.dumps(
            {code: derived_language_label(code) for code in (*LANGUAGES, *MULTILINGUAL)}
        ),
        "data-derived-other": derived_language_label(OUTSIDE_THE_TABLE),
        "data-derived-none": derived_language_label(""),
    }


#: The person's and the document's fields of the MRZ, as the form lays them out in rows.
PERSON_ROW = (("birth_date", "col-md-3"), ("sex", "col-md-4"), ("nationality", "col-md-5"))
DOCUMENT_ROW = (
    ("document_type", "col-md-3"),
    ("document_number", "col-md-3"),
    ("document_country", "col-md-3"),
    ("document_expiry", "col-md-3"),
)
#: What a complete reading fills in (both data lines' check digits held).
MRZ_CORE = frozenset({"birth_date", "nationality", "document_number"})


def _flat(choices) -> list[tuple[Any, Any]]:
    """Choices with their groups opened (the countries come in groups)."""
    flat = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            flat.extend(label)
        else:
            flat.append((value, label))
    return flat


class FixedChoiceField(forms.ChoiceField):
    """A choice whose choices depend on the language alone, in a select rendered from cached
    HTML (:class:`registrations.widgets.CachedSelect`). ``key`` names the choices."""

    def __init__(self, *, key: str | tuple, choices: Callable[[], list], **kwargs):
        kwargs.setdefault("widget", CachedSelect(key=("intake", key), choices=choices))
        super().__init__(choices=choices, **kwargs)


class CountryChoiceField(FixedChoiceField):
    """Every country (see :func:`country_choices`)."""

    def __init__(self, *, flag_eea: bool = False, special: bool = False, **kwargs):
        def choices() -> list[tuple[str, object]]:
            return country_choices(flag_eea=flag_eea, special=special)

        super().__init__(key=("countries", flag_eea, special), choices=choices, **kwargs)


class IntakeForm(forms.Form):
    submission_token = forms.UUIDField(widget=forms.HiddenInput)

    mrz = forms.CharField(
        label=_("MRZ fra pas eller ID-kort"),
        required=False,
        max_length=400,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "class": "font-monospace",
                "spellcheck": "false",
                "autocomplete": "off",
                "autocapitalize": "characters",
            }
        ),
        help_text=_(
            "Scan dokumentet, eller indsæt de 2 eller 3 linjer nederst på det. Felterne "
            "udfyldes, og du retter navnet til dokumentets stavemåde."
        ),
    )

    # Person
    surname = TextField(
        label=_("Efternavn"),
        max_length=200,
        validators=[has_a_letter],
        help_text=_("Som i ID-dokumentet, med alle accenter."),
    )
    given_names = TextField(
        label=_("Fornavne"),
        max_length=200,
        validators=[has_a_letter],
        help_text=_("Alle fornavne og mellemnavne."),
    )
    birth_date = DateField(range_name="birth_date", label=_("Fødselsdato"))
    sex = forms.ChoiceField(
        label=_("Køn"),
        choices=Sex.choices,
        widget=forms.RadioSelect,
        help_text=_("Det køn, personnummeret får."),
    )
    nationality = CountryChoiceField(label=_("Statsborgerskab"), flag_eea=True, special=True)
    place_of_birth = TextField(label=_("Fødested"), max_length=200)
    country_of_birth = CountryChoiceField(label=_("Fødeland"))

    # Identity document
    # No choice is made in advance: an empty choice a hurried caseworker would notice is
    # safer than "pas" they might not (the MRZ fills it).
    document_type = FixedChoiceField(
        key="document_type",
        label=_("Dokumenttype"),
        choices=lambda: [("", "---------"), *DocumentType.choices],
    )
    document_number = TextField(label=_("Dokumentnummer"), max_length=40)
    document_country = CountryChoiceField(label=_("Udstedt af"))
    document_expiry = DateField(
        range_name="document_expiry",
        label=_("Udløbsdato"),
        required=False,
        help_text=_("Kan mangle på et asylansøgerkort."),
    )
    document_sex = FixedChoiceField(
        key="document_sex",
        label=_("Køn i dokumentet"),
        choices=lambda: [("", _("som ovenfor")), *DocumentSex.choices],
        required=False,
        help_text=_("Står der X eller <, vælger du ovenfor personnummerets køn."),
    )
    document_withheld = forms.BooleanField(
        label=_("Passet er inddraget eller tilbageholdt af en myndighed"), required=False
    )
    document_file = forms.FileField(
        label=_("Farvefoto eller scanning af ID-dokumentet"),
        required=False,
        help_text=_("JPEG, PNG eller PDF. Kræves før der tildeles et personnummer."),
        error_messages={"required": _("Vedhæft et farvefoto eller en scanning af ID-dokumentet.")},
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )

    # Contact and stay
    foreign_id_number = TextField(label=_("Udenlandsk personnummer"), max_length=40, required=False)
    address_abroad = AreaField(label=_("Adresse i udlandet"), max_length=500)
    stay_address = AreaField(
        label=_("Opholdsadresse i Danmark"),
        max_length=500,
        help_text=_("Gade, nummer, postnummer og by. Brevet sendes hertil."),
    )
    stay_co = TextField(label=_("c/o"), max_length=200, required=False)
    stay_municipality = FixedChoiceField(
        key="municipality",
        label=_("Opholdskommune"),
        choices=lambda: [("", "---------"), *MUNICIPALITY_CHOICES],
        required=False,
        help_text=_("Som udgangspunkt dit jobcenters."),
    )
    phone = TextField(label=_("Telefon"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    # Empty is "the nationality's language", derived in clean() and shown as derived:
    # the empty choice names it ("rumænsk (følger statsborgerskabet)"), and intake.js
    # keeps that name up to date as the nationality changes.
    letter_language = FixedChoiceField(
        key="letter_language",
        label=_("Sprog til Jobnet-brevet"),
        choices=lambda: [("", ""), *LETTER_LANGUAGES],
        required=False,
        help_text=_("Brevet er også altid på dansk og engelsk."),
    )
    entry_date = DateField(range_name="entry_date", label=_("Indrejsedato"))
    purpose = FixedChoiceField(
        key="purpose",
        label=_("Formål med opholdet"),
        choices=lambda: [("", "---------"), *Purpose.choices],
    )
    expected_stay_months = forms.IntegerField(
        label=_("Forventet ophold i måneder"), min_value=0, max_value=600
    )
    receives_pd_u2 = forms.BooleanField(
        label=_("Modtager arbejdsløshedsdagpenge fra hjemlandet (PD U2)"), required=False
    )
    pd_u2_date = DateField(range_name="pd_u2_date", label=_("PD U2-dato"), required=False)

    # Category
    category = forms.ChoiceField(
        label=_("Kategori"), choices=Category.choices, widget=forms.RadioSelect
    )
    jobseeker = forms.BooleanField(
        label=_("Personen vil også søge job og tilmeldes som jobsøgende (kategori B og C)"),
        required=False,
        help_text=_("Kun jobsøgende får et Jobnet-brev. Kategori A tilmeldes altid."),
    )
    offer_kind = FixedChoiceField(
        key="offer_kind",
        label=_("Tilbud"),
        choices=lambda: [("", "---------"), *OfferKind.choices],
        required=False,
    )
    offer_provider = TextField(label=_("Udbyder af tilbuddet"), max_length=200, required=False)
    offer_starts_on = DateField(
        range_name="offer_starts_on", label=_("Tilbuddet begynder"), required=False
    )
    asylum_case_id = TextField(
        label=_("Udlændingestyrelsens ID eller sagsnummer"),
        max_length=40,
        required=False,
    )
    decision_date = DateField(
        range_name="decision_date", label=_("Dato for afgørelsen"), required=False
    )
    decision_reference = TextField(label=_("Afgørelsens reference"), max_length=100, required=False)
    decision_by = TextField(
        label=_("Afgørelsen er truffet af"),
        max_length=200,
        required=False,
        help_text=_("Sagsbehandlerens navn og myndighed."),
    )

    # Existing number and residence
    has_personnummer = forms.BooleanField(
        label=_("Personen har eller har haft et dansk personnummer"), required=False
    )
    existing_personnummer = TextField(
        label=_("Personnummer personen har haft"),
        max_length=20,
        required=False,
        help_text=_("DDMMÅÅ-SSSS. Nummeret bruges, og der tildeles ikke et nyt."),
    )
    issued_personnummer = TextField(
        label=_("Personnummer udstedt i CPR"),
        max_length=20,
        required=False,
        help_text=_(
            "Når APOC har kontrolleret personen: tag nummeret ud i CPR-kontorets klient, og "
            "skriv det her (DDMMÅÅ-SSSS). Det kontrolleres mod fødselsdato og køn."
        ),
    )
    residence_registered = forms.BooleanField(
        label=_("Personen er bopælsregistreret i Danmark"), required=False
    )

    # The answer to the people a CPR search found (registrations.cpr_check); rendered by
    # the intake template's candidate list, not by the layout.
    cpr_choice = forms.CharField(required=False, max_length=10)
    cpr_not_person_reason = TextField(
        label=_("Hvorfor er ingen af dem personen?"), max_length=500, required=False
    )

    confirm_warnings = forms.MultipleChoiceField(
        label=_("Jeg har vurderet advarslerne"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args,
        warnings=(),
        has_pending_document: bool = False,
        mrz_filled: frozenset[str] = frozenset(),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        announce_required_selects(self)
        self._show_derived_language()
        self.has_pending_document = has_pending_document
        # The picture is required until one has been received for this submission.
        self.fields["document_file"].required = not has_pending_document
        self.mrz_filled = mrz_filled
        for name in mrz_filled:
            field = self.fields[name]
            field.widget.attrs["class"] = (
                field.widget.attrs.get("class", "") + " border-info"
            ).strip()
            field.help_text = format_lazy("{} {}", _("Udfyldt fra MRZ."), field.help_text or "")
        # Any warning code is accepted back; only the current warnings are shown.
        self.fields["confirm_warnings"].choices = [
            (w.code, w.message_in(gettext)) for w in warnings
        ] or [(code, reason_label(code)) for code in CONFIRMABLE_CODES]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "submission_token",
            Fieldset(
                _("Scan af dokumentets MRZ"),
                Div(
                    Div("mrz", css_class="col-md-10"),
                    Div(
                        StrictButton(
                            _("Læs MRZ"),
                            type="submit",
                            name="read_mrz",
                            value="1",
                            css_class="btn-outline-primary",
                            formnovalidate="formnovalidate",
                            formaction=reverse_lazy("registrations:intake_mrz"),
                        ),
                        css_class="col-md-2 apoc-mrz-button",
                    ),
                    css_class="row",
                ),
                css_class="border rounded px-3 pt-3 bg-body-tertiary",
            ),
            *self._read_from_mrz(),
            Fieldset(
                _("Person"),
                Div(
                    Div("surname", css_class="col-md-6"),
                    Div("given_names", css_class="col-md-6"),
                    css_class="row",
                ),
                self._row(PERSON_ROW),
                Div(
                    Div("place_of_birth", css_class="col-md-6"),
                    Div("country_of_birth", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Identitetsdokument"),
                self._row(DOCUMENT_ROW),
                Div(
                    Div("document_file", css_class="col-md-6"),
                    Div("document_sex", css_class="col-md-3"),
                    Div("document_withheld", css_class="col-md-3 apoc-check-row"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Kontakt og ophold"),
                Div(
                    Div("address_abroad", css_class="col-md-6"),
                    Div("stay_address", css_class="col-md-6"),
                    css_class="row",
                ),
                Div(
                    Div("stay_co", css_class="col-md-3"),
                    Div("stay_municipality", css_class="col-md-3"),
                    Div("phone", css_class="col-md-3"),
                    Div("email", css_class="col-md-3"),
                    css_class="row",
                ),
                Div(
                    Div("entry_date", css_class="col-md-3"),
                    Div("purpose", css_class="col-md-3"),
                    Div("expected_stay_months", css_class="col-md-3"),
                    Div("foreign_id_number", css_class="col-md-3"),
                    css_class="row",
                ),
                Div(
                    Div("letter_language", css_class="col-md-5"),
                    Div("receives_pd_u2", css_class="col-md-4 apoc-check-row"),
                    Div("pd_u2_date", css_class="col-md-3", **shown_when("receives_pd_u2")),
                    css_class="row",
                ),
            ),
            # The radio group's own legend is the section's heading.
            Div("category", css_class="apoc-category"),
            Fieldset(
                _("Kategori B: tilbuddet"),
                Div(
                    Div("offer_kind", css_class="col-md-4"),
                    Div("offer_provider", css_class="col-md-4"),
                    Div("offer_starts_on", css_class="col-md-4"),
                    css_class="row",
                ),
                **shown_when("category", "B"),
            ),
            Fieldset(
                _("Kategori C: afgørelsen om personlig assistance"),
                Div(
                    Div("asylum_case_id", css_class="col-md-6"),
                    Div("decision_date", css_class="col-md-6"),
                    css_class="row",
                ),
                Div(
                    Div("decision_reference", css_class="col-md-6"),
                    Div("decision_by", css_class="col-md-6"),
                    css_class="row",
                ),
                **shown_when("category", "C"),
            ),
            Div("jobseeker", **shown_when("category", "B", "C")),
            Fieldset(
                _("Eksisterende personnummer og bopæl"),
                "has_personnummer",
                Div("existing_personnummer", **shown_when("has_personnummer")),
                "residence_registered",
            ),
        )
        if get_registry().issues_in_cpr:
            self.helper.layout.append(
                Fieldset(
                    _("Nyt personnummer fra CPR"),
                    "issued_personnummer",
                    css_class="border border-primary rounded p-3",
                )
            )
        if warnings:
            self.helper.layout.append(
                Fieldset(
                    _("Advarsler, der skal bekræftes"),
                    "confirm_warnings",
                    css_class="border border-warning p-3",
                )
            )
        self.helper.layout.append(
            HTML('<div class="mt-4">'),
        )
        self.helper.layout.append(Submit("submit", _("Tildel personnummer"), css_class="btn-lg"))
        self.helper.layout.append(HTML("</div>"))

    def clean_document_file(self):
        """The document rebuilt from the upload's pixels (:mod:`registrations.uploads`).

        The bytes sent are read once, into memory (``apoc.uploadhandler``), and dropped.
        """
        upload = self.cleaned_data.get("document_file")
        if not upload:
            if self.has_pending_document:
                return None
            raise ValidationError(
                _("Vedhæft et farvefoto eller en scanning af ID-dokumentet."), code="required"
            )
        limit = settings.DOCUMENT_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                _("Filen er for stor. Den må højst fylde %(limit)s MB."),
                code="document_too_large",
                params={"limit": f"{limit / 1_048_576:.0f}"},
            )
        try:
            return rebuild_document(upload.read(limit + 1), max_bytes=limit)
        except DocumentRejected as error:
            raise ValidationError(error.message_in(gettext), code=error.code) from None

    def clean_existing_personnummer(self):
        """The number as written; the same answer as the rules (cpr.eligibility) give."""
        value = self.cleaned_data.get("existing_personnummer", "").strip()
        if not value:
            return ""
        try:
            number = parse(value, timezone.localdate())
        except InvalidPersonnummer as error:
            raise ValidationError(error.message_in(gettext), code=error.code) from None
        if number.is_replacement:
            raise ValidationError(
                gettext(TEMPLATES["existing_personnummer_replacement"]) % {"masked": number.masked},
                code="existing_personnummer_replacement",
            )
        return str(number)

    @property
    def mrz_read(self) -> tuple[str, ...]:
        """The fields a complete MRZ has just filled in, which wait in one closed block."""
        if not self.mrz_filled >= MRZ_CORE:
            return ()
        return tuple(name for name, _css in (*PERSON_ROW, *DOCUMENT_ROW) if name in self.mrz_filled)

    def _row(self, cells: tuple[tuple[str, str], ...], *, read: bool = False) -> Div:
        """A row of ``cells`` (field, CSS class): the ones read from the MRZ, or the others."""
        return Div(
            *(
                Div(InlineRadios(name) if name == "sex" else name, css_class=css)
                for name, css in cells
                if (name in self.mrz_read) == read
            ),
            css_class="row",
        )

    def _read_from_mrz(self) -> list[Any]:
        """After "Læs MRZ": what the MRZ gave, in a closed block that says it ("Vis og ret"
        opens it), above the fields still to fill; nothing on any other form."""
        if not self.mrz_read:
            return []
        return [
            HTML(
                format_html(
                    '<details class="apoc-mrz-read mb-4" id="mrz-read"><summary>'
                    '<strong>{}</strong> {} <span class="apoc-summary-action">{}</span>'
                    '</summary><div class="pt-3">',
                    gettext("Læst fra MRZ:"),
                    self._mrz_summary(),
                    gettext("Vis og ret"),
                )
            ),
            self._row(PERSON_ROW, read=True),
            self._row(DOCUMENT_ROW, read=True),
            HTML("</div></details>"),
        ]

    def _mrz_summary(self) -> str:
        values = self.initial
        parts = []
        for name in self.mrz_read:
            value = values.get(name)
            field = self.fields[name]
            if isinstance(value, date):
                text = format_date(value)
            elif isinstance(field, forms.ChoiceField):
                text = str(dict(_flat(field.choices)).get(value, value))
            else:
                text = str(value)
            parts.append(f"{field.label}: {text}")
        return "; ".join(parts) + "."

    def _show_derived_language(self) -> None:
        """The letter language's empty choice names the language it stands for; the
        script updates it when the nationality changes (the same labels, as data)."""
        source = self.data if self.is_bound else self.initial
        field = self.fields["letter_language"]
        field.widget.first_label = derived_language_label(source.get("nationality") or "")
        field.widget.attrs.update(_derived_language_attrs(get_language()))

    def clean(self):
        cleaned = super().clean()
        self._derive_letter_language(cleaned)
        pd_u2_given = cleaned.get("pd_u2_date") or "pd_u2_date" in self.errors
        if cleaned.get("receives_pd_u2") and not pd_u2_given:
            self.add_error(
                "pd_u2_date", ValidationError(_("Skriv datoen på PD U2."), code="required")
            )
        self._check_foreign_id(cleaned)
        return cleaned

    def _derive_letter_language(self, cleaned) -> None:
        nationality = cleaned.get("nationality")
        if cleaned.get("letter_language") or not nationality:
            return
        derived = derived_letter_language(nationality)
        if derived is None:
            self.add_error(
                "letter_language",
                ValidationError(
                    _("Vælg sproget til brevet: %(country)s har flere sprog."),
                    code="letter_language_choice",
                    params={"country": countries.name(nationality)},
                ),
            )
        else:
            cleaned["letter_language"] = derived

    def _check_foreign_id(self, cleaned) -> None:
        value, nationality = cleaned.get("foreign_id_number"), cleaned.get("nationality")
        if not value or not nationality:
            return
        result = check_foreign_id(
            nationality,
            value,
            birth_date=cleaned.get("birth_date"),
            sex=cleaned.get("sex"),
            today=timezone.localdate(),
        )
        for error in result.errors:
            self.add_error(
                "foreign_id_number", ValidationError(error.message_in(gettext), code=error.code)
            )


class SearchForm(forms.Form):
    q = TextField(
        label=_("Søg"),
        max_length=200,
        help_text=_("Personnummer, navn, fødselsdato (DD.MM.ÅÅÅÅ) eller dokumentnummer."),
    )


class JobseekerEndForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Årsag til afmelding"), choices=[("", "---------"), *JobseekerEnd.choices]
    )


class OfferForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=OfferKind.choices)
    provider = TextField(label=_("Udbyder"), max_length=200)
    starts_on = DateField(range_name="starts_on", label=_("Start"))
    ends_on = DateField(range_name="ends_on", label=_("Slut"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        announce_required_selects(self)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Gem tilbud")))

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error(
                "ends_on", ValidationError(_("Slutdatoen ligger før startdatoen."), code="order")
            )
        return cleaned


class UnechoedTextInput(forms.PasswordInput):
    """A visible text input that, like a password input, never renders a value back.

    The form may come back with an error; what was typed then is gone from the
    page, and the caseworker types it again.
    """

    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, render_value=False)


#: A login typed from the case system: no browser may remember, fill in, correct
#: or capitalise it.
_LOGIN_INPUT = {
    "autocomplete": "off",
    "autocapitalize": "none",
    "autocorrect": "off",
    "spellcheck": "false",
    "class": "font-monospace",
    "data-1p-ignore": "true",
    "data-lpignore": "true",
}


class LetterLoginForm(forms.Form):
    """The Jobnet login the caseworker created in the case system, for one letter.

    The one-time password is a visible text field, not a password field: at the
    counter the caseworker must see what they typed to compare it with the case
    system (a typo makes the letter useless), and a browser offers to save and
    later fill in a username and a password field as a login, which on a shared
    counter PC would put one person's login into the next person's letter. It
    is never rendered back (:class:`UnechoedTextInput`), and an error never
    quotes it.
    """

    jobnet_username = forms.CharField(
        label=_("Brugernavn fra fagsystemet"),
        help_text=_("Brugernavnet, som fagsystemet viser det, fx fra KMD Momentum."),
        widget=forms.TextInput(attrs=_LOGIN_INPUT),
    )
    jobnet_password = forms.CharField(
        label=_("Engangsadgangskode fra fagsystemet"),
        help_text=_(
            "Skriv den præcis som i fagsystemet, med store og små bogstaver. APOC gemmer den "
            "ikke, og den står kun i brevet."
        ),
        widget=UnechoedTextInput(attrs=_LOGIN_INPUT),
    )

    def clean_jobnet_username(self) -> str:
        value = self.cleaned_data["jobnet_username"]
        if not is_typed_username(value):
            error = InvalidTypedUsername()
            raise ValidationError(error.message_in(gettext), code=error.code)
        return value

    def clean_jobnet_password(self) -> str:
        value = self.cleaned_data["jobnet_password"]
        if not is_typed_password(value):
            error = InvalidTypedPassword()
            raise ValidationError(error.message_in(gettext), code=error.code)
        return value

    def login(self) -> Credentials:
        """The checked login, to print exactly as typed."""
        return Credentials(
            username=self.cleaned_data["jobnet_username"],
            password=self.cleaned_data["jobnet_password"],
            as_typed=True,
        )
