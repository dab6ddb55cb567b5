"""On PostgreSQL: pg_trgm and a trigram index for tolerant name search.

The embedded SQLite database has no trigram index; search falls back to
comparing normalised names in Python there.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS registration_name_trgm_idx ON registrations_registration "
        "USING gin (name_search gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS registration_name_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("registrations", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
