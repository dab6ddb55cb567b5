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

from apoc.audit import registry
from apoc.audit.models import Action
from jobnet.models import JobnetAccount

from .models import LETTER_LANGUAGES, OfferKind, Registration, ReviewStatus

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
            "source": _("login"),
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
            "kind": {**_SEARCH_KINDS, **dict(OfferKind.choices)},
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
        },
    )


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
