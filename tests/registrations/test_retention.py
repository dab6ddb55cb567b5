"""How long data is kept: ``manage.py purge_documents`` (registrations.retention)."""

import os
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from apoc.audit.management.commands.audit_for import describe
from apoc.audit.models import AuditEntry
from cpr.models import CprStatusChange, StatusSource
from registrations import retention
from registrations.files import document_storage
from registrations.models import Registration, ReviewStatus
from tests.factories import RegistrationFactory, SupervisorFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def clock(monkeypatch):
    """The time the purge sees: ``clock.now``, moved by setting it."""

    class Clock:
        now = timezone.now()

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


def purge(*args):
    out = StringIO()
    call_command("purge_documents", *args, stdout=out)
    return out.getvalue()


def reviewed(status=ReviewStatus.APPROVED, *, ago, **kwargs):
    """A registration whose review ended (or was flagged) ``ago`` before now."""
    return RegistrationFactory(review_status=status, reviewed_at=timezone.now() - ago, **kwargs)


def stored(registration):
    return document_storage().exists(registration.document_file.name)


def fresh(registration):
    return Registration.objects.select_related("allocation").get(pk=registration.pk)


def deletions(registration=None):
    entries = AuditEntry.objects.filter(action="delete", subject_type="registrations.registration")
    if registration is not None:
        entries = entries.filter(subject_id=registration.pk)
    return entries


def status_change(registration, status, *, effective_date):
    allocation = registration.allocation
    CprStatusChange.objects.create(
        allocation=allocation,
        previous_status=allocation.cpr_status,
        status=status,
        effective_date=effective_date,
        source=StatusSource.CASEWORKER,
    )
    allocation.cpr_status = status
    allocation.save(update_fields=["cpr_status"])


def make_old(name, age):
    path = document_storage().path(name)
    when = (timezone.now() - age).timestamp()
    os.utime(path, (when, when))


def test_the_default_period_is_a_year(settings):
    assert settings.DOCUMENT_RETENTION_DAYS == 365


@pytest.mark.parametrize("status", [ReviewStatus.APPROVED, ReviewStatus.ANNULLED])
def test_the_document_of_a_review_ended_longer_ago_than_the_period_is_deleted_and_logged(status):
    registration = reviewed(status, ago=366 * DAY)
    name = registration.document_file.name
    out = purge()
    assert not document_storage().exists(name)
    after = fresh(registration)
    assert after.document_file.name == ""
    assert after.document_deleted_at is not None
    assert after.minimised_at is None
    assert after.stay_address == registration.stay_address  # only the image goes
    entry = deletions(registration).get()
    assert entry.user is None
    assert entry.criteria["deleted"] == "document"
    assert entry.criteria["reason"] == "review_ended"
    assert entry.criteria["review_status"] == status
    assert entry.criteria["retention_days"] == 365
    assert describe(entry).startswith("sletning af billedet af ID-dokumentet")
    run = AuditEntry.objects.get(action="delete", subject_type="")
    assert run.criteria["documents_deleted"] == 1
    assert "deleted 1 document image(s)" in out


def test_a_recent_review_keeps_the_document():
    registration = reviewed(ago=364 * DAY)
    purge()
    assert stored(registration)
    assert fresh(registration).document_deleted_at is None
    assert not deletions().exists()


@pytest.mark.parametrize("status", [ReviewStatus.PENDING, ReviewStatus.FLAGGED])
def test_a_pending_or_flagged_review_keeps_everything_however_old(status, clock):
    registration = reviewed(status, ago=3650 * DAY)
    status_change(registration, "80", effective_date=date(2000, 1, 1))
    clock.now = timezone.now() + 36500 * DAY
    out = purge("--days", "1")
    assert stored(registration)
    after = fresh(registration)
    assert after.document_deleted_at is None
    assert after.minimised_at is None
    assert after.phone == registration.phone
    assert after.stay_address == registration.stay_address
    assert not deletions().exists()
    assert "deleted 0 document image(s), minimised 0" in out


def test_the_rule_is_checked_again_under_the_row_lock(monkeypatch):
    """Flagged between the listing and its turn: left alone."""
    registration = reviewed(ago=400 * DAY)
    listed = retention._due

    def flagged_meanwhile(**kwargs):
        ids = list(listed(**kwargs))
        Registration.objects.filter(pk=registration.pk).update(review_status="flagged")
        yield from ids

    monkeypatch.setattr(retention, "_due", flagged_meanwhile)
    purge()
    assert stored(registration)
    assert fresh(registration).document_deleted_at is None


@pytest.mark.parametrize("status", ["01", "03", "05", "07", "70", "80", "90"])
def test_a_person_who_left_apocs_purpose_is_minimised_after_the_period_from_the_change(
    status, clock
):
    registration = reviewed(ago=400 * DAY, phone="+48 600 000 000", email="a@example.pl")
    registration.stay_co = "Hansen"
    registration.save(update_fields=["stay_co"])
    today = timezone.localdate()
    status_change(registration, status, effective_date=today - 200 * DAY)

    purge()  # the image's time has come; the contact data's has not
    before = fresh(registration)
    assert before.document_deleted_at is not None
    assert before.minimised_at is None
    assert before.phone == "+48 600 000 000"

    clock.now = timezone.now() + 164 * DAY  # 364 days after the change
    purge()
    assert fresh(registration).minimised_at is None

    clock.now = timezone.now() + 1 * DAY  # 365 days after the change
    out = purge()
    after = fresh(registration)
    assert after.minimised_at == clock.now
    for name in retention.MINIMISED_FIELDS:
        assert getattr(after, name) == "", name
    kept = [
        "surname",
        "given_names",
        "birth_date",
        "sex",
        "nationality",
        "country_of_birth",
        "document_number",
        "document_country",
        "category",
        "review_status",
        "reviewed_at",
        "allocation_id",
        "entry_date",
        "created_at",
    ]
    for name in kept:
        assert getattr(after, name) == getattr(registration, name), name
    assert after.allocation.cpr_status == status
    entry = deletions(registration).get(criteria__deleted="contact_data")
    assert entry.criteria["cpr_status"] == status
    assert entry.criteria["status_since"] == (today - 200 * DAY).isoformat()
    assert entry.criteria["fields"] == list(retention.MINIMISED_FIELDS)
    assert describe(entry).startswith("sletning af kontaktoplysningerne")
    assert "minimised 1 registration(s)" in out


@pytest.mark.parametrize("status", ["20", "30", "50"])
def test_other_cpr_statuses_keep_the_contact_data(status):
    registration = reviewed(ago=800 * DAY)
    status_change(registration, status, effective_date=timezone.localdate() - 700 * DAY)
    purge()
    after = fresh(registration)
    assert after.document_deleted_at is not None
    assert after.minimised_at is None
    assert after.stay_address == registration.stay_address


def test_the_latest_status_change_starts_the_period():
    registration = reviewed(ago=800 * DAY)
    today = timezone.localdate()
    status_change(registration, "01", effective_date=today - 700 * DAY)
    status_change(registration, "80", effective_date=today - 10 * DAY)
    purge()
    assert fresh(registration).minimised_at is None


def test_a_review_that_ended_late_keeps_the_image_its_full_period():
    """The person emigrated long ago, the review ended last week: the contact data
    goes, the image stays until a year after the review."""
    registration = reviewed(ago=7 * DAY)
    status_change(registration, "80", effective_date=timezone.localdate() - 400 * DAY)
    purge()
    after = fresh(registration)
    assert after.minimised_at is not None
    assert after.document_deleted_at is None
    assert stored(registration)


def test_days_overrides_the_setting(settings):
    settings.DOCUMENT_RETENTION_DAYS = 1000
    kept = reviewed(ago=400 * DAY)
    purge()
    assert stored(kept)
    purge("--days", "30")
    assert not stored(kept)
    assert deletions(kept).get().criteria["retention_days"] == 30


def test_a_period_under_a_day_is_refused():
    with pytest.raises(CommandError, match="at least one day"):
        purge("--days", "0")


def test_a_dry_run_changes_and_logs_nothing(clock):
    due = reviewed(ago=400 * DAY)
    minimise = reviewed(ago=400 * DAY)
    status_change(minimise, "01", effective_date=timezone.localdate() - 400 * DAY)
    orphan = document_storage().save("documents/orphan.png", ContentFile(b"x"))
    make_old(orphan, 2 * DAY)
    out = purge("--dry-run")
    assert "Dry run, nothing changed" in out
    assert "2 document image(s) to delete" in out
    assert "1 registration(s) to minimise" in out
    assert "1 unreferenced file(s) to remove" in out
    for registration in (due, minimise):
        after = fresh(registration)
        assert stored(registration)
        assert after.document_deleted_at is None
        assert after.minimised_at is None
        assert after.stay_address == registration.stay_address
    assert document_storage().exists(orphan)
    assert not AuditEntry.objects.exists()


def test_a_second_run_does_nothing_more():
    reviewed(ago=400 * DAY)
    minimise = reviewed(ago=400 * DAY)
    status_change(minimise, "90", effective_date=timezone.localdate() - 400 * DAY)
    first = purge()
    assert "deleted 2 document image(s), minimised 1 registration(s)" in first
    logged = deletions().count()
    assert logged == 3
    second = purge()
    assert "deleted 0 document image(s), minimised 0 registration(s)" in second
    assert "removed 0 unreferenced file(s)" in second
    assert deletions().count() == logged


def test_a_crash_after_the_commit_leaves_a_file_the_next_run_removes(monkeypatch):
    registration = reviewed(ago=400 * DAY)
    name = registration.document_file.name
    make_old(name, 400 * DAY)
    with monkeypatch.context() as patch:
        # The process dies after the commit, before the file is removed.
        patch.setattr(retention, "_remove_file", lambda name: None)
        patch.setattr(retention, "_remove_orphans", lambda **kwargs: 0)
        purge()
    assert fresh(registration).document_deleted_at is not None
    assert document_storage().exists(name)
    out = purge()
    assert not document_storage().exists(name)
    assert "deleted 0 document image(s)" in out
    assert "removed 1 unreferenced file(s)" in out
    assert deletions(registration).count() == 1


def test_an_old_unreferenced_file_is_removed_and_a_new_one_kept():
    storage = document_storage()
    old = storage.save("documents/lost-commit-old.png", ContentFile(b"old"))
    new = storage.save("documents/lost-commit-new.png", ContentFile(b"new"))
    make_old(old, DAY + timedelta(minutes=5))
    make_old(new, DAY - timedelta(minutes=5))
    referenced = RegistrationFactory()  # pending, its file a year old: it stays
    make_old(referenced.document_file.name, 365 * DAY)
    out = purge()
    assert not storage.exists(old)
    assert storage.exists(new)
    assert stored(referenced)
    assert "removed 1 unreferenced file(s)" in out
    run = AuditEntry.objects.get(action="delete", subject_type="")
    assert run.criteria["orphan_files_removed"] == 1
    storage.delete(new)


def test_the_purge_works_in_batches():
    registrations = [reviewed(ago=400 * DAY) for _ in range(5)]
    result = retention.retention_purge(days=365, batch=2)
    assert result.documents_deleted == 5
    assert not any(stored(r) for r in registrations)


def test_a_registration_that_fails_is_left_for_the_next_run(monkeypatch):
    first, second = reviewed(ago=400 * DAY), reviewed(ago=400 * DAY)
    apply = retention._apply

    def fail_first(pk, **kwargs):
        if pk == first.pk:
            raise DatabaseError("injected")
        return apply(pk, **kwargs)

    monkeypatch.setattr(retention, "_apply", fail_first)
    with pytest.raises(CommandError, match="left for the next run"):
        purge()
    assert fresh(first).document_deleted_at is None
    assert fresh(second).document_deleted_at is not None
    monkeypatch.setattr(retention, "_apply", apply)
    purge()
    assert fresh(first).document_deleted_at is not None


# --- What the pages show after the deletion -----------------------------------------------


@pytest.fixture
def deleted(copenhagen):
    registration = reviewed(ago=400 * DAY, jobcentre=copenhagen)
    purge()
    return fresh(registration)


def _deleted_date(registration):
    return timezone.localtime(registration.document_deleted_at).strftime("%d.%m.%Y")


def test_the_caseworkers_document_view_says_the_image_was_deleted(caseworker_client, deleted):
    response = caseworker_client.get(reverse("registrations:document", args=[deleted.pk]))
    assert response.status_code == 410
    body = response.content.decode()
    assert "Billedet af ID-dokumentet er slettet" in body
    assert f"blev slettet den {_deleted_date(deleted)} efter reglen for opbevaring" in body
    assert not AuditEntry.objects.filter(action="view_document").exists()


def test_the_caseworkers_page_shows_when_the_image_was_deleted(caseworker_client, deleted):
    response = caseworker_client.get(reverse("registrations:detail", args=[deleted.pk]))
    body = response.content.decode()
    assert f"Slettet {_deleted_date(deleted)} efter reglen for opbevaring" in body
    assert reverse("registrations:document", args=[deleted.pk]) not in body


def test_the_admins_document_view_and_page_say_the_image_was_deleted(client, copenhagen, deleted):
    client.force_login(SupervisorFactory(jobcentre=copenhagen))
    url = reverse("admin:registrations_registration_document", args=[deleted.pk])
    response = client.get(url)
    assert response.status_code == 410
    assert "Billedet af ID-dokumentet er slettet" in response.content.decode()
    page = client.get(reverse("admin:registrations_registration_change", args=[deleted.pk]))
    body = page.content.decode()
    assert f"Slettet {_deleted_date(deleted)} efter reglen for opbevaring" in body
    assert url not in body


def test_the_deleted_page_is_in_english_for_english_users(caseworker_client, deleted):
    caseworker_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = caseworker_client.get(reverse("registrations:document", args=[deleted.pk]))
    assert response.status_code == 410
    assert "The image of the ID document has been deleted" in response.content.decode()


def test_the_caseworkers_page_says_the_contact_data_was_deleted(caseworker_client, copenhagen):
    registration = reviewed(ago=400 * DAY, jobcentre=copenhagen)
    status_change(registration, "01", effective_date=timezone.localdate() - 400 * DAY)
    purge()
    response = caseworker_client.get(reverse("registrations:detail", args=[registration.pk]))
    body = response.content.decode()
    assert "Kontaktoplysningerne (adresser, telefon, e-mail og fødested) blev slettet" in body
    assert registration.place_of_birth not in body
    assert registration.surname in body


def test_a_minimised_registration_still_prints_a_letter_without_an_address():
    from registrations.services import letter_data

    registration = reviewed(ago=400 * DAY)
    status_change(registration, "01", effective_date=timezone.localdate() - 400 * DAY)
    purge()
    data = letter_data(fresh(registration), today=date(2027, 1, 4))
    assert data.address_lines == ()
