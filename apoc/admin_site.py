"""APOC's admin site: Django's, with its autocomplete logged.

Django's admin answers ``/admin/autocomplete/?term=…&app_label=…&model_name=…&
field_name=…`` for any related field whose model's admin has search fields,
whether or not a form uses it. For registrations that is the admin's search,
personnummer included, answered with names and masked numbers: a search, so it
goes to the access log like the change list's, with the rows it showed.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.http import HttpRequest, HttpResponse

from .audit.services import Action, Shown, audit_record

__all__ = ["ApocAdminSite", "AuditedAutocompleteJsonView"]


class AuditedAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete, logged as a search with the term and the rows shown."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.shown_ids: list[Any] = []
        response = super().get(request, *args, **kwargs)
        audit_record(
            request.audit,
            action=Action.SEARCH,
            criteria={"q": self.term, "autocomplete": self.source_field.model._meta.label_lower},
            shown=Shown.of(self.model_admin.model, self.shown_ids),
        )
        return response

    def serialize_result(self, obj: Any, to_field_name: str) -> dict[str, str]:
        self.shown_ids.append(obj.pk)
        return super().serialize_result(obj, to_field_name)


class ApocAdminSite(AdminSite):
    def autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        return AuditedAutocompleteJsonView.as_view(admin_site=self)(request)
