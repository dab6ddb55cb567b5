"""Services of the Jobnet accounts: the only way other code creates, prints or disables.

Every change and every print goes through :func:`apoc.audit.services.audit_record`
in the same transaction: a print that rolls back leaves no log entry, and a print
whose log entry fails is rolled back.

The one-time password exists in plaintext only inside :func:`letter_print`, in
memory, while the PDF is made. It is never stored, logged, cached or put in an
error message; the database holds its hash. A one-time password typed from the
case system passes through :func:`case_system_letter_print` the same way, and
the database holds nothing of it, not even a hash.

The accounts of :func:`jobnet_account_new` and :func:`letter_print` are made up
by APOC: Jobnet never hears of them, so, like the numbers of
``cpr.registry.LocalRegistry``, they are for training mode only. A login from
the jobcentre's case system is printed by :func:`case_system_letter_print`: the
caseworker types it, APOC prints it and keeps only the fact of the print. Which
of the two an installation uses is ``JOBNET_ACCOUNTS`` (:mod:`jobnet.accounts`).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from apoc.audit.services import Action, AuditContext, audit_record
from apoc.db import insert_unless_conflict

from . import credentials
from .exceptions import (
    DISABLED_FROM_CASE_SYSTEM,
    AccountDisabled,
    InvalidTypedPassword,
    InvalidTypedUsername,
    LoginFromCaseSystem,
    UsernameUnavailable,
)
from .letters import Credentials, LetterData, render_letter
from .models import JobnetAccount, LetterPrint

__all__ = [
    "case_system_account_create",
    "case_system_letter_print",
    "jobnet_account_create",
    "jobnet_account_disable",
    "jobnet_account_new",
    "letter_print",
    "typed_login",
]

logger = logging.getLogger(__name__)

#: Draws of a username before giving up. With about 6 * 10**8 usernames a
#: collision is rare and ten in a row is practically impossible.
MAX_USERNAME_DRAWS = 10


def jobnet_account_new(*, issued_by: Any) -> JobnetAccount:
    """Create an account with a new random username and no usable password yet.

    In the caller's transaction, without logging: the caller writes the access
    log entry for the account in the same transaction (:func:`jobnet_account_create`
    does both; the intake logs it with the registration, in one statement).
    The unique constraint on the username is the arbiter between concurrent
    creations on any number of app servers; a collision draws again. Raises
    ``UsernameUnavailable`` when ``MAX_USERNAME_DRAWS`` draws all collide.
    """
    for _ in range(MAX_USERNAME_DRAWS):
        draft = JobnetAccount(username=credentials.new_username(), issued_by=issued_by)
        draft.set_password(None)
        draft.full_clean(exclude=["issued_by"], validate_unique=False, validate_constraints=False)
        account = insert_unless_conflict(
            JobnetAccount,
            field="username",
            values={
                "source": JobnetAccount.Source.LOCAL,
                "username": draft.username,
                "password": draft.password,
                "issued_by": issued_by,
            },
        )
        if account is not None:
            return account
        logger.info("Jobnet username collision, drawing again")
    raise UsernameUnavailable()


@transaction.atomic
def jobnet_account_create(*, by: AuditContext) -> JobnetAccount:
    """Create an account (:func:`jobnet_account_new`) and log it, in one transaction."""
    account = jobnet_account_new(issued_by=by.user)
    audit_record(by, action=Action.CREATE, subject=account)
    return account


def letter_print(
    *,
    account: JobnetAccount,
    letter: LetterData,
    by: AuditContext,
) -> bytes:
    """Draw a new one-time password and return the letter that carries it, as PDF bytes.

    In one transaction, with the account's row locked: the password is drawn,
    the letter rendered with it, the hash replaced and the print recorded. If
    anything fails, nothing changes and the previous password still works.
    Each print replaces the password, so only the latest letter's works.
    Raises ``AccountDisabled`` for a disabled account and ``InvalidLetterData``
    when the details cannot be printed.
    """
    with transaction.atomic():
        locked = _locked_active(account)
        if locked.is_from_case_system:
            raise LoginFromCaseSystem()
        password = credentials.new_password()
        pdf = render_letter(letter, Credentials(username=locked.username, password=password))
        locked.set_password(password)
        del password
        locked.password_set_at = timezone.now()
        locked.save(update_fields=["password", "password_set_at"])
        _print_record(locked, letter, by)
    account.password = locked.password
    account.password_set_at = locked.password_set_at
    logger.info("Jobnet letter printed for account %s in %s", locked.pk, ",".join(letter.languages))
    return pdf


def _locked_active(account: JobnetAccount) -> JobnetAccount:
    """The account's row, locked for the transaction; raises ``AccountDisabled``."""
    locked = JobnetAccount.objects.select_for_update(no_key=True).get(pk=account.pk)
    if not locked.is_active:
        if locked.username is None:
            raise AccountDisabled(DISABLED_FROM_CASE_SYSTEM)
        raise AccountDisabled(params={"username": locked.username})
    return locked


def _print_record(account: JobnetAccount, letter: LetterData, by: AuditContext) -> None:
    """That a letter was printed, by whom and in which languages; logged. Never its login."""
    languages = letter.languages
    LetterPrint.objects.create(account=account, printed_by=by.user, languages=",".join(languages))
    audit_record(
        by,
        action=Action.PRINT_LETTER,
        subject=account,
        criteria={"languages": list(languages)},
    )


# -- logins from the case system ------------------------------------------------------


@transaction.atomic
def case_system_account_create(*, by: AuditContext) -> JobnetAccount:
    """The record of a person's login from the case system, to hang its letters on; logged.

    It holds no username and no password: the case system has them.
    """
    account = JobnetAccount(
        source=JobnetAccount.Source.CASE_SYSTEM, username=None, issued_by=by.user
    )
    account.set_password(None)
    account.save(force_insert=True)
    audit_record(by, action=Action.CREATE, subject=account)
    return account


@sensitive_variables("password", "login")
def typed_login(*, username: str, password: str) -> Credentials:
    """The login the caseworker typed from the case system, checked, to print as typed.

    Leading and trailing whitespace (from copying) is dropped; nothing else is
    changed. Raises ``InvalidTypedUsername`` or ``InvalidTypedPassword``, whose
    messages never quote what was typed.
    """
    username, password = username.strip(), password.strip()
    if not credentials.is_typed_username(username):
        raise InvalidTypedUsername()
    if not credentials.is_typed_password(password):
        raise InvalidTypedPassword()
    return Credentials(username=username, password=password, as_typed=True)


@sensitive_variables("login")
def case_system_letter_print(
    *,
    account: JobnetAccount,
    letter: LetterData,
    login: Credentials,
    by: AuditContext,
) -> bytes:
    """The letter with a login from the case system, as PDF bytes.

    ``login`` is what the caseworker typed (:func:`typed_login`; checked again
    here). APOC keeps neither its username nor its password nor a hash: only
    that a letter was printed, by whom, when and in which languages, and the
    access-log entry. An account APOC made up earlier (before the installation
    switched to the case system) gives up its made-up username and password
    hash first, logged. Raises ``AccountDisabled``, ``InvalidLetterData`` and
    the typed login's errors; on any failure nothing changes.
    """
    login = typed_login(username=login.username, password=login.password)
    with transaction.atomic():
        locked = _locked_active(account)
        if not locked.is_from_case_system:
            _hand_over_to_case_system(locked, by)
        pdf = render_letter(letter, login)
        _print_record(locked, letter, by)
    del login
    for name in ("source", "username", "password", "password_set_at"):
        setattr(account, name, getattr(locked, name))
    logger.info(
        "Jobnet letter with a login from the case system printed for account %s in %s",
        locked.pk,
        ",".join(letter.languages),
    )
    return pdf


def _hand_over_to_case_system(account: JobnetAccount, by: AuditContext) -> None:
    """Forget the username and password hash APOC made up; the case system's login follows."""
    account.source = JobnetAccount.Source.CASE_SYSTEM
    account.username = None
    account.set_password(None)
    account.password_set_at = None
    account.save(update_fields=["source", "username", "password", "password_set_at"])
    audit_record(
        by,
        action=Action.UPDATE,
        subject=account,
        criteria={"source": JobnetAccount.Source.CASE_SYSTEM.value},
    )


@transaction.atomic
def jobnet_account_disable(
    *,
    account: JobnetAccount,
    by: AuditContext,
) -> JobnetAccount:
    """Disable the account: its password stops working and no letter can be printed.

    Disabling a disabled account changes nothing.
    """
    locked = JobnetAccount.objects.select_for_update(no_key=True).get(pk=account.pk)
    if locked.is_active:
        locked.status = JobnetAccount.Status.DISABLED
        locked.disabled_at = timezone.now()
        locked.set_password(None)
        locked.save(update_fields=["status", "disabled_at", "password"])
        audit_record(
            by,
            action=Action.UPDATE,
            subject=locked,
            criteria={"status": JobnetAccount.Status.DISABLED.value},
        )
    account.status = locked.status
    account.disabled_at = locked.disabled_at
    account.password = locked.password
    return account
