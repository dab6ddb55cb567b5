"""Where the Jobnet logins in APOC's letters come from, chosen by ``JOBNET_ACCOUNTS``.

A jobseeker logs in to Jobnet the first time with a username and a one-time
password from a letter the jobcentre prints. Only a login that Jobnet's own
systems made works; at a jobcentre that is the case system (fagsystem, e.g.
KMD Momentum). APOC knows two sources of logins, behind one interface,
:class:`JobnetAccounts`; :func:`get_accounts` returns the configured one, and
no other code reads the setting.

* :class:`LocalAccounts`, the embedded account maker: APOC draws the username
  at the intake and a new one-time password at each print, and keeps the
  password's hash. Jobnet never hears of them, so it is for training only
  (``training_only``; the deploy check ``jobnet.E001`` in :mod:`jobnet.checks`
  refuses it outside training mode).
* :class:`CaseSystemAccounts`: the caseworker creates the login in the case
  system and types its username and one-time password into the letter's form.
  APOC prints them and keeps neither, nor a hash: only that a letter was
  printed, by whom, when and in which languages. No account is made at the
  intake; the first letter makes the record its prints hang on.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from apoc.audit.services import AuditContext

from . import services
from .letters import Credentials, LetterData
from .models import JobnetAccount

__all__ = ["CaseSystemAccounts", "JobnetAccounts", "LocalAccounts", "get_accounts"]


class JobnetAccounts(Protocol):
    """A source of the Jobnet logins that letters carry."""

    #: True when Jobnet does not know the logins (:mod:`apoc.training`).
    training_only: bool
    #: Whether each letter needs the login the caseworker typed (``login=``).
    asks_for_login: bool

    def account_for_intake(self, *, issued_by: Any) -> JobnetAccount | None:
        """The account an intake makes for a jobseeker, or ``None`` when the login is made
        elsewhere. In the caller's transaction and not logged: the caller logs it."""

    def account_create(self, *, by: AuditContext) -> JobnetAccount:
        """The account of a registration that has none yet, at its first letter; logged."""

    def letter_print(
        self,
        *,
        account: JobnetAccount,
        letter: LetterData,
        login: Credentials | None,
        by: AuditContext,
    ) -> bytes:
        """The letter as PDF bytes; the print recorded and logged in one transaction."""


def get_accounts() -> JobnetAccounts:
    """The source ``JOBNET_ACCOUNTS`` names."""
    return import_string(settings.JOBNET_ACCOUNTS)()


class LocalAccounts:
    """Logins APOC makes up: valid-looking, unknown to Jobnet. For training only."""

    #: Only for training mode (``APOC_TRAINING``): checked by ``jobnet.E001``.
    training_only = True
    asks_for_login = False

    def account_for_intake(self, *, issued_by: Any) -> JobnetAccount:
        return services.jobnet_account_new(issued_by=issued_by)

    def account_create(self, *, by: AuditContext) -> JobnetAccount:
        return services.jobnet_account_create(by=by)

    def letter_print(
        self,
        *,
        account: JobnetAccount,
        letter: LetterData,
        login: Credentials | None = None,
        by: AuditContext,
    ) -> bytes:
        """A new one-time password, drawn, printed and hashed (:func:`services.letter_print`)."""
        if login is not None:
            raise ValueError("LocalAccounts draws its own passwords and takes no typed login.")
        return services.letter_print(account=account, letter=letter, by=by)


class CaseSystemAccounts:
    """Logins made in the jobcentre's case system and typed by the caseworker at each letter."""

    training_only = False
    asks_for_login = True

    def account_for_intake(self, *, issued_by: Any) -> None:
        return None

    def account_create(self, *, by: AuditContext) -> JobnetAccount:
        return services.case_system_account_create(by=by)

    def letter_print(
        self,
        *,
        account: JobnetAccount,
        letter: LetterData,
        login: Credentials | None,
        by: AuditContext,
    ) -> bytes:
        """The typed login, printed (:func:`services.case_system_letter_print`)."""
        if login is None:
            raise ValueError("CaseSystemAccounts prints the login the caseworker typed.")
        return services.case_system_letter_print(account=account, letter=letter, login=login, by=by)
