"""Writes of the intake: the one transaction that registers a person."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from apoc.audit.services import Action, AuditEvent, audit_record, audit_records
from apoc.exceptions import DomainError, gettext_noop
from cpr.eligibility import (
    Category,
    EligibilityResult,
    IntakeFacts,
    NotEligible,
    Purpose,
    check_eligibility,
)
from cpr.exceptions import AlreadyRegistered
from cpr.personnummer import InvalidPersonnummer, parse
from cpr.services import allocate_personnummer, record_existing_personnummer
from documents.foreign_ids import check_foreign_id
from documents.names import name_key, normalise
from documents.numbers import document_key
from jobnet.letters import LetterData
from jobnet.services import jobnet_account_create, letter_print

from .models import IntakeRefusal, Offer, Registration, ReviewStatus
from .selectors import DuplicateMatch, find_duplicates

__all__ = [
    "DuplicateFound",
    "IntakeData",
    "NoJobcentre",
    "SubmittedDocument",
    "WarningsNotConfirmed",
    "intake_facts",
    "offer_create",
    "registration_letter_print",
    "registration_submit",
]


class DuplicateFound(DomainError):
    """The person may already have a number: no second one is allocated."""

    code = "duplicate"
    template = gettext_noop(
        "Personen ser ud til allerede at være registreret. Der tildeles ikke et nyt personnummer."
    )

    def __init__(self, matches: list[DuplicateMatch]) -> None:
        self.matches = matches
        super().__init__()


class NoJobcentre(DomainError):
    code = "no_jobcentre"
    template = gettext_noop(
        "Din bruger er ikke knyttet til et jobcenter, så du kan ikke registrere personer. "
        "Kontakt en landsadministrator."
    )


class WarningsNotConfirmed(DomainError):
    code = "warnings_not_confirmed"
    template = gettext_noop("Bekræft advarslerne, før der tildeles et personnummer.")

    def __init__(self, warnings: tuple[Any, ...]) -> None:
        #: Each has ``code`` and ``message_in(gettext)``.
        self.warnings = warnings
        super().__init__()


@dataclass(frozen=True)
class SubmittedDocument:
    content: bytes
    extension: str
    content_type: str


@dataclass(frozen=True)
class IntakeData:
    """The cleaned intake form."""

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
    document_expiry: date
    address_abroad: str
    stay_address: str
    entry_date: date
    purpose: str
    expected_stay_months: int
    category: str
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
    has_personnummer: bool = False
    existing_personnummer: str = ""
    residence_registered: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def intake_facts(data: IntakeData) -> IntakeFacts:
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
    )


def _refuse(
    *, data: IntakeData, user: Any, result: EligibilityResult, request: HttpRequest | None
) -> None:
    """Record a refusal without personal data, and the person's existing number."""
    with transaction.atomic():
        IntakeRefusal.objects.create(
            jobcentre_id=user.jobcentre_id,
            category=data.category,
            nationality=data.nationality,
            reason_codes=[reason.code for reason in result.blocks],
        )
        if data.has_personnummer and data.existing_personnummer:
            try:
                number = parse(data.existing_personnummer)
            except InvalidPersonnummer:
                return
            if number.is_replacement:
                return
            try:
                allocation = record_existing_personnummer(number=number, recorded_by=user)
            except AlreadyRegistered:
                return
            audit_record(user=user, action=Action.CREATE, subject=allocation, request=request)


def _lock_person(key: str, birth_date: date) -> None:
    """Serialise concurrent intakes of one person on PostgreSQL (a transaction lock)."""
    if connection.vendor != "postgresql":
        return  # SQLite allows one writer at a time
    digest = hashlib.blake2b(f"{key}|{birth_date.isoformat()}".encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)]
        )


def registration_submit(
    *,
    data: IntakeData,
    document: SubmittedDocument,
    confirmed_warnings: frozenset[str],
    submission_token: uuid.UUID,
    user: Any,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> tuple[Registration, bool]:
    """Register the person and allocate their administrative personnummer.

    In one transaction: eligibility, the nationwide duplicate check, allocation,
    the registration as jobseeker, and the access log. Returns the registration
    and whether it was created now (False when the same submission came again).
    Raises ``NotEligible``, ``WarningsNotConfirmed`` or ``DuplicateFound``.
    """
    if not getattr(user, "jobcentre_id", None):
        raise NoJobcentre()
    existing = Registration.objects.filter(submission_token=submission_token).first()
    if existing is not None:
        return existing, False
    today = today or timezone.localdate()
    result = check_eligibility(intake_facts(data), today=today)
    if not result.eligible:
        _refuse(data=data, user=user, result=result, request=request)
        raise NotEligible(result)
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
    if foreign is not None and foreign.errors:
        raise foreign.errors[0]
    warnings = (*result.warnings, *(foreign.warnings if foreign else ()))
    missing = {warning.code for warning in warnings} - set(confirmed_warnings)
    if missing:
        raise WarningsNotConfirmed(warnings)
    foreign_key = foreign.normalised if foreign else ""

    key = name_key(data.surname, data.given_names)
    storage = Registration._meta.get_field("document_file").storage
    stored_name: str | None = None
    try:
        with transaction.atomic():
            _lock_person(key, data.birth_date)
            matches = find_duplicates(
                surname=data.surname,
                given_names=data.given_names,
                birth_date=data.birth_date,
                document_country=data.document_country,
                document_number=data.document_number,
                nationality=data.nationality,
                foreign_id_key=foreign_key,
            )
            if matches:
                raise DuplicateFound(matches)
            allocation = allocate_personnummer(
                birth_date=data.birth_date, sex=data.sex, allocated_by=user
            )
            stored_name = storage.save(
                f"documents/{uuid.uuid4().hex}.{document.extension}", ContentFile(document.content)
            )
            account = jobnet_account_create(issued_by=user, request=request, audit=False)
            now = timezone.now()
            registration = Registration.objects.create(
                jobnet_account=account,
                jobcentre_id=user.jobcentre_id,
                allocation=allocation,
                submission_token=submission_token,
                surname=data.surname,
                given_names=data.given_names,
                name_key=key,
                name_search=normalise(f"{data.given_names} {data.surname}"),
                birth_date=data.birth_date,
                sex=data.sex,
                nationality=data.nationality,
                place_of_birth=data.place_of_birth,
                country_of_birth=data.country_of_birth,
                document_type=data.document_type,
                document_number=data.document_number,
                document_number_key=document_key(data.document_number),
                document_country=data.document_country,
                document_expiry=data.document_expiry,
                document_file=stored_name,
                document_content_type=document.content_type,
                foreign_id_number=data.foreign_id_number,
                foreign_id_key=foreign_key,
                address_abroad=data.address_abroad,
                stay_address=data.stay_address,
                stay_co=data.stay_co,
                phone=data.phone,
                email=data.email,
                letter_language=data.letter_language,
                entry_date=data.entry_date,
                purpose=data.purpose,
                expected_stay_months=data.expected_stay_months,
                receives_pd_u2=data.receives_pd_u2,
                pd_u2_date=data.pd_u2_date if data.receives_pd_u2 else None,
                category=data.category,
                offer_kind=data.offer_kind if data.category == Category.OFFER else "",
                asylum_case_id=data.asylum_case_id,
                decision_date=data.decision_date,
                decision_reference=data.decision_reference,
                residence_registered=data.residence_registered,
                warnings_confirmed=sorted(warning.code for warning in warnings),
                registered_as_jobseeker_at=now,
                created_by=user,
            )
            audit_records(
                _duplicate_check_entry(data, key, 0),
                AuditEvent(action=Action.CREATE, subject=registration),
                AuditEvent(action=Action.CREATE, subject=account),
                user=user,
                request=request,
            )
    except DuplicateFound as found:
        _discard(storage, stored_name)
        _audit_duplicate_check(data, key, len(found.matches), user, request)
        raise
    except IntegrityError:
        _discard(storage, stored_name)
        again = Registration.objects.filter(submission_token=submission_token).first()
        if again is not None:
            return again, False
        # A concurrent intake registered the same document or foreign ID first.
        matches = find_duplicates(
            surname=data.surname,
            given_names=data.given_names,
            birth_date=data.birth_date,
            document_country=data.document_country,
            document_number=data.document_number,
            nationality=data.nationality,
            foreign_id_key=foreign_key,
        )
        _audit_duplicate_check(data, key, len(matches), user, request)
        raise DuplicateFound(matches) from None
    except BaseException:
        _discard(storage, stored_name)
        raise
    return registration, True


def _duplicate_check_entry(data: IntakeData, key: str, matches: int) -> AuditEvent:
    return AuditEvent(
        action=Action.DUPLICATE_CHECK,
        criteria={
            "name_key": key,
            "birth_date": data.birth_date.isoformat(),
            "document": f"{data.document_country}:{document_key(data.document_number)}",
            "foreign_id": document_key(data.foreign_id_number),
            "matches": matches,
        },
    )


def _audit_duplicate_check(
    data: IntakeData, key: str, matches: int, user: Any, request: HttpRequest | None
) -> None:
    audit_records(_duplicate_check_entry(data, key, matches), user=user, request=request)


def _discard(storage: Any, name: str | None) -> None:
    if name:
        storage.delete(name)


@transaction.atomic
def offer_create(
    *,
    registration: Registration,
    kind: str,
    provider: str,
    starts_on: date,
    ends_on: date | None,
    user: Any,
    request: HttpRequest | None = None,
) -> Offer:
    offer = Offer(
        registration=registration,
        kind=kind,
        provider=provider,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=user,
    )
    offer.full_clean()
    offer.save()
    audit_record(
        user=user,
        action=Action.UPDATE,
        subject=registration,
        criteria={"offer": offer.pk, "kind": kind},
        request=request,
    )
    return offer


class RegistrationAnnulled(DomainError):
    code = "registration_annulled"
    template = gettext_noop(
        "Registreringen er annulleret. Der kan ikke udskrives et Jobnet-brev til den."
    )


def letter_data(registration: Registration, *, today: date) -> LetterData:
    """What the letter needs, taken from the registration (jobnet never sees the model)."""
    jobcentre = registration.jobcentre
    address = [f"c/o {registration.stay_co}"] if registration.stay_co else []
    address += [line.strip() for line in registration.stay_address.splitlines() if line.strip()]
    return LetterData(
        name=registration.full_name,
        address_lines=tuple(address),
        personnummer=registration.personnummer,
        jobcentre_name=jobcentre.name,
        jobcentre_address_lines=tuple(
            part.strip() for part in jobcentre.address.split(",") if part.strip()
        ),
        jobcentre_phone=jobcentre.phone,
        jobcentre_email=jobcentre.email,
        letter_date=today,
        language=registration.letter_language,
    )


@transaction.atomic
def registration_letter_print(
    *, registration: Registration, user: Any, request: HttpRequest | None = None
) -> bytes:
    """Print the Jobnet letter with a new one-time password; the old one stops working.

    Refused for an annulled registration. A registration made before Jobnet
    accounts existed gets its account at the first print.
    """
    registration = (
        Registration.objects.select_for_update()
        .select_related("jobcentre", "allocation")
        .get(pk=registration.pk)
    )
    if registration.review_status == ReviewStatus.ANNULLED:
        raise RegistrationAnnulled()
    if registration.jobnet_account_id is None:
        registration.jobnet_account = jobnet_account_create(issued_by=user, request=request)
        registration.save(update_fields=["jobnet_account"])
    return letter_print(
        account=registration.jobnet_account,
        letter=letter_data(registration, today=timezone.localdate()),
        printed_by=user,
        request=request,
    )
