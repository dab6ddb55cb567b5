"""The supervisor's review of allocations: approve, flag for follow-up, annul.

The allowed transitions live in :data:`TRANSITIONS` and nowhere else; the admin
only calls the services here. Each service locks the registration's row, checks
the user's right and the transition against the status in the database, changes
the registration, and writes the access log, in one transaction.

Batches (:func:`registrations_review`) are *not* all-or-nothing: each
registration is reviewed in its own transaction, and the result says, per
registration, whether it was changed or why not. A supervisor who selects
today's 40 allocations to approve, one of which a colleague annulled a minute
ago, gets 39 approved and one clear refusal instead of having to find the odd
one out and start again. Every refusal leaves its registration unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from apoc.accounts.scope import scope_for
from apoc.audit.services import Action, AuditContext, audit_record
from apoc.exceptions import DomainError, Msg, gettext_noop
from cpr.services import allocation_annul
from jobnet.services import jobnet_account_disable

from .models import AnnulmentReason, Registration, ReviewStatus
from .statistics import counted, statistics_registration_changed

__all__ = [
    "BATCH_LIMIT",
    "REVIEW_ACTIONS",
    "TRANSITIONS",
    "Annulment",
    "BatchResult",
    "BatchTooLarge",
    "InvalidTransition",
    "ReasonRequired",
    "ReviewNotAllowed",
    "SurvivorRequired",
    "allowed_targets",
    "registration_annul",
    "registration_approve",
    "registration_flag",
    "registrations_review",
]

_PENDING, _APPROVED, _FLAGGED, _ANNULLED = (
    ReviewStatus.PENDING.value,
    ReviewStatus.APPROVED.value,
    ReviewStatus.FLAGGED.value,
    ReviewStatus.ANNULLED.value,
)

#: From each review status, the statuses a supervisor may move a registration to.
#: Annulment is final: the number has CPR status 30 and is never handed out again.
#: No status moves to itself: approving an approved registration is refused, so
#: that the reviewer and time of the first decision are never overwritten.
TRANSITIONS: dict[str, frozenset[str]] = {
    _PENDING: frozenset({_APPROVED, _FLAGGED, _ANNULLED}),
    _FLAGGED: frozenset({_APPROVED, _ANNULLED}),
    _APPROVED: frozenset({_FLAGGED, _ANNULLED}),
    _ANNULLED: frozenset(),
}

#: Review action name -> the status it leads to. The names are the admin's too.
REVIEW_ACTIONS: dict[str, str] = {
    "approve": _APPROVED,
    "flag": _FLAGGED,
    "annul": _ANNULLED,
}

#: How many registrations one batch may review. "Select all" on a filtered list
#: of a million rows must not turn into a million transactions in one request.
BATCH_LIMIT = 500

#: The statuses' names as msgids (the same msgids as ReviewStatus' labels).
_STATUS_NAMES: dict[str, str] = {
    _PENDING: gettext_noop("afventer gennemgang"),
    _APPROVED: gettext_noop("godkendt"),
    _FLAGGED: gettext_noop("markeret til opfølgning"),
    _ANNULLED: gettext_noop("annulleret"),
}


class InvalidTransition(DomainError):
    code = "invalid_transition"
    template = gettext_noop(
        "%(masked)s kan ikke blive %(target)s, fordi registreringen er %(current)s."
    )


class ReasonRequired(DomainError):
    code = "reason_required"
    template = gettext_noop("Skriv en begrundelse. Den gemmes i adgangsloggen.")


class ReviewNotAllowed(DomainError):
    code = "review_not_allowed"
    template = gettext_noop("Du har ikke ret til at gennemgå registreringen %(masked)s.")


class SurvivorRequired(DomainError):
    code = "survivor_required"
    template = gettext_noop(
        "Ved et dobbeltnummer skal du angive det personnummer, personen beholder. Det skal "
        "høre til en anden registrering, som ikke er annulleret."
    )


class BatchTooLarge(DomainError):
    code = "batch_too_large"
    template = gettext_noop(
        "Vælg højst %(limit)d registreringer ad gangen. Du valgte %(count)d. "
        "Afgræns listen med filtrene først."
    )


def allowed_targets(status: str) -> frozenset[str]:
    """The statuses a registration in ``status`` may move to."""
    return TRANSITIONS.get(status, frozenset())


def _check_transition(registration: Registration, target: str) -> None:
    if target not in allowed_targets(registration.review_status):
        raise InvalidTransition(
            params={
                "masked": registration.masked_personnummer,
                "target": Msg(_STATUS_NAMES[target]),
                "current": Msg(_STATUS_NAMES[registration.review_status]),
            }
        )


def _may_review(user: Any, registration: Registration) -> bool:
    if not user.has_perm("registrations.review_registration"):
        return False
    return scope_for(user).allows(registration.jobcentre_id)


def _locked(registration: Registration) -> Registration:
    """The registration re-read under a row lock, so that two reviewers serialise."""
    return (
        Registration.objects.select_for_update(of=("self",), no_key=True)
        .select_related("allocation")
        .get(pk=registration.pk)
    )


_REVIEW_FIELDS = ("review_status", "reviewed_by", "reviewed_at", "review_comment")


def _clean_text(text: str | None) -> str:
    return (text or "").strip()


def _review(
    *,
    registration: Registration,
    target: str,
    by: AuditContext,
    comment: str,
    annulment: Annulment | None = None,
) -> Registration:
    """The one write path of every review. Call inside a transaction."""
    current = _locked(registration)
    user = by.user
    if not _may_review(user, current):
        raise ReviewNotAllowed(params={"masked": current.masked_personnummer})
    _check_transition(current, target)
    if target in (_FLAGGED, _ANNULLED) and not comment:
        raise ReasonRequired()
    previous = current.review_status
    counted_before = counted(current)
    current.review_status = target
    current.reviewed_by = user
    current.reviewed_at = timezone.now()
    current.review_comment = comment
    current.full_clean(
        exclude=[f.name for f in Registration._meta.fields if f.name not in _REVIEW_FIELDS],
        validate_unique=False,
        validate_constraints=False,
    )
    current.save(update_fields=list(_REVIEW_FIELDS))
    if target == _ANNULLED:
        _annul(current, annulment or Annulment(), previous=previous, comment=comment, by=by)
    else:
        audit_record(
            by,
            action=Action.REVIEW,
            subject=current,
            criteria={"from": previous, "to": target, "comment": comment},
        )
    statistics_registration_changed(counted_before, current)  # last: the counters lock briefly
    # Hand the caller's object the new state too.
    for name in _REVIEW_FIELDS:
        setattr(registration, name, getattr(current, name))
    registration.allocation = current.allocation
    return registration


@dataclass(frozen=True)
class Annulment:
    """Why a number is annulled (a choice) and, for a duplicate, the registration kept."""

    cause: str = AnnulmentReason.MISTAKE
    survivor: Registration | None = None


def _annul(
    current: Registration, annulment: Annulment, *, previous: str, comment: str, by: AuditContext
) -> None:
    cause = AnnulmentReason(annulment.cause)
    survivor = annulment.survivor
    if cause == AnnulmentReason.DUPLICATE:
        if survivor is None or survivor.pk == current.pk or survivor.is_annulled:
            raise SurvivorRequired()
    else:
        survivor = None
    current.annulment_reason = cause.value
    current.survivor = survivor
    current.save(update_fields=["annulment_reason", "survivor"])
    allocation_annul(allocation=current.allocation, reason=comment, annulled_by=by.user)
    registration_jobnet_disable(registration=current, by=by)
    audit_record(
        by,
        action=Action.ANNUL,
        subject=current,
        criteria={
            "from": previous,
            "to": _ANNULLED,
            "reason": comment,
            "cause": cause.value,
            **({"survivor": survivor.pk} if survivor is not None else {}),
        },
    )


def registration_jobnet_disable(*, registration: Registration, by: AuditContext) -> None:
    """Disable the person's Jobnet account when their number is annulled.

    Runs inside the annulment's transaction: a failure here rolls the
    annulment back. The account's password stops working and no letter can be
    printed for it again.
    """
    if registration.jobnet_account_id is None:
        return
    jobnet_account_disable(account=registration.jobnet_account, by=by)


@transaction.atomic
def registration_approve(
    *,
    registration: Registration,
    by: AuditContext,
    comment: str = "",
) -> Registration:
    """Approve an allocation. Raises ``InvalidTransition`` or ``ReviewNotAllowed``."""
    return _review(
        registration=registration,
        target=_APPROVED,
        by=by,
        comment=_clean_text(comment),
    )


@transaction.atomic
def registration_flag(
    *,
    registration: Registration,
    by: AuditContext,
    comment: str,
) -> Registration:
    """Flag an allocation for follow-up, saying why.

    Raises ``ReasonRequired`` without a comment, ``InvalidTransition`` or
    ``ReviewNotAllowed``.
    """
    return _review(
        registration=registration,
        target=_FLAGGED,
        by=by,
        comment=_clean_text(comment),
    )


@transaction.atomic
def registration_annul(
    *,
    registration: Registration,
    by: AuditContext,
    reason: str,
    cause: str = AnnulmentReason.MISTAKE,
    survivor: Registration | None = None,
) -> Registration:
    """Annul an allocation: CPR status 30, the Jobnet account disabled.

    The number stays in the register and is never handed out again. Raises
    ``ReasonRequired`` without a reason, ``InvalidTransition`` or
    ``ReviewNotAllowed``.
    """
    return _review(
        registration=registration,
        target=_ANNULLED,
        by=by,
        comment=_clean_text(reason),
        annulment=Annulment(cause=cause, survivor=survivor),
    )


_SERVICES = {
    "approve": lambda *, registration, by, text, annulment: registration_approve(
        registration=registration, by=by, comment=text
    ),
    "flag": lambda *, registration, by, text, annulment: registration_flag(
        registration=registration, by=by, comment=text
    ),
    "annul": lambda *, registration, by, text, annulment: registration_annul(
        registration=registration,
        by=by,
        reason=text,
        cause=annulment.cause,
        survivor=annulment.survivor,
    ),
}


@dataclass
class BatchResult:
    """What a batch did: the registrations changed, and the refusals with their errors."""

    done: list[Registration] = field(default_factory=list)
    refused: list[tuple[Registration, DomainError]] = field(default_factory=list)


def registrations_review(
    *,
    registrations: Iterable[Registration],
    action: str,
    by: AuditContext,
    text: str = "",
    annulment: Annulment | None = None,
) -> BatchResult:
    """Apply one review action to several registrations, each in its own transaction.

    ``action`` is a key of :data:`REVIEW_ACTIONS`; ``text`` is the comment or
    the reason. Not all-or-nothing (see the module's docstring): the result
    lists what was done and what was refused, and why. Raises ``BatchTooLarge``
    (changing nothing) beyond :data:`BATCH_LIMIT` registrations, and
    ``ReasonRequired`` (changing nothing) when flagging or annulling without text.
    """
    if action not in _SERVICES:
        raise ValueError(f"unknown review action {action!r}")
    if isinstance(registrations, QuerySet):
        rows = list(registrations[: BATCH_LIMIT + 1])
        count = registrations.count() if len(rows) > BATCH_LIMIT else len(rows)
    else:
        rows = list(registrations)
        count = len(rows)
    if count > BATCH_LIMIT:
        raise BatchTooLarge(params={"limit": BATCH_LIMIT, "count": count})
    text = _clean_text(text)
    if action in ("flag", "annul") and not text:
        raise ReasonRequired()
    result = BatchResult()
    for registration in rows:
        try:
            _SERVICES[action](
                registration=registration, by=by, text=text, annulment=annulment or Annulment()
            )
        except DomainError as error:
            result.refused.append((registration, error))
        else:
            result.done.append(registration)
    return result
