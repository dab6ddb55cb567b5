"""What the ``registrations`` app tells the access log (:mod:`apoc.audit.registry`).

A person's registration names them in its own entries, in its Jobnet
account's (creation, prints, disabling) and in the duplicate checks that
compared its document.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apoc.audit import registry
from apoc.audit.models import Action
from jobnet.models import JobnetAccount

from .models import LETTER_LANGUAGES, OfferKind, Registration, ReviewStatus


def _registration_entries(number: str) -> Q | None:
    condition = None
    rows = Registration.objects.filter(allocation__personnummer=number).values_list(
        "pk", "jobnet_account_id", "document_country", "document_number_key"
    )
    for pk, account_id, country, document in rows:
        found = Q(subject_type="registrations.registration", subject_id=pk) | Q(
            action=Action.DUPLICATE_CHECK, criteria__document=f"{country}:{document}"
        )
        if account_id is not None:
            found |= Q(subject_type="jobnet.jobnetaccount", subject_id=account_id)
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
    registry.register_person_entries(_registration_entries)
    registry.register_describer(_describe_review)
    registry.register_describer(_describe_deletion)
    registry.register_subject_label("registrations.registration", "registreringen")
    registry.register_subject_label("jobnet.jobnetaccount", "Jobnet-kontoen")
