"""The access log is append-only in the database, and its hash chain shows any tampering.

Decision 30. The database refuses UPDATE and DELETE (on PostgreSQL as the
application's role by its rights as well, the owner by the triggers); what only
someone with the owner's rights can do, with the triggers disabled, shows in
``verify_audit``. The purge removes through its one path and leaves a signed
checkpoint, and the chain still verifies.
"""

from __future__ import annotations

import os
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from apoc.audit import chain, integrity
from apoc.audit.management.commands.purge_audit import audit_purge
from apoc.audit.models import AuditChainHead, AuditCheckpoint, AuditEntry
from apoc.audit.services import AuditContext, AuditEvent, audit_record, audit_records
from tests import dbroles
from tests.concurrency import run_at_once
from tests.factories import UserFactory

ENTRY = "audit_auditentry"
CHECKPOINT = "audit_auditcheckpoint"


def write(count: int = 3, **criteria) -> list[AuditEntry]:
    """``count`` entries, one statement each, read back with their place in the chain."""
    ids = [
        audit_record(AuditContext.system(), action="view", criteria={"n": n, **criteria}).pk
        for n in range(count)
    ]
    return list(AuditEntry.objects.filter(pk__in=ids).order_by("seq"))


def refused(error: DatabaseError) -> bool:
    """Refused by the triggers (the owner) or by the rights (the application's role)."""
    text = str(error)
    return "append-only" in text or "permission denied" in text


def verify_command() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def broken(expected: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        verify_command()
    assert caught.value.returncode == 1
    assert expected in str(caught.value)
    return caught.value


@pytest.fixture
def app_role(postgresql_only):
    """Tests of the application's role's rights: they need DATABASE_OWNER_URL, as CI sets."""
    if dbroles.owner_credentials() is None:
        if os.environ.get("CI"):
            pytest.fail(
                "CI runs the PostgreSQL suite as the application's role: set DATABASE_OWNER_URL"
            )
        pytest.skip(
            "needs the two roles: DATABASE_OWNER_URL (the owner) and DATABASE_URL (the app)"
        )


@pytest.fixture
def tamper(transactional_db):
    """Run SQL on the log as someone with the owner's rights who switched its triggers off.

    PostgreSQL: the owner disables the triggers, edits and enables them, in one
    transaction on a connection of its own. SQLite: the triggers are dropped and
    created again around the edit.
    """

    def run(*statements: str) -> None:
        if connection.vendor == "postgresql":
            owner = dbroles.owner_wrapper()
            try:
                with owner.cursor() as cursor:
                    cursor.execute(
                        "BEGIN; "
                        f"ALTER TABLE {ENTRY} DISABLE TRIGGER USER; "
                        f"ALTER TABLE {CHECKPOINT} DISABLE TRIGGER USER; "
                        + "; ".join(statements)
                        + f"; ALTER TABLE {ENTRY} ENABLE TRIGGER USER; "
                        f"ALTER TABLE {CHECKPOINT} ENABLE TRIGGER USER; COMMIT"
                    )
            finally:
                owner.close()
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                f"AND tbl_name IN ('{ENTRY}', '{CHECKPOINT}')"
            )
            triggers = cursor.fetchall()
            for name, _ in triggers:
                cursor.execute(f"DROP TRIGGER {name}")
            try:
                for statement in statements:
                    cursor.execute(statement)
            finally:
                for _, sql in triggers:
                    cursor.execute(sql)

    return run


# --- The chain --------------------------------------------------------------------------------


def test_the_database_chains_each_entry_to_the_one_before(db):
    first, second, third = write(3)
    assert [second.seq, third.seq] == [first.seq + 1, first.seq + 2]
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (third.seq, third.hash)


def test_several_entries_in_one_statement_are_chained_one_by_one(db):
    user = UserFactory()
    audit_records(AuditContext.of(user), *(AuditEvent(action="search") for _ in range(4)))
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(entries[0].seq, entries[0].seq + 4))
    assert integrity.verify().ok


def test_a_new_log_starts_from_the_genesis_and_verifies(db):
    (first,) = write(1)
    assert first.seq == 1 and first.prev_hash == chain.GENESIS
    assert "1 entries checked" in verify_command()


def test_the_hash_the_database_computes_is_the_one_verify_recomputes(db):
    """Names, criteria and addresses with everything JSON and Danish can hold."""
    user = UserFactory(username="søren.ålund")
    by = AuditContext.of(user, ip_address="2001:db8::1")
    audit_record(by, action="search", criteria={"q": 'Æblø "x" \\ 😀', "n": [1.5, None, True]})
    audit_record(AuditContext.of(user, ip_address="10.0.0.7"), action="view")
    report = integrity.verify()
    assert report.ok and report.checked == 2


def test_an_empty_log_verifies(db):
    assert "0 entries checked" in verify_command()


def test_the_hashed_text_cannot_be_read_two_ways():
    values = [None] * len(chain.FIELDS)
    a, b, c = list(values), list(values), list(values)
    a[4], a[6] = "ab", "c"
    b[4], b[6] = "a", "bc"
    c[4], c[6] = "~", "c"
    d = list(values)
    d[6] = "c"
    assert len({chain.entry_hash(x) for x in (a, b, c, d)}) == 4


# --- The database refuses ---------------------------------------------------------------------


def test_update_through_the_orm_is_refused(db):
    (entry,) = write(1)
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(username="someone else")
    assert refused(caught.value)
    assert AuditEntry.objects.get(pk=entry.pk).username == ""


def test_delete_through_the_orm_is_refused(db):
    entries = write(2)
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        AuditEntry.objects.all().delete()
    assert refused(caught.value)
    assert AuditEntry.objects.count() == len(entries)


@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {ENTRY} SET criteria = '{{}}'",
        f"UPDATE {ENTRY} SET seq = seq + 1000",
        f"DELETE FROM {ENTRY}",
        f"DELETE FROM {ENTRY} WHERE id = (SELECT max(id) FROM {ENTRY})",
    ],
)
def test_raw_sql_edits_are_refused(db, sql):
    write(2)
    with (
        pytest.raises(DatabaseError) as caught,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert refused(caught.value)
    assert integrity.verify().ok


def test_a_purge_checkpoint_cannot_be_changed_or_removed(db):
    now = timezone.now()
    AuditEntry.objects.create(action="view", at=now - timedelta(days=10))
    audit_purge(days=5)
    for sql in (f"UPDATE {CHECKPOINT} SET removed = 0", f"DELETE FROM {CHECKPOINT}"):
        with (
            pytest.raises(DatabaseError) as caught,
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
        assert refused(caught.value)
    assert AuditCheckpoint.objects.get().removed == 1


def test_the_model_refuses_to_save_an_entry_again(db):
    (entry,) = write(1)
    entry.username = "x"
    with pytest.raises(RuntimeError):
        entry.save()


# --- verify_audit finds what the owner did with the triggers off --------------------------------


def test_verify_finds_a_changed_entry(tamper):
    _first, second, _third = write(3)
    tamper(f"UPDATE {ENTRY} SET criteria = '{{\"n\": 7}}' WHERE id = {second.pk}")
    error = broken(f"entry {second.pk} (no. {second.seq}) was changed")
    assert "after 2 entries checked" in str(error)


def test_verify_finds_a_changed_name(tamper):
    first, _second = write(2)
    tamper(f"UPDATE {ENTRY} SET username = 'sara' WHERE id = {first.pk}")
    broken(f"entry {first.pk} (no. {first.seq}) was changed")


def test_verify_finds_an_entry_that_was_changed_and_rehashed(tamper):
    """Giving the changed entry a hash that fits its new content is not enough: the
    entry after it no longer follows it."""
    _first, second, third = write(3)
    tamper(f"UPDATE {ENTRY} SET username = 'sara' WHERE id = {second.pk}")
    with connection.cursor() as cursor:
        cursor.execute(chain.select_sql(connection.vendor, ENTRY), [second.seq - 1, 1])
        row = chain.Row.of(cursor.fetchone())
    tamper(f"UPDATE {ENTRY} SET hash = '{chain.entry_hash(row.values)}' WHERE id = {second.pk}")
    broken(f"entry {third.pk} (no. {third.seq}) does not follow entry {second.pk}")


def test_verify_finds_a_removed_entry(tamper):
    _first, second, _third = write(3)
    tamper(f"DELETE FROM {ENTRY} WHERE id = {second.pk}")
    broken(f"entries no. {second.seq} to {second.seq} are missing")


def test_verify_finds_the_newest_entries_removed(tamper):
    _first, second, third = write(3)
    tamper(f"DELETE FROM {ENTRY} WHERE id IN ({second.pk}, {third.pk})")
    broken(f"the chain had reached no. {third.seq}: the newest entries were removed")


def test_verify_finds_the_oldest_entries_removed_without_a_checkpoint(tamper):
    first, _second, _third = write(3)
    tamper(f"DELETE FROM {ENTRY} WHERE id = {first.pk}")
    broken("no signed purge checkpoint records their removal")


def test_verify_finds_two_entries_swapped(tamper):
    first, second, third = write(3)
    tamper(
        f"UPDATE {ENTRY} SET seq = -1 WHERE id = {second.pk}",
        f"UPDATE {ENTRY} SET seq = {second.seq} WHERE id = {third.pk}",
        f"UPDATE {ENTRY} SET seq = {third.seq} WHERE id = {second.pk}",
    )
    broken(f"entry {third.pk} (no. {second.seq}) does not follow entry {first.pk}")


def test_verify_finds_a_forged_checkpoint(tamper):
    first, _second, _third = write(3)
    tamper(
        f"INSERT INTO {CHECKPOINT} (at, seq, hash, removed, cutoff, signature) "
        f"VALUES ('2026-01-01 00:00:00+00', {first.seq}, '{first.hash}', 1, "
        f"'2026-01-01 00:00:00+00', '{'0' * 64}')",
        f"DELETE FROM {ENTRY} WHERE id = {first.pk}",
    )
    broken("is not signed with AUDIT_CHECKPOINT_KEY: forged or changed")


def test_verify_passes_again_on_an_untouched_log(tamper):
    write(3)
    tamper(f"UPDATE {ENTRY} SET username = username")  # a no-op edit changes nothing
    assert "3 entries checked" in verify_command()


# --- The purge's narrow path ------------------------------------------------------------------


def test_the_purge_leaves_a_signed_checkpoint_and_the_chain_verifies(db, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    now = timezone.now()
    old = [AuditEntry.objects.create(action="view", at=now - timedelta(days=d)) for d in (90, 60)]
    kept = AuditEntry.objects.create(action="view", at=now - timedelta(days=1))
    call_command("purge_audit", stdout=StringIO())
    checkpoint = AuditCheckpoint.objects.get()
    assert not AuditEntry.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert checkpoint.removed == 2
    assert integrity.signature_ok(checkpoint)
    assert AuditEntry.objects.filter(pk=kept.pk).exists()
    assert "2 entries checked, 1 purge checkpoints" in verify_command()


def test_a_purge_in_batches_leaves_a_checkpoint_per_batch_and_verifies(db):
    now = timezone.now()
    for _ in range(5):
        AuditEntry.objects.create(action="view", at=now - timedelta(days=10))
    assert audit_purge(days=5, batch=2) == 5
    assert list(AuditCheckpoint.objects.values_list("removed", flat=True)) == [2, 2, 1]
    assert integrity.verify().ok


def test_a_checkpoint_under_another_key_does_not_verify(db, settings):
    AuditEntry.objects.create(action="view", at=timezone.now() - timedelta(days=10))
    audit_purge(days=5)
    settings.AUDIT_CHECKPOINT_KEY = "another key"
    broken("is not signed with AUDIT_CHECKPOINT_KEY")


def test_a_purge_without_its_checkpoint_shows(db):
    """Whoever calls the purge's path directly, and writes no signed checkpoint, is found."""
    now = timezone.now()
    AuditEntry.objects.create(action="view", at=now - timedelta(days=10))
    AuditEntry.objects.create(action="view", at=now)
    integrity.purge_batch(cutoff=now - timedelta(days=5), batch=100)
    assert AuditEntry.objects.count() == 1
    broken("no signed purge checkpoint records their removal")


def test_the_purge_function_refuses_a_cutoff_less_than_a_day_back(postgresql_only):
    write(1)
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        integrity.purge_batch(cutoff=timezone.now() - timedelta(hours=2), batch=10)
    assert "at least a day back" in str(caught.value)
    assert AuditEntry.objects.count() == 1


def test_the_purge_function_leaves_the_guard_closed_after_it(postgresql_only):
    now = timezone.now()
    AuditEntry.objects.create(action="view", at=now - timedelta(days=10))
    AuditEntry.objects.create(action="view", at=now)
    with transaction.atomic():
        integrity.purge_batch(cutoff=now - timedelta(days=5), batch=100)
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == 1


# --- The application's role (PostgreSQL, as CI runs it) -------------------------------------------


def test_the_suite_runs_as_the_applications_role_which_owns_nothing(app_role):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, tableowner, "
            "has_table_privilege(current_user, %s, 'INSERT'), "
            "has_table_privilege(current_user, %s, 'UPDATE'), "
            "has_table_privilege(current_user, %s, 'DELETE'), "
            "has_table_privilege(current_user, %s, 'TRUNCATE') "
            "FROM pg_tables WHERE tablename = %s",
            [ENTRY] * 5,
        )
        user, owner, insert, update, delete, truncate = cursor.fetchone()
    assert user != owner
    assert (insert, update, delete, truncate) == (True, False, False, False)


@pytest.mark.parametrize(
    "sql",
    [
        f"TRUNCATE {ENTRY}",
        f"ALTER TABLE {ENTRY} DISABLE TRIGGER USER",
        "UPDATE audit_auditchainhead SET seq = 0",
        f"SELECT set_config('apoc.audit_purge', 'on', true); DELETE FROM {ENTRY}",
    ],
)
def test_the_applications_role_cannot_get_round_the_log(app_role, sql):
    write(1)
    with (
        pytest.raises(DatabaseError) as caught,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert "permission denied" in str(caught.value) or "must be owner" in str(caught.value)
    assert integrity.verify().ok


# --- Concurrency (PostgreSQL) -------------------------------------------------------------------

WRITERS = 8
EACH = 25


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_their_own_connections_make_one_chain(postgresql_only):
    def work(n: int) -> None:
        for i in range(EACH):
            if i % 5 == 0:
                with transaction.atomic():  # several entries in one transaction
                    audit_record(AuditContext.system(), action="view", criteria={"w": n})
                    audit_record(AuditContext.system(), action="list", criteria={"w": n})
            else:
                audit_record(AuditContext.system(), action="search", criteria={"w": n})

    _, errors = run_at_once(work, WRITERS)
    assert not errors
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert len(seqs) == WRITERS * (EACH + EACH // 5)
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    report = integrity.verify()
    assert report.ok and report.checked == len(seqs)


# --- grant_app_role -----------------------------------------------------------------------------


def test_grant_app_role_refuses_a_role_that_does_not_exist_and_sqlite(db):
    expected = (
        "There is no role 'apoc_nobody_xyz'"
        if connection.vendor == "postgresql"
        else "SQLite has none"
    )
    with pytest.raises(CommandError, match=expected):
        call_command("grant_app_role", "apoc_nobody_xyz", stdout=StringIO())


def test_grant_app_role_refuses_a_superuser(postgresql_only):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolname FROM pg_roles WHERE rolsuper ORDER BY rolname LIMIT 1")
        (superuser,) = cursor.fetchone()
    with pytest.raises(CommandError, match="is a superuser"):
        call_command("grant_app_role", superuser, stdout=StringIO())


def test_grant_app_role_refuses_the_role_connected(postgresql_only):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        user, superuser = cursor.fetchone()
    expected = "is a superuser" if superuser else "is the role connected"
    with pytest.raises(CommandError, match=expected):
        call_command("grant_app_role", user, stdout=StringIO())
