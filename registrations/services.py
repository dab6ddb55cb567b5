"""Writes of the intake: decide, then store, in one transaction.

An intake goes through three steps:

1. :func:`registrations.intake.intake_decide`, pure: blocks, warnings and the
   derived values;
2. :func:`registration_create`, one transaction: the nationwide duplicate
   check, the number, the Jobnet account (when the configured source of Jobnet
   logins makes one at the intake), the registration and the access log;
3. :func:`registrations.files.stored_document` around it, which removes the
   document's file on any failure unless the registration was committed (or,
   when the database cannot say, may have been: the COMMIT itself failed).

:func:`registration_submit` runs them for the intake view and ``seed_demo``.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import date

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from apoc.accounts.contact import Hours, InvalidOpeningHours, parse_opening_hours
from apoc.accounts.models import Jobcentre
from apoc.audit.services import (
    Action,
    AuditContext,
    AuditEvent,
    Shown,
    audit_record,
    audit_records,
)
from apoc.db import reconnect_if_broken
from apoc.exceptions import DomainError, gettext_noop
from apoc.training import is_training
from cpr.eligibility import NotEligible
from cpr.exceptions import AlreadyRegistered
from cpr.models import Allocation
from cpr.services import (
    allocate_personnummer,
    existing_number_use,
    record_existing_personnummer,
)
from jobnet.accounts import get_accounts
from jobnet.letters import Credentials, LetterData

from .cpr_check import CprAnswer, candidate_rows, cpr_check, with_cpr
from .files import StoredFile, SubmittedDocument, discard_unless_referenced, stored_document
from .intake import IntakeData, IntakeDecision, PersonKeys, WarningsNotConfirmed, intake_decide
from .models import AnnulmentReason, CprCheck, IntakeRefusal, NameKey, Offer, Registration
from .selectors import DuplicateMatch, find_duplicates, survivor_match
from .statistics import statistics_refusal_recorded, statistics_registration_created

__all__ = [
    "AnnulledRegistrationFound",
    "DuplicateFound",
    "IntakeData",
    "NoJobcentre",
    "SubmittedDocument",
    "WarningsNotConfirmed",
    "intake_refusal_record",
    "offer_create",
    "presented_number_record",
    "registration_create",
    "registration_letter_print",
    "registration_submit",
]

logger = logging.getLogger(__name__)


class DuplicateFound(DomainError):
    """The person may already have a number: no second one is allocated."""

    code = "duplicate"
    template = gettext_noop(
        "Personen ser ud til allerede at være registreret. Der tildeles ikke et nyt personnummer."
    )

    def __init__(self, matches: list[DuplicateMatch]) -> None:
        self.matches = matches
        super().__init__()


class AnnulledRegistrationFound(DomainError):
    """The person has an annulled registration that only a supervisor may let go."""

    code = "annulled_registration"
    template = gettext_noop(
        "Personen har en annulleret registrering (%(masked)s hos %(jobcentre)s), og "
        "annulleringens årsag giver ikke ret til et nyt personnummer. Kun en teamleder kan "
        "tillade et nyt nummer: bed teamlederen se på den annullerede registrering."
    )

    def __init__(self, match: DuplicateMatch) -> None:
        self.match = match
        super().__init__(
            params={"masked": match.masked_personnummer, "jobcentre": match.jobcentre_name}
        )


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
    cpr_answer: CprAnswer | None = None,
) -> tuple[Registration, bool]:
    """Register the person and allocate their administrative personnummer.

    Returns the registration and whether this call created it (False when the
    same submission came again). Raises ``NotEligible``, an invalid foreign ID's
    error, ``CprCandidatesFound`` (the caseworker must answer ``cpr_answer``),
    ``WarningsNotConfirmed``, ``DuplicateFound`` or ``NoJobcentre``.
    """
    if not by.jobcentre_id:
        raise NoJobcentre()
    decision = intake_decide(
        data, today=today, jobcentre_municipality=by.user.jobcentre.municipality_code
    )
    _refuse(decision.refusal(confirmed_warnings, warnings=False), data, decision, by)
    result = cpr_check(
        data=data, decision=decision, answer=cpr_answer, today=today, on_behalf_of=by.username
    )
    decision = with_cpr(decision, result)
    _refuse(decision.refusal(confirmed_warnings), data, decision, by)
    try:
        with stored_document(document) as stored:
            return _create_or_recover(decision, stored, document.content_type, submission_token, by)
    except _AlreadyStored as stored_before:
        # The same submission came again (the view answers a plain retry before this).
        return Registration.objects.get(pk=stored_before.registration_id), False
    except DuplicateFound as found:
        _audit_duplicate_check(by, decision.keys, [m.registration_id for m in found.matches])
        raise
    except AnnulledRegistrationFound as found:
        _audit_duplicate_check(by, decision.keys, [found.match.registration_id])
        raise


def _refuse(
    refusal: DomainError | None, data: IntakeData, decision: IntakeDecision, by: AuditContext
) -> None:
    """Stop the intake with ``refusal``, keeping what must be kept of it."""
    if refusal is None:
        return
    presented_number_record(decision=decision, by=by)
    if isinstance(refusal, NotEligible):
        intake_refusal_record(data=data, decision=decision, by=by)
    raise refusal


def _create_or_recover(
    decision: IntakeDecision,
    stored: StoredFile,
    content_type: str,
    token: uuid.UUID,
    by: AuditContext,
) -> tuple[Registration, bool]:
    """Create the registration, or find what a failed commit left behind."""
    try:
        with transaction.atomic():
            registration = _registration_store(
                decision=decision,
                document_name=stored.name,
                document_content_type=content_type,
                submission_token=token,
                by=by,
            )
            stored.committing = True  # a failure from here on may be a COMMIT that went through
        return registration, True
    except DatabaseError as error:
        committed = _registration_by_token(token)
        if committed is not None and committed.document_file.name == stored.name:
            return committed, True  # committed, but the commit's reply was lost
        if committed is not None:  # the same submission, committed by a concurrent request
            discard_unless_referenced(stored.name)
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

    The nationwide duplicate check, the number (the person's own, or a new
    one), the registration, its offer and, when the person is registered as
    jobseeker, the Jobnet account the source of logins makes at the intake
    (:meth:`jobnet.accounts.JobnetAccounts.account_for_intake`: APOC's own
    in training, none when the login comes from the case system), and the
    access log. Raises ``DuplicateFound``,
    ``AnnulledRegistrationFound`` and the register's errors.
    """
    with transaction.atomic():
        return _registration_store(
            decision=decision,
            document_name=document_name,
            document_content_type=document_content_type,
            submission_token=submission_token,
            by=by,
        )


def _registration_store(
    *,
    decision: IntakeDecision,
    document_name: str,
    document_content_type: str,
    submission_token: uuid.UUID,
    by: AuditContext,
) -> Registration:
    """The writes of :func:`registration_create`, in the caller's transaction."""
    _lock_person(decision.keys)
    replaces = _check_duplicates(decision.keys, submission_token)
    jobseeker = decision.jobseeker
    registration = Registration.objects.create(
        **decision.values,
        allocation=_number(decision, by),
        jobnet_account=(
            get_accounts().account_for_intake(issued_by=by.user) if jobseeker else None
        ),
        jobcentre_id=by.jobcentre_id,
        submission_token=submission_token,
        document_file=document_name,
        document_content_type=document_content_type,
        warnings_confirmed=decision.warning_codes,
        registered_as_jobseeker_at=timezone.now() if jobseeker else None,
        replaces_id=replaces,
        cpr_pending=bool(decision.cpr and decision.cpr.pending),
        created_by=by.user,
    )
    _record_cpr_check(decision, registration, by)
    name_keys_store(registration, decision.keys.name_keys)
    if decision.offer is not None:
        Offer.objects.create(registration=registration, created_by=by.user, **decision.offer)
    audit_records(by, *_created_events(decision, registration))
    statistics_registration_created(registration)  # last: the counters' rows lock briefly
    return registration


def _record_cpr_check(
    decision: IntakeDecision, registration: Registration, by: AuditContext
) -> None:
    result = decision.cpr
    if result is None:
        return
    CprCheck.objects.create(
        registration=registration,
        kind=result.kind,
        result=result.result,
        candidates=candidate_rows(result.candidates),
        reason=result.reason,
        checked_by=by.user,
    )


def name_keys_store(registration: Registration, keys: frozenset[str]) -> None:
    """The name's keys for the duplicate check, one statement."""
    NameKey.objects.bulk_create(
        [
            NameKey(registration=registration, key=key, birth_date=registration.birth_date)
            for key in sorted(keys)
        ]
    )


def _created_events(decision: IntakeDecision, registration: Registration) -> list[AuditEvent]:
    events = [
        _duplicate_check_event(decision.keys, []),
        AuditEvent(action=Action.CREATE, subject=registration),
    ]
    result = decision.cpr
    if result is not None and result.kind != "none":
        criteria = {"kind": result.kind, "result": result.result, "found": len(result.candidates)}
        if result.chosen is not None:
            criteria["chosen"] = result.chosen.masked
        events.append(AuditEvent(action=Action.CPR_LOOKUP, subject=registration, criteria=criteria))
    if decision.existing_number is not None:
        events.append(AuditEvent(action=Action.CREATE, subject=registration.allocation))
    if registration.jobnet_account_id is not None:
        events.append(AuditEvent(action=Action.CREATE, subject=registration.jobnet_account))
    return events


class _AlreadyStored(Exception):
    """This submission's registration exists already: the intake is not made twice."""

    def __init__(self, registration_id: int) -> None:
        super().__init__(registration_id)
        self.registration_id = registration_id


def _check_duplicates(keys: PersonKeys, submission_token: uuid.UUID | None = None) -> int | None:
    """Raise for a registration the person already has; return the annulled one a new
    number replaces, if any. A registration that ``submission_token`` made already is
    ``_AlreadyStored``: the same submission, come again (the submission token is unique,
    so the database stays the arbiter when the two meet concurrently).

    An annulled registration decides by the reason it was annulled for: a number
    with a wrong birth date or sex is replaced; a duplicate leads to the number
    the person kept; one made by mistake or for a person not eligible needs a
    supervisor's permission before a new number is given.
    """
    matches = find_duplicates(keys, submission_token=submission_token)
    for match in matches:
        if match.same_submission:
            raise _AlreadyStored(match.registration_id)
    in_force = [match for match in matches if not match.annulled]
    if in_force:
        raise DuplicateFound(in_force)
    replaces = None
    for match in matches:  # only annulled ones here, oldest first
        if match.annulment_reason == AnnulmentReason.DUPLICATE:
            survivor = survivor_match(match)
            if survivor is not None and not survivor.annulled:
                raise DuplicateFound([survivor])
        elif match.annulment_reason != AnnulmentReason.WRONG_DATA and not match.new_number_allowed:
            raise AnnulledRegistrationFound(match)
        replaces = match.registration_id
    return replaces


def _number(decision: IntakeDecision, by: AuditContext) -> Allocation:
    """The person's own number, put into the register, or a new one."""
    number = decision.existing_number
    if number is None:
        return allocate_personnummer(
            birth_date=decision.keys.birth_date,
            sex=decision.values["sex"],
            allocated_by=by.user,
            issued_number=decision.issued_number,
        )
    return existing_number_use(number=number, recorded_by=by.user)


def _lock_person(keys: PersonKeys) -> None:
    """Serialise concurrent intakes of one person on PostgreSQL (a transaction lock).

    The lock is on the birth date: two spellings of one name share *a* key, not
    one known in advance, and intakes of people born on the same day are rare
    enough to wait for each other.
    """
    if connection.vendor != "postgresql":
        return  # SQLite allows one writer at a time
    digest = hashlib.blake2b(f"person|{keys.birth_date.isoformat()}".encode(), digest_size=8)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)",
            [int.from_bytes(digest.digest(), "big", signed=True)],
        )


def _duplicate_check_event(keys: PersonKeys, shown: list[int]) -> AuditEvent:
    """The check, and the registrations it showed the caseworker (masked number, jobcentre)."""
    return AuditEvent(
        action=Action.DUPLICATE_CHECK,
        criteria={**keys.as_criteria(), "matches": len(shown)},
        shown=Shown.of(Registration, shown) if shown else None,
    )


def _audit_duplicate_check(by: AuditContext, keys: PersonKeys, shown: list[int]) -> None:
    audit_records(by, _duplicate_check_event(keys, shown))


@transaction.atomic
def intake_refusal_record(*, data: IntakeData, decision: IntakeDecision, by: AuditContext) -> None:
    """Record a refused intake without personal data, for the statistics by reason."""
    refusal = IntakeRefusal.objects.create(
        jobcentre_id=by.jobcentre_id,
        category=data.category,
        nationality=data.nationality,
        reason_codes=list(decision.eligibility.block_codes),
    )
    statistics_refusal_recorded(refusal)


@transaction.atomic
def presented_number_record(*, decision: IntakeDecision, by: AuditContext) -> None:
    """Put the valid number a person presented into the register, so that it is never
    handed out to anybody else: also when the intake stops at a refusal or a warning."""
    if decision.existing_number is None:
        return
    try:
        allocation = record_existing_personnummer(
            number=decision.existing_number, recorded_by=by.user
        )
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
    """Record an offer or Danish education. Refused for an annulled registration."""
    if registration.is_annulled:
        raise RegistrationAnnulled()
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
        "Registreringen er annulleret, og personnummeret bruges ikke længere. Der kan ikke "
        "udskrives Jobnet-breve, registreres tilbud eller ændres noget på den."
    )


class NotJobseeker(DomainError):
    code = "not_jobseeker"
    template = gettext_noop(
        "Personen er ikke tilmeldt som jobsøgende, så der udskrives intet Jobnet-brev. Tilmeld "
        "personen som jobsøgende på registreringens side, hvis personen vil søge job."
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
        jobcentre_opening_hours=_opening_hours(jobcentre),
        letter_date=today,
        language=registration.letter_language,
        training=is_training(),
    )


def _opening_hours(jobcentre: Jobcentre) -> tuple[Hours, ...]:
    """The jobcentre's opening hours as data. The admin stores them only as it reads them;
    text it cannot read (changed some other way) is left out of the letter and logged."""
    try:
        return parse_opening_hours(jobcentre.opening_hours)
    except InvalidOpeningHours:
        logger.warning(
            "The opening hours of %s cannot be read; the letter leaves them out.", jobcentre
        )
        return ()


@sensitive_variables("login")
@transaction.atomic
def registration_letter_print(
    *, registration: Registration, by: AuditContext, login: Credentials | None = None
) -> bytes:
    """Print the Jobnet letter with the login of the configured source (``JOBNET_ACCOUNTS``).

    APOC's own source draws a new one-time password, and the old one stops
    working; with logins from the case system ``login`` is what the caseworker
    typed (:func:`jobnet.services.typed_login`), and APOC keeps none of it.
    Refused for an annulled registration and for a person not registered as
    jobseeker. A registration without an account (made before Jobnet accounts
    existed, or with logins from the case system) gets one at the first print.
    """
    registration = (
        Registration.objects.select_for_update(of=("self",), no_key=True)
        .select_related("jobcentre", "allocation")
        .get(pk=registration.pk)
    )
    if registration.is_annulled:
        raise RegistrationAnnulled()
    if not registration.is_jobseeker:
        raise NotJobseeker()
    accounts = get_accounts()
    if registration.jobnet_account_id is None:
        registration.jobnet_account = accounts.account_create(by=by)
        registration.save(update_fields=["jobnet_account"])
    return accounts.letter_print(
        account=registration.jobnet_account,
        letter=letter_data(registration, today=timezone.localdate()),
        login=login,
        by=by,
    )
