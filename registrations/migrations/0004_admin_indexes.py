"""Indexes for the supervisor's change list on a million registrations.

The list is ordered by allocation time, newest first, and filtered by review
status, category, nationality, jobcentre and date, and searched by exact
document number. Each filter gets an index that also serves the ordering, so
that a rare value does not mean reading the whole table. (The jobcentre has
registration_jc_created_idx already; the exact personnummer goes through the
unique index on cpr_allocation; names through the trigram index of 0002.)

The indexes are kept out of the model's Meta, like the trigram index, so the
migration state is untouched: the model file is shared by several pieces of
work in progress.
"""

from django.db import migrations

TABLE = "registrations_registration"
INDEXES = {
    "registration_created_idx": "(created_at, id)",
    "registration_status_created_idx": "(review_status, created_at)",
    "registration_category_created_idx": "(category, created_at)",
    "registration_nationality_created_idx": "(nationality, created_at)",
    "registration_document_key_idx": "(document_number_key)",
}


def forwards(apps, schema_editor):
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} {columns}")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ANALYZE {TABLE}")


def backwards(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("registrations", "0003_jobnet_account")]

    operations = [migrations.RunPython(forwards, backwards)]
