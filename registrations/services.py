"""Writes of the intake: decide, then store, in one transaction.

An intake goes through three steps:

1. :func:`registrations.intake.intake_decide`, pure: blocks, warnings and the
   derived values;
2. :func:`registration_create`, one transaction: the nationwide duplicate
   check, the number, the Jobnet account, the registration and the access log;
3. :func:`registrations.files.stored_document` around it, which removes the
   document's file on any failure unless the registration was committed.

:func:`registration_submit` runs them for the intake view and ``seed_demo``.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from apoc.audit.services import Action, AuditContext, AuditEvent, audit_record, audit_records
from apoc.db import reconnect_if_broken
from apoc.exceptions import DomainError, gettext_noop
from apoc.training import is_training
from cpr.eligibility import NotEligible
from cpr.exceptions import AlreadyRegistered
from cpr.personnummer import try_parse
from cpr.services import allocate_personnummer, record_existing_personnummer
from jobnet.letters import LetterData
from jobnet.services import jobnet_account_create, jobnet_account_new, letter_print

from .files import SubmittedDocument, discard_unless_referenced, stored_document
from .intake import IntakeData, IntakeDecision, PersonKeys, WarningsNotConfirmed, intake_decide
from .models import IntakeRefusal, Offer, Registration, ReviewStatus
from .selectors import DuplicateMatch, find_duplicates

__all__ = [
    "DuplicateFound",
    "IntakeData",
    "NoJobcentre",
    "SubmittedDocument",
    "WarningsNotConfirmed",
    "intake_refusal_record",
    "offer_create",
    "registration_create",
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


def registration_submit(
    *,
    data: IntakeData,
    document: SubmittedDocument,
    confirmed_warnings: frozenset[str],
    submission_token: uuid.UUID,
    by: AuditContext,
    today: date,
) -> tuple[Registration, bool]:
    """Register the person and allocate their administrative personnummer.

    Returns the registration and whether this call created it (False when the
    same submission came again). Raises ``NotEligible``, an invalid foreign ID's
    error, ``WarningsNotConfirmed``, ``DuplicateFound`` or ``NoJobcentre``.
    """
    if not by.jobcentre_id:
        raise NoJobcentre()
    existing = Registration.objects.filter(submission_token=submission_token).first()
    if existing is not None:
        return existing, False
    decision = intake_decide(data, today=today)
    refusal = decision.refusal(confirmed_warnings)
    if isinstance(refusal, NotEligible):
        intake_refusal_record(data=data, decision=decision, by=by, today=today)
    if refusal is not None:
        raise refusal
    try:
        with stored_document(document) as name:
            return _create_or_recover(decision, name, document.content_type, submission_token, by)
    except DuplicateFound as found:
        _audit_duplicate_check(by, decision.keys, len(found.matches))
        raise


def _create_or_recover(
    decision: IntakeDecision,
    document_name: str,
    content_type: str,
    token: uuid.UUID,
    by: AuditContext,
) -> tuple[Registration, bool]:
    """Create the registration, or find what a failed commit left behind."""
    try:
        registration = registration_create(
            decision=decision,
            document_name=document_name,
            document_content_type=content_type,
            submission_token=token,
            by=by,
        )
        return registration, True
    except DatabaseError as error:
        committed = _registration_by_token(token)
        if committed is not None and committed.document_file.name == document_name:
            return committed, True  # committed, but the commit's reply was lost
        if committed is not None:  # the same submission, committed by a concurrent request
            discard_unless_referenced(document_name)
            return committed, False
        if isinstance(error, IntegrityError):
            # A concurrent intake registered the same document or foreign ID first.
            raise DuplicateFound(find_duplicates(decision.keys)) from None
        raise


def _registration_by_token(token: uuid.UUID) -> Registration | None:
    """The registration of a submission, asked after a failure; None if the database cannot say."""
    try:
        reconnect_if_broken()
        return Registration.objects.filter(submission_token=token).first()
    except DatabaseError:
        return None


def registration_create(
    *,
    decision: IntakeDecision,
    document_name: str,
    document_content_type: str,
    submission_token: uuid.UUID,
    by: AuditContext,
) -> Registration:
    """Store what :func:`intake_decide` decided, in one transaction.

    The nationwide duplicate check, the number, the Jobnet account, the
    registration as jobseeker and the access log. Raises ``DuplicateFound``.
    """
    with transaction.atomic():
        _lock_person(decision.keys)
        matches = find_duplicates(decision.keys)
        if matches:
            raise DuplicateFound(matches)
        registration = Registration.objects.create(
            **decision.values,
            allocation=allocate_personnummer(
                birth_date=decision.keys.birth_date,
                sex=decision.values["sex"],
                allocated_by=by.user,
            ),
            jobnet_account=jobnet_account_new(issued_by=by.user),
            jobcentre_id=by.jobcentre_id,
            submission_token=submission_token,
            document_file=document_name,
            document_content_type=document_content_type,
            warnings_confirmed=decision.warning_codes,
            registered_as_jobseeker_at=timezone.now(),
            created_by=by.user,
        )
        audit_records(
            by,
            _duplicate_check_event(decision.keys, 0),
            AuditEvent(action=Action.CREATE, subject=registration),
            AuditEvent(action=Action.CREATE, subject=registration.jobnet_account),
        )
    return registration


def _lock_person(keys: PersonKeys) -> None:
    """Serialise concurrent intakes of one person on PostgreSQL (a transaction lock)."""
    if connection.vendor != "postgresql":
        return  # SQLite allows one writer at a time
    person = f"{keys.name_key}|{keys.birth_date.isoformat()}"
    digest = hashlib.blake2b(person.encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)]
        )


def _duplicate_check_event(keys: PersonKeys, matches: int) -> AuditEvent:
    return AuditEvent(
        action=Action.DUPLICATE_CHECK, criteria={**keys.as_criteria(), "matches": matches}
    )


def _audit_duplicate_check(by: AuditContext, keys: PersonKeys, matches: int) -> None:
    audit_records(by, _duplicate_check_event(keys, matches))


@transaction.atomic
def intake_refusal_record(
    *, data: IntakeData, decision: IntakeDecision, by: AuditContext, today: date
) -> None:
    """Record a refused intake without personal data, and the person's existing number.

    The number a person presents goes into the register even when the intake
    is refused, so that it is never handed out to anybody else.
    """
    IntakeRefusal.objects.create(
        jobcentre_id=by.jobcentre_id,
        category=data.category,
        nationality=data.nationality,
        reason_codes=list(decision.eligibility.block_codes),
    )
    number = try_parse(data.existing_personnummer, today) if data.has_personnummer else None
    if number is None or number.is_replacement:
        return
    try:
        allocation = record_existing_personnummer(number=number, recorded_by=by.user)
    except AlreadyRegistered:
        return
    audit_record(by, action=Action.CREATE, subject=allocation)


@transaction.atomic
def offer_create(
    *,
    registration: Registration,
    kind: str,
    provider: str,
    starts_on: date,
    ends_on: date | None,
    by: AuditContext,
) -> Offer:
    offer = Offer(
        registration=registration,
        kind=kind,
        provider=provider,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=by.user,
    )
    offer.full_clean()
    offer.save()
    audit_record(
        by,
        action=Action.UPDATE,
        subject=registration,
        criteria={"offer": offer.pk, "kind": kind},
    )
    return offer


class RegistrationAnnulled(DomainError):
    code = "registration_annulled"
    template = gettext_noop(
        "Registreringen er annulleret. Der kan ikke udskrives et Jobnet-brev til den."
    )


def letter_data(registration: Registration, *, today: date) -> LetterData:
    """What the letter needs, taken from the registration (jobnet never sees the model).

    In training mode (``APOC_TRAINING``) the letter carries the training band.
    """
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
        training=is_training(),
    )


@transaction.atomic
def registration_letter_print(*, registration: Registration, by: AuditContext) -> bytes:
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
        registration.jobnet_account = jobnet_account_create(by=by)
        registration.save(update_fields=["jobnet_account"])
    return letter_print(
        account=registration.jobnet_account,
        letter=letter_data(registration, today=timezone.localdate()),
        by=by,
    )
