"""Authentication backends: local passwords where they are allowed, and the session of a
member of staff signed in through an identity provider."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from apoc.audit.services import client_ip

from . import signin


class PasswordBackend(ModelBackend):
    """Django's password check, refused where local passwords are off for the account
    (:func:`apoc.accounts.signin.password_login_allowed`).

    The refusal comes after the password was checked, so it tells nothing to somebody
    who does not know the password; the login form then says to use the municipality's
    login (``request.apoc_password_login_off``), and the access log has it.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None or signin.password_login_allowed(user):
            return user
        if request is not None:
            request.apoc_password_login_off = True
        signin.record_password_refusal(user, client_ip(request))
        return None


class IdentityProviderBackend(ModelBackend):
    """Keeps the session of an account signed in by :func:`apoc.accounts.signin.finish`;
    authenticates nothing by itself (no password)."""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> None:
        return None
