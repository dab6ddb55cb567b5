"""Staff sign-in and sign-out, and the page where a member of staff chooses a password from
the link an administrator sent."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from apoc.audit.services import AuditContext, client_ip
from apoc.exceptions import DomainError

from . import services, signin
from .login import LoginForm
from .models import IdentityProvider


@method_decorator(login_not_required, name="dispatch")
class PasswordSetView(auth_views.PasswordResetConfirmView):
    """Django's reset-confirm view with APOC's token, pages and access-log entry.

    The link's token is moved into the session and out of the URL at the first
    visit (Django's own step), so it never reaches a Referer header; it is valid
    once and for ``PASSWORD_RESET_TIMEOUT`` seconds.
    """

    token_generator = services.set_password_tokens
    template_name = "registration/password_set.html"
    success_url = reverse_lazy("password_set_done")
    title = _("Vælg din adgangskode")

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form: Any):
        response = super().form_valid(form)
        services.password_set_done(
            by=AuditContext.of(self.user, client_ip(self.request)), target=self.user
        )
        return response


@method_decorator(login_not_required, name="dispatch")
class PasswordSetDoneView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_set_done.html"
    title = _("Adgangskoden er valgt")


# --- Sign-in ---------------------------------------------------------------------------------


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    """The login page: the municipality's login where one is set up, and the password form.

    ``?kommune=<kommunekode>`` (a link or bookmark per municipality) goes straight on
    to that municipality's provider.
    """

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        code = request.GET.get("kommune", "").strip()
        if code and not request.user.is_authenticated:
            return redirect(_provider_start_url(code, request.GET.get(self.redirect_field_name)))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["municipalities"] = signin.providers_by_municipality()
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        if context["municipalities"]:
            signin.allow_form_action(response, signin.provider_origins())
        return response


def _provider_start_url(code: str, next_url: str | None) -> str:
    query = {"kommune": code[:3]}
    if next_url:
        query["next"] = next_url
    return f"{reverse('login_provider')}?{urlencode(query)}"


@login_not_required
@require_GET
def login_provider(request: HttpRequest) -> HttpResponse:
    """On to the chosen municipality's identity provider."""
    code = request.GET.get("kommune", "").strip()
    if not code:
        return redirect("login")
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        request.session[signin.SESSION_NEXT] = next_url
    try:
        provider = signin.provider_for_municipality(code)
        url = signin.begin(request, provider, redirect_uri=_callback_uri(request, provider))
    except DomainError as error:
        return _refused(request, error)
    return redirect(url)


def _callback_uri(request: HttpRequest, provider: IdentityProvider) -> str:
    return request.build_absolute_uri(reverse("login_callback", args=[provider.slug]))


@login_not_required
@require_GET
def login_callback(request: HttpRequest, slug: str) -> HttpResponse:
    """Where the provider sends the user back: signed in, or a page that says why not."""
    provider = get_object_or_404(IdentityProvider, slug=slug, is_active=True)
    try:
        result = signin.finish(request, provider)
    except DomainError as error:
        return _refused(request, error)
    next_url = request.session.pop(signin.SESSION_NEXT, "")
    auth_login(request, result.user, backend=signin.PROVIDER_BACKEND)
    request.session[signin.SESSION_PROVIDER] = provider.pk
    request.session[signin.SESSION_ID_TOKEN] = result.id_token
    request.session[signin.SESSION_ORIGIN] = signin.origin(provider.issuer)
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = resolve_url(settings.LOGIN_REDIRECT_URL)
    return redirect(next_url)


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(
        request,
        "registration/sign_in_refused.html",
        {"message": error.message_in(gettext), "code": error.code},
        status=403,
    )


class LogoutView(auth_views.LogoutView):
    """Signs out of APOC, and at the provider too when the user came through one that
    offers it (RP-initiated logout)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        provider_pk = request.session.get(signin.SESSION_PROVIDER)
        id_token = request.session.get(signin.SESSION_ID_TOKEN)
        provider = IdentityProvider.objects.filter(pk=provider_pk).first() if provider_pk else None
        if request.user.is_authenticated:
            signin.record_sign_out(
                request.user, client_ip(request), via=provider.slug if provider else "password"
            )
        auth_logout(request)
        if provider is not None:
            url = signin.end_session_url(
                provider,
                id_token,
                post_logout_redirect_uri=request.build_absolute_uri(reverse("login")),
            )
            if url:
                return redirect(url)
        return redirect(self.get_success_url())
