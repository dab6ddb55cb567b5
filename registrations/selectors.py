"""Reads of registrations: scoping, the duplicate check and search."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from apoc.accounts.scope import scope_for
from cpr.personnummer import try_parse
from documents.numbers import document_key
from documents.transliteration import search_terms
from documents.typos import MIN_KEY_LENGTH, as_typed, nearest

from .intake import PersonKeys
from .models import NameKey, Registration, ReviewStatus

__all__ = [
    "DuplicateMatch",
    "SearchQuery",
    "find_duplicates",
    "match_of",
    "parse_search",
    "registration_by_personnummer",
    "registration_search",
    "registration_submitted",
    "registrations_today",
    "registrations_visible_to",
    "search_condition",
    "survivor_match",
]

SEARCH_LIMIT = 50
#: At most this many names are weighed for a search with a typo; more share its letters
#: only for a very common name, typed very short.
NEAR_CANDIDATES = 5000
#: On the embedded database, a search with a typo compares the newest this many names.
EMBEDDED_SCAN = 20000


def registrations_visible_to(user: Any) -> QuerySet[Registration]:
    """What a user may see: their own jobcentre's registrations, or all for national staff."""
    return scope_for(user).filter(Registration.objects.select_related("allocation", "jobcentre"))


def registration_by_personnummer(text: str) -> Registration | None:
    """The registration in force with this personnummer, in any jobcentre (an annulment's
    survivor may be registered elsewhere)."""
    number = try_parse(text or "", timezone.localdate())
    if number is None:
        return None
    return (
        Registration.objects.select_related("allocation", "jobcentre")
        .exclude(review_status=ReviewStatus.ANNULLED)
        .filter(allocation__personnummer=str(number))
        .first()
    )


def registration_submitted(user: Any, token: uuid.UUID) -> Registration | None:
    """The registration that this submission made, if the user may see it."""
    return registrations_visible_to(user).filter(submission_token=token).first()


def registrations_today(user: Any) -> QuerySet[Registration]:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return registrations_visible_to(user).filter(created_at__gte=start).order_by("-created_at")


# --- The duplicate check (nationwide) ---------------------------------------------------------


@dataclass(frozen=True)
class DuplicateMatch:
    registration_id: int
    jobcentre_id: int
    jobcentre_name: str
    masked_personnummer: str
    reasons: tuple[str, ...]
    #: An annulled registration: whether it blocks a new number depends on why.
    annulled: bool = False
    annulment_reason: str = ""
    annulled_at: Any = None
    survivor_id: int | None = None
    new_number_allowed: bool = False
    #: The registration that this very submission made (a retry that came in concurrently).
    same_submission: bool = False


_MATCH_FIELDS = (
    "id",
    "submission_token",
    "jobcentre_id",
    "document_country",
    "document_number_key",
    "name_key",
    "birth_date",
    "nationality",
    "foreign_id_key",
    "review_status",
    "annulment_reason",
    "reviewed_at",
    "survivor_id",
    "new_number_allowed_at",
    "jobcentre__name",
    "allocation__personnummer",
)


def find_duplicates(
    keys: PersonKeys, *, submission_token: uuid.UUID | None = None
) -> list[DuplicateMatch]:
    """Every registration, in any jobcentre, that may be the same person, annulled ones too.

    A match is the same issuing country and document number, the same foreign
    personal ID number (normalised by :func:`documents.foreign_ids.check_foreign_id`),
    the same name key and birth date, or the personnummer the person presents.
    Registrations that are in force come first. With ``submission_token``, the
    registration that submission made is found too, marked ``same_submission``.
    """
    condition = Q(
        document_country=keys.document_country, document_number_key=keys.document_number_key
    )
    if submission_token is not None:
        condition |= Q(submission_token=submission_token)
    named = _same_name_and_birth_date(keys)
    if named:
        condition |= Q(pk__in=named)
    if keys.foreign_id_key:
        condition |= Q(nationality=keys.nationality, foreign_id_key=keys.foreign_id_key)
    found = _match_rows(Registration.objects.filter(condition))
    if keys.personnummer:
        # A query of its own: an OR across the join would keep the planner off the indexes.
        found |= _match_rows(
            Registration.objects.filter(allocation__personnummer=keys.personnummer)
        )
    rows = sorted(
        found.values(), key=lambda row: (row.review_status == ReviewStatus.ANNULLED, row.id)
    )
    return [
        replace(
            match_of(row, _match_reasons(row, keys, named)),
            same_submission=submission_token is not None
            and row.submission_token == submission_token,
        )
        for row in rows[:20]
    ]


def _same_name_and_birth_date(keys: PersonKeys) -> list[int]:
    """The registrations whose name shares a key with this one, with the same birth date.

    A query of its own on the (key, birth date) index: as a subquery inside the OR the
    planner would scan the registrations instead.
    """
    wanted = keys.name_keys or ({keys.name_key} if keys.name_key else set())
    if not wanted:
        return []
    return list(
        NameKey.objects.filter(key__in=sorted(wanted), birth_date=keys.birth_date)
        .values_list("registration_id", flat=True)
        .distinct()[:20]
    )


def _match_rows(queryset: QuerySet[Registration]) -> dict[int, Registration]:
    rows = queryset.select_related("allocation", "jobcentre").only(*_MATCH_FIELDS)[:20]
    return {row.id: row for row in rows}


def match_of(row: Registration, reasons: tuple[str, ...]) -> DuplicateMatch:
    """A registration as a match of the duplicate check (what a caseworker may be told)."""
    return DuplicateMatch(
        registration_id=row.id,
        jobcentre_id=row.jobcentre_id,
        jobcentre_name=row.jobcentre.name,
        masked_personnummer=row.allocation.masked,
        reasons=reasons,
        annulled=row.review_status == ReviewStatus.ANNULLED,
        annulment_reason=row.annulment_reason,
        annulled_at=row.reviewed_at if row.review_status == ReviewStatus.ANNULLED else None,
        survivor_id=row.survivor_id,
        new_number_allowed=row.new_number_allowed_at is not None,
    )


def survivor_match(match: DuplicateMatch) -> DuplicateMatch | None:
    """The registration a duplicate was annulled in favour of, as a match."""
    if match.survivor_id is None:
        return None
    row = (
        Registration.objects.select_related("allocation", "jobcentre")
        .only(*_MATCH_FIELDS)
        .filter(pk=match.survivor_id)
        .first()
    )
    return match_of(row, ("survivor",)) if row is not None else None


def _match_reasons(
    row: Registration, keys: PersonKeys, named: list[int] | None = None
) -> tuple[str, ...]:
    found = {
        "personnummer": bool(keys.personnummer)
        and row.allocation.personnummer == keys.personnummer,
        "document": row.document_country == keys.document_country
        and row.document_number_key == keys.document_number_key,
        "foreign_id": bool(keys.foreign_id_key)
        and row.nationality == keys.nationality
        and row.foreign_id_key == keys.foreign_id_key,
        "name_and_birth_date": row.birth_date == keys.birth_date and row.id in (named or ()),
    }
    return tuple(reason for reason, matched in found.items() if matched)


# --- Search -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchQuery:
    """What a caseworker typed, read as one kind of criterion."""

    kind: str  # "personnummer", "birth_date", "text"
    value: str
    birth_date: date | None = None

    def as_criteria(self) -> dict[str, str]:
        """For the access log. A personnummer is logged as searched, in full."""
        return {"kind": self.kind, "value": self.value}


_DATE_FORMATS = ("%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%d%m%Y")


def parse_search(text: str, *, today: date | None = None) -> SearchQuery | None:
    """What a search text asks for: a personnummer, a birth date, or other text.

    The one reading of a search, for the caseworker's search and admin's.
    """
    text = " ".join(text.split())[:200]
    if not text:
        return None
    number = try_parse(text, today or timezone.localdate())
    if number is not None:
        return SearchQuery("personnummer", str(number))
    for fmt in _DATE_FORMATS:
        try:
            found = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return SearchQuery("birth_date", text, birth_date=found)
    return SearchQuery("text", text)


def search_condition(query: SearchQuery) -> Q:
    """The rows a query finds exactly: the number, the birth date, the document or
    foreign ID number (a text with digits), or every word of the name."""
    if query.kind == "personnummer":
        return Q(allocation__personnummer=query.value)
    if query.kind == "birth_date":
        return Q(birth_date=query.birth_date)
    number = document_key(query.value)
    if any(ch.isdigit() for ch in number):
        # Names have no digits: a text with digits is a document number.
        return Q(document_number_key=number) | Q(foreign_id_key=number)
    parts = search_terms(query.value)
    if not parts:
        return Q(pk__in=[])
    condition = Q()
    for forms in parts:
        # Any spelling of each part of the name: "Müller", "MUELLER" and "muller" alike.
        either = Q()
        for form in sorted(forms):
            either |= Q(name_search__contains=form)
        condition &= either
    return condition


def registration_search(*, user: Any, query: SearchQuery) -> list[Registration]:
    """Search the user's registrations by personnummer, birth date, document number or name.

    Names match by any of their spellings (:func:`search_condition`), in any order, each part
    typed contained in the name. Unless some name has every part as typed, whole, the names
    within one slip per part are weighed too, nearest first (:mod:`documents.typos`): "Maria
    Vian" finds Maria Vain as well as Maria Viana.
    """
    visible = registrations_visible_to(user)
    rows = list(visible.filter(search_condition(query))[:SEARCH_LIMIT])
    if query.kind != "text" or any(ch.isdigit() for ch in query.value):
        return rows
    terms = search_terms(query.value)
    if not terms or len(rows) == SEARCH_LIMIT or any(as_typed(terms, r.name_search) for r in rows):
        return rows
    if connection.vendor == "postgresql":
        candidates = _near_candidates(visible, terms)
    else:
        # The embedded database has no index for this: the newest names are compared.
        candidates = visible.order_by("-created_at", "-id")[:EMBEDDED_SCAN]
    named = [(r.id, r.name_search, r.created_at) for r in rows]
    named += candidates.values_list("id", "name_search", "created_at")
    ids = nearest(terms, named, limit=SEARCH_LIMIT)
    found = visible.in_bulk(ids)
    return [found[pk] for pk in ids]


def _near_candidates(
    visible: QuerySet[Registration], terms: tuple[frozenset[str], ...]
) -> QuerySet[Registration]:
    """The visible registrations where every part typed shares a deletion key with a word of
    the name (PostgreSQL; the GIN index on the keys answers it without reading the rows)."""
    # A part of one or two letters ("de", "da") has no deletion key of two letters, and many
    # names have a part like it: it is weighed, but not looked for.
    looked_for = [forms for forms in terms if max(map(len, forms)) > MIN_KEY_LENGTH] or terms
    near = Registration.objects.order_by()
    for forms in looked_for:
        near = near.extra(
            where=["registration_name_deletions(name_search) && registration_name_deletions(%s)"],
            params=[" ".join(sorted(forms))],
        )
    # The limit keeps the name match a subquery of its own: otherwise the planner joins the
    # jobcentre's whole index (a third of the rows for Copenhagen) to the few names found.
    ids = near.values("id")[:NEAR_CANDIDATES]
    return visible.filter(pk__in=ids).order_by()[:NEAR_CANDIDATES]
