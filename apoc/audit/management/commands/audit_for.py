"""What was done with one person's data: for a data subject's request for access.

``manage.py audit_for 010190-1234`` prints, oldest first, each logged use of
the person's registration and personnummer, and each search or duplicate check
that names them: when, which jobcentre, and what. Staff names, IP addresses and
free-text comments are left out: the person has a right to the what and when,
generally not to the employees' identity (Datatilsynet, June 2024, after CJEU
C-579/21). The run itself is logged as a search.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from apoc.audit.models import Action, AuditEntry
from apoc.audit.services import audit_record
from cpr.models import Allocation
from cpr.personnummer import InvalidPersonnummer, parse

_SUBJECTS = {
    "registrations.registration": "registreringen",
    "cpr.allocation": "personnummeret",
}


def entries_for(number: str) -> tuple[Allocation | None, list[AuditEntry]]:
    """The person's allocation (or None) and every entry about them, oldest first."""
    allocation = Allocation.objects.filter(personnummer=number).first()
    condition = Q()
    if allocation is not None:
        condition |= Q(subject_type="cpr.allocation", subject_id=allocation.pk)
        Registration = apps.get_model("registrations", "Registration")
        for registration in Registration.objects.filter(allocation=allocation):
            condition |= Q(subject_type="registrations.registration", subject_id=registration.pk)
            condition |= Q(
                action=Action.DUPLICATE_CHECK,
                criteria__document=(
                    f"{registration.document_country}:{registration.document_number_key}"
                ),
            )
    searched = (
        AuditEntry.objects.filter(action=Action.SEARCH)
        .alias(text=Cast("criteria", TextField()))
        .filter(Q(text__contains=number) | Q(text__contains=number.replace("-", "")))
        .values_list("pk", flat=True)
    )
    condition |= Q(pk__in=searched)
    entries = list(
        AuditEntry.objects.filter(condition).select_related("jobcentre").order_by("at", "id")
    )
    return allocation, entries


def describe(entry: AuditEntry) -> str:
    """What was done, without staff names or free text."""
    what = str(Action(entry.action).label) if entry.action in Action.values else entry.action
    criteria: dict[str, Any] = entry.criteria or {}
    if entry.subject_type in _SUBJECTS:
        what = f"{what} af {_SUBJECTS[entry.subject_type]}"
    if entry.action in (Action.REVIEW, Action.ANNUL) and criteria.get("to"):
        statuses = dict(
            apps.get_model("registrations", "Registration")._meta.get_field("review_status").choices
        )
        source, target = criteria.get("from", "?"), criteria["to"]
        what = f"{what}: {statuses.get(source, source)} → {statuses.get(target, target)}"
    if entry.action == Action.SEARCH and criteria.get("command") == "audit_for":
        what = "indsigt i logningen (denne udskrift eller en tidligere)"
    return what


class Command(BaseCommand):
    help = (
        "Print what was done with one person's data, when and by which jobcentre, without "
        "staff names: for a data subject's request for access."
    )

    def add_arguments(self, parser):
        parser.add_argument("personnummer", help="DDMMYY-SSSS or DDMMYYSSSS")

    def handle(self, *args, personnummer: str, **options):
        try:
            number = str(parse(personnummer))
        except InvalidPersonnummer as error:
            raise CommandError(f"Ugyldigt personnummer: {error.message}") from None
        allocation, entries = entries_for(number)
        if allocation is None and not entries:
            raise CommandError(
                f"Personnummeret {number} findes ikke i registret, og ingen logpost nævner det."
            )
        out = self.stdout
        out.write(f"Logning for personnummer {number}")
        out.write(
            f"Udskrevet {timezone.localtime():%d.%m.%Y %H:%M}. Medarbejdernes navne er udeladt."
        )
        if allocation is None:
            out.write("Personnummeret findes ikke i registret; det er kun søgt efter.")
        else:
            out.write(
                f"Personnummeret har CPR-status {allocation.cpr_status} og blev registreret "
                f"{timezone.localtime(allocation.allocated_at):%d.%m.%Y}."
            )
        out.write("")
        out.write(f"{'Tidspunkt':<17}  {'Jobcenter':<34}  Handling")
        for entry in entries:
            jobcentre = entry.jobcentre.name if entry.jobcentre else "(systemet)"
            out.write(
                f"{timezone.localtime(entry.at):%d.%m.%Y %H:%M:%S}  {jobcentre:<34}  "
                f"{describe(entry)}"
            )
        out.write("")
        out.write(f"I alt {len(entries)} {'logpost' if len(entries) == 1 else 'logposter'}.")
        audit_record(
            user=None,
            action=Action.SEARCH,
            criteria={"command": "audit_for", "personnummer": number, "entries": len(entries)},
        )
