"""The caseworker's pages. Thin: forms validate, services act, selectors read."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from apoc.audit.services import Action, Shown, audit_record
from apoc.exceptions import DomainError
from cpr.eligibility import NotEligible
from cpr.exceptions import AlreadyRegistered
from cpr.issued import IssuedNumberMismatch, IssuedNumberRequired
from documents.mrz import parse_mrz
from jobnet.accounts import get_accounts

from . import pending
from .cpr_check import CprAnswer, CprCandidatesFound, NotPersonReasonRequired, candidate_rows
from .files import SubmittedDocument, document_response
from .forms import IntakeForm, JobseekerEndForm, LetterLoginForm, OfferForm, SearchForm
from .intake import IntakeData, WarningsNotConfirmed
from .lifecycle import registration_jobseeker_end, registration_jobseeker_start
from .models import Registration
from .selectors import (
    parse_search,
    registration_search,
    registration_submitted,
    registrations_today,
    registrations_visible_to,
)
from .services import (
    AnnulledRegistrationFound,
    DuplicateFound,
    offer_create,
    registration_letter_print,
    registration_submit,
)


@never_cache
@permission_required("registrations.view_registration", raise_exception=True)
def home(request: HttpRequest) -> HttpResponse:
    """The front page: the search box and today's registrations in the user's jobcentre."""
    today = list(registrations_today(request.user)[:50])
    if today:
        audit_record(
            request.audit,
            action=Action.LIST,
            criteria={"list": "today"},
            shown=Shown.of(Registration, (row.pk for row in today)),
        )
    return render(request, "registrations/home.html", {"today": today, "search_form": SearchForm()})


@never_cache
@permission_required("registrations.add_registration", raise_exception=True)
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    """GET: the empty form. POST: register the person (the MRZ has its own endpoint)."""
    if request.method == "GET":
        jobcentre = request.user.jobcentre
        initial = {
            "submission_token": uuid.uuid4(),
            "stay_municipality": jobcentre.municipality_code if jobcentre else "",
        }
        form = IntakeForm(initial=initial)
        # A document reader types the MRZ into the field that has the focus.
        form.fields["mrz"].widget.attrs["autofocus"] = True
        return render(request, "registrations/intake.html", {"form": form})
    stash = _stash(request)
    form = IntakeForm(
        request.POST, request.FILES, has_pending_document=bool(stash and stash.exists())
    )
    valid = form.is_valid()
    if not valid:
        # The same submission again, after it was stored (a retry without its document,
        # which the intake no longer keeps): its registration. A complete retry goes on to
        # registration_submit, which finds it by its submission token.
        done = registration_submitted(request.user, stash.token) if stash else None
        if done is not None:
            return _already_stored(request, done)
    _keep_upload(form, stash)
    if not valid:
        context = {"form": form, "pending": stash.describe() if stash else None}
        return render(request, "registrations/intake.html", context, status=400)
    document = stash.load()
    try:
        registration, created = registration_submit(
            data=IntakeData.from_values(form.cleaned_data),
            document=SubmittedDocument(document.content, document.extension, document.content_type),
            confirmed_warnings=frozenset(form.cleaned_data.get("confirm_warnings", ())),
            submission_token=form.cleaned_data["submission_token"],
            by=request.audit,
            today=timezone.localdate(),
            cpr_answer=_cpr_answer(request, form),
        )
    except DomainError as error:
        return _intake_refused(request, form, stash, error)
    stash.discard()
    request.session.pop(_candidates_key(stash.token), None)
    if not created:
        return _already_stored(request, registration)
    messages.success(request, gettext("Personen er registreret, og personnummeret er tildelt."))
    return redirect("registrations:detail", pk=registration.pk)


def _already_stored(request: HttpRequest, registration: Any) -> HttpResponse:
    """The answer to a submission that came again (a retry, a double click)."""
    messages.info(request, gettext("Registreringen var allerede gemt. Den er ikke oprettet igen."))
    return redirect("registrations:detail", pk=registration.pk)


def _refused_context(
    request: HttpRequest, form: IntakeForm, refusal: NotEligible
) -> dict[str, Any]:
    for reason in refusal.result.blocks:
        field = reason.field if reason.field in form.fields else None
        form.add_error(field, reason.message_in(gettext))
    return {"refused": refusal.result}


def _unconfirmed_context(
    request: HttpRequest, form: IntakeForm, unconfirmed: WarningsNotConfirmed
) -> dict[str, Any]:
    form = IntakeForm(form.data, warnings=unconfirmed.warnings, has_pending_document=True)
    form.is_valid()
    if form.cleaned_data.get("confirm_warnings"):
        form.add_error("confirm_warnings", unconfirmed.message_in(gettext))
    return {
        "form": form,
        "warnings": [warning.message_in(gettext) for warning in unconfirmed.warnings],
    }


def _duplicate_context(
    request: HttpRequest, form: IntakeForm, found: DuplicateFound
) -> dict[str, Any]:
    # Shown once, in the error summary with the matches (not again above the fields).
    return {"duplicates": found.matches, "duplicate_message": found.message_in(gettext)}


def _annulled_context(
    request: HttpRequest, form: IntakeForm, found: AnnulledRegistrationFound
) -> dict[str, Any]:
    return {"duplicates": [found.match], "duplicate_message": found.message_in(gettext)}


def _issued_context(request: HttpRequest, form: IntakeForm, error: DomainError) -> dict[str, Any]:
    """The number from CPR's client is missing, does not fit, or is taken: next to its field."""
    form.add_error("issued_personnummer", error.message_in(gettext))
    return {"issued_step": True}


def _candidates_key(token: uuid.UUID) -> str:
    return f"cpr-candidates-{token}"


def _cpr_answer(request: HttpRequest, form: IntakeForm) -> CprAnswer | None:
    """The caseworker's answer to the people CPR found, if this submission showed them.

    The full numbers stay on the server, in the session under the submission's
    token; the page shows masked numbers and posts the row's index.
    """
    shown = request.session.get(_candidates_key(form.cleaned_data["submission_token"])) or {}
    numbers = shown.get("numbers", [])
    choice = form.cleaned_data.get("cpr_choice", "")
    if not numbers or not choice:
        return None
    if choice == "none":
        return CprAnswer(not_person_reason=form.cleaned_data.get("cpr_not_person_reason", ""))
    index = int(choice) if choice.isdigit() else -1
    return CprAnswer(chosen=numbers[index] if 0 <= index < len(numbers) else "")


def _candidates_context(
    request: HttpRequest, form: IntakeForm, found: CprCandidatesFound
) -> dict[str, Any]:
    rows = candidate_rows(found.candidates)
    numbers = [person.personnummer for person in found.candidates]
    request.session[_candidates_key(form.cleaned_data["submission_token"])] = {
        "numbers": numbers,
        "rows": rows,
    }
    _log_candidates_shown(request, numbers)
    return {"cpr_candidates": rows, "cpr_message": found.message_in(gettext)}


def _log_candidates_shown(request: HttpRequest, numbers: list[str]) -> None:
    """The people CPR found are shown (names, masked numbers): logged with their numbers,
    which the page never shows, so that ``audit_for`` finds the showing."""
    audit_record(
        request.audit,
        action=Action.CPR_LOOKUP,
        criteria={"kind": "search", "result": "candidates_shown", "candidates": numbers},
    )


def _not_person_context(
    request: HttpRequest, form: IntakeForm, error: NotPersonReasonRequired
) -> dict[str, Any]:
    shown = request.session.get(_candidates_key(form.cleaned_data["submission_token"])) or {}
    form.add_error("cpr_not_person_reason", error.message_in(gettext))
    if shown.get("numbers"):
        _log_candidates_shown(request, shown["numbers"])
    return {"cpr_candidates": shown.get("rows", []), "cpr_message": error.message_in(gettext)}


def _error_context(request: HttpRequest, form: IntakeForm, error: DomainError) -> dict[str, Any]:
    form.add_error(None, error.message_in(gettext))
    return {}


#: Each domain error of the intake: its status code and how the form shows it.
#: The first entry whose class the error is an instance of applies.
INTAKE_ERRORS: tuple[tuple[type[DomainError], int, Callable[..., dict[str, Any]]], ...] = (
    (NotEligible, 422, _refused_context),
    (WarningsNotConfirmed, 422, _unconfirmed_context),
    (DuplicateFound, 409, _duplicate_context),
    (AnnulledRegistrationFound, 409, _annulled_context),
    (CprCandidatesFound, 409, _candidates_context),
    (NotPersonReasonRequired, 422, _not_person_context),
    (IssuedNumberRequired, 422, _issued_context),
    (IssuedNumberMismatch, 422, _issued_context),
    (AlreadyRegistered, 409, _issued_context),
    (DomainError, 422, _error_context),
)


def _intake_refused(
    request: HttpRequest,
    form: IntakeForm,
    stash: pending.PendingDocument,
    error: DomainError,
) -> HttpResponse:
    """The form again, with the error shown as :data:`INTAKE_ERRORS` says."""
    status, shown = next(
        (status, shown) for kind, status, shown in INTAKE_ERRORS if isinstance(error, kind)
    )
    context = {"form": form, "pending": stash.describe(), **shown(request, form, error)}
    return render(request, "registrations/intake.html", context, status=status)


def _stash(request: HttpRequest) -> pending.PendingDocument | None:
    """Where this submission's verified upload waits between its steps."""
    try:
        token = uuid.UUID(str(request.POST.get("submission_token", "")))
    except ValueError:
        return None
    return pending.PendingDocument(user_id=request.user.pk, token=token)


#: Intake fields an MRZ fills, and how to read each from the parsed MRZ.
_MRZ_FIELDS = {
    "surname": lambda f: f.surname,
    "given_names": lambda f: f.given_names,
    "birth_date": lambda f: f.birth_date,
    "sex": lambda f: f.sex if f.sex in ("M", "F") else None,
    "nationality": lambda f: f.nationality_country,
    "document_type": lambda f: f.document_type,
    "document_number": lambda f: f.document_number,
    "document_country": lambda f: f.issuing_country,
    "document_expiry": lambda f: f.expiry_date,
    "foreign_id_number": lambda f: f.personal_number or None,
}


@never_cache
@permission_required("registrations.add_registration", raise_exception=True)
@require_http_methods(["POST"])
def intake_mrz(request: HttpRequest) -> HttpResponse:
    """Fill the form from the MRZ and show it again; nothing is submitted."""
    stash = _stash(request)
    values = _posted_values(request, stash)
    result = parse_mrz(values.get("mrz", "") or "", today=timezone.localdate())
    filled = _fill_from_mrz(values, result.fields)
    form = IntakeForm(
        initial=values,
        mrz_filled=frozenset(filled),
        has_pending_document=bool(stash and stash.exists()),
    )
    if "surname" in filled:
        # The MRZ has no diacritics: the caseworker's next step is the name.
        form.fields["surname"].widget.attrs["autofocus"] = True
    errors = [error.message_in(gettext) for error in result.errors]
    if result.fields is not None and result.fields.expired:
        errors.append(gettext("Dokumentet er udløbet ifølge MRZ'en."))
    context = {
        "form": form,
        "mrz_errors": errors,
        "mrz_filled": sorted(form.fields[name].label for name in filled),
        "pending": stash.describe() if stash else None,
    }
    return render(request, "registrations/intake.html", context, status=422 if errors else 200)


def _posted_values(request: HttpRequest, stash: pending.PendingDocument | None) -> dict[str, Any]:
    """What the form held when "Læs MRZ" was pressed; a valid upload is kept."""
    values: dict[str, Any] = {
        key: request.POST.get(key)
        for key in request.POST
        if key not in ("csrfmiddlewaretoken", "read_mrz")
    }
    for key in ("has_personnummer", "residence_registered", "receives_pd_u2"):
        values[key] = key in request.POST
    if stash is None:
        values["submission_token"] = uuid.uuid4()
    elif request.FILES.get("document_file"):
        # Keep a valid upload; a bad one is reported when the form is submitted.
        probe = IntakeForm(request.POST, request.FILES)
        probe.is_valid()
        _keep_upload(probe, stash)
    return values


def _fill_from_mrz(values: dict[str, Any], fields: Any) -> set[str]:
    """Put what the MRZ's valid lines say into ``values``; the names of the fields filled."""
    if fields is None:
        return set()
    filled = set()
    for name, read in _MRZ_FIELDS.items():
        value = read(fields)
        if value:
            values[name] = value
            filled.add(name)
    return filled


def _keep_upload(form: IntakeForm, stash: pending.PendingDocument | None) -> None:
    """Keep the rebuilt upload between the steps of one submission."""
    rebuilt = form.cleaned_data.get("document_file") if hasattr(form, "cleaned_data") else None
    if stash is not None and rebuilt:
        stash.save(rebuilt)


@never_cache
@permission_required("registrations.view_registration", raise_exception=True)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_object_or_404(registrations_visible_to(request.user), pk=pk)
    return _detail_page(request, registration)


def _detail_page(
    request: HttpRequest, registration: Registration, *, status: int = 200, **forms: Any
) -> HttpResponse:
    """The registration's page, logged as a view: also when it comes back with a form's errors."""
    audit_record(request.audit, action=Action.VIEW, subject=registration)
    context = _detail_context(registration, **forms)
    return render(request, "registrations/detail.html", context, status=status)


def _detail_context(registration: Registration, **forms: Any) -> dict[str, Any]:
    return {
        "registration": registration,
        "offers": registration.offers.all(),
        "offer_form": forms.get("offer_form") or OfferForm(),
        "jobseeker_form": forms.get("jobseeker_form") or JobseekerEndForm(),
        "prints": _prints(registration),
        "status_changes": registration.allocation.status_changes.order_by("-effective_date"),
        "transfers": registration.transfers.select_related("from_jobcentre", "to_jobcentre"),
    }


@never_cache
@permission_required("registrations.add_offer", raise_exception=True)
@require_http_methods(["POST"])
def jobseeker(request: HttpRequest, pk: int) -> HttpResponse:
    """Register the person as jobseeker, or end the registration with a reason."""
    registration = get_object_or_404(registrations_visible_to(request.user), pk=pk)
    form = JobseekerEndForm(request.POST)
    try:
        if request.POST.get("action") == "start":
            registration_jobseeker_start(registration=registration, by=request.audit)
            messages.success(request, gettext("Personen er tilmeldt som jobsøgende."))
        elif form.is_valid():
            registration_jobseeker_end(
                registration=registration, reason=form.cleaned_data["reason"], by=request.audit
            )
            messages.success(request, gettext("Personen er afmeldt som jobsøgende."))
        else:
            return _detail_page(request, registration, status=400, jobseeker_form=form)
    except DomainError as error:
        messages.error(request, error.message_in(gettext))
    return redirect("registrations:detail", pk=registration.pk)


def _prints(registration):
    if registration.jobnet_account_id is None:
        return []
    return list(
        registration.jobnet_account.prints.select_related("printed_by").order_by("-printed_at")
    )


@sensitive_post_parameters("jobnet_password")
@never_cache
@permission_required("registrations.print_letter", raise_exception=True)
@require_http_methods(["GET", "POST"])
def letter(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation step. POST: the PDF.

    With APOC's own logins the step warns that a new letter replaces the
    password. With logins from the case system (``asks_for_login``) it is a
    form for the username and one-time password the caseworker created there;
    the password is in the POST only, never in a URL, the session, a log or a
    page sent back (:class:`~registrations.forms.LetterLoginForm`).
    """
    registration = get_object_or_404(
        registrations_visible_to(request.user).select_related("jobnet_account"), pk=pk
    )
    form = None
    if get_accounts().asks_for_login:
        form = LetterLoginForm(request.POST if request.method == "POST" else None)
    context = {"registration": registration, "prints": _prints(registration), "form": form}
    if request.method == "GET":
        return _letter_page(request, context)
    if form is not None and not form.is_valid():
        return _letter_page(request, context, status=400)
    try:
        pdf = registration_letter_print(
            registration=registration,
            by=request.audit,
            login=form.login() if form is not None else None,
        )
    except DomainError as error:
        context["error"] = error.message_in(gettext)
        return _letter_page(request, context, status=409)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="jobnet-brev.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def _letter_page(
    request: HttpRequest, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """The letter's page shows the person's name and number: logged as a view of it."""
    audit_record(
        request.audit,
        action=Action.VIEW,
        subject=context["registration"],
        criteria={"page": "letter"},
    )
    return render(request, "registrations/letter.html", context, status=status)


@never_cache
@permission_required("registrations.view_registration", raise_exception=True)
def document(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_object_or_404(registrations_visible_to(request.user), pk=pk)
    return document_response(request, registration, request.audit)


#: The searches a session keeps (the newest), each under its random key.
SEARCHES_KEPT = 20
_SEARCHES = "searches"


@never_cache
@permission_required("registrations.view_registration", raise_exception=True)
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """Post/Redirect/Get, so that what was searched for never enters a URL.

    POST: the search text is kept in the session under a random key, and the
    browser is sent to ``?s=<key>`` (303). GET ``?s=<key>``: the results, found
    and logged again at each load, so Back and reload work; the key means
    nothing outside this session, and it ends with the session. A personnummer
    typed here thus never reaches the browser's history, a Referer header, or
    the proxy's and the server's access logs.
    """
    if request.method == "POST":
        form = SearchForm(request.POST)
        if not form.is_valid():
            return render(request, "registrations/search.html", {"form": form}, status=400)
        key = _keep_search(request, form.cleaned_data["q"])
        response = redirect(f"{reverse('registrations:search')}?s={key}")
        response.status_code = 303
        return response
    key = request.GET.get("s", "")
    if not key:
        return render(request, "registrations/search.html", {"form": SearchForm()})
    text = request.session.get(_SEARCHES, {}).get(key)
    if text is None:
        context = {"form": SearchForm(), "expired": True}
        return render(request, "registrations/search.html", context, status=404)
    return _search_results(request, text)


def _keep_search(request: HttpRequest, text: str) -> str:
    kept = dict(request.session.get(_SEARCHES, {}))
    key = secrets.token_urlsafe(9)
    kept[key] = text
    request.session[_SEARCHES] = dict(list(kept.items())[-SEARCHES_KEPT:])
    return key


def _search_results(request: HttpRequest, text: str) -> HttpResponse:
    form = SearchForm(initial={"q": text})
    results = None
    query = parse_search(text)
    if query is not None:
        results = registration_search(user=request.user, query=query)
        audit_record(
            request.audit,
            action=Action.SEARCH,
            criteria={**query.as_criteria(), "results": len(results)},
            shown=Shown.of(Registration, (row.pk for row in results)),
        )
    return render(request, "registrations/search.html", {"form": form, "results": results})


@never_cache
@permission_required("registrations.add_offer", raise_exception=True)
@require_http_methods(["POST"])
def offer_add(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_object_or_404(registrations_visible_to(request.user), pk=pk)
    form = OfferForm(request.POST)
    if form.is_valid():
        try:
            offer_create(registration=registration, by=request.audit, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message_in(gettext))
        else:
            messages.success(request, gettext("Tilbuddet er gemt."))
            return redirect("registrations:detail", pk=registration.pk)
    return _detail_page(request, registration, status=400, offer_form=form)
