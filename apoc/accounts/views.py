"""The page where a member of staff chooses a password, from the link an administrator sent."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _

from apoc.audit.services import AuditContext, client_ip

from . import services


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
