"""Indexes for the access log in admin: a supervisor's jobcentre, the action filter,
and the search by the beginning of a user name.

Kept out of the model's Meta so the migration state is untouched (like the
registrations' admin indexes).
"""

from django.db import migrations

TABLE = "audit_auditentry"
INDEXES = {
    "audit_jobcentre_at_idx": "(jobcentre_id, at)",
    "audit_action_at_idx": "(action, at)",
}


def forwards(apps, schema_editor):
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} {columns}")
    if schema_editor.connection.vendor == "postgresql":
        # LIKE 'prefix%' under a non-C collation needs the pattern operator class.
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS audit_username_like_idx ON {TABLE} "
            "(username varchar_pattern_ops)"
        )


def backwards(apps, schema_editor):
    for name in [*INDEXES, "audit_username_like_idx"]:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
