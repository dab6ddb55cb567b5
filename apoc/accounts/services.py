"""Staff accounts: who may change whom, and the link to choose a password.

**More rights.** An account has more rights than yours when it is a superuser
and you are not, or when its effective permissions (its own and its groups',
whether or not it is active) are not a subset of yours; a superuser has every
right. :func:`may_manage` says whether ``actor`` may change ``target`` at all:
only accounts with no more rights than the actor's, at a jobcentre in the
actor's scope. :func:`check_account_change` says whether the account may be
given the proposed rights and jobcentre: never more rights than the actor has
(so nobody raises their own rights or makes a stronger account), never a
jobcentre outside the actor's scope. The admin asks both before it saves and
:func:`account_saved` checks the saved result again, inside the same
transaction.

**Passwords.** Nobody types another person's password. An administrator sends
a link (:func:`password_link_send`) to the account's own e-mail address; it is
signed, valid for ``PASSWORD_RESET_TIMEOUT`` seconds and once only (the token
covers the password hash, the last login, the e-mail address and whether the
account is active, so using it, logging in, or a change of address or
deactivation ends it). Sending it and using it are both in the access log.
"""

from __future__ import annotations

import logging
import os
import re
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from apoc.audit.models import Action
from apoc.audit.services import AuditContext, audit_record
from apoc.exceptions import DomainError, gettext_noop

from .roles import NATIONAL_ADMIN
from .scope import scope_for

__all__ = [
    "AccountError",
    "AccountState",
    "Rights",
    "account_created",
    "account_saved",
    "account_state",
    "check_account_change",
    "check_may_manage",
    "check_role_mappings",
    "check_secret_reference",
    "may_manage",
    "password_link_send",
    "password_set_done",
    "rights_of",
    "secret_is_set",
    "set_password_tokens",
]

logger = logging.getLogger("apoc.security")


class AccountError(DomainError):
    code = "accounts.refused"


class OutrankedError(AccountError):
    code = "accounts.outranked"
    template = gettext_noop(
        "Kontoen %(username)s har flere rettigheder end din egen. Du kan ikke ændre den."
    )


class NotInScopeError(AccountError):
    code = "accounts.not_in_scope"
    template = gettext_noop("Kontoen %(username)s hører til et jobcenter, du ikke har adgang til.")


class RightsNotYoursError(AccountError):
    code = "accounts.rights_not_yours"
    template = gettext_noop(
        "Du kan ikke give rettigheder, du ikke selv har: %(rights)s. Det gælder også din egen konto."
    )


class JobcentreNotInScopeError(AccountError):
    code = "accounts.jobcentre_not_in_scope"
    template = gettext_noop("Du kan kun knytte medarbejdere til jobcentre, du selv har adgang til.")


class NoEmailError(AccountError):
    code = "accounts.no_email"
    template = gettext_noop(
        "Kontoen %(username)s har ingen e-mailadresse. Skriv den på kontoen, og send linket igen."
    )


class InactiveError(AccountError):
    code = "accounts.inactive"
    template = gettext_noop("Kontoen %(username)s er deaktiveret. Der sendes ikke et link til den.")


class LinkNotSentError(AccountError):
    code = "accounts.link_not_sent"
    template = gettext_noop(
        "E-mailen til %(username)s kunne ikke sendes. Prøv igen, eller kontakt APOC-support."
    )


# --- Rights -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rights:
    """What an account may do: superuser, admin access, and its effective permissions."""

    superuser: bool
    staff: bool
    permissions: frozenset[str]

    def covers(self, other: Rights) -> bool:
        """Whether these rights include all of ``other``'s."""
        if self.superuser:
            return True
        if other.superuser or (other.staff and not self.staff):
            return False
        return other.permissions <= self.permissions

    def beyond(self, other: Rights) -> list[str]:
        """What ``other`` has that these rights lack, for a message."""
        missing = []
        if other.superuser and not self.superuser:
            missing.append("superuser")
        if other.staff and not self.staff and not self.superuser:
            missing.append("is_staff")
        if not self.superuser:
            missing += sorted(other.permissions - self.permissions)
        return missing


def _permissions(
    *, user_id: int | None = None, group_ids: Iterable[int] = (), permission_ids: Iterable[int] = ()
) -> frozenset[str]:
    condition = Q(pk__in=list(permission_ids)) | Q(group__in=list(group_ids))
    if user_id is not None:
        condition |= Q(user=user_id) | Q(group__user=user_id)
    rows = Permission.objects.filter(condition).values_list("content_type__app_label", "codename")
    return frozenset(f"{app}.{codename}" for app, codename in rows.distinct())


def rights_of(user: Any) -> Rights:
    """``user``'s rights as stored, active or not (ModelBackend sees none for the inactive)."""
    return Rights(
        superuser=bool(user.is_superuser),
        staff=bool(user.is_staff),
        permissions=_permissions(user_id=user.pk) if user.pk is not None else frozenset(),
    )


def proposed_rights(
    *, superuser: bool, staff: bool, group_ids: Iterable[int], permission_ids: Iterable[int]
) -> Rights:
    """The rights an account will have with these groups and single permissions."""
    return Rights(
        superuser=superuser,
        staff=staff,
        permissions=_permissions(group_ids=group_ids, permission_ids=permission_ids),
    )


def _stored(target: Any) -> Any:
    """``target`` as the database has it (a form may have changed the instance in memory)."""
    return type(target)._default_manager.get(pk=target.pk)


def may_manage(*, actor: Any, target: Any) -> bool:
    """Whether ``actor`` may change ``target`` at all."""
    try:
        check_may_manage(actor=actor, target=target)
    except AccountError:
        return False
    return True


def check_may_manage(*, actor: Any, target: Any) -> None:
    """Raise unless ``target`` (as stored) has no more rights than ``actor`` and is in scope."""
    stored = _stored(target)
    if actor.pk == stored.pk:
        return  # one's own account; what may be given is checked by check_account_change
    if not rights_of(actor).covers(rights_of(stored)):
        raise OutrankedError(params={"username": stored.get_username()})
    if not rights_of(actor).superuser and not scope_for(actor).allows(stored.jobcentre_id):
        raise NotInScopeError(params={"username": stored.get_username()})


def check_account_change(
    *, actor: Any, target: Any | None, rights: Rights, jobcentre_id: int | None
) -> None:
    """Raise unless ``actor`` may give ``target`` (None: a new account) these rights and jobcentre."""
    if target is not None and target.pk is not None:
        check_may_manage(actor=actor, target=target)
        stored = _stored(target)
        if rights == rights_of(stored) and jobcentre_id == stored.jobcentre_id:
            return  # nothing of the kind changes
    own = rights_of(actor)
    if not own.covers(rights):
        raise RightsNotYoursError(params={"rights": ", ".join(own.beyond(rights))})
    changes_jobcentre = (
        target is None or target.pk is None or _stored(target).jobcentre_id != jobcentre_id
    )
    if (
        changes_jobcentre
        and not own.superuser
        and jobcentre_id is not None
        and not scope_for(actor).allows(jobcentre_id)
    ):
        raise JobcentreNotInScopeError()


# --- What changed, for the access log --------------------------------------------------------

#: The fields of an account whose changes the access log records.
LOGGED_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "jobcentre_id",
    "is_active",
    "is_staff",
    "is_superuser",
    "break_glass",
)


@dataclass(frozen=True)
class AccountState:
    fields: dict[str, Any]
    groups: tuple[str, ...]
    permissions: tuple[str, ...]
    rights: Rights


def account_state(user: Any) -> AccountState:
    """``user`` as stored: the logged fields, its groups and its single permissions."""
    stored = _stored(user)
    return AccountState(
        fields={name: getattr(stored, name) for name in LOGGED_FIELDS},
        groups=tuple(sorted(stored.groups.values_list("name", flat=True))),
        permissions=tuple(
            sorted(
                f"{app}.{codename}"
                for app, codename in stored.user_permissions.values_list(
                    "content_type__app_label", "codename"
                )
            )
        ),
        rights=rights_of(stored),
    )


def _differences(before: AccountState, after: AccountState) -> dict[str, Any]:
    changed: dict[str, Any] = {
        name: {"from": before.fields[name], "to": after.fields[name]}
        for name in LOGGED_FIELDS
        if before.fields[name] != after.fields[name]
    }
    if before.groups != after.groups:
        changed["groups"] = {"from": list(before.groups), "to": list(after.groups)}
    if before.permissions != after.permissions:
        changed["user_permissions"] = {
            "from": list(before.permissions),
            "to": list(after.permissions),
        }
    return changed


def account_saved(*, by: AuditContext, target: Any, before: AccountState) -> None:
    """After the admin saved ``target``: check the result again and log what changed.

    Raises an :class:`AccountError` when the saved account has rights the actor
    did not have before the change (their own account included), or a new
    jobcentre outside the actor's scope; the caller's transaction then rolls the
    change back.
    """
    actor = by.acting_user
    stored = _stored(target)
    after = account_state(stored)
    reference = before.rights if actor.pk == stored.pk else rights_of(actor)
    if after.rights != before.rights and not reference.covers(after.rights):
        raise RightsNotYoursError(params={"rights": ", ".join(reference.beyond(after.rights))})
    moved = after.fields["jobcentre_id"] != before.fields["jobcentre_id"]
    if moved and not reference.superuser and not scope_for(actor).allows(stored.jobcentre_id):
        raise JobcentreNotInScopeError()
    changed = _differences(before, after)
    if changed:
        audit_record(by, action=Action.ACCOUNT_UPDATE, subject=stored, criteria=changed)
    if "email" in changed and actor.pk != stored.pk and before.fields["email"]:
        old = before.fields["email"]
        transaction.on_commit(lambda: _tell_old_address(old=old, user=stored, by=by.username))


def _tell_old_address(*, old: str, user: Any, by: str) -> None:
    """Tell the old address that somebody else changed it: a link sent to the new one
    would otherwise take the account over unnoticed."""
    context = {"user": user, "old": old, "new": user.email, "sender": by}
    parts = []
    for language in ("da", "en"):
        with translation.override(language):
            parts.append(render_to_string("registration/email_changed_email.txt", context))
    with translation.override("da"):
        subject = translation.gettext("Din e-mailadresse i APOC er ændret")
    try:
        send_mail(subject, "\n\n".join(parts), None, [old])
    except (smtplib.SMTPException, OSError) as exc:
        logger.error("notice of a changed address to %r not sent: %s", user.get_username(), exc)


def account_created(*, by: AuditContext, target: Any) -> None:
    """Log a new account and check it has no more rights than its creator."""
    check_account_change(
        actor=by.acting_user,
        target=None,
        rights=rights_of(target),
        jobcentre_id=target.jobcentre_id,
    )
    audit_record(
        by,
        action=Action.ACCOUNT_UPDATE,
        subject=target,
        criteria={"created": dict(account_state(target).fields)},
    )


# --- The link to choose a password -----------------------------------------------------------


class SetPasswordTokenGenerator(PasswordResetTokenGenerator):
    """Django's signed, time-limited reset token, with its own salt, ended by deactivation."""

    key_salt = "apoc.accounts.services.SetPasswordTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


set_password_tokens = SetPasswordTokenGenerator()


def password_link_send(
    *, by: AuditContext, target: Any, link_for: Callable[[str, str], str]
) -> None:
    """Send ``target`` a link to choose a password, to the account's own address, and log it.

    ``link_for(uidb64, token)`` gives the absolute URL of the set-password page.
    The administrator never sees the token or the password.
    """
    check_may_manage(actor=by.acting_user, target=target)
    stored = _stored(target)
    params = {"username": stored.get_username()}
    if not stored.is_active:
        raise InactiveError(params=params)
    if not stored.email:
        raise NoEmailError(params=params)
    uid = urlsafe_base64_encode(force_bytes(stored.pk))
    link = link_for(uid, set_password_tokens.make_token(stored))
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    context = {"user": stored, "link": link, "hours": hours, "sender": by.username}
    parts = []
    for language in ("da", "en"):
        with translation.override(language):
            parts.append(render_to_string("registration/password_link_email.txt", context))
    with translation.override("da"):
        subject = translation.gettext("Vælg din adgangskode til APOC")
    try:
        send_mail(subject, "\n\n".join(parts), None, [stored.email])
    except (smtplib.SMTPException, OSError) as exc:
        logger.error("set-password link to %r not sent: %s", stored.get_username(), exc)
        raise LinkNotSentError(params=params) from exc
    audit_record(
        by,
        action=Action.PASSWORD_LINK,
        subject=stored,
        criteria={"email": stored.email, "valid_hours": hours},
    )


def password_set_done(*, by: AuditContext, target: Any) -> None:
    """Log that ``target`` chose a password through a link."""
    audit_record(by, action=Action.PASSWORD_SET, subject=target, criteria={"via": "link"})


# --- Identity providers ---------------------------------------------------------------------


class SecretReferenceError(AccountError):
    code = "accounts.secret_reference"
    template = gettext_noop(
        "Skriv navnet på en miljøvariabel (store bogstaver, tal og _), fx "
        "APOC_OIDC_KOBENHAVN_SECRET, ikke selve hemmeligheden."
    )


class NationalAdminNotAllowedError(AccountError):
    code = "accounts.national_admin_not_allowed"
    template = gettext_noop(
        "En gruppe kan kun give rollen landsadministrator, når udbyderen må give den "
        "(»må give rollen landsadministrator«)."
    )


_ENVIRONMENT_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,99}")


def check_secret_reference(name: str) -> None:
    """Raise unless ``name`` is empty or the name of an environment variable: the field
    holds where the secret is, never the secret."""
    if name and not _ENVIRONMENT_NAME.fullmatch(name):
        raise SecretReferenceError()


def secret_is_set(name: str) -> bool:
    """Whether the environment variable ``name`` holds a value (the value is not shown)."""
    return bool(os.environ.get(name))


def check_role_mappings(roles: Iterable[str], *, may_grant_national_admin: bool) -> None:
    """Raise when a group would give ``landsadministrator`` through a provider that may not."""
    if NATIONAL_ADMIN in roles and not may_grant_national_admin:
        raise NationalAdminNotAllowedError()
