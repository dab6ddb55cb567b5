"""The life of a registration after the counter: jobseeker status, moves, CPR status.

Each service locks the registration's row, checks the user's right and the
registration's state, changes it and writes the access log, in one
transaction. An annulled registration refuses every change
(``RegistrationAnnulled``).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from apoc.accounts.models import Jobcentre
from apoc.accounts.scope import scope_for
from apoc.audit.services import Action, AuditContext, audit_record
from apoc.exceptions import DomainError, gettext_noop
from cpr.models import CprStatusChange
from cpr.services import StatusNotAllowed, cpr_status_change

from .models import AnnulmentReason, JobseekerEnd, Registration, RegistrationTransfer
from .services import RegistrationAnnulled
from .statistics import counted, statistics_registration_changed

__all__ = [
    "AlreadyJobseeker",
    "NotAllowed",
    "NotJobseekerNow",
    "SameJobcentre",
    "StatusNotAllowed",
    "registration_allow_new_number",
    "registration_cpr_status",
    "registration_jobseeker_end",
    "registration_jobseeker_start",
    "registration_transfer",
]


class NotAllowed(DomainError):
    code = "lifecycle_not_allowed"
    template = gettext_noop("Du har ikke ret til at ændre registreringen %(masked)s.")


class AlreadyJobseeker(DomainError):
    code = "already_jobseeker"
    template = gettext_noop("Personen er allerede tilmeldt som jobsøgende.")


class NotJobseekerNow(DomainError):
    code = "not_jobseeker_now"
    template = gettext_noop("Personen er ikke tilmeldt som jobsøgende og kan ikke afmeldes.")


class SameJobcentre(DomainError):
    code = "same_jobcentre"
    template = gettext_noop("Registreringen hører allerede til %(jobcentre)s.")


class NewNumberNotNeeded(DomainError):
    code = "new_number_not_needed"
    template = gettext_noop(
        "Registreringen er ikke annulleret som fejlregistrering eller for en person, der ikke "
        "var berettiget, så der skal ikke gives tilladelse til et nyt nummer."
    )


def _locked(registration: Registration, by: AuditContext, permission: str) -> Registration:
    """The registration re-read under a row lock, if ``by`` may change it."""
    current = (
        Registration.objects.select_for_update(of=("self",), no_key=True)
        .select_related("allocation", "jobcentre")
        .get(pk=registration.pk)
    )
    user = by.user
    if not (user.has_perm(permission) and scope_for(user).allows(current.jobcentre_id)):
        raise NotAllowed(params={"masked": current.masked_personnummer})
    return current


def _in_force(registration: Registration, by: AuditContext, permission: str) -> Registration:
    current = _locked(registration, by, permission)
    if current.is_annulled:
        raise RegistrationAnnulled()
    return current


@transaction.atomic
def registration_jobseeker_start(*, registration: Registration, by: AuditContext) -> Registration:
    """Register the person as jobseeker (later than the intake, or again after an end)."""
    current = _in_force(registration, by, "registrations.add_offer")
    if current.is_jobseeker:
        raise AlreadyJobseeker()
    current.registered_as_jobseeker_at = timezone.now()
    current.jobseeker_ended_at = None
    current.jobseeker_end_reason = ""
    current.save(
        update_fields=["registered_as_jobseeker_at", "jobseeker_ended_at", "jobseeker_end_reason"]
    )
    audit_record(by, action=Action.UPDATE, subject=current, criteria={"jobseeker": "start"})
    return current


@transaction.atomic
def registration_jobseeker_end(
    *, registration: Registration, reason: str, by: AuditContext
) -> Registration:
    """End the registration as jobseeker (afmelding), with a reason."""
    current = _in_force(registration, by, "registrations.add_offer")
    if not current.is_jobseeker:
        raise NotJobseekerNow()
    current.jobseeker_ended_at = timezone.now()
    current.jobseeker_end_reason = JobseekerEnd(reason).value
    current.save(update_fields=["jobseeker_ended_at", "jobseeker_end_reason"])
    audit_record(
        by,
        action=Action.UPDATE,
        subject=current,
        criteria={"jobseeker": "end", "reason": current.jobseeker_end_reason},
    )
    return current


@transaction.atomic
def registration_transfer(
    *, registration: Registration, to_jobcentre: Jobcentre, reason: str, by: AuditContext
) -> Registration:
    """Move the registration to the jobcentre of the municipality the person moved to.

    The old jobcentre keeps its own history in the access log, and sees nothing
    of the registration after the move. Both jobcentres see the transfer.
    """
    current = _in_force(registration, by, "registrations.review_registration")
    if current.jobcentre_id == to_jobcentre.pk:
        raise SameJobcentre(params={"jobcentre": to_jobcentre.name})
    transfer = RegistrationTransfer.objects.create(
        registration=current,
        from_jobcentre_id=current.jobcentre_id,
        to_jobcentre=to_jobcentre,
        reason=reason.strip(),
        transferred_by=by.user,
    )
    counted_before = counted(current)
    current.jobcentre = to_jobcentre
    current.stay_municipality = to_jobcentre.municipality_code
    current.save(update_fields=["jobcentre", "stay_municipality"])
    audit_record(
        by,
        action=Action.TRANSFER,
        subject=current,
        criteria={
            "from_jobcentre": transfer.from_jobcentre_id,
            "to_jobcentre": to_jobcentre.pk,
            "reason": transfer.reason,
        },
    )
    statistics_registration_changed(counted_before, current)  # last: the counters lock briefly
    return current


@transaction.atomic
def registration_cpr_status(
    *,
    registration: Registration,
    status: str,
    effective_date: date,
    source: str,
    note: str = "",
    by: AuditContext,
) -> CprStatusChange:
    """Record that the number's CPR status changed: residence, emigration, death, ….

    The person keeps the number; a final status (annulled, dead, …) takes no
    further change. An annulment goes through the review, not here.
    """
    current = _in_force(registration, by, "registrations.review_registration")
    return cpr_status_change(
        allocation=current.allocation,
        status=status,
        effective_date=effective_date,
        source=source,
        note=note,
        by=by,
    )


@transaction.atomic
def registration_allow_new_number(
    *, registration: Registration, comment: str, by: AuditContext
) -> Registration:
    """Let a person whose registration was annulled by mistake (or as not eligible) have a
    new number after all; the next intake then replaces this registration."""
    current = _locked(registration, by, "registrations.review_registration")
    if not current.is_annulled or current.annulment_reason in (
        AnnulmentReason.WRONG_DATA,
        AnnulmentReason.DUPLICATE,
    ):
        raise NewNumberNotNeeded()
    current.new_number_allowed_by = by.user
    current.new_number_allowed_at = timezone.now()
    current.save(update_fields=["new_number_allowed_by", "new_number_allowed_at"])
    audit_record(
        by,
        action=Action.REVIEW,
        subject=current,
        criteria={"new_number": "allowed", "comment": comment},
    )
    return current
