"""What was done with one person's data: for a data subject's request for access.

``manage.py audit_for 010190-1234`` prints, oldest first, each logged use of
the person's rows (their registrations, the number, the Jobnet account, as the
apps tell :mod:`apoc.audit.registry`): every entry about one of them, every
search, list, duplicate check and export that showed one of them
(:mod:`apoc.audit.shown`), every search or export whose criteria hold the
number, and the duplicate checks that compared the person's document: when,
which jobcentre, and what. Staff names, IP addresses and
free-text comments are left out: the person has a right to the what and when,
generally not to the employees' identity (Datatilsynet, June 2024, after CJEU
C-579/21). The run itself is logged as a search.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from apoc.audit import registry
from apoc.audit.models import Action, AuditEntry
from apoc.audit.services import AuditContext, audit_record
from apoc.audit.shown import shown_condition, unpack_ids
from apoc.exceptions import DomainError


def entries_for(number: str) -> list[AuditEntry]:
    """Every entry about the person with ``number`` (``DDMMYY-SSSS``), oldest first."""
    subjects = registry.person_subjects(number)
    condition = Q(pk__in=_searched_for(number))
    for subject_type, ids in subjects.items():
        condition |= Q(subject_type=subject_type, subject_id__in=sorted(ids))
        for pk in sorted(ids):
            condition |= shown_condition(subject_type, pk)
    known = registry.person_entries(number)
    if known is not None:
        condition |= known
    found = set(AuditEntry.objects.filter(condition).values_list("pk", flat=True))
    found |= _packed_showing(subjects)
    return list(
        AuditEntry.objects.filter(pk__in=sorted(found))
        .select_related("jobcentre")
        .order_by("at", "id")
    )


def _searched_for(number: str) -> Any:
    """The searches, exports and CPR look-ups whose criteria hold the number, with or
    without the hyphen."""
    return (
        AuditEntry.objects.filter(action__in=[Action.SEARCH, Action.EXPORT, Action.CPR_LOOKUP])
        .alias(text=Cast("criteria", TextField()))
        .filter(Q(text__contains=number) | Q(text__contains=number.replace("-", "")))
        .values_list("pk", flat=True)
    )


def _packed_showing(subjects: dict[str, set[int]]) -> set[int]:
    """The entries with a packed list of shown rows (large exports) that holds one of them."""
    if not subjects:
        return set()
    rows = AuditEntry.objects.filter(
        subject_type__in=list(subjects), criteria__has_key="shown_packed"
    ).values_list("pk", "subject_type", "criteria")
    return {
        pk
        for pk, subject_type, criteria in rows.iterator(chunk_size=100)
        if subjects[subject_type].intersection(unpack_ids(criteria["shown_packed"]))
    }


def describe(entry: AuditEntry) -> str:
    """What was done, without staff names or free text."""
    criteria: dict[str, Any] = entry.criteria or {}
    if entry.action == Action.SEARCH and criteria.get("command") == "audit_for":
        return "indsigt i logningen (denne udskrift eller en tidligere)"
    told = registry.describe(entry)
    if told:
        return told
    what = str(Action(entry.action).label) if entry.action in Action.values else entry.action
    shown = _shown_count(criteria)
    if entry.subject_id is None and shown is not None:
        return f"{what}: personen var blandt {shown} viste"
    label = registry.subject_label(entry.subject_type)
    return f"{what} af {label}" if label else what


def _shown_count(criteria: dict[str, Any]) -> int | None:
    if "shown" in criteria:
        return len(criteria["shown"])
    if "shown_packed" in criteria:
        return int(criteria.get("shown_count") or len(unpack_ids(criteria["shown_packed"])))
    return None


class Command(BaseCommand):
    help = (
        "Print what was done with one person's data, when and by which jobcentre, without "
        "staff names: for a data subject's request for access."
    )

    def add_arguments(self, parser):
        parser.add_argument("personnummer", help="DDMMYY-SSSS or DDMMYYSSSS")

    def handle(self, *args, personnummer: str, **options):
        try:
            number = registry.read_personnummer(personnummer)
        except DomainError as error:
            raise CommandError(f"Ugyldigt personnummer: {error.message}") from None
        summary = registry.person_summary(number)
        entries = entries_for(number)
        if not summary and not entries:
            raise CommandError(
                f"Personnummeret {number} findes ikke i registret, og ingen logpost nævner det."
            )
        out = self.stdout
        out.write(f"Logning for personnummer {number}")
        out.write(
            f"Udskrevet {timezone.localtime():%d.%m.%Y %H:%M}. Medarbejdernes navne er udeladt."
        )
        for line in summary or ["Personnummeret findes ikke i registret; det er kun søgt efter."]:
            out.write(line)
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
            AuditContext.system(),
            action=Action.SEARCH,
            criteria={"command": "audit_for", "personnummer": number, "entries": len(entries)},
        )
