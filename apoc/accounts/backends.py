"""Authentication backends: local passwords where they are allowed, and the session of a
member of staff signed in through an identity provider."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.http import HttpRequest

from apoc.audit.services import client_ip

from . import signin


class StaffBackend(ModelBackend):
    """Django's ModelBackend, loading a request's user in fewer queries.

    Every page of a member of staff reads their jobcentre and checks a permission: the
    user comes with the jobcentre (one query, not two), and their own and their groups'
    permissions come in one query (Django asks twice). The answers are Django's.
    """

    def get_user(self, user_id: Any) -> Any:
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("jobcentre").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                permissions = permissions.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in permissions.values_list(
                    "content_type__app_label", "codename"
                ).distinct()
            }
        return user_obj._perm_cache


class PasswordBackend(StaffBackend):
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


class IdentityProviderBackend(StaffBackend):
    """Keeps the session of an account signed in by :func:`apoc.accounts.signin.finish`;
    authenticates nothing by itself (no password)."""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> None:
        return None
