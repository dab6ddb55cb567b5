"""The Content-Security-Policy's ``form-action`` for sign-in and sign-out through a provider.

APOC's policy lets forms go to APOC only, and browsers hold a form's redirects to it too.
Signing in goes from the login page's form (through ``login/kommune/``) to the provider, and
signing out from the logout button (through ``logout/``) to the provider's sign-out page: so
the login page allows the active providers' origins, and the pages of a member of staff
signed in through a provider allow that provider's origin.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import signin


class ProviderFormActionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        origin = session.get(signin.SESSION_ORIGIN) if session is not None else None
        if origin:
            signin.allow_form_action(response, [origin])
        return response
