"""Staff users and jobcentres in admin, for national administrators."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Jobcentre, User

admin.site.site_header = _("APOC – administration")
admin.site.site_title = _("APOC")
admin.site.index_title = _("Gennemgang, adgangslog, brugere og jobcentre")


@admin.register(Jobcentre)
class JobcentreAdmin(admin.ModelAdmin):
    """The 98 jobcentres come from a data migration: contact data may change, nothing more."""

    list_display = ["municipality_code", "name", "municipality", "region", "phone", "email"]
    list_filter = ["region"]
    search_fields = ["name", "municipality", "=municipality_code"]
    readonly_fields = ["municipality_code", "municipality", "region"]
    fields = ["municipality_code", "municipality", "region", "name", "address", "phone", "email"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "jobcentre", "is_staff", "is_active"]
    list_filter = [
        "is_active",
        "is_staff",
        "groups",
        ("jobcentre", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["jobcentre"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "email", "jobcentre"]}),
        (
            _("Rettigheder"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Datoer"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "jobcentre", "usable_password", "password1", "password2"],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Staff are deactivated, not deleted: the access log and registrations refer to them.
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only a superuser may make superusers or grant single permissions:
            # national administrators give roles through the groups.
            fields += ["is_superuser", "user_permissions"]
        return fields
