"""An entry's details (its ``criteria``) as text for people, in the active language.

The criteria are stored as the code wrote them: English keys and code values, e.g.
``{"from": "pending", "to": "approved"}`` or ``{"languages": ["da", "en", "pl"]}``.
The log's admin and a registration's trail show them through :func:`details_text`:
each key by its name, each coded value by its name where one is registered, lists
and filters written out, yes/no for booleans, dates and times day first, and empty
values left out: "fra: afventer gennemgang; til: godkendt", "sprog: dansk, engelsk,
polsk", "gældende fra: 01.12.2026".

The keys and values of the log itself are named here; the apps name theirs with
:func:`apoc.audit.registry.register_details` in their ``AppConfig.ready()``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import registry
from .models import Action

__all__ = ["details_text"]

#: Nothing worth showing: a search without text or filters leaves these behind.
_EMPTY = (None, "", [], {}, ())
#: Not for reading: a large export's packed ids (its "shown_count" says how many).
_HIDDEN = {"shown_packed"}


def _when(value: str) -> str | None:
    """An ISO date or time as APOC writes them (``01.12.2026``, ``01.12.2026 10:00``)."""
    if len(value) < 10 or value[4] != "-" or value[7] != "-":
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if len(value) == 10:
        return f"{moment:%d.%m.%Y}"
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%d.%m.%Y %H:%M}"


def _value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return gettext("ja") if value else gettext("nej")
    if isinstance(value, str) and (when := _when(value)) is not None:
        return when
    if isinstance(value, list | tuple):
        return ", ".join(_value(key, item) for item in value if item not in _EMPTY)
    if isinstance(value, dict):
        return ", ".join(
            f"{registry.detail_label(k)} = {_value(k, v)}"
            for k, v in value.items()
            if v not in _EMPTY
        )
    return registry.detail_value(key, value)


def details_text(criteria: dict[str, Any] | None) -> str:
    """The details as one line, "–" when there are none. Not masked: see the log's admin."""
    parts = [
        f"{registry.detail_label(key)}: {_value(key, value)}"
        for key, value in (criteria or {}).items()
        if value not in _EMPTY and key not in _HIDDEN
    ]
    return "; ".join(parts) or "–"


def register() -> None:
    """The log's own keys: searches and exports in admin, the retention purge, ``audit_for``."""
    registry.register_details(
        {
            "q": _("søgetekst"),
            "filters": _("filtre"),
            "p": _("side"),
            "rows": _("rækker"),
            "full_personnummer": _("fulde personnumre"),
            "format": _("format"),
            "removed": _("slettede logposter"),
            "older_than": _("ældre end"),
            "retention_days": _("opbevaringstid i dage"),
            "command": _("kommando"),
            "personnummer": _("personnummer"),
            "entries": _("logposter"),
            "results": _("resultater"),
            "shown": _("viste"),
            "shown_count": _("antal viste"),
            "list": _("liste"),
            "page": _("siden"),
            "autocomplete": _("opslag fra feltet i"),
            # The log's own filters
            "action__exact": _("handling"),
            "user": _("medarbejder"),
            "jobcentre__id__exact": _("jobcenter"),
            "at__year": _("år"),
            "at__month": _("måned"),
            "at__day": _("dag"),
        },
        values={"action__exact": dict(Action.choices)},
    )
