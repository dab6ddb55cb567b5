"""What the ``registrations`` app tells the access log (:mod:`apoc.audit.registry`).

A person's registration names them in its own entries, in its Jobnet
account's (creation, prints, disabling) and in the duplicate checks that
compared its document.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from apoc.audit import registry
from apoc.audit.models import Action

from .models import Registration, ReviewStatus


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
    registry.register_person_entries(_registration_entries)
    registry.register_describer(_describe_review)
    registry.register_describer(_describe_deletion)
    registry.register_subject_label("registrations.registration", "registreringen")
    registry.register_subject_label("jobnet.jobnetaccount", "Jobnet-kontoen")
