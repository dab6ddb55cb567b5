"""On PostgreSQL: the name search's two GIN indexes take each new name at once.

A GIN index gathers new entries in a pending list by default (``fastupdate``) and
merges them later; every search reads the whole list meanwhile. After some
thousands of intakes the list held 375 pages, and a search with a typo, which asks
both indexes, took a p95 of 50 ms instead of 9 (bench/README.md). An intake writes
one name and a search reads many: the indexes take the name when it is written.
"""

from django.db import migrations

INDEXES = ("registration_name_trgm_idx", "registration_name_deletions_idx")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f"ALTER INDEX {index} SET (fastupdate = off)")
        # What the pending list holds already goes into the index now.
        schema_editor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f"ALTER INDEX {index} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("registrations", "0013_statistics_counters_fill")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
