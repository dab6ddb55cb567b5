"""What the ``registrations`` app tells the access log (:mod:`apoc.audit.registry`).

A person's rows are their registrations, the registrations an annulment
links to them (a duplicate annulled in favour of one of them, a registration
replaced by one of them, and the other way round) and their Jobnet accounts:
the log finds each entry about one of those, and each search, list and export
that showed one. The duplicate checks that compared the person's document
name them too.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apoc.accounts.models import Jobcentre
from apoc.audit import registry
from apoc.audit.models import Action
from jobnet.models import JobnetAccount

from .models import (
    LETTER_LANGUAGES,
    AnnulmentReason,
    CprCheck,
    JobseekerEnd,
    OfferKind,
    Registration,
    ReviewStatus,
)
from .retention import MINIMISED_FIELDS

#: How far the links of annulments are followed (a person annulled and registered again).
_LINK_ROUNDS = 5


def _person_registrations(number: str) -> list[dict[str, Any]]:
    """The registrations with the number, and those an annulment links to them."""
    fields = ("pk", "jobnet_account_id", "document_country", "document_number_key")
    found: dict[int, dict[str, Any]] = {}
    condition = Q(allocation__personnummer=number)
    for _round in range(_LINK_ROUNDS):
        new = [
            row
            for row in Registration.objects.filter(condition).values(*fields)
            if row["pk"] not in found
        ]
        if not new:
            break
        found.update((row["pk"], row) for row in new)
        ids = [row["pk"] for row in new]
        linked = Registration.objects.filter(pk__in=ids).values_list("survivor_id", "replaces_id")
        others = {pk for pair in linked for pk in pair if pk is not None}
        condition = Q(survivor_id__in=ids) | Q(replaces_id__in=ids) | Q(pk__in=others)
    return list(found.values())


def _person_subjects(number: str) -> dict[str, list[int]]:
    rows = _person_registrations(number)
    return {
        "registrations.registration": [row["pk"] for row in rows],
        "jobnet.jobnetaccount": [
            row["jobnet_account_id"] for row in rows if row["jobnet_account_id"] is not None
        ],
    }


def _duplicate_checks(number: str) -> Q | None:
    """The duplicate checks that compared the person's document (before a number was given)."""
    condition = None
    for row in _person_registrations(number):
        found = Q(
            action=Action.DUPLICATE_CHECK,
            criteria__document=f"{row['document_country']}:{row['document_number_key']}",
        )
        condition = found if condition is None else condition | found
    return condition


def _describe_review(entry: Any) -> str | None:
    """A review reads "gennemgang af registreringen: afventer gennemgang → godkendt"."""
    criteria = entry.criteria or {}
    if entry.subject_type != "registrations.registration" or not criteria.get("to"):
        return None
    if entry.action not in (Action.REVIEW, Action.ANNUL):
        return None
    statuses = dict(ReviewStatus.choices)
    source, target = criteria.get("from", "?"), criteria["to"]
    return (
        f"{Action(entry.action).label} af registreringen: "
        f"{statuses.get(source, source)} → {statuses.get(target, target)}"
    )


#: What a search looked for (``registrations.selectors.SearchQuery.kind``).
_SEARCH_KINDS = {
    "personnummer": _("personnummer"),
    "birth_date": _("fødselsdato"),
    "text": _("tekst"),
}


#: What was asked of CPR (registrations.cpr_check): a number's look-up or a search.
_CPR_CHECK_KINDS = {"number": _("opslag på nummeret"), "search": _("søgning på navn")}


def _register_details() -> None:
    """The keys this app and its Jobnet accounts write in the log's details, and their codes."""
    statuses = dict(ReviewStatus.choices)
    registry.register_details(
        {
            # Reviews
            "from": _("fra"),
            "to": _("til"),
            "comment": _("kommentar"),
            "reason": _("begrundelse"),
            # Offers and searches
            "offer": _("tilbud"),
            "kind": _("type"),
            "value": _("søgt efter"),
            # Duplicate checks
            "name_key": _("navnenøgle"),
            "birth_date": _("fødselsdato"),
            "document": _("dokument"),
            "foreign_id": _("udenlandsk personnummer"),
            "matches": _("fundne registreringer"),
            # CPR look-ups
            "candidates": _("personer fundet i CPR"),
            # Jobnet letters and accounts
            "languages": _("sprog"),
            "status": _("status"),
            "source": _("kilde"),
            # The life of a registration: jobseeker, transfers, annulments, new numbers
            "jobseeker": _("som jobsøgende"),
            "from_jobcentre": _("fra jobcenter"),
            "to_jobcentre": _("til jobcenter"),
            "cause": _("årsag"),
            "survivor": _("personen beholder"),
            "new_number": _("nyt personnummer"),
            # The look-up in CPR
            "result": _("resultat"),
            "found": _("fundet i CPR"),
            "chosen": _("valgt"),
            # Retention
            "deleted": _("slettet"),
            "fields": _("felter"),
            "review_status": _("gennemgang"),
            "reviewed_at": _("gennemgået"),
            "status_since": _("status siden"),
            # The change list's filters
            "review_status__exact": _("gennemgang"),
            "category__exact": _("kategori"),
            "nationality": _("statsborgerskab"),
            "created_at__year": _("år"),
            "created_at__month": _("måned"),
            "created_at__day": _("dag"),
        },
        values={
            "from": statuses,
            "to": statuses,
            "review_status__exact": statuses,
            "kind": {**_SEARCH_KINDS, **dict(OfferKind.choices), **_CPR_CHECK_KINDS},
            "languages": dict(LETTER_LANGUAGES),
            "list": {"today": _("dagens registreringer")},
            "page": {
                "letter": _("Jobnet-brevet"),
                "history": _("historik"),
                "approve": _("godkendelse"),
                "flag": _("markering til opfølgning"),
                "annul": _("annullering"),
                "transfer": _("overførsel"),
                "cpr_status": _("ændret CPR-status"),
                "new_number": _("nyt personnummer"),
            },
            "status": dict(JobnetAccount.Status.choices),
            "source": dict(JobnetAccount.Source.choices),
            "jobseeker": {"start": _("tilmeldt"), "end": _("afmeldt")},
            "reason": {
                **dict(JobseekerEnd.choices),
                "review_ended": _("gennemgangen er afsluttet"),
                "cpr_status": _("ændret CPR-status"),
            },
            "cause": dict(AnnulmentReason.choices),
            "new_number": {"allowed": _("tilladt")},
            "result": {**dict(CprCheck.Result.choices), **_RECONCILE_OUTCOMES},
            "deleted": {
                "document": _("billedet af ID-dokumentet"),
                "contact_data": _("kontaktoplysningerne"),
            },
            "fields": {
                field.name: field.verbose_name
                for field in Registration._meta.concrete_fields
                if field.name in MINIMISED_FIELDS
            },
            "review_status": statuses,
        },
        namers={
            "from_jobcentre": _jobcentre_name,
            "to_jobcentre": _jobcentre_name,
            "survivor": _masked_personnummer,
        },
    )


#: What the nightly reconciliation (registrations.reconcile) found, by outcome.
_RECONCILE_OUTCOMES = {
    "confirmed": _("bekræftet af CPR"),
    "status_changed": _("ændret CPR-status registreret"),
    "not_found": _("nummeret findes ikke i CPR"),
    "annulled_in_cpr": _("nummeret er annulleret i CPR"),
    "name_differs": _("navnet afviger fra CPR"),
}


def _jobcentre_name(pk: Any) -> str | None:
    return Jobcentre.objects.filter(pk=pk).values_list("name", flat=True).first()


def _masked_personnummer(pk: Any) -> str | None:
    found = Registration.objects.filter(pk=pk).select_related("allocation").first()
    return found.masked_personnummer if found is not None else None


#: What a retention deletion (registrations.retention) deleted, in the person's words.
_DELETIONS = {
    "document": "sletning af billedet af ID-dokumentet (opbevaringsperioden var udløbet)",
    "contact_data": (
        "sletning af kontaktoplysningerne (opbevaringsperioden efter ændret CPR-status var udløbet)"
    ),
}


def _describe_deletion(entry: Any) -> str | None:
    if entry.action != Action.DELETE or entry.subject_type != "registrations.registration":
        return None
    return _DELETIONS.get((entry.criteria or {}).get("deleted"))


def register() -> None:
    _register_details()
    registry.register_person_subjects(_person_subjects)
    registry.register_person_entries(_duplicate_checks)
    registry.register_describer(_describe_review)
    registry.register_describer(_describe_deletion)
    registry.register_subject_label("registrations.registration", "registreringen")
    registry.register_subject_label("jobnet.jobnetaccount", "Jobnet-kontoen")
