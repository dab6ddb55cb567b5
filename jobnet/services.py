"""Services of the Jobnet accounts: the only way other code creates, prints or disables.

Every change and every print goes through :func:`apoc.audit.services.audit_record`
in the same transaction: a print that rolls back leaves no log entry, and a print
whose log entry fails is rolled back.

The one-time password exists in plaintext only inside :func:`letter_print`, in
memory, while the PDF is made. It is never stored, logged, cached or put in an
error message; the database holds its hash.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import NOT_PROVIDED
from django.http import HttpRequest
from django.utils import timezone

from apoc.audit.services import Action, audit_record

from . import credentials
from .exceptions import AccountDisabled, UsernameUnavailable
from .letters import Credentials, LetterData, render_letter
from .models import JobnetAccount, LetterPrint

__all__ = ["jobnet_account_create", "jobnet_account_disable", "letter_print"]

logger = logging.getLogger(__name__)

#: Draws of a username before giving up. With about 6 * 10**8 usernames a
#: collision is rare and ten in a row is practically impossible.
MAX_USERNAME_DRAWS = 10


def jobnet_account_create(
    *, issued_by: Any, request: HttpRequest | None = None, audit: bool = True
) -> JobnetAccount:
    """Create an account with a new random username and no usable password yet.

    The unique constraint on the username is the arbiter between concurrent
    creations on any number of app servers: on PostgreSQL each draw is one
    ``INSERT … ON CONFLICT DO NOTHING``, elsewhere an INSERT in a savepoint, and
    a collision draws again. Raises ``UsernameUnavailable`` when
    ``MAX_USERNAME_DRAWS`` draws all collide.

    A caller that owns the transaction and writes the access log itself (the
    intake) passes ``audit=False``: the account then joins the caller's
    transaction without a savepoint of its own, and a failure fails the caller.
    """
    with transaction.atomic(savepoint=audit):
        for _ in range(MAX_USERNAME_DRAWS):
            account = JobnetAccount(username=credentials.new_username(), issued_by=issued_by)
            account.set_password(None)
            account.full_clean(
                exclude=["issued_by"], validate_unique=False, validate_constraints=False
            )
            if not _insert_unless_taken(account):
                logger.info("Jobnet username collision, drawing again")
                continue
            if audit:
                audit_record(user=issued_by, action=Action.CREATE, subject=account, request=request)
            return account
        raise UsernameUnavailable()


def _insert_unless_taken(account: JobnetAccount) -> bool:
    """Insert the account; False when its username is taken."""
    if connection.vendor == "postgresql":
        fields = [
            f
            for f in JobnetAccount._meta.concrete_fields
            if not f.primary_key and f.db_default is NOT_PROVIDED
        ]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        table = connection.ops.quote_name(JobnetAccount._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "  # noqa: S608 - names from the model
                "ON CONFLICT (username) DO NOTHING RETURNING id, issued_at",
                [f.get_db_prep_save(getattr(account, f.attname), connection) for f in fields],
            )
            row = cursor.fetchone()
        if row is None:
            return False
        account.pk, account.issued_at = row
        account._state.adding = False
        account._state.db = connection.alias
        return True
    try:
        with transaction.atomic():
            account.save(force_insert=True)
    except IntegrityError:
        if not JobnetAccount.objects.filter(username=account.username).exists():
            raise  # not a collision
        return False
    return True


def letter_print(
    *,
    account: JobnetAccount,
    letter: LetterData,
    printed_by: Any,
    request: HttpRequest | None = None,
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
            account=locked, printed_by=printed_by, languages=",".join(languages)
        )
        audit_record(
            user=printed_by,
            action=Action.PRINT_LETTER,
            subject=locked,
            criteria={"languages": list(languages)},
            request=request,
        )
    account.password = locked.password
    account.password_set_at = locked.password_set_at
    logger.info("Jobnet letter printed for account %s in %s", locked.pk, ",".join(languages))
    return pdf


@transaction.atomic
def jobnet_account_disable(
    *,
    account: JobnetAccount,
    disabled_by: Any = None,
    request: HttpRequest | None = None,
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
            user=disabled_by,
            action=Action.UPDATE,
            subject=locked,
            criteria={"status": JobnetAccount.Status.DISABLED.value},
            request=request,
        )
    account.status = locked.status
    account.disabled_at = locked.disabled_at
    account.password = locked.password
    return account
