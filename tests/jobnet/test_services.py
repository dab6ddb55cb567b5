"""jobnet.services: accounts, printing with a fresh one-time password, disabling."""

import logging
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.views.debug import ExceptionReporter

from apoc.audit.models import Action, AuditEntry
from apoc.audit.services import AuditContext
from apoc.exceptions import DomainError
from jobnet import credentials, services
from jobnet.credentials import is_username, printable
from jobnet.exceptions import (
    AccountDisabled,
    InvalidLetterData,
    InvalidTypedPassword,
    InvalidTypedUsername,
    LoginFromCaseSystem,
    UsernameUnavailable,
)
from jobnet.letters import Credentials
from jobnet.models import JobnetAccount, LetterPrint
from jobnet.services import (
    case_system_account_create,
    case_system_letter_print,
    jobnet_account_create,
    jobnet_account_disable,
    letter_print,
    typed_login,
)
from tests.factories import UserFactory
from tests.jobnet.factories import JobnetAccountFactory, LetterDataFactory
from tests.jobnet.pdf import flat, page_texts, printed_credentials

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(monkeypatch):
    """Every password the service draws, in order (the real draw, only recorded)."""
    passwords: list[str] = []
    real = credentials.new_password

    def record(*args, **kwargs):
        password = real(*args, **kwargs)
        passwords.append(password)
        return password

    monkeypatch.setattr(credentials, "new_password", record)
    return passwords


def audit_entries(action: str, account: JobnetAccount):
    return AuditEntry.objects.filter(
        action=action, subject_type="jobnet.jobnetaccount", subject_id=account.pk
    )


# -- creating an account -----------------------------------------------------------


def test_create_makes_an_active_account_with_a_random_username_and_no_password():
    user = UserFactory()
    account = jobnet_account_create(by=AuditContext.of(user))
    stored = JobnetAccount.objects.get(pk=account.pk)
    assert is_username(stored.username)
    assert stored.status == JobnetAccount.Status.ACTIVE
    assert stored.issued_by == user
    assert abs(stored.issued_at - timezone.now()) < timedelta(minutes=1)
    assert stored.password.startswith("!")  # Django's unusable password
    assert not stored.check_password("")
    assert stored.password_set_at is None
    (entry,) = audit_entries(Action.CREATE, stored)
    assert entry.user == user


def test_usernames_are_unique_in_the_database():
    account = JobnetAccountFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        JobnetAccount.objects.create(username=account.username, issued_by=account.issued_by)


def test_a_taken_username_is_drawn_again_in_a_savepoint(monkeypatch):
    taken = JobnetAccountFactory(username="bavetumi47")
    draws = iter(["bavetumi47", "bavetumi47", "dufufisi57"])
    monkeypatch.setattr(credentials, "new_username", lambda: next(draws))
    with transaction.atomic():
        account = jobnet_account_create(by=AuditContext.of(UserFactory()))
        # The caller's transaction is still usable after the collisions.
        assert JobnetAccount.objects.count() == 2
    assert account.username == "dufufisi57"
    assert JobnetAccount.objects.get(pk=taken.pk).username == "bavetumi47"


def test_when_every_draw_is_taken_the_caseworker_is_told(monkeypatch):
    JobnetAccountFactory(username="bavetumi47")
    monkeypatch.setattr(credentials, "new_username", lambda: "bavetumi47")
    with pytest.raises(UsernameUnavailable) as caught:
        jobnet_account_create(by=AuditContext.of(UserFactory()))
    assert isinstance(caught.value, DomainError)
    assert caught.value.code == "jobnet_username_unavailable"
    assert caught.value.message == "Der kunne ikke dannes et ledigt Jobnet-brugernavn. Prøv igen."
    assert JobnetAccount.objects.count() == 1
    assert not AuditEntry.objects.filter(action=Action.CREATE).exists()


def test_an_integrity_error_that_is_no_collision_is_not_swallowed(monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise IntegrityError("something else")

    monkeypatch.setattr(JobnetAccount, "save", broken_save)
    # The savepoint path (every database but PostgreSQL) is where save() is called.
    monkeypatch.setattr(type(connections["default"]), "vendor", "sqlite")
    with pytest.raises(IntegrityError, match="something else"):
        jobnet_account_create(by=AuditContext.of(UserFactory()))


# -- printing ----------------------------------------------------------------------


def test_print_returns_the_letter_with_a_password_that_checks(drawn):
    account = jobnet_account_create(by=AuditContext.of(UserFactory()))
    caseworker = UserFactory()
    pdf = letter_print(account=account, letter=LetterDataFactory(), by=AuditContext.of(caseworker))
    assert pdf.startswith(b"%PDF-")
    username, password = printed_credentials(pdf)
    assert username == account.username
    assert [password] == drawn
    assert credentials.is_password(password)
    stored = JobnetAccount.objects.get(pk=account.pk)
    assert stored.check_password(password)
    assert stored.check_password(printable(password).upper())  # as a person may type it
    assert not stored.check_password(password[:-1])
    assert abs(stored.password_set_at - timezone.now()) < timedelta(minutes=1)
    # The caller's instance follows.
    assert account.check_password(password)


def test_print_records_the_print_and_logs_it_without_the_password(drawn):
    account = jobnet_account_create(by=AuditContext.of(UserFactory()))
    caseworker = UserFactory()
    letter_print(
        account=account, letter=LetterDataFactory(language="ro"), by=AuditContext.of(caseworker)
    )
    (printed,) = LetterPrint.objects.filter(account=account)
    assert printed.printed_by == caseworker
    assert printed.languages == "da,en,ro"
    assert printed.language_list == ["da", "en", "ro"]
    assert abs(printed.printed_at - timezone.now()) < timedelta(minutes=1)
    (entry,) = audit_entries(Action.PRINT_LETTER, account)
    assert entry.user == caseworker
    assert entry.criteria == {"languages": ["da", "en", "ro"]}


def test_the_letter_has_the_details_given(drawn):
    account = jobnet_account_create(by=AuditContext.of(UserFactory()))
    letter = LetterDataFactory(name="Γεώργιος Παπαδόπουλος", language="de")
    pdf = letter_print(account=account, letter=letter, by=AuditContext.of(UserFactory()))
    texts = [flat(text) for text in page_texts(pdf)]
    assert len(texts) == 3
    assert all("Γεώργιος Παπαδόπουλος" in text for text in texts)
    assert all("770590-1234" in text for text in texts)
    assert all(printable(drawn[0]) in text for text in texts)
    assert all(printable(account.username) in text for text in texts)
    assert "Ihr Benutzername und Ihr Passwort für Jobnet" in texts[2]


def test_a_reprint_replaces_the_password(drawn):
    account = jobnet_account_create(by=AuditContext.of(UserFactory()))
    first = letter_print(
        account=account, letter=LetterDataFactory(), by=AuditContext.of(UserFactory())
    )
    second = letter_print(
        account=account, letter=LetterDataFactory(), by=AuditContext.of(UserFactory())
    )
    old, new = printed_credentials(first)[1], printed_credentials(second)[1]
    assert [old, new] == drawn
    assert old != new
    stored = JobnetAccount.objects.get(pk=account.pk)
    assert not stored.check_password(old)
    assert stored.check_password(new)
    assert printed_credentials(first)[0] == printed_credentials(second)[0] == stored.username
    assert LetterPrint.objects.filter(account=account).count() == 2
    assert audit_entries(Action.PRINT_LETTER, account).count() == 2


def test_a_failure_while_rendering_changes_nothing(drawn, monkeypatch):
    account = jobnet_account_create(by=AuditContext.of(UserFactory()))
    letter_print(account=account, letter=LetterDataFactory(), by=AuditContext.of(UserFactory()))
    before = JobnetAccount.objects.get(pk=account.pk)

    def broken(letter, creds):
        raise RuntimeError("the printer library fell over")

    monkeypatch.setattr(services, "render_letter", broken)
    with pytest.raises(RuntimeError, match="fell over"):
        letter_print(account=account, letter=LetterDataFactory(), by=AuditContext.of(UserFactory()))
    old, unused = drawn
    stored = JobnetAccount.objects.get(pk=account.pk)
    assert stored.check_password(old)
    assert not stored.check_password(unused)
    assert stored.password == before.password
    assert stored.password_set_at == before.password_set_at
    assert account.check_password(old)  # the caller's instance is untouched too
    assert LetterPrint.objects.filter(account=account).count() == 1
    assert audit_entries(Action.PRINT_LETTER, account).count() == 1


def test_a_failure_after_rendering_rolls_the_new_password_back(drawn, monkeypatch):
    account = jobnet_account_create(by=AuditContext.of(UserFactory()))
    letter_print(account=account, letter=LetterDataFactory(), by=AuditContext.of(UserFactory()))

    def broken(*args, **kwargs):
        raise IntegrityError("the log is full")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(IntegrityError):
        letter_print(account=account, letter=LetterDataFactory(), by=AuditContext.of(UserFactory()))
    old, unused = drawn
    stored = JobnetAccount.objects.get(pk=account.pk)
    assert stored.check_password(old) and not stored.check_password(unused)
    assert LetterPrint.objects.filter(account=account).count() == 1


def test_details_the_letter_cannot_print_change_nothing(drawn):
    account = jobnet_account_create(by=AuditContext.of(UserFactory()))
    letter_print(account=account, letter=LetterDataFactory(), by=AuditContext.of(UserFactory()))
    with pytest.raises(InvalidLetterData) as caught:
        letter_print(
            account=account,
            letter=LetterDataFactory(name="王小明"),
            by=AuditContext.of(UserFactory()),
        )
    old, unused = drawn
    assert unused not in caught.value.message and unused not in str(caught.value)
    stored = JobnetAccount.objects.get(pk=account.pk)
    assert stored.check_password(old) and not stored.check_password(unused)
    assert LetterPrint.objects.filter(account=account).count() == 1


def test_a_disabled_account_gets_no_letter(drawn):
    account = jobnet_account_create(by=AuditContext.of(UserFactory()))
    jobnet_account_disable(account=account, by=AuditContext.of(UserFactory()))
    hash_before = JobnetAccount.objects.get(pk=account.pk).password
    with pytest.raises(AccountDisabled) as caught:
        letter_print(account=account, letter=LetterDataFactory(), by=AuditContext.of(UserFactory()))
    assert isinstance(caught.value, DomainError)
    assert caught.value.code == "jobnet_account_disabled"
    assert caught.value.message == (
        f"Jobnet-kontoen {account.username} er spærret. "
        "Der kan ikke udskrives et brev med ny adgangskode."
    )
    assert drawn == []  # refused before a password was drawn
    assert JobnetAccount.objects.get(pk=account.pk).password == hash_before
    assert not LetterPrint.objects.exists()
    assert not AuditEntry.objects.filter(action=Action.PRINT_LETTER).exists()


def test_a_stale_instance_cannot_print_for_an_account_disabled_meanwhile():
    account = jobnet_account_create(by=AuditContext.of(UserFactory()))
    stale = JobnetAccount.objects.get(pk=account.pk)
    jobnet_account_disable(account=account, by=AuditContext.system())
    assert stale.status == JobnetAccount.Status.ACTIVE
    with pytest.raises(AccountDisabled):
        letter_print(account=stale, letter=LetterDataFactory(), by=AuditContext.of(UserFactory()))


# -- the password goes nowhere but the PDF ------------------------------------------


def all_database_text() -> str:
    """Every value of every row of every table, as text."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                values.extend(str(value) for value in row)
    return "\n".join(values)


def forms_of(password: str) -> list[str]:
    return [password, printable(password), password.upper(), printable(password).upper()]


def test_the_password_is_stored_nowhere(drawn):
    account = jobnet_account_create(by=AuditContext.of(UserFactory()))
    pdf = letter_print(
        account=account, letter=LetterDataFactory(language="pl"), by=AuditContext.of(UserFactory())
    )
    (password,) = drawn
    assert printed_credentials(pdf)[1] == password
    everything = all_database_text()
    assert account.username in everything  # the scan does see the account
    assert JobnetAccount.objects.get(pk=account.pk).password in everything
    for form in forms_of(password):
        assert form not in everything


def test_the_password_is_not_logged_nor_sent_to_the_database(drawn, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    account = jobnet_account_create(by=AuditContext.of(UserFactory()))
    connection.force_debug_cursor = True  # log every query with its parameters
    try:
        with CaptureQueriesContext(connection) as queries:
            letter_print(
                account=account, letter=LetterDataFactory(), by=AuditContext.of(UserFactory())
            )
    finally:
        connection.force_debug_cursor = False
    (password,) = drawn
    sql = "\n".join(query["sql"] for query in queries.captured_queries)
    assert "jobnet_jobnetaccount" in sql  # the capture does see the update
    assert f"account {account.pk}" in caplog.text  # something was logged
    assert "django.db.backends" in {record.name for record in caplog.records}
    for form in forms_of(password):
        assert form not in sql
        assert form not in caplog.text
        for record in caplog.records:
            assert form not in repr(record.args)


def test_the_password_is_not_in_the_error_of_a_failed_print(drawn, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    account = jobnet_account_create(by=AuditContext.of(UserFactory()))

    def broken(letter, creds):
        raise RuntimeError(f"cannot render {creds!r}")

    monkeypatch.setattr(services, "render_letter", broken)
    with pytest.raises(RuntimeError) as caught:
        letter_print(account=account, letter=LetterDataFactory(), by=AuditContext.of(UserFactory()))
    (password,) = drawn
    assert account.username in str(caught.value)  # the credentials' repr was used
    for form in forms_of(password):
        assert form not in str(caught.value)
        assert form not in caplog.text
        assert form not in all_database_text()


# -- a login from the case system ---------------------------------------------------
#
# The caseworker creates the login in the case system and types it in; APOC prints
# it and keeps only that a letter was printed.

TYPED = Credentials(username="Maria.K-2024", password="Xq7#lO0p!Z", as_typed=True)


def typed_forms(password: str) -> list[str]:
    """The typed password as it may turn up: as typed, in either case, grouped."""
    return [password, password.lower(), password.upper(), printable(password)]


def case_system_account(user=None) -> JobnetAccount:
    return case_system_account_create(by=AuditContext.of(user or UserFactory()))


def test_a_case_system_account_holds_no_username_and_no_password():
    user = UserFactory()
    account = case_system_account(user)
    stored = JobnetAccount.objects.get(pk=account.pk)
    assert stored.source == JobnetAccount.Source.CASE_SYSTEM
    assert stored.username is None
    assert stored.password.startswith("!")  # Django's unusable password: no hash of anything
    assert stored.password_set_at is None
    assert stored.is_active and stored.issued_by == user
    assert not stored.check_password(TYPED.password)
    assert str(stored) == "login fra fagsystemet"
    (entry,) = audit_entries(Action.CREATE, stored)
    assert entry.user == user


@pytest.mark.parametrize(
    "change",
    [
        {"username": "bavetumi47"},
        {"password": "pbkdf2_sha256_otp$20000$salt$hash"},
        {"password_set_at": timezone.now()},
        {"source": "somewhere"},
    ],
    ids=["username", "hash", "password time", "unknown source"],
)
def test_the_database_refuses_to_keep_anything_of_a_login_from_the_case_system(change):
    account = case_system_account()
    with pytest.raises(IntegrityError), transaction.atomic():
        JobnetAccount.objects.filter(pk=account.pk).update(**change)


def test_the_database_refuses_an_account_of_apocs_own_without_a_username():
    with pytest.raises(IntegrityError), transaction.atomic():
        JobnetAccount.objects.create(username=None, issued_by=UserFactory())


def test_case_system_print_carries_the_typed_login_on_every_page_and_records_only_the_print():
    account = case_system_account()
    before = JobnetAccount.objects.get(pk=account.pk)
    caseworker = UserFactory()
    pdf = case_system_letter_print(
        account=account,
        letter=LetterDataFactory(language="ro"),
        login=TYPED,
        by=AuditContext.of(caseworker),
    )
    texts = page_texts(pdf)
    assert len(texts) == 3
    for text in texts:
        lines = [line.strip() for line in text.splitlines()]
        assert "Maria.K-2024" in lines and "Xq7#lO0p!Z" in lines
    assert printed_credentials(pdf) == ("Maria.K-2024", "Xq7#lO0p!Z")
    stored = JobnetAccount.objects.get(pk=account.pk)
    assert (stored.username, stored.password, stored.password_set_at) == (
        None,
        before.password,
        None,
    )
    (printed,) = LetterPrint.objects.filter(account=account)
    assert printed.printed_by == caseworker and printed.languages == "da,en,ro"
    (entry,) = audit_entries(Action.PRINT_LETTER, account)
    assert entry.user == caseworker
    assert entry.criteria == {"languages": ["da", "en", "ro"]}


def test_each_case_system_letter_is_recorded():
    account = case_system_account()
    second = Credentials(username="Maria.K-2024", password="Zz9-new-One", as_typed=True)
    for login in (TYPED, second):
        case_system_letter_print(
            account=account,
            letter=LetterDataFactory(),
            login=login,
            by=AuditContext.of(UserFactory()),
        )
    assert LetterPrint.objects.filter(account=account).count() == 2
    assert audit_entries(Action.PRINT_LETTER, account).count() == 2


@pytest.mark.parametrize(
    ("username", "password", "error"),
    [
        ("ab", "Xq7#lO0p!Z", InvalidTypedUsername),
        ("anna kowalska", "Xq7#lO0p!Z", InvalidTypedUsername),
        ("Maria.K-2024", "Xq7 lO0p!Z", InvalidTypedPassword),
        ("Maria.K-2024", "Xq7#æO0p!Z", InvalidTypedPassword),
        ("Maria.K-2024", "Xq7#l", InvalidTypedPassword),
        ("Maria.K-2024", "Xq7#lO0p!Z" * 4, InvalidTypedPassword),
    ],
)
def test_the_service_checks_the_typed_login_again_and_never_quotes_the_password(
    username, password, error, caplog
):
    caplog.set_level(logging.DEBUG)
    account = case_system_account()
    with pytest.raises(error) as caught:
        case_system_letter_print(
            account=account,
            letter=LetterDataFactory(),
            login=Credentials(username=username, password=password, as_typed=True),
            by=AuditContext.of(UserFactory()),
        )
    assert isinstance(caught.value, DomainError)
    for text in (str(caught.value), caught.value.message, repr(caught.value.params), caplog.text):
        assert password not in text
    assert not LetterPrint.objects.exists()
    assert not AuditEntry.objects.filter(action=Action.PRINT_LETTER).exists()


def test_the_messages_for_a_typed_login_say_what_is_allowed():
    assert InvalidTypedUsername().message == (
        "Brugernavnet skal have 3 til 32 tegn: bogstaverne a-z og A-Z, tal og tegnene . _ - @ "
        "uden mellemrum. Skriv det, som fagsystemet viser det."
    )
    assert InvalidTypedPassword().message == (
        "Engangsadgangskoden skal have 6 til 32 tegn: bogstaver uden accenter, tal og tegn, "
        "uden mellemrum. Skriv den igen, som fagsystemet viser den."
    )


def test_only_whitespace_at_the_ends_of_a_typed_login_is_dropped():
    login = typed_login(username=" Maria.K-2024\n", password="\tXq7#lO0p!Z ")
    assert (login.username, login.password, login.as_typed) == ("Maria.K-2024", "Xq7#lO0p!Z", True)


def test_a_disabled_case_system_account_gets_no_letter():
    account = case_system_account()
    jobnet_account_disable(account=account, by=AuditContext.system())
    with pytest.raises(AccountDisabled) as caught:
        case_system_letter_print(
            account=account,
            letter=LetterDataFactory(),
            login=TYPED,
            by=AuditContext.of(UserFactory()),
        )
    assert caught.value.message == (
        "Personens Jobnet-login er spærret i APOC. Der kan ikke udskrives et brev til det."
    )
    assert not LetterPrint.objects.exists()


def test_a_failure_after_rendering_leaves_no_record_of_a_case_system_letter(monkeypatch):
    account = case_system_account()

    def broken(*args, **kwargs):
        raise IntegrityError("the log is full")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(IntegrityError):
        case_system_letter_print(
            account=account,
            letter=LetterDataFactory(),
            login=TYPED,
            by=AuditContext.of(UserFactory()),
        )
    assert not LetterPrint.objects.exists()


def test_an_account_apoc_made_up_gives_up_its_username_and_hash_for_the_case_systems(drawn):
    """An installation that switches to the case system keeps no made-up login."""
    account = jobnet_account_create(by=AuditContext.of(UserFactory()))
    letter_print(account=account, letter=LetterDataFactory(), by=AuditContext.of(UserFactory()))
    made_up = account.username
    caseworker = UserFactory()
    pdf = case_system_letter_print(
        account=account, letter=LetterDataFactory(), login=TYPED, by=AuditContext.of(caseworker)
    )
    assert printed_credentials(pdf) == ("Maria.K-2024", "Xq7#lO0p!Z")
    stored = JobnetAccount.objects.get(pk=account.pk)
    assert stored.source == JobnetAccount.Source.CASE_SYSTEM
    assert stored.username is None and stored.password.startswith("!")
    assert stored.password_set_at is None
    assert not stored.check_password(drawn[0])
    assert (account.username, account.source) == (None, JobnetAccount.Source.CASE_SYSTEM)
    (entry,) = audit_entries(Action.UPDATE, stored)
    assert entry.user == caseworker and entry.criteria == {"source": "case_system"}
    assert made_up not in all_database_text()
    assert LetterPrint.objects.filter(account=account).count() == 2


def test_apocs_own_account_maker_prints_nothing_for_a_login_from_the_case_system(drawn):
    account = case_system_account()
    with pytest.raises(LoginFromCaseSystem) as caught:
        letter_print(account=account, letter=LetterDataFactory(), by=AuditContext.of(UserFactory()))
    assert caught.value.message == (
        "Personens Jobnet-login er oprettet i fagsystemet. APOC danner ikke selv en "
        "adgangskode til det."
    )
    assert drawn == []
    assert JobnetAccount.objects.get(pk=account.pk).username is None
    assert not LetterPrint.objects.exists()


# -- the typed password goes nowhere but the PDF ---------------------------------------


def test_the_typed_password_is_stored_nowhere():
    account = case_system_account()
    pdf = case_system_letter_print(
        account=account,
        letter=LetterDataFactory(language="pl"),
        login=TYPED,
        by=AuditContext.of(UserFactory()),
    )
    assert printed_credentials(pdf)[1] == TYPED.password
    everything = all_database_text()
    assert "da,en,pl" in everything  # the scan does see the print
    for form in typed_forms(TYPED.password):
        assert form not in everything
    assert TYPED.username not in everything  # APOC keeps no username from the case system


def test_the_typed_password_is_not_logged_nor_sent_to_the_database(caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    account = case_system_account()
    connection.force_debug_cursor = True  # log every query with its parameters
    try:
        with CaptureQueriesContext(connection) as queries:
            case_system_letter_print(
                account=account,
                letter=LetterDataFactory(),
                login=TYPED,
                by=AuditContext.of(UserFactory()),
            )
    finally:
        connection.force_debug_cursor = False
    sql = "\n".join(query["sql"] for query in queries.captured_queries)
    assert "jobnet_letterprint" in sql  # the capture does see the print
    assert f"account {account.pk}" in caplog.text  # something was logged
    for form in typed_forms(TYPED.password):
        assert form not in sql
        assert form not in caplog.text
        for record in caplog.records:
            assert form not in repr(record.args)


def test_the_typed_password_is_not_in_the_error_of_a_failed_print(monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    account = case_system_account()

    def broken(letter, creds):
        raise RuntimeError(f"cannot render {creds!r}")

    monkeypatch.setattr(services, "render_letter", broken)
    with pytest.raises(RuntimeError) as caught:
        case_system_letter_print(
            account=account,
            letter=LetterDataFactory(),
            login=TYPED,
            by=AuditContext.of(UserFactory()),
        )
    assert TYPED.username in str(caught.value)  # the credentials' repr was used
    report = ExceptionReporter(None, RuntimeError, caught.value, caught.tb).get_traceback_text()
    assert "case_system_letter_print" in report  # the report has the service's frame
    for form in typed_forms(TYPED.password):
        assert form not in str(caught.value)
        assert form not in caplog.text
        assert form not in report
        assert form not in all_database_text()


# -- disabling ---------------------------------------------------------------------


def test_disable_stops_the_password_and_is_logged(drawn):
    account = jobnet_account_create(by=AuditContext.of(UserFactory()))
    letter_print(account=account, letter=LetterDataFactory(), by=AuditContext.of(UserFactory()))
    supervisor = UserFactory()
    returned = jobnet_account_disable(account=account, by=AuditContext.of(supervisor))
    assert returned is account
    stored = JobnetAccount.objects.get(pk=account.pk)
    assert stored.status == JobnetAccount.Status.DISABLED
    assert abs(stored.disabled_at - timezone.now()) < timedelta(minutes=1)
    assert not stored.check_password(drawn[0])
    assert not account.is_active and not account.check_password(drawn[0])
    (entry,) = audit_entries(Action.UPDATE, stored)
    assert entry.user == supervisor
    assert entry.criteria == {"status": "disabled"}


def test_disabling_twice_changes_nothing_more():
    account = jobnet_account_create(by=AuditContext.of(UserFactory()))
    jobnet_account_disable(account=account, by=AuditContext.system())
    first = JobnetAccount.objects.get(pk=account.pk)
    jobnet_account_disable(
        account=JobnetAccount.objects.get(pk=account.pk), by=AuditContext.system()
    )
    second = JobnetAccount.objects.get(pk=account.pk)
    assert (second.status, second.disabled_at, second.password) == (
        first.status,
        first.disabled_at,
        first.password,
    )
    assert audit_entries(Action.UPDATE, account).count() == 1


# -- the models --------------------------------------------------------------------


def test_a_disabled_account_never_checks_even_with_the_right_hash():
    account = JobnetAccountFactory()
    account.set_password("k7ma3ub9hd4e8hrn")
    assert account.check_password("k7ma 3ub9 hd4e 8hrn")
    account.status = JobnetAccount.Status.DISABLED
    assert not account.check_password("k7ma3ub9hd4e8hrn")


def test_the_models_read_well():
    account = JobnetAccountFactory(username="bavetumi47")
    assert str(account) == "bavetumi47"
    assert "bavetumi47" in str(
        LetterPrint.objects.create(account=account, printed_by=UserFactory(), languages="da,en")
    )
    assert str(JobnetAccount._meta.verbose_name) == "Jobnet-konto"
    assert str(LetterPrint._meta.verbose_name) == "udskrift af Jobnet-brev"


def test_one_time_passwords_use_their_own_lighter_hasher_and_still_check():
    from jobnet.hashers import OneTimePasswordHasher

    account = JobnetAccountFactory()
    account.set_password("abcd efgh jkmn prst")
    assert account.password.startswith(f"{OneTimePasswordHasher.algorithm}$20000$")
    assert account.check_password("ABCD-EFGH-JKMN-PRST")
    assert not account.check_password("abcd efgh jkmn prsu")
