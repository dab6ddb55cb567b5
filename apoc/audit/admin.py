"""The access log in admin: read-only, searchable by user and date.

Nobody adds, changes or deletes entries here. Supervisors see the entries of
their own jobcentre's staff; national administrators see all.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from apoc.accounts.scope import scope_for
from apoc.admin_tools import EstimatedCountPaginator, FastChangeList

from . import registry
from .details import details_text
from .models import Action, AuditEntry
from .shown import shown_condition


def masked_details(criteria: dict[str, Any] | None) -> str:
    """The criteria as text, with every personnummer masked DDMMYY-XXXX.

    The log shows what was searched, not the full numbers: a data subject's
    own request for access goes through ``manage.py audit_for``.
    """
    return registry.mask_personnumre(details_text(criteria))


class StaffFilter(admin.SimpleListFilter):
    """The members of staff whose entries the user may see."""

    title = _("medarbejder")
    parameter_name = "user"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        users = scope_for(request.user).filter(get_user_model().objects.order_by("username"))
        return [
            (str(pk), f"{username} ({' '.join(p for p in (first, last) if p)})".replace(" ()", ""))
            for pk, username, first, last in users.values_list(
                "pk", "username", "first_name", "last_name"
            )
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        try:
            return queryset.filter(user_id=int(value))
        except ValueError:
            return queryset.none()


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "jobcentre", "action", "subject", "details", "ip_address"]
    list_select_related = ["jobcentre"]
    date_hierarchy = "at"
    search_fields = ["username"]  # shows the box; get_search_results does the work
    search_help_text = _(
        "Søg på brugernavn (begyndelsen) eller registreringens id (præcist): også de søgninger, "
        "lister og udtræk, der viste den."
    )
    list_per_page = 100
    sortable_by = ["at"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = EstimatedCountPaginator
    fields = [
        "at",
        "user",
        "username",
        "jobcentre",
        "action",
        "subject",
        "details",
        "ip_address",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        return {}

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEntry]:
        queryset = super().get_queryset(request)
        scope = scope_for(request.user)
        visible = scope.filter(queryset)
        if scope.everywhere or scope.jobcentre_id is None:
            return visible
        # Both jobcentres see a transfer: the receiving one sees the sender's entry.
        received = queryset.filter(
            action=Action.TRANSFER, criteria__to_jobcentre=scope.jobcentre_id
        )
        return visible | received

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        filters: list[Any] = ["action", StaffFilter]
        if scope_for(request.user).everywhere:
            # All 98 jobcentres: "related only" would be a DISTINCT over every entry.
            filters.append("jobcentre")
        return filters

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[FastChangeList]:
        return FastChangeList

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        condition = Q(username__startswith=term)
        if term.isdigit() and len(term) <= 18:
            # The entries about the row, and the searches, lists and exports that showed it.
            condition |= Q(subject_id=int(term)) | shown_condition(None, int(term))
        return queryset.filter(condition), False

    @admin.display(description=_("vedrører"))
    def subject(self, obj: AuditEntry) -> str:
        """What the entry is about by its model's name, e.g. "registrering 17"."""
        if not obj.subject_type:
            return "–"
        try:
            name = apps.get_model(obj.subject_type)._meta.verbose_name
        except (LookupError, ValueError):
            name = obj.subject_type
        return f"{name} {obj.subject_id}" if obj.subject_id is not None else str(name)

    @admin.display(description=_("søgekriterier/detaljer"))
    def details(self, obj: AuditEntry) -> str:
        return masked_details(obj.criteria)
