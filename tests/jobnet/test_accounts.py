"""jobnet.accounts: the source of Jobnet logins that JOBNET_ACCOUNTS chooses."""

import pytest
from django.test import override_settings

from apoc.audit.models import Action, AuditEntry
from apoc.audit.services import AuditContext
from apoc.training import is_training_only
from jobnet.accounts import CaseSystemAccounts, LocalAccounts, get_accounts
from jobnet.credentials import is_username
from jobnet.letters import Credentials
from jobnet.models import JobnetAccount, LetterPrint
from tests.factories import UserFactory
from tests.jobnet.factories import LetterDataFactory
from tests.jobnet.pdf import printed_credentials

pytestmark = pytest.mark.django_db

LOCAL = "jobnet.accounts.LocalAccounts"
CASE_SYSTEM = "jobnet.accounts.CaseSystemAccounts"
TYPED = Credentials(username="Maria.K-2024", password="Xq7#lO0p!Z", as_typed=True)


def test_the_tests_use_apocs_own_logins_and_the_setting_chooses(settings):
    assert settings.JOBNET_ACCOUNTS == LOCAL
    assert isinstance(get_accounts(), LocalAccounts)
    with override_settings(JOBNET_ACCOUNTS=CASE_SYSTEM):
        assert isinstance(get_accounts(), CaseSystemAccounts)


def test_only_apocs_own_logins_are_for_training_and_only_the_case_systems_are_typed():
    assert is_training_only(LocalAccounts) and not is_training_only(CaseSystemAccounts)
    assert (LocalAccounts.asks_for_login, CaseSystemAccounts.asks_for_login) == (False, True)


# -- APOC's own logins (training) ------------------------------------------------------


def test_apocs_own_source_makes_an_account_at_the_intake_unlogged():
    user = UserFactory()
    account = LocalAccounts().account_for_intake(issued_by=user)
    assert is_username(account.username) and account.issued_by == user
    assert account.source == JobnetAccount.Source.LOCAL
    assert not AuditEntry.objects.exists()  # the intake logs it with the registration


def test_apocs_own_source_prints_its_own_password_and_takes_no_typed_one():
    accounts = LocalAccounts()
    account = accounts.account_create(by=AuditContext.of(UserFactory()))
    assert AuditEntry.objects.filter(action=Action.CREATE).count() == 1
    pdf = accounts.letter_print(
        account=account, letter=LetterDataFactory(), login=None, by=AuditContext.of(UserFactory())
    )
    username, password = printed_credentials(pdf)
    assert username == account.username
    assert JobnetAccount.objects.get(pk=account.pk).check_password(password)
    with pytest.raises(ValueError, match="takes no typed login"):
        accounts.letter_print(
            account=account,
            letter=LetterDataFactory(),
            login=TYPED,
            by=AuditContext.of(UserFactory()),
        )
    assert LetterPrint.objects.count() == 1


# -- logins from the case system ---------------------------------------------------------


def test_the_case_system_source_makes_no_account_at_the_intake():
    assert CaseSystemAccounts().account_for_intake(issued_by=UserFactory()) is None
    assert not JobnetAccount.objects.exists()


def test_the_case_system_source_prints_the_typed_login_and_keeps_none_of_it():
    accounts = CaseSystemAccounts()
    account = accounts.account_create(by=AuditContext.of(UserFactory()))
    assert account.source == JobnetAccount.Source.CASE_SYSTEM and account.username is None
    pdf = accounts.letter_print(
        account=account, letter=LetterDataFactory(), login=TYPED, by=AuditContext.of(UserFactory())
    )
    assert printed_credentials(pdf) == (TYPED.username, TYPED.password)
    assert JobnetAccount.objects.get(pk=account.pk).username is None
    assert LetterPrint.objects.filter(account=account).count() == 1


def test_the_case_system_source_needs_the_typed_login():
    accounts = CaseSystemAccounts()
    account = accounts.account_create(by=AuditContext.of(UserFactory()))
    with pytest.raises(ValueError, match="the caseworker typed"):
        accounts.letter_print(
            account=account,
            letter=LetterDataFactory(),
            login=None,
            by=AuditContext.of(UserFactory()),
        )
    assert not LetterPrint.objects.exists()
