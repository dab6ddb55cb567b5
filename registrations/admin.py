"""The supervisor's review of allocations in Django admin.

View-only for everyone: personal data is never edited here. Supervisors
(``teamleder``) see their own jobcentre, national administrators every one.
The review actions call :mod:`registrations.review`; every list, search, view,
document view and export goes to the access log (:mod:`apoc.audit`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from apoc.accounts.scope import scope_for
from apoc.admin_tools import EstimatedCountPaginator, FastChangeList, changelist_criteria
from apoc.audit.details import details_text
from apoc.audit.models import AuditEntry
from apoc.audit.services import Action, Shown, audit_record
from apoc.exceptions import DomainError
from cpr.countries import COUNTRIES, DANISH

from . import review
from .admin_views import (
    LIFECYCLE_ACTIONS,
    ReviewForm,
    reason_text,
    registration_export,
    registration_statistics,
)
from .files import document_response
from .models import Offer, Registration, reason_label
from .selectors import parse_search, registrations_visible_to, search_condition

#: Audit entries shown on a registration's page, newest first.
AUDIT_TRAIL_LIMIT = 200


#: The one sign for an empty value, as the admin site shows it (apoc/accounts/admin.py).
EMPTY = "–"


def _yes_no(name: str) -> Any:
    """A read-only boolean field as a word ("ja", "nej"): Django's own display is an icon
    whose text is "True" or "False"."""
    field = Registration._meta.get_field(name)

    @admin.display(description=field.verbose_name)
    def show(self: Any, obj: Registration) -> str:
        return gettext("ja") if getattr(obj, name) else gettext("nej")

    return show


class NationalityFilter(admin.SimpleListFilter):
    """EU/EEA and Swiss nationalities, and everything else (category C), without a
    ``SELECT DISTINCT`` over the whole table."""

    title = _("statsborgerskab")
    parameter_name = "nationality"
    OTHER = "other"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        countries = sorted(
            ((c.alpha2, gettext(c.name_da)) for c in COUNTRIES if c.alpha2 != DANISH),
            key=lambda pair: pair[1],
        )
        return [*countries, (self.OTHER, gettext("andre lande"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        if value == self.OTHER:
            # A list of the rare codes, not NOT IN the common ones, so the index serves it.
            eea = {c.alpha2 for c in COUNTRIES}
            return queryset.filter(
                nationality__in=[code for code, _name in countries if code not in eea]
            )
        return queryset.filter(nationality=value)


class OfferInline(admin.TabularInline):
    """The person's offers, as a plain table: read-only, so no columns for the form's
    bookkeeping (Django's "original" and "delete" columns have empty headers)."""

    model = Offer
    template = "admin/registrations/registration/offers_inline.html"
    extra = 0
    can_delete = False
    fields = ["kind", "provider", "starts_on", "ends_on", "created_by", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    #: What the review needs first, left to right; the jobcentre only for those who see
    #: more than one (get_list_display). Every column fits 1280 px without scrolling
    #: (tests/e2e/test_supervisor.py); the rest is on the registration's page.
    list_display = [
        "masked_personnummer",
        "name",
        "review_status",
        "warnings",
        "category_code",
        "nationality_name",
        "allocated_at",
        "jobcentre_name",
    ]
    list_display_links = ["masked_personnummer", "name"]
    list_select_related = ["allocation", "jobcentre", "created_by"]
    list_per_page = 50
    list_max_show_all = 200
    date_hierarchy = "created_at"
    search_fields = ["name_search"]  # shows the search box; get_search_results does the work
    search_help_text = _(
        "Søg på personnummer eller dokumentnummer (præcist), fødselsdato (DD.MM.ÅÅÅÅ) eller navn "
        "(dele af navnet)."
    )
    sortable_by = ["allocated_at"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = EstimatedCountPaginator
    actions = ["approve_selected", "flag_selected", "annul_selected"]
    inlines = [OfferInline]
    readonly_fields = [
        "document_withheld_text",
        "residence_registered_text",
        "cpr_pending_text",
        "receives_pd_u2_text",
        "personnummer_full",
        "cpr_status",
        "allocation_time",
        "annulment",
        "links",
        "history",
        "outcome",
        "document_image",
        "eligibility_outcome",
        "cpr_checks",
        "jobnet_history",
        "audit_trail",
    ]
    fieldsets = [
        (
            _("Personnummer"),
            {
                "fields": [
                    "personnummer_full",
                    "cpr_status",
                    "allocation_time",
                    "annulment",
                    "links",
                    "history",
                ]
            },
        ),
        (
            _("Gennemgang"),
            {"fields": ["review_status", "reviewed_by", "reviewed_at", "review_comment"]},
        ),
        (
            _("Person"),
            {
                "fields": [
                    "surname",
                    "given_names",
                    "birth_date",
                    "sex",
                    "nationality",
                    "place_of_birth",
                    "country_of_birth",
                    "foreign_id_number",
                ]
            },
        ),
        (
            _("Identitetsdokument"),
            {
                "fields": [
                    "document_type",
                    "document_number",
                    "document_country",
                    "document_expiry",
                    "document_sex",
                    "document_withheld_text",
                    "document_image",
                ]
            },
        ),
        (
            _("Kategori og egnethed"),
            {
                "fields": [
                    "outcome",
                    "category",
                    "offer_kind",
                    "asylum_case_id",
                    "decision_date",
                    "decision_reference",
                    "decision_by",
                    "residence_registered_text",
                    "eligibility_outcome",
                    "cpr_attention",
                    "cpr_pending_text",
                    "cpr_checks",
                ]
            },
        ),
        (
            _("Kontakt og ophold"),
            {
                "fields": [
                    "minimised_at",
                    "address_abroad",
                    "stay_address",
                    "stay_co",
                    "stay_municipality",
                    "phone",
                    "email",
                    "entry_date",
                    "purpose",
                    "expected_stay_months",
                    "receives_pd_u2_text",
                    "pd_u2_date",
                    "letter_language",
                    "registered_as_jobseeker_at",
                    "jobseeker_ended_at",
                    "jobseeker_end_reason",
                ]
            },
        ),
        (_("Jobnet"), {"fields": ["jobnet_history"]}),
        (_("Adgangslog"), {"fields": ["audit_trail"], "classes": ["wide"]}),
    ]

    # --- Rights: view-only, review and export by permission ------------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("registrations.review_registration")

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("registrations.export_registration")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Registration]:
        return registrations_visible_to(request.user).select_related("created_by")

    def get_list_display(self, request: HttpRequest) -> list[str]:
        if scope_for(request.user).everywhere:
            return list(self.list_display)
        # A supervisor's list holds their own jobcentre only.
        return [name for name in self.list_display if name != "jobcentre_name"]

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        filters: list[Any] = ["review_status", "category", "cpr_attention"]
        if scope_for(request.user).everywhere:
            # All 98 jobcentres: "related only" would be a DISTINCT over every row.
            filters.append("jobcentre")
        filters.append(NationalityFilter)
        return filters

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[FastChangeList]:
        return FastChangeList

    # --- Columns -------------------------------------------------------------------------------

    @admin.display(description=_("personnummer"))
    def masked_personnummer(self, obj: Registration) -> str:
        return obj.masked_personnummer

    @admin.display(description=_("navn"))
    def name(self, obj: Registration) -> str:
        return obj.full_name

    @admin.display(description=_("statsborgerskab"))
    def nationality_name(self, obj: Registration) -> str:
        # Not the field itself: the admin would rebuild the 250 country choices per row.
        return obj.nationality.name or obj.nationality.code

    @admin.display(description=_("kategori"))
    def category_code(self, obj: Registration) -> str:
        return obj.category

    @admin.display(description=_("sagsbehandler"))
    def caseworker(self, obj: Registration) -> str:
        return obj.created_by.get_full_name() or obj.created_by.get_username()

    @admin.display(description=_("tildelt"), ordering="created_at")
    def allocated_at(self, obj: Registration) -> str:
        """When, and by which caseworker, on two lines: one column instead of two."""
        return format_html(
            '{}<br><span class="apoc-by">{}</span>',
            timezone.localtime(obj.created_at).strftime("%d.%m.%Y %H:%M"),
            self.caseworker(obj),
        )

    @admin.display(description=_("jobcenter"))
    def jobcentre_name(self, obj: Registration) -> str:
        return f"{obj.jobcentre.municipality} ({obj.jobcentre.municipality_code})"

    @admin.display(description=_("bekræftede advarsler"))
    def warnings(self, obj: Registration) -> str:
        if not obj.warnings_confirmed:
            return EMPTY
        return format_html(
            '<ul class="apoc-warnings">{}</ul>',
            format_html_join(
                "", "<li>{}</li>", ((label,) for label in obj.confirmed_warning_labels)
            ),
        )

    # --- Detail fields -------------------------------------------------------------------------

    document_withheld_text = _yes_no("document_withheld")
    residence_registered_text = _yes_no("residence_registered")
    cpr_pending_text = _yes_no("cpr_pending")
    receives_pd_u2_text = _yes_no("receives_pd_u2")

    @admin.display(description=_("personnummer"))
    def personnummer_full(self, obj: Registration) -> str:
        return obj.personnummer

    @admin.display(description=_("CPR-status"))
    def cpr_status(self, obj: Registration) -> str:
        return obj.allocation.get_cpr_status_display()

    @admin.display(description=_("tildelt"))
    def allocation_time(self, obj: Registration) -> str:
        when = timezone.localtime(obj.allocation.allocated_at)
        by = obj.created_by.get_full_name() or obj.created_by.get_username()
        return gettext("%(when)s af %(by)s, %(jobcentre)s") % {
            "when": when.strftime("%d.%m.%Y %H:%M"),
            "by": by,
            "jobcentre": obj.jobcentre.name,
        }

    @admin.display(description=_("annulleret"))
    def annulment(self, obj: Registration) -> str:
        allocation = obj.allocation
        if allocation.annulled_at is None:
            return EMPTY
        return gettext("%(when)s: %(reason)s") % {
            "when": timezone.localtime(allocation.annulled_at).strftime("%d.%m.%Y %H:%M"),
            "reason": allocation.annulment_reason,
        }

    @admin.display(description=_("opslag i CPR"))
    def cpr_checks(self, obj: Registration) -> str:
        """What CPR was asked before and after the number was given, and what was chosen."""
        checks = list(obj.cpr_checks.select_related("checked_by"))
        if not checks:
            return EMPTY
        rows = []
        for check in checks:
            found = "; ".join(
                f"{c.get('masked', '')} {c.get('name', '')} {c.get('birth_date', '')}".strip()
                for c in check.candidates
            )
            who = check.checked_by.get_username() if check.checked_by else gettext("systemet")
            rows.append(
                (
                    timezone.localtime(check.checked_at).strftime("%d.%m.%Y %H:%M"),
                    check.get_result_display(),
                    found or EMPTY,
                    check.reason or EMPTY,
                    who,
                )
            )
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{}: {} ({}; {}; {})</li>", rows),
        )

    @admin.display(description=_("udfald"))
    def outcome(self, obj: Registration) -> str:
        return obj.outcome

    @admin.display(description=_("sammenhæng"))
    def links(self, obj: Registration) -> str:
        """The registrations an annulment links: the number kept, the one replaced."""
        rows = []
        if obj.annulment_reason:
            rows.append(
                gettext("Annulleret fordi: %(reason)s")
                % {"reason": obj.get_annulment_reason_display()}
            )
        if obj.survivor_id:
            rows.append(
                gettext("Personen beholder %(masked)s")
                % {"masked": obj.survivor.masked_personnummer}
            )
        if obj.replaces_id:
            rows.append(
                gettext("Erstatter %(masked)s") % {"masked": obj.replaces.masked_personnummer}
            )
        if obj.new_number_allowed_at:
            rows.append(
                gettext("Nyt nummer tilladt %(when)s")
                % {"when": timezone.localtime(obj.new_number_allowed_at).strftime("%d.%m.%Y")}
            )
        return "; ".join(rows) or EMPTY

    @admin.display(description=_("historik"))
    def history(self, obj: Registration) -> str:
        """Changes of CPR status and transfers between jobcentres."""
        changes = obj.allocation.status_changes.order_by("-effective_date", "-id")
        transfers = obj.transfers.select_related("from_jobcentre", "to_jobcentre")
        items = [
            f"{c.effective_date:%d.%m.%Y}: {c.get_status_display()} ({c.get_source_display()})"
            for c in changes
        ] + [
            gettext("%(when)s: overført fra %(source)s til %(target)s")
            % {
                "when": timezone.localtime(t.transferred_at).strftime("%d.%m.%Y"),
                "source": t.from_jobcentre.name,
                "target": t.to_jobcentre.name,
            }
            for t in transfers
        ]
        if not items:
            return EMPTY
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((i,) for i in items))
        )

    @admin.display(description=_("billede af ID-dokument"))
    def document_image(self, obj: Registration) -> str:
        if obj.document_deleted_at is not None:
            return gettext("Slettet %(date)s efter reglen for opbevaring") % {
                "date": timezone.localtime(obj.document_deleted_at).strftime("%d.%m.%Y")
            }
        url = reverse("admin:registrations_registration_document", args=[obj.pk])
        label = gettext("Åbn billedet af dokumentet i fuld størrelse")
        if obj.document_content_type.startswith("image/"):
            return format_html(
                '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="{}" '
                'class="apoc-document"></a><br><a href="{}" '
                'target="_blank" rel="noopener">{}</a>',
                url,
                url,
                gettext("Identitetsdokumentet"),
                url,
                label,
            )
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, label)

    @admin.display(description=_("bekræftede advarsler"))
    def eligibility_outcome(self, obj: Registration) -> str:
        if not obj.warnings_confirmed:
            return gettext("Ingen advarsler: personen opfyldte reglerne uden forbehold.")
        country = obj.nationality.name if obj.nationality else ""
        return format_html(
            "<p>{}</p><ul>{}</ul>",
            gettext("Sagsbehandleren bekræftede disse advarsler før tildelingen:"),
            format_html_join(
                "",
                "<li><strong>{}</strong>: {}</li>",
                (
                    (capfirst(reason_label(code)), reason_text(code, country=country))
                    for code in obj.warnings_confirmed
                ),
            ),
        )

    @admin.display(description=_("udskrifter af Jobnet-brevet"))
    def jobnet_history(self, obj: Registration) -> str:
        letters = []
        if obj.jobnet_account_id is not None:
            letters = list(
                obj.jobnet_account.prints.select_related("printed_by").order_by("-printed_at")
            )
        return render_to_string(
            "admin/registrations/registration/jobnet_history.html",
            {"registration": obj, "account": obj.jobnet_account, "letters": letters},
        )

    @admin.display(description=_("adgangslog for registreringen"))
    def audit_trail(self, obj: Registration) -> str:
        entries = (
            AuditEntry.objects.filter(
                Q(subject_type="registrations.registration", subject_id=obj.pk)
                | Q(subject_type="cpr.allocation", subject_id=obj.allocation_id)
                | Q(subject_type="jobnet.jobnetaccount", subject_id=obj.jobnet_account_id)
            )
            .select_related("user", "jobcentre")
            .order_by("-at", "-id")[: AUDIT_TRAIL_LIMIT + 1]
        )
        entries = list(entries)
        return render_to_string(
            "admin/registrations/registration/audit_trail.html",
            {
                "entries": [(e, details_text(e.criteria)) for e in entries[:AUDIT_TRAIL_LIMIT]],
                "more": len(entries) > AUDIT_TRAIL_LIMIT,
                "limit": AUDIT_TRAIL_LIMIT,
            },
        )

    # --- Search --------------------------------------------------------------------------------

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        """Exact personnummer, birth date, exact document number, or the words of a name."""
        query = parse_search(search_term)
        if query is None:
            return queryset, False
        return queryset.filter(search_condition(query)), False

    # --- Views: list, change, document, review, export, statistics ----------------------------

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        extra_context = {
            **(extra_context or {}),
            "can_export": self.has_export_permission(request),
            "can_see_statistics": self.has_review_permission(request),
            "today_query": _today_query(),
        }
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            # The page's rows: the queryset the template renders, read once here.
            criteria = changelist_criteria(changelist)
            query = parse_search(changelist.query)
            if query is not None and query.kind == "personnummer":
                criteria["personnummer"] = query.value
            audit_record(
                request.audit,
                action=Action.SEARCH,
                criteria=criteria,
                shown=Shown.of(Registration, (row.pk for row in changelist.result_list)),
            )
        return response

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        """Django's history page names the registration (name and masked number): a view."""
        obj = self.get_object(request, unquote(object_id))
        response = super().history_view(request, object_id, extra_context)
        if obj is not None and response.status_code == 200:
            audit_record(
                request.audit, action=Action.VIEW, subject=obj, criteria={"page": "history"}
            )
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Registration | None = None,
    ) -> HttpResponse:
        if obj is not None:
            # The page shows the full personnummer: a view of personal data.
            audit_record(request.audit, action=Action.VIEW, subject=obj)
            if self.has_review_permission(request):
                context["review_links"] = [
                    (
                        action,
                        _ACTION_LABELS[action],
                        reverse("admin:registrations_registration_review", args=[obj.pk, action]),
                    )
                    for action, target in review.REVIEW_ACTIONS.items()
                    if target in review.allowed_targets(obj.review_status)
                ]
                context["lifecycle_links"] = [
                    (
                        action,
                        title,
                        reverse(
                            "admin:registrations_registration_lifecycle", args=[obj.pk, action]
                        ),
                    )
                    for action, (_form, title, offered) in LIFECYCLE_ACTIONS.items()
                    if offered(obj)
                ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/dokument/",
                wrap(self.document_view),
                name="registrations_registration_document",
            ),
            path(
                "<path:object_id>/gennemgang/<str:action>/",
                wrap(self.review_view),
                name="registrations_registration_review",
            ),
            path(
                "<path:object_id>/forloeb/<str:action>/",
                wrap(self.lifecycle_view),
                name="registrations_registration_lifecycle",
            ),
            path(
                "udtraek/",
                wrap(lambda request: registration_export(self, request)),
                name="registrations_registration_export",
            ),
            path(
                "statistik/",
                wrap(lambda request: registration_statistics(self, request)),
                name="registrations_registration_statistics",
            ),
            *super().get_urls(),
        ]

    def _visible_object(self, request: HttpRequest, object_id: str) -> Registration:
        if not self.has_view_permission(request):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        return obj

    def document_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The identity document's image, for staff who may see the registration."""
        obj = self._visible_object(request, object_id)
        return document_response(request, obj, request.audit)

    def lifecycle_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        """Transfer a registration, record a changed CPR status, or allow a new number."""
        if action not in LIFECYCLE_ACTIONS:
            raise Http404
        obj = self._visible_object(request, object_id)
        if not self.has_review_permission(request):
            raise PermissionDenied
        form_class, title, _offered = LIFECYCLE_ACTIONS[action]
        change_url = reverse("admin:registrations_registration_change", args=[obj.pk])
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                form.apply(obj, request.audit)
            except DomainError as error:
                self._error(request, error)
            else:
                self.message_user(request, _LIFECYCLE_DONE[action], messages.SUCCESS)
                return HttpResponseRedirect(self._after_lifecycle(request, obj, change_url))
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "registration": obj,
            "form": form,
            "cancel_url": change_url,
        }
        audit_record(request.audit, action=Action.VIEW, subject=obj, criteria={"page": action})
        return TemplateResponse(
            request,
            "admin/registrations/registration/lifecycle.html",
            context,
            status=400 if form.is_bound else 200,
        )

    def _after_lifecycle(self, request: HttpRequest, obj: Registration, change_url: str) -> str:
        """Back to the registration, or to the list when it moved out of the user's scope."""
        if self.get_queryset(request).filter(pk=obj.pk).exists():
            return change_url
        return reverse("admin:registrations_registration_changelist")

    def review_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        """Approve, flag or annul one registration, through a form for the comment or reason."""
        if action not in review.REVIEW_ACTIONS:
            raise Http404
        obj = self._visible_object(request, object_id)
        if not self.has_review_permission(request):
            raise PermissionDenied
        change_url = reverse("admin:registrations_registration_change", args=[obj.pk])
        form = ReviewForm(request.POST or None, action=action)
        if request.method == "POST" and form.is_valid():
            self._batch(
                request, [obj], action, text=form.cleaned_data["text"], annulment=form.annulment()
            )
            return HttpResponseRedirect(change_url)
        return self._review_page(request, action, [obj], form, cancel_url=change_url)

    # --- Actions -------------------------------------------------------------------------------

    @admin.action(description=_("Godkend de valgte registreringer"), permissions=["review"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._batch(request, queryset, "approve", text="")

    @admin.action(
        description=_("Markér de valgte til opfølgning (med kommentar)"), permissions=["review"]
    )
    def flag_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self._batch_with_text(request, queryset, "flag")

    @admin.action(
        description=_("Annullér de valgte personnumre (med begrundelse)"), permissions=["review"]
    )
    def annul_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return self._batch_with_text(request, queryset, "annul")

    def _batch_with_text(
        self, request: HttpRequest, queryset: QuerySet, action: str
    ) -> HttpResponse | None:
        rows = list(queryset[: review.BATCH_LIMIT + 1])
        if len(rows) > review.BATCH_LIMIT:
            self._error(
                request,
                review.BatchTooLarge(
                    params={"limit": review.BATCH_LIMIT, "count": queryset.count()}
                ),
            )
            return None
        form = ReviewForm(request.POST if "confirm" in request.POST else None, action=action)
        if "confirm" in request.POST and form.is_valid():
            self._batch(
                request, rows, action, text=form.cleaned_data["text"], annulment=form.annulment()
            )
            return None
        return self._review_page(request, action, rows, form, cancel_url=request.get_full_path())

    def _batch(
        self,
        request: HttpRequest,
        registrations: Any,
        action: str,
        *,
        text: str,
        annulment: review.Annulment | None = None,
    ) -> None:
        try:
            result = review.registrations_review(
                registrations=registrations,
                action=action,
                by=request.audit,
                text=text,
                annulment=annulment,
            )
        except DomainError as error:
            self._error(request, error)
            return
        self._report(request, action, result)

    def _review_page(
        self,
        request: HttpRequest,
        action: str,
        registrations: list[Registration],
        form: ReviewForm,
        *,
        cancel_url: str,
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": _ACTION_LABELS[action],
            "opts": self.model._meta,
            "action": action,
            "action_label": _ACTION_LABELS[action],
            "registrations": registrations,
            "form": form,
            "cancel_url": cancel_url,
            "batch": request.resolver_match.url_name.endswith("changelist"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "annul": action == "annul",
        }
        status = 400 if form.is_bound else 200
        # The page names the registrations (masked number, name): a view of each.
        if len(registrations) == 1:
            audit_record(
                request.audit,
                action=Action.VIEW,
                subject=registrations[0],
                criteria={"page": action},
            )
        else:
            audit_record(
                request.audit,
                action=Action.LIST,
                criteria={"page": action},
                shown=Shown.of(Registration, (row.pk for row in registrations)),
            )
        return TemplateResponse(
            request, "admin/registrations/registration/review.html", context, status=status
        )

    def _report(self, request: HttpRequest, action: str, result: review.BatchResult) -> None:
        if result.done:
            self.message_user(
                request,
                _DONE_MESSAGES[action](len(result.done)) % {"count": len(result.done)},
                messages.SUCCESS,
            )
        for _registration, error in result.refused:
            self._error(request, error)

    def _error(self, request: HttpRequest, error: DomainError) -> None:
        self.message_user(request, error.message_in(gettext), messages.ERROR)


_ACTION_LABELS = {
    "approve": _("Godkend"),
    "flag": _("Markér til opfølgning"),
    "annul": _("Annullér personnummeret"),
}

_LIFECYCLE_DONE = {
    "transfer": _("Registreringen er overført. Det nye jobcenter har den nu."),
    "cpr_status": _("Den ændrede CPR-status er registreret."),
    "new_number": _("Personen kan nu få et nyt personnummer ved næste registrering."),
}

_DONE_MESSAGES = {
    "approve": lambda n: ngettext(
        "%(count)d registrering er godkendt.", "%(count)d registreringer er godkendt.", n
    ),
    "flag": lambda n: ngettext(
        "%(count)d registrering er markeret til opfølgning.",
        "%(count)d registreringer er markeret til opfølgning.",
        n,
    ),
    "annul": lambda n: ngettext(
        "%(count)d personnummer er annulleret (CPR-status 30).",
        "%(count)d personnumre er annulleret (CPR-status 30).",
        n,
    ),
}


def _today_query() -> str:
    today = timezone.localdate()
    return (
        f"?created_at__year={today.year}&created_at__month={today.month}"
        f"&created_at__day={today.day}"
    )
