"""The nightly reconciliation with CPR (``manage.py cpr_reconcile``).

CPR-replika is updated overnight, so once a night APOC:

* searches CPR again for the registrations made while CPR could not be
  searched (``cpr_pending``): people CPR knows with the same names, birth date
  and sex, other than the registration's own number, need a person's eye
  (``cpr_attention`` "candidates");
* looks up every number APOC recorded or allocated that CPR has not confirmed,
  and every number last confirmed more than ``recheck_after`` days ago: a
  number CPR does not know, or knows under another name, needs a person's
  eye; a changed status (residence registration, emigration, death) is
  recorded in the number's history with the reconciliation as its source.

Each registration is its own transaction, so a crash or a stop loses nothing
done; a run finds what is left. Nothing is recorded twice: a number is
confirmed, a status changes and an attention is set only when CPR says
something new. The pace is bounded (``rate`` look-ups a second), and after
``give_up_after`` look-ups in a row that CPR did not answer the run stops and
says so: the next night picks up.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apoc.audit.services import Action, AuditContext, audit_record
from cpr import statuses
from cpr.lookup import CprLookup, CprPerson, LookupUnavailable, get_lookup
from cpr.models import StatusSource
from cpr.services import cpr_status_change
from documents.names import name_key

from .cpr_check import candidate_rows
from .models import CprAttention, CprCheck, Registration, ReviewStatus

__all__ = ["Summary", "cpr_reconcile", "due_for_reconciliation"]

#: The statuses after which CPR has nothing more to say about a number.
_DONE = [s.code for s in statuses.STATUSES if s.final]
#: Statuses by which CPR says the number is gone: a supervisor annuls it in APOC.
_ANNULLED_IN_CPR = {"30", "50", "60"}


@dataclass
class Summary:
    """What one run did, by outcome."""

    counts: Counter = field(default_factory=Counter)
    stopped: bool = False

    @property
    def looked_up(self) -> int:
        return sum(n for outcome, n in self.counts.items() if outcome != "unavailable")

    def as_lines(self) -> list[str]:
        lines = [f"{outcome}: {n}" for outcome, n in sorted(self.counts.items())]
        if self.stopped:
            lines.append("stopped: CPR did not answer; run again later")
        return lines


def due_for_reconciliation(*, recheck_after: int) -> Iterator[int]:
    """The ids of the registrations to ask CPR about, oldest first."""
    stale = timezone.now() - timedelta(days=recheck_after)
    due = (
        Registration.objects.exclude(review_status=ReviewStatus.ANNULLED)
        .exclude(allocation__cpr_status__in=_DONE)
        .filter(
            Q(cpr_pending=True)
            | Q(allocation__cpr_confirmed_at__isnull=True)
            | Q(allocation__cpr_confirmed_at__lt=stale)
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    return due.iterator(chunk_size=500)


def cpr_reconcile(
    *,
    lookup: CprLookup | None = None,
    recheck_after: int = 30,
    rate: float = 5.0,
    limit: int | None = None,
    give_up_after: int = 5,
    progress: Callable[[int, Summary], None] | None = None,
) -> Summary:
    """Ask CPR about every registration that is due (see the module)."""
    lookup = lookup or get_lookup(on_behalf_of="cpr_reconcile")
    summary = Summary()
    by = AuditContext.system()
    pause = 1.0 / rate if rate > 0 else 0.0
    failures = 0
    for done, registration_id in enumerate(due_for_reconciliation(recheck_after=recheck_after)):
        if limit is not None and done >= limit:
            break
        try:
            outcome = reconcile_one(registration_id, lookup=lookup, by=by)
        except LookupUnavailable:
            outcome = "unavailable"
        summary.counts[outcome] += 1
        failures = failures + 1 if outcome == "unavailable" else 0
        if failures >= give_up_after:
            summary.stopped = True
            break
        if progress is not None:
            progress(done + 1, summary)
        if pause:
            time.sleep(pause)
    return summary


@transaction.atomic
def reconcile_one(registration_id: int, *, lookup: CprLookup, by: AuditContext) -> str:
    """Ask CPR about one registration; what came of it. Raises ``LookupUnavailable``."""
    registration = (
        Registration.objects.select_for_update(of=("self",), no_key=True)
        .select_related("allocation")
        .get(pk=registration_id)
    )
    if registration.cpr_pending and lookup.searches:
        outcome = _search_again(registration, lookup)
    else:
        outcome = _look_up(registration, lookup, by)
    if registration.cpr_pending:
        registration.cpr_pending = False
        registration.save(update_fields=["cpr_pending"])
    audit_record(by, action=Action.CPR_LOOKUP, subject=registration, criteria={"result": outcome})
    return outcome


def _search_again(registration: Registration, lookup: CprLookup) -> str:
    found = [
        person
        for person in lookup.search(
            given_names=registration.given_names,
            surname=registration.surname,
            birth_date=registration.birth_date,
            sex=registration.sex,
        )
        if person.personnummer != registration.personnummer
    ]
    if not found:
        CprCheck.objects.create(registration=registration, kind="search", result="no_match")
        return "no_match"
    CprCheck.objects.create(
        registration=registration,
        kind="search",
        result=CprCheck.Result.CANDIDATES,
        candidates=candidate_rows(tuple(found)),
    )
    _attend(registration, CprAttention.CANDIDATES)
    return "candidates"


def _look_up(registration: Registration, lookup: CprLookup, by: AuditContext) -> str:
    allocation = registration.allocation
    person = lookup.person(allocation.personnummer)
    if person is None:
        if registration.cpr_attention != CprAttention.NOT_FOUND:
            CprCheck.objects.create(
                registration=registration, kind="number", result="number_unknown"
            )
            _attend(registration, CprAttention.NOT_FOUND)
        return "not_found"
    allocation.cpr_confirmed_at = timezone.now()
    allocation.save(update_fields=["cpr_confirmed_at"])
    outcome = "confirmed"
    if person.status in _ANNULLED_IN_CPR and allocation.cpr_status != person.status:
        # APOC annuls only through a supervisor's review: flag it for one.
        if registration.cpr_attention != CprAttention.ANNULLED_IN_CPR:
            _attend(registration, CprAttention.ANNULLED_IN_CPR)
        return "annulled_in_cpr"
    if person.status and person.status != allocation.cpr_status:
        cpr_status_change(
            allocation=allocation,
            status=person.status,
            effective_date=person.status_date or timezone.localdate(),
            source=StatusSource.RECONCILE,
            note="cpr_reconcile",
            by=by,
        )
        outcome = "status_changed"
    if _name_differs(person, registration):
        if registration.cpr_attention != CprAttention.NAME_DIFFERS:
            CprCheck.objects.create(
                registration=registration,
                kind="number",
                result="number_found",
                candidates=candidate_rows((person,)),
            )
            _attend(registration, CprAttention.NAME_DIFFERS)
        return "name_differs"
    if registration.cpr_attention == CprAttention.NOT_FOUND:
        _attend(registration, "")  # CPR knows it now
    return outcome


def _name_differs(person: CprPerson, registration: Registration) -> bool:
    if not person.surname:
        return False  # a look-up without names (APOC's own register) says nothing of them
    theirs = name_key(person.surname, person.given_names)
    return theirs != name_key(registration.surname, registration.given_names)


def _attend(registration: Registration, attention: str) -> None:
    registration.cpr_attention = attention
    registration.save(update_fields=["cpr_attention"])
