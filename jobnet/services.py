"""Services of the Jobnet accounts: the only way other code creates, prints or disables.

Every change and every print goes through :func:`apoc.audit.services.audit_record`
in the same transaction: a print that rolls back leaves no log entry, and a print
whose log entry fails is rolled back.

The one-time password exists in plaintext only inside :func:`letter_print`, in
memory, while the PDF is made. It is never stored, logged, cached or put in an
error message; the database holds its hash.

APOC makes the accounts up itself: Jobnet never hears of them, so, like the
numbers of ``cpr.registry.LocalRegistry``, they are for training mode only
(``APOC_TRAINING``, :mod:`apoc.training`), and the letter says so then. When a
setting chooses where Jobnet logins come from, the local choice will be a
backend marked ``training_only`` with its own deploy check.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from apoc.audit.services import Action, AuditContext, audit_record
from apoc.db import insert_unless_conflict

from . import credentials
from .exceptions import AccountDisabled, UsernameUnavailable
from .letters import Credentials, LetterData, render_letter
from .models import JobnetAccount, LetterPrint

__all__ = [
    "jobnet_account_create",
    "jobnet_account_disable",
    "jobnet_account_new",
    "letter_print",
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
            values={"username": draft.username, "password": draft.password, "issued_by": issued_by},
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
        locked = JobnetAccount.objects.select_for_update().get(pk=account.pk)
        if not locked.is_active:
            raise AccountDisabled(params={"username": locked.username})
        password = credentials.new_password()
        pdf = render_letter(letter, Credentials(username=locked.username, password=password))
        locked.set_password(password)
        del password
        locked.password_set_at = timezone.now()
        locked.save(update_fields=["password", "password_set_at"])
        languages = letter.languages
        LetterPrint.objects.create(
            account=locked, printed_by=by.user, languages=",".join(languages)
        )
        audit_record(
            by,
            action=Action.PRINT_LETTER,
            subject=locked,
            criteria={"languages": list(languages)},
        )
    account.password = locked.password
    account.password_set_at = locked.password_set_at
    logger.info("Jobnet letter printed for account %s in %s", locked.pk, ",".join(languages))
    return pdf


@transaction.atomic
def jobnet_account_disable(
    *,
    account: JobnetAccount,
    by: AuditContext,
) -> JobnetAccount:
    """Disable the account: its password stops working and no letter can be printed.

    Disabling a disabled account changes nothing.
    """
    locked = JobnetAccount.objects.select_for_update().get(pk=account.pk)
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
