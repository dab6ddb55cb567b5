"""The intake's data and its decision. Pure Python: nothing here imports Django.

:class:`IntakeData` is the one schema of what a caseworker enters about a
person: the form's fields, the model's fields and the create call are derived
from it, and ``tests/registrations/test_intake_schema.py`` fails when they
disagree. :func:`intake_decide` turns the data into an :class:`IntakeDecision`:
the blocks, the warnings to confirm, the errors, and the derived values that
are stored (the keys of the duplicate check). ``registrations.services`` then
stores what was decided.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from apoc.exceptions import DomainError, gettext_noop
from cpr.eligibility import (
    LABELS,
    TEMPLATES,
    WARNING_CODES,
    Category,
    EligibilityResult,
    IntakeFacts,
    NotEligible,
    Purpose,
    check_eligibility,
)
from cpr.personnummer import Personnummer, try_parse
from documents.foreign_ids import WARNING_CODES as FOREIGN_ID_WARNING_CODES
from documents.foreign_ids import WARNING_LABELS as FOREIGN_ID_WARNING_LABELS
from documents.foreign_ids import WARNING_TEMPLATES as FOREIGN_ID_WARNING_TEMPLATES
from documents.foreign_ids import ForeignIdResult, check_foreign_id
from documents.names import name_key
from documents.numbers import document_key
from documents.transliteration import name_keys, search_forms

__all__ = [
    "CONFIRMABLE_CODES",
    "INPUT_ONLY_FIELDS",
    "REASON_LABELS",
    "REASON_TEMPLATES",
    "IntakeData",
    "IntakeDecision",
    "PersonKeys",
    "WarningsNotConfirmed",
    "intake_decide",
    "intake_facts",
    "person_keys",
]

#: The warnings of the look-up in CPR before a number is given (registrations.cpr_check).
CPR_TEMPLATES: Mapping[str, str] = {
    "cpr_unavailable": gettext_noop(
        "CPR kunne ikke søges (%(why)s). Du kan fortsætte, men registreringen markeres, så CPR "
        "søges igen ved den natlige afstemning."
    ),
    "cpr_number_unknown": gettext_noop(
        "CPR kender ikke personnummeret %(masked)s. Kontrollér nummeret med personen."
    ),
    "cpr_name_differs": gettext_noop(
        "CPR har navnet %(cpr_name)s på personnummeret %(masked)s. Kontrollér, at det er samme "
        "person."
    ),
    "cpr_birth_date_differs": gettext_noop(
        "CPR har fødselsdatoen %(cpr_date)s på personnummeret %(masked)s, men personen er "
        "oplyst født %(given)s."
    ),
    "cpr_status_ended": gettext_noop(
        "Personnummeret %(masked)s har CPR-status %(status)s. Kontrollér personens nummer."
    ),
}

#: The caseworker's short names of the warnings (for the admin and the export).
CPR_LABELS: Mapping[str, str] = {
    "cpr_unavailable": gettext_noop("opslag i CPR ikke muligt"),
    "cpr_number_unknown": gettext_noop("nummeret findes ikke i CPR"),
    "cpr_name_differs": gettext_noop("navnet afviger fra CPR"),
    "cpr_birth_date_differs": gettext_noop("fødselsdatoen afviger fra CPR"),
    "cpr_status_ended": gettext_noop("nummerets CPR-status er ophørt"),
}


#: Every reason an intake can give, by code: the eligibility rules' blocks and warnings,
#: the foreign ID checks' and CPR's warnings. The message (a Danish msgid) and its short name.
REASON_TEMPLATES: Mapping[str, str] = {**TEMPLATES, **FOREIGN_ID_WARNING_TEMPLATES, **CPR_TEMPLATES}
REASON_LABELS: Mapping[str, str] = {**LABELS, **FOREIGN_ID_WARNING_LABELS, **CPR_LABELS}
#: The warnings a caseworker may confirm, and a registration keeps in ``warnings_confirmed``.
CONFIRMABLE_CODES: tuple[str, ...] = tuple(
    sorted(WARNING_CODES | FOREIGN_ID_WARNING_CODES | set(CPR_TEMPLATES))
)


class WarningsNotConfirmed(DomainError):
    code = "warnings_not_confirmed"
    template = gettext_noop("Bekræft advarslerne, før der tildeles et personnummer.")

    def __init__(self, warnings: tuple[Any, ...]) -> None:
        #: Each has ``code`` and ``message_in(gettext)``.
        self.warnings = warnings
        super().__init__()


@dataclass(frozen=True)
class IntakeData:
    """What the caseworker entered about the person: the cleaned intake form."""

    surname: str
    given_names: str
    birth_date: date
    sex: str
    nationality: str
    place_of_birth: str
    country_of_birth: str
    document_type: str
    document_number: str
    document_country: str
    address_abroad: str
    stay_address: str
    entry_date: date
    purpose: str
    expected_stay_months: int
    category: str
    document_expiry: date | None = None
    document_sex: str = ""  # as the document says: "M", "F", "X" or "" (not given)
    document_withheld: bool = False
    stay_municipality: str = ""  # kommunekode; "" is the caseworker's own municipality
    stay_co: str = ""
    phone: str = ""
    email: str = ""
    letter_language: str = "en"
    foreign_id_number: str = ""
    receives_pd_u2: bool = False
    pd_u2_date: date | None = None
    offer_kind: str = ""
    asylum_case_id: str = ""
    decision_date: date | None = None
    decision_reference: str = ""
    decision_by: str = ""
    #: B and C: the person also seeks work (A always does).
    jobseeker: bool = False
    offer_provider: str = ""
    offer_starts_on: date | None = None
    has_personnummer: bool = False
    existing_personnummer: str = ""
    #: The new number taken out in CPR's own client (registry mode "issued in CPR").
    issued_personnummer: str = ""
    residence_registered: bool = False

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> IntakeData:
        """The data from a mapping with these fields and others (a form's cleaned data)."""
        names = cls.field_names()
        return cls(**{name: value for name, value in values.items() if name in names})


#: Fields of :class:`IntakeData` that decide the intake but are not stored on the
#: registration itself: a number the person presents goes to the register of
#: numbers, the offer of category B becomes an Offer, and "seeks work" becomes the
#: registration as jobseeker.
INPUT_ONLY_FIELDS = frozenset(
    {
        "has_personnummer",
        "existing_personnummer",
        "issued_personnummer",
        "jobseeker",
        "offer_provider",
        "offer_starts_on",
    }
)


@dataclass(frozen=True)
class PersonKeys:
    """What the nationwide duplicate check compares."""

    name_key: str
    birth_date: date
    document_country: str
    document_number_key: str
    nationality: str
    foreign_id_key: str = ""
    personnummer: str = ""  # a number the person presents, DDMMYY-SSSS
    #: Every key the name can produce, in any spelling a document gives it (ICAO 9303 Part 3).
    name_keys: frozenset[str] = frozenset()

    def as_criteria(self) -> dict[str, Any]:
        """For the access log: the keys, without names in clear."""
        criteria = {
            "name_key": self.name_key,
            "birth_date": self.birth_date.isoformat(),
            "document": f"{self.document_country}:{self.document_number_key}",
            "foreign_id": self.foreign_id_key,
        }
        if self.personnummer:
            criteria["personnummer"] = self.personnummer
        return criteria


@dataclass(frozen=True)
class IntakeDecision:
    """What the rules say about one intake, and what is stored if it goes ahead."""

    eligibility: EligibilityResult
    foreign_id: ForeignIdResult | None
    keys: PersonKeys
    #: The registration's fields about the person: the data, normalised, plus the keys.
    values: Mapping[str, Any]
    #: The valid personnummer the person presents: used, and no new number allocated.
    existing_number: Personnummer | None = None
    #: Registered as jobseeker at the intake: category A always, B and C when ticked.
    jobseeker: bool = True
    #: Category B's offer, recorded at the intake (kind, provider, starts_on).
    offer: Mapping[str, Any] | None = None
    #: A new number taken out in CPR's client, as typed (registry mode "issued in CPR").
    issued_number: str = ""
    #: What the look-up in CPR found (registrations.cpr_check), once it has run.
    cpr: Any = None
    #: Its warnings, to confirm like the rules' own.
    extra_warnings: tuple[Any, ...] = ()

    @property
    def warnings(self) -> tuple[Any, ...]:
        """Everything the caseworker must confirm: the rules' and the foreign ID's."""
        foreign = self.foreign_id.warnings if self.foreign_id is not None else ()
        return (*self.eligibility.warnings, *foreign, *self.extra_warnings)

    @property
    def warning_codes(self) -> list[str]:
        return sorted(warning.code for warning in self.warnings)

    def refusal(self, confirmed: frozenset[str], *, warnings: bool = True) -> DomainError | None:
        """Why the intake cannot go ahead now, or None.

        First the blocks of the rules, then an invalid foreign ID, then (unless
        ``warnings`` is false) the warnings that were not confirmed.
        """
        if not self.eligibility.eligible:
            return NotEligible(self.eligibility)
        if self.foreign_id is not None and self.foreign_id.errors:
            return self.foreign_id.errors[0]
        if warnings and {warning.code for warning in self.warnings} - confirmed:
            return WarningsNotConfirmed(self.warnings)
        return None


def person_keys(
    *,
    surname: str,
    given_names: str,
    birth_date: date,
    document_country: str,
    document_number: str,
    nationality: str,
    foreign_id_key: str = "",
    personnummer: str = "",
) -> PersonKeys:
    """The duplicate check's keys of a person as entered."""
    return PersonKeys(
        name_key=name_key(surname, given_names),
        name_keys=name_keys(surname, given_names),
        birth_date=birth_date,
        document_country=document_country,
        document_number_key=document_key(document_number),
        nationality=nationality,
        foreign_id_key=foreign_id_key,
        personnummer=personnummer,
    )


def intake_facts(data: IntakeData, jobcentre_municipality: str = "") -> IntakeFacts:
    """The facts the eligibility rules read; ``jobcentre_municipality`` is the caseworker's."""
    return IntakeFacts(
        nationality=data.nationality,
        category=Category(data.category),
        birth_date=data.birth_date,
        document_expiry=data.document_expiry,
        entry_date=data.entry_date,
        purpose=Purpose(data.purpose) if data.purpose else None,
        expected_stay_months=data.expected_stay_months,
        has_personnummer=data.has_personnummer,
        existing_personnummer=data.existing_personnummer,
        residence_registered=data.residence_registered,
        asylum_case_id=data.asylum_case_id,
        decision_date=data.decision_date,
        decision_reference=data.decision_reference,
        decision_by=data.decision_by,
        document_type=data.document_type,
        document_withheld=data.document_withheld,
        sex=data.sex,
        document_sex=data.document_sex,
        offer_kind=data.offer_kind,
        offer_provider=data.offer_provider,
        offer_starts_on=data.offer_starts_on,
        stay_municipality=data.stay_municipality,
        jobcentre_municipality=jobcentre_municipality,
    )


def _stored_values(data: IntakeData, keys: PersonKeys, stay: str) -> dict[str, Any]:
    values = {
        name: getattr(data, name)
        for name in IntakeData.field_names()
        if name not in INPUT_ONLY_FIELDS
    }
    # A PD U2 date without PD U2, an offer outside category B or a decision outside C was
    # not meant: the form shows those fields only when they apply, and without its script
    # they stay visible for every category.
    if not data.receives_pd_u2:
        values["pd_u2_date"] = None
    if data.category != Category.OFFER:
        values["offer_kind"] = ""
    if data.category != Category.ASYLUM_ASSISTANCE:
        values.update(asylum_case_id="", decision_date=None, decision_reference="", decision_by="")
    values["stay_municipality"] = stay
    values.update(
        name_key=keys.name_key,
        name_search=search_forms(f"{data.given_names} {data.surname}"),
        document_number_key=keys.document_number_key,
        foreign_id_key=keys.foreign_id_key,
    )
    return values


def intake_decide(
    data: IntakeData, *, today: date, jobcentre_municipality: str = ""
) -> IntakeDecision:
    """The rules over one intake on ``today``: blocks, warnings, errors and derived values.

    ``jobcentre_municipality`` is the kommunekode of the caseworker's jobcentre:
    the default stay municipality, and a different one is a warning.
    """
    foreign = (
        check_foreign_id(
            data.nationality,
            data.foreign_id_number,
            birth_date=data.birth_date,
            sex=data.sex,
            today=today,
        )
        if data.foreign_id_number
        else None
    )
    existing = _presented_number(data, today)
    keys = person_keys(
        surname=data.surname,
        given_names=data.given_names,
        birth_date=data.birth_date,
        document_country=data.document_country,
        document_number=data.document_number,
        nationality=data.nationality,
        foreign_id_key=foreign.normalised if foreign is not None else "",
        personnummer=str(existing) if existing is not None else "",
    )
    stay = data.stay_municipality or jobcentre_municipality
    facts = intake_facts(dataclasses.replace(data, stay_municipality=stay), jobcentre_municipality)
    return IntakeDecision(
        eligibility=check_eligibility(facts, today=today),
        foreign_id=foreign,
        keys=keys,
        values=_stored_values(data, keys, stay),
        existing_number=existing,
        jobseeker=data.category == Category.JOBSEEKER or data.jobseeker,
        offer=_offer(data),
        issued_number=data.issued_personnummer.strip(),
    )


def _presented_number(data: IntakeData, today: date) -> Personnummer | None:
    """The real personnummer the person presents, or None (no number, or none valid)."""
    number = try_parse(data.existing_personnummer, today) if data.existing_personnummer else None
    return number if number is not None and not number.is_replacement else None


def _offer(data: IntakeData) -> dict[str, Any] | None:
    if data.category != Category.OFFER or not data.offer_kind:
        return None
    return {
        "kind": data.offer_kind,
        "provider": data.offer_provider,
        "starts_on": data.offer_starts_on,
    }
