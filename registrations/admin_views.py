"""The supervisor's admin pages besides the change list: review form, CSV export, statistics.

Thin: they check the user's rights, read through selectors, write through
services (``registrations.review``) and log through ``apoc.audit``.
"""

from __future__ import annotations

import csv
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Min, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from apoc.accounts.models import Jobcentre
from apoc.accounts.scope import scope_for
from apoc.admin_tools import changelist_criteria
from apoc.audit.services import Action, Shown, audit_record
from cpr.models import CprStatus, StatusSource

from . import lifecycle
from .forms import DateField
from .intake import REASON_TEMPLATES
from .models import (
    AnnulmentReason,
    Category,
    Registration,
    ReviewStatus,
    reason_label,
)
from .review import Annulment
from .selectors import registration_by_personnummer, registrations_visible_to
from .statistics import statistics_figures

__all__ = [
    "LIFECYCLE_ACTIONS",
    "ReviewForm",
    "bar_chart_svg",
    "csv_rows",
    "reason_text",
    "registration_export",
    "registration_statistics",
]


# --- The review form ----------------------------------------------------------------------------


class ReviewForm(forms.Form):
    """The comment or reason of one review action, for one registration or a batch.

    An annulment also asks why, as a choice (it decides whether the person may
    get a new number), and for a duplicate the personnummer the person keeps.
    """

    text = forms.CharField(
        max_length=2000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60, "autofocus": True}),
    )

    LABELS = {
        "approve": (_("Kommentar (valgfri)"), False),
        "flag": (_("Hvad skal følges op?"), True),
        "annul": (_("Begrundelse for annulleringen"), True),
    }

    def __init__(self, *args: Any, action: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label, required = self.LABELS[action]
        self.fields["text"].label = label
        self.fields["text"].required = required
        self.fields["text"].error_messages["required"] = (
            _("Skriv en begrundelse.") if action == "annul" else _("Skriv en kommentar.")
        )
        if action == "annul":
            self.fields["cause"] = forms.ChoiceField(
                label=_("Årsag"),
                choices=[("", "---------"), *AnnulmentReason.choices],
                help_text=_(
                    "Afgør, om personen kan få et nyt nummer: ved forkert fødselsdato eller køn "
                    "ja; ved dobbeltnummer findes det nummer, personen beholder; ellers kun med "
                    "en teamleders tilladelse."
                ),
            )
            self.fields["survivor"] = forms.CharField(
                label=_("Ved dobbeltnummer: det personnummer, personen beholder"),
                max_length=20,
                required=False,
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("cause") == AnnulmentReason.DUPLICATE:
            survivor = registration_by_personnummer(cleaned.get("survivor", ""))
            if survivor is None:
                self.add_error(
                    "survivor",
                    _("Skriv personnummeret på den registrering, personen beholder."),
                )
            cleaned["survivor"] = survivor
        else:
            cleaned["survivor"] = None
        return cleaned

    def annulment(self) -> Annulment | None:
        if "cause" not in self.fields:
            return None
        return Annulment(
            cause=self.cleaned_data["cause"], survivor=self.cleaned_data.get("survivor")
        )


# --- Reasons and warnings -----------------------------------------------------------------------


def reason_text(code: str, *, country: str = "") -> str:
    """The Danish (or active language's) message of a reason code, without the intake's details.

    Registrations keep only the codes of the warnings the caseworker confirmed,
    so the details (a date, a number of months) show as "…".
    """
    import re

    template = REASON_TEMPLATES.get(code)
    if template is None:
        return code
    known = {"country": country} if country else {}
    return re.sub(
        r"%\((\w+)\)[sd]", lambda m: known.get(m.group(1), "…"), gettext(template)
    ).replace("%%", "%")


# --- CSV export ---------------------------------------------------------------------------------

#: Spreadsheets run cells that begin with these as formulas; the export quotes them.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

EXPORT_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("allocation__personnummer", _("personnummer")),
    ("surname", _("efternavn")),
    ("given_names", _("fornavne")),
    ("birth_date", _("fødselsdato")),
    ("sex", _("køn")),
    ("nationality", _("statsborgerskab")),
    ("category", _("kategori")),
    ("jobcentre__municipality_code", _("kommunekode")),
    ("jobcentre__name", _("jobcenter")),
    ("created_by__username", _("sagsbehandler")),
    ("created_at", _("tildelt")),
    ("review_status", _("gennemgang")),
    ("reviewed_at", _("gennemgået")),
    ("warnings_confirmed", _("advarselskoder")),
)
#: One more column, last: the confirmed warnings by their short names, for people. The
#: codes stay in their own column for filtering and counting in a spreadsheet or a script:
#: they do not change when a name is reworded or the export is made in English.
EXPORT_WARNING_LABELS = _("bekræftede advarsler")


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


#: Rows read from the database at a time while an export streams.
EXPORT_CHUNK = 2000


def _among(ids: Sequence[int], pk: int) -> bool:
    """Whether ``pk`` is in ``ids``, which are sorted: a binary search, no set of a million."""
    at = bisect_left(ids, pk)
    return at < len(ids) and ids[at] == pk


def csv_rows(
    queryset: QuerySet[Registration],
    *,
    full_personnummer: bool,
    only: Sequence[int] | None = None,
) -> Iterator[str]:
    """The export as CSV lines (semicolon-separated, as Danish spreadsheets expect), streamed.

    With ``only`` (sorted ids: those the access log names), the rows of ``queryset``
    among them; a row added since the ids were read is left out.
    """
    writer = csv.writer(_Echo(), delimiter=";")
    header = [*(str(label) for _, label in EXPORT_COLUMNS), str(EXPORT_WARNING_LABELS)]
    yield "\ufeff" + writer.writerow(header)
    fields = [name for name, _ in EXPORT_COLUMNS]
    status_at = fields.index("review_status")
    warnings_at = fields.index("warnings_confirmed")
    statuses = {value: str(label) for value, label in ReviewStatus.choices}
    rows = queryset.values_list("pk", *fields).iterator(chunk_size=EXPORT_CHUNK)
    for pk, *row in rows:
        if only is not None and not _among(only, pk):
            continue
        values = list(row)
        if not full_personnummer:
            values[0] = f"{values[0][:6]}-XXXX"
        values[status_at] = statuses.get(values[status_at], values[status_at])
        labels = ", ".join(reason_label(code) for code in values[warnings_at] or [])
        yield writer.writerow([*(_cell(v) for v in values), _cell(labels)])


def registration_export(model_admin: Any, request: HttpRequest) -> HttpResponse:
    """The filtered change list as CSV. Logged with its filters and row count."""
    if not request.user.has_perm("registrations.export_registration"):
        raise PermissionDenied
    try:
        changelist = model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        # What the change list does with a filter it cannot apply.
        return HttpResponseRedirect(f"{reverse('admin:registrations_registration_changelist')}?e=1")
    queryset = changelist.get_queryset(request)
    full = request.user.has_perm("registrations.view_full_personnummer")
    # The rows are fixed before anything is sent: their ids, read in order into an array
    # (8 bytes each), go into the log, and the file holds those rows and no others
    # (apoc.audit.shown, decision 23).
    ids = array(
        "q",
        queryset.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=EXPORT_CHUNK),
    )
    audit_record(
        request.audit,
        action=Action.EXPORT,
        criteria={
            **changelist_criteria(changelist),
            "rows": len(ids),
            "full_personnummer": full,
            "format": "csv",
        },
        shown=Shown.of_sorted(Registration, ids),
    )
    response = StreamingHttpResponse(
        csv_rows(queryset, full_personnummer=full, only=ids),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="registreringer-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


# --- Statistics ---------------------------------------------------------------------------------

MONTHS = 12
WEEKS = 12
TOP = 15


def bar_chart_svg(points: list[tuple[str, int]], *, title: str, width: int = 640) -> SafeString:
    """A bar chart as inline SVG, drawn on the server: no script, no external file."""
    height, top, bottom, left = 200, 20, 40, 40
    plot_w, plot_h = width - left - 10, height - top - bottom
    peak = max((n for _, n in points), default=0) or 1
    step = plot_w / max(len(points), 1)
    bar_w = max(step * 0.7, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="apoc-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" '
        f'stroke="#888" stroke-width="1"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" font-size="11">{peak}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    for index, (label, value) in enumerate(points):
        bar_h = plot_h * value / peak
        x = left + index * step + (step - bar_w) / 2
        y = top + plot_h - bar_h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" '
            f'fill="#417690"><title>{escape(label)}: {value}</title></rect>'
        )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
            f'font-size="10">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above


def _month_starts(now: datetime, count: int) -> list[datetime]:
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    months = [first]
    for _step in range(count - 1):
        previous = (months[-1] - timedelta(days=1)).replace(day=1)
        months.append(previous)
    return list(reversed(months))


def _week_starts(now: datetime, count: int) -> list[datetime]:
    monday = (now - timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return [monday - timedelta(weeks=w) for w in reversed(range(count))]


def _ranked(counts: Counter) -> list[tuple[Any, int]]:
    return sorted(counts.items(), key=lambda pair: (-pair[1], str(pair[0])))


def _top(rows: list[tuple[str, int]], limit: int = TOP) -> list[tuple[str, int]]:
    if len(rows) <= limit:
        return rows
    rest = sum(n for _, n in rows[limit - 1 :])
    return [*rows[: limit - 1], (gettext("andre"), rest)]


def registration_statistics(model_admin: Any, request: HttpRequest) -> TemplateResponse:
    """Allocations per week and month, by category, nationality and jobcentre; the review
    backlog; refusals by reason. Scoped like the change list."""
    user = request.user
    if not (
        model_admin.has_view_permission(request)
        and user.has_perm("registrations.review_registration")
    ):
        raise PermissionDenied
    now = timezone.localtime()
    scope = scope_for(user)
    months = _month_starts(now, MONTHS)
    weeks = _week_starts(now, WEEKS)
    # The counters kept with every change (registrations.statistics, decision 22).
    figures = statistics_figures(scope, months_from=months[0].date(), days_from=weeks[0].date())
    per_month = [
        (formats.date_format(start, "M Y"), figures.per_month.get(start.date(), 0))
        for start in months
    ]
    per_week = [
        (
            gettext("uge %(week)s") % {"week": start.isocalendar().week},
            sum(figures.per_day.get(start.date() + timedelta(days=d), 0) for d in range(7)),
        )
        for start in weeks
    ]
    categories = dict(Category.choices)
    by_category = [(categories.get(c, c), n) for c, n in _ranked(figures.by_category)]
    by_nationality = _top(
        [(str(countries.name(c)) or c, n) for c, n in _ranked(figures.by_nationality)]
    )
    names = dict(
        Jobcentre.objects.filter(pk__in=list(figures.by_jobcentre)).values_list("pk", "name")
    )
    by_jobcentre = _top(
        sorted(
            ((names.get(pk, str(pk)), n) for pk, n in figures.by_jobcentre.items()),
            key=lambda pair: (-pair[1], pair[0]),
        )
    )

    statuses = dict(ReviewStatus.choices)
    backlog = [(statuses[s], figures.by_status.get(s, 0)) for s in statuses]
    oldest_pending = (
        registrations_visible_to(user)
        .filter(review_status=ReviewStatus.PENDING)
        .aggregate(oldest=Min("created_at"))["oldest"]
    )
    refusal_count = figures.refusals
    by_reason = [
        (code, reason_label(code), reason_text(code), n) for code, n in _ranked(figures.by_reason)
    ]

    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Statistik over tildelinger"),
        "opts": model_admin.model._meta,
        "since": months[0],
        "per_month": per_month,
        "per_week": per_week,
        "month_chart": bar_chart_svg(per_month, title=gettext("Tildelinger pr. måned")),
        "week_chart": bar_chart_svg(per_week, title=gettext("Tildelinger pr. uge")),
        "by_category": by_category,
        "by_nationality": by_nationality,
        "by_jobcentre": by_jobcentre,
        "backlog": backlog,
        "oldest_pending": oldest_pending,
        "refusal_count": refusal_count,
        "by_reason": by_reason,
        "all_jobcentres": scope.everywhere,
        "refusals_heading": ngettext(
            "%(count)d afvist ansøgning", "%(count)d afviste ansøgninger", refusal_count
        )
        % {"count": refusal_count},
    }
    return TemplateResponse(request, "admin/registrations/registration/statistics.html", context)


# --- The life of a registration: transfer, CPR status, a new number -----------------------------


class TransferForm(forms.Form):
    to_jobcentre = forms.ModelChoiceField(
        label=_("Til jobcenter"), queryset=Jobcentre.objects.order_by("name")
    )
    reason = forms.CharField(
        label=_("Begrundelse"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Fx: personen er flyttet til kommunen og opholder sig nu dér."),
    )

    def apply(self, registration: Registration, by: Any) -> Any:
        return lifecycle.registration_transfer(
            registration=registration,
            to_jobcentre=self.cleaned_data["to_jobcentre"],
            reason=self.cleaned_data["reason"],
            by=by,
        )


class CprStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Ny CPR-status"),
        choices=[
            (code, label)
            for code, label in CprStatus.choices
            if code not in (CprStatus.NO_RESIDENCE, CprStatus.ANNULLED)
        ],
    )
    effective_date = DateField(label=_("Gældende fra"), range_name="effective_date")
    source = forms.ChoiceField(
        label=_("Kilde"),
        choices=[
            (StatusSource.CPR_LOOKUP, StatusSource.CPR_LOOKUP.label),
            (StatusSource.CASEWORKER, StatusSource.CASEWORKER.label),
        ],
    )
    note = forms.CharField(label=_("Bemærkning"), max_length=300, required=False)

    def apply(self, registration: Registration, by: Any) -> Any:
        return lifecycle.registration_cpr_status(
            registration=registration, by=by, **self.cleaned_data
        )


class AllowNewNumberForm(forms.Form):
    comment = forms.CharField(
        label=_("Begrundelse for et nyt personnummer"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )

    def apply(self, registration: Registration, by: Any) -> Any:
        return lifecycle.registration_allow_new_number(
            registration=registration, comment=self.cleaned_data["comment"], by=by
        )


#: action -> (form, title, what it needs of the registration to be offered)
LIFECYCLE_ACTIONS: dict[str, tuple[type[forms.Form], Any, Any]] = {
    "transfer": (TransferForm, _("Overfør til andet jobcenter"), lambda r: not r.is_annulled),
    "cpr_status": (CprStatusForm, _("Registrér ændret CPR-status"), lambda r: not r.is_annulled),
    "new_number": (
        AllowNewNumberForm,
        _("Tillad et nyt personnummer"),
        lambda r: (
            r.is_annulled
            and r.annulment_reason not in (AnnulmentReason.WRONG_DATA, AnnulmentReason.DUPLICATE)
            and r.new_number_allowed_at is None
        ),
    ),
}
