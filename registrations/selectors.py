"""Reads of registrations: scoping, the duplicate check and search."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from cpr.personnummer import InvalidPersonnummer, parse
from documents.names import name_key, normalise
from documents.numbers import document_key

from .models import Registration, ReviewStatus

__all__ = [
    "DuplicateMatch",
    "SearchQuery",
    "find_duplicates",
    "parse_search",
    "registration_search",
    "registrations_today",
    "registrations_visible_to",
]

SEARCH_LIMIT = 50


def registrations_visible_to(user: Any) -> QuerySet[Registration]:
    """What a user may see: their own jobcentre's registrations, or all for national staff."""
    queryset = Registration.objects.select_related("allocation", "jobcentre")
    if user.has_perm("registrations.view_all_jobcentres"):
        return queryset
    if not getattr(user, "jobcentre_id", None):
        return queryset.none()
    return queryset.filter(jobcentre_id=user.jobcentre_id)


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


def find_duplicates(
    *,
    surname: str,
    given_names: str,
    birth_date: date,
    document_country: str,
    document_number: str,
    nationality: str,
    foreign_id_key: str = "",
) -> list[DuplicateMatch]:
    """Every registration, in any jobcentre, that may be the same person.

    A match is the same issuing country and document number, the same foreign
    personal ID number (``foreign_id_key``, normalised by
    :func:`documents.foreign_ids.check_foreign_id`), or the same normalised
    name and birth date. Annulled
    registrations do not count.
    """
    condition = Q(
        document_country=document_country, document_number_key=document_key(document_number)
    )
    key = name_key(surname, given_names)
    if key:
        condition |= Q(name_key=key, birth_date=birth_date)
    foreign_key = foreign_id_key
    if foreign_key:
        condition |= Q(nationality=nationality, foreign_id_key=foreign_key)
    rows = (
        Registration.objects.filter(condition)
        .exclude(review_status=ReviewStatus.ANNULLED)
        .select_related("allocation", "jobcentre")
        .only(
            "id",
            "document_country",
            "document_number_key",
            "name_key",
            "birth_date",
            "nationality",
            "foreign_id_key",
            "jobcentre__name",
            "allocation__personnummer",
        )[:20]
    )
    matches = []
    for row in rows:
        reasons = []
        if row.document_country == document_country and row.document_number_key == document_key(
            document_number
        ):
            reasons.append("document")
        if foreign_key and row.nationality == nationality and row.foreign_id_key == foreign_key:
            reasons.append("foreign_id")
        if key and row.name_key == key and row.birth_date == birth_date:
            reasons.append("name_and_birth_date")
        matches.append(
            DuplicateMatch(
                registration_id=row.id,
                jobcentre_id=row.jobcentre_id,
                jobcentre_name=row.jobcentre.name,
                masked_personnummer=row.allocation.masked,
                reasons=tuple(reasons),
            )
        )
    return matches


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


def parse_search(text: str) -> SearchQuery | None:
    text = " ".join(text.split())[:200]
    if not text:
        return None
    if re.fullmatch(r"[0-9]{6}[- ]?[0-9]{4}", text):
        try:
            return SearchQuery("personnummer", str(parse(text)))
        except InvalidPersonnummer:
            pass
    for fmt in _DATE_FORMATS:
        try:
            found = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return SearchQuery("birth_date", text, birth_date=found)
    return SearchQuery("text", text)


def registration_search(*, user: Any, query: SearchQuery) -> list[Registration]:
    """Search the user's registrations by personnummer, birth date, document number or name.

    Names match without regard to case, accents and the order of the names, and
    tolerate a typo: on PostgreSQL through a trigram index on the normalised
    name, elsewhere by comparing the normalised names in Python.
    """
    visible = registrations_visible_to(user)
    if query.kind == "personnummer":
        return list(visible.filter(allocation__personnummer=query.value)[:SEARCH_LIMIT])
    if query.kind == "birth_date":
        return list(visible.filter(birth_date=query.birth_date)[:SEARCH_LIMIT])
    found: dict[int, Registration] = {}
    doc = document_key(query.value)
    if doc and any(ch.isdigit() for ch in doc):
        for row in visible.filter(Q(document_number_key=doc) | Q(foreign_id_key=doc))[
            :SEARCH_LIMIT
        ]:
            found[row.pk] = row
    wanted = normalise(query.value)
    if wanted:
        for row in _name_matches(visible, wanted):
            found.setdefault(row.pk, row)
    return list(found.values())[:SEARCH_LIMIT]


def _name_matches(visible: QuerySet[Registration], wanted: str) -> list[Registration]:
    tokens = wanted.split()
    exact = visible
    for token in tokens:
        exact = exact.filter(name_search__contains=token)
    rows = list(exact[:SEARCH_LIMIT])
    if rows:
        return rows
    if connection.vendor == "postgresql":
        # `<%` is pg_trgm's word-similarity operator; the GIN trigram index on
        # name_search serves it. PostgreSQL reduces "(a <% b) = true" to the operator.
        return list(
            visible.alias(near=RawSQL("%s <%% name_search", [wanted], output_field=BooleanField()))
            .filter(near=True)
            .annotate(score=RawSQL("word_similarity(%s, name_search)", [wanted]))
            .order_by("-score")[:SEARCH_LIMIT]
        )
    return _fuzzy_in_python(visible, wanted)


def _fuzzy_in_python(visible: QuerySet[Registration], wanted: str) -> list[Registration]:
    """The embedded database's typo tolerance: each typed word near a name word."""
    tokens = wanted.split()
    scored = []
    for row in visible.select_related(None).only("id", "name_search")[:20000].iterator():
        words = row.name_search.split()
        score = 0.0
        for token in tokens:
            best = max((difflib.SequenceMatcher(None, token, w).ratio() for w in words), default=0)
            if best < 0.75:
                break
            score += best
        else:
            scored.append((score, row.pk))
    scored.sort(reverse=True)
    ids = [pk for _, pk in scored[:SEARCH_LIMIT]]
    rows = {row.pk: row for row in visible.filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]
