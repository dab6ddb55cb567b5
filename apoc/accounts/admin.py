"""Staff users and jobcentres in admin, for national administrators."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UsernameField
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet, URLField
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apoc.exceptions import DomainError

from . import services
from .contact import InvalidOpeningHours, format_opening_hours, parse_opening_hours
from .login import AdminLoginForm
from .models import IdentityProvider, Jobcentre, ProviderJobcentre, RoleMapping, User
from .scope import scope_for

admin.site.site_header = _("APOC – administration")
admin.site.site_title = _("APOC")
admin.site.index_title = _("Gennemgang, adgangslog, brugere og jobcentre")
#: One sign for "nothing here" on every admin page, the one APOC's own fields use.
admin.site.empty_value_display = "–"
#: No app list beside every page: at 1280 px it took a quarter of the width from the
#: supervisor's list. The index and the breadcrumbs lead to the same places.
admin.site.enable_nav_sidebar = False
#: The admin's login refuses local passwords where they are off, as APOC's own does.
admin.site.login_form = AdminLoginForm


class JobcentreForm(forms.ModelForm):
    """The opening hours are read and written back the one way APOC writes them."""

    class Meta:
        model = Jobcentre
        fields = ["name", "address", "phone", "email", "opening_hours"]

    def clean_opening_hours(self) -> str:
        try:
            hours = parse_opening_hours(self.cleaned_data["opening_hours"])
        except InvalidOpeningHours as error:
            raise forms.ValidationError(error.message_in(gettext), code=error.code) from None
        return format_opening_hours(hours)


class ContactFilter(admin.SimpleListFilter):
    """The jobcentres whose letters cannot say how to reach them (``registrations.W001``)."""

    title = _("kontaktoplysninger")
    parameter_name = "contact"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("missing", _("mangler")), ("given", _("udfyldt"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        missing = Q(phone="", email="") & (Q(address="") | Q(opening_hours=""))
        if self.value() == "missing":
            return queryset.filter(missing)
        if self.value() == "given":
            return queryset.exclude(missing)
        return queryset


@admin.register(Jobcentre)
class JobcentreAdmin(admin.ModelAdmin):
    """The 98 jobcentres come from a data migration: contact data may change, nothing more.

    The Jobnet letter prints the address, phone, e-mail and opening hours, and promises
    that the person may get in touch only when they say how.
    """

    form = JobcentreForm
    list_display = [
        "municipality_code",
        "name",
        "region",
        "phone",
        "email",
        "opening_hours",
        "contact_details",
    ]
    list_filter = [ContactFilter, "region"]
    search_fields = ["name", "municipality", "=municipality_code"]
    readonly_fields = ["municipality_code", "municipality", "region"]
    fields = [
        "municipality_code",
        "municipality",
        "region",
        "name",
        "address",
        "phone",
        "email",
        "opening_hours",
    ]

    @admin.display(description=_("kan kontaktes"))
    def contact_details(self, obj: Jobcentre) -> str:
        return gettext("ja") if obj.contactable else gettext("nej")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StaffCreationForm(forms.ModelForm):
    """A new member of staff: who, where, and the address the password link goes to.

    No password: the account gets an unusable one, and the person chooses their
    own through the link that is sent when the account is saved.
    """

    actor: Any = None

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "jobcentre"]
        field_classes = {"username": UsernameField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = _(
            "Medarbejderen får et link hertil og vælger selv sin adgangskode."
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        jobcentre = data.get("jobcentre")
        try:
            services.check_account_change(
                actor=self.actor,
                target=None,
                rights=services.proposed_rights(
                    superuser=False, staff=False, group_ids=[], permission_ids=[]
                ),
                jobcentre_id=jobcentre.pk if jobcentre is not None else None,
            )
        except DomainError as error:
            raise ValidationError(error.message_in(gettext), code=error.code) from error
        return data

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


class StaffChangeForm(forms.ModelForm):
    """An account's details and rights; never its password.

    ``clean`` asks :mod:`apoc.accounts.services` whether the actor may give the
    account the rights and jobcentre the form proposes. Fields the actor may not
    edit are read-only in the admin and so not in the form: their stored values
    count.
    """

    actor: Any = None

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "jobcentre",
            "is_active",
            "is_staff",
            "is_superuser",
            "break_glass",
            "groups",
            "user_permissions",
        ]
        field_classes = {"username": UsernameField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.before = services.account_state(self.instance)

    def _proposed(self, data: dict[str, Any], name: str) -> Any:
        return data.get(name) if name in self.fields else None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        instance = self.instance
        groups = self._proposed(data, "groups")
        permissions = self._proposed(data, "user_permissions")
        jobcentre = data.get("jobcentre") if "jobcentre" in self.fields else instance.jobcentre
        rights = services.proposed_rights(
            superuser=data.get("is_superuser", instance.is_superuser)
            if "is_superuser" in self.fields
            else instance.is_superuser,
            staff=data.get("is_staff", instance.is_staff)
            if "is_staff" in self.fields
            else instance.is_staff,
            group_ids=[g.pk for g in groups]
            if groups is not None
            else instance.groups.values_list("pk", flat=True),
            permission_ids=[p.pk for p in permissions]
            if permissions is not None
            else instance.user_permissions.values_list("pk", flat=True),
        )
        try:
            services.check_account_change(
                actor=self.actor,
                target=instance,
                rights=rights,
                jobcentre_id=jobcentre.pk if jobcentre is not None else None,
            )
        except DomainError as error:
            raise ValidationError(error.message_in(gettext), code=error.code) from error
        return data


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Staff accounts. Who may change which account is decided by apoc.accounts.services:
    an account with more rights than yours is read-only to you, and nobody is given rights
    their administrator does not have. Nobody types another person's password: the action
    "Send link til at vælge adgangskode" mails the person a one-time link."""

    form = StaffChangeForm
    add_form = StaffCreationForm
    add_form_template = None
    actions = ["send_password_link"]
    list_display = ["username", "first_name", "last_name", "jobcentre", "is_staff", "is_active"]
    list_filter = [
        "is_active",
        "is_staff",
        "groups",
        ("jobcentre", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["jobcentre"]
    fieldsets = [
        (None, {"fields": ["username", "password_state"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "email", "jobcentre"]}),
        (
            _("Rettigheder"),
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "break_glass",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        (_("Kommunalt login"), {"fields": ["identity_provider", "external_id"]}),
        (_("Datoer"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "first_name", "last_name", "email", "jobcentre"],
            },
        ),
    ]
    readonly_fields = [
        "password_state",
        "last_login",
        "date_joined",
        "identity_provider",
        "external_id",
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Staff are deactivated, not deleted: the access log and registrations refer to them.
        return False

    def get_queryset(self, request: HttpRequest):
        return scope_for(request.user).filter(super().get_queryset(request))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # An account with more rights than yours is read-only to you (a POST is refused).
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return services.may_manage(actor=request.user, target=obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only a superuser may make superusers or grant single permissions:
            # national administrators give roles through the groups.
            fields += ["is_superuser", "user_permissions"]
        return fields

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs: Any):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups" and field is not None:
            # Only the roles whose rights the administrator has are offered.
            own = services.rights_of(request.user)
            field.queryset = field.queryset.filter(
                pk__in=[
                    group.pk
                    for group in field.queryset
                    if own.covers(
                        services.proposed_rights(
                            superuser=False, staff=False, group_ids=[group.pk], permission_ids=[]
                        )
                    )
                ]
            )
        return field

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            services.account_created(by=request.audit, target=obj)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if change:
            try:
                services.account_saved(by=request.audit, target=form.instance, before=form.before)
            except DomainError as error:  # the admin's transaction rolls the change back
                raise PermissionDenied(error.message) from error

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: Any = None):
        self._send_link(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = ""):
        # Nobody sets another person's password; one's own is changed with the old one.
        if str(request.user.pk) == str(id):
            return redirect("admin:password_change")
        raise PermissionDenied

    @admin.display(description=_("Adgangskode"))
    def password_state(self, obj: User) -> str:
        if obj.pk is None:
            return ""
        if obj.has_usable_password():
            return gettext("Valgt af medarbejderen.")
        return gettext(
            "Ikke valgt endnu. Send et link med handlingen »Send link til at vælge adgangskode«."
        )

    @admin.action(description=_("Send link til at vælge adgangskode"), permissions=["change"])
    def send_password_link(self, request: HttpRequest, queryset: Any) -> None:
        for user in queryset:
            self._send_link(request, user)

    def _send_link(self, request: HttpRequest, user: User) -> None:
        def link_for(uidb64: str, token: str) -> str:
            return request.build_absolute_uri(reverse("password_set", args=[uidb64, token]))

        try:
            services.password_link_send(by=request.audit, target=user, link_for=link_for)
        except DomainError as error:
            self.message_user(request, error.message_in(gettext), messages.ERROR)
            return
        self.message_user(
            request,
            gettext("Et link til at vælge adgangskode er sendt til %(email)s.")
            % {"email": user.email},
            messages.SUCCESS,
        )


# --- Identity providers ----------------------------------------------------------------------


class ProviderJobcentreInline(admin.TabularInline):
    model = ProviderJobcentre
    extra = 1
    autocomplete_fields = ["jobcentre"]
    verbose_name = _("jobcenter")
    verbose_name_plural = _("jobcentre, udbyderen logger ind i (hvert jobcenter har én udbyder)")


class RoleMappingFormSet(forms.BaseInlineFormSet):
    """No group gives ``landsadministrator`` unless the provider may grant it."""

    def clean(self) -> None:
        super().clean()
        roles = [
            form.cleaned_data.get("role")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            services.check_role_mappings(
                roles, may_grant_national_admin=self.instance.may_grant_national_admin
            )
        except DomainError as error:
            raise ValidationError(error.message_in(gettext), code=error.code) from None


class RoleMappingInline(admin.TabularInline):
    model = RoleMapping
    formset = RoleMappingFormSet
    extra = 1


def _https_by_default(field: Any, **kwargs: Any) -> Any:
    """An issuer typed without a scheme is https (Django 6's default, without its warning)."""
    if isinstance(field, URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class IdentityProviderForm(forms.ModelForm):
    class Meta:
        model = IdentityProvider
        formfield_callback = _https_by_default
        fields = [
            "name",
            "slug",
            "is_active",
            "issuer",
            "client_id",
            "client_secret_env",
            "scopes",
            "use_pkce",
            "claim_username",
            "claim_first_name",
            "claim_last_name",
            "claim_email",
            "claim_groups",
            "claim_municipality",
            "may_grant_national_admin",
        ]

    def clean_client_secret_env(self) -> str:
        name = self.cleaned_data["client_secret_env"].strip()
        try:
            services.check_secret_reference(name)
        except DomainError as error:
            raise ValidationError(error.message_in(gettext), code=error.code) from None
        return name


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    """The municipalities' OpenID Connect providers (README "Sign-in"), for national
    administrators: where staff sign in, which jobcentres each may sign in to, and which of
    its groups give which role. The secret stays in the server's environment."""

    form = IdentityProviderForm
    formfield_overrides = {URLField: {"assume_scheme": "https"}}
    inlines = [ProviderJobcentreInline, RoleMappingInline]
    list_display = ["name", "slug", "issuer", "is_active", "use_pkce", "may_grant_national_admin"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug", "issuer"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["redirect_uri", "secret_found"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "is_active"]}),
        (
            _("Forbindelse"),
            {
                "fields": [
                    "issuer",
                    "client_id",
                    "client_secret_env",
                    "secret_found",
                    "scopes",
                    "use_pkce",
                    "redirect_uri",
                ]
            },
        ),
        (
            _("Claims"),
            {
                "fields": [
                    "claim_username",
                    "claim_first_name",
                    "claim_last_name",
                    "claim_email",
                    "claim_groups",
                    "claim_municipality",
                ]
            },
        ),
        (_("Roller"), {"fields": ["may_grant_national_admin"]}),
    ]

    @admin.display(description=_("redirect URI (registreres hos udbyderen)"))
    def redirect_uri(self, obj: IdentityProvider) -> str:
        if obj.pk is None:
            return gettext("Vises, når udbyderen er gemt.")
        return gettext("APOC's adresse efterfulgt af %(path)s") % {
            "path": reverse("login_callback", args=[obj.slug])
        }

    @admin.display(description=_("hemmelighed fundet i miljøet"))
    def secret_found(self, obj: IdentityProvider) -> str:
        if not obj.client_secret_env:
            return gettext("ingen (offentlig klient)")
        return gettext("ja") if services.secret_is_set(obj.client_secret_env) else gettext("nej")
