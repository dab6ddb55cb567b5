"""On PostgreSQL: the deletion keys of the names and their index, for a search with a typo.

``registration_name_deletions(text)`` is every word of a name (split at spaces) and each
form of it with one letter left out, those of at least two letters: the rule of
:func:`documents.typos.deletion_keys`. Two words one slip apart always share a key. The
GIN index on it serves search; at 1,000,000 registrations building it takes a few
minutes (bench/README.md). The embedded SQLite database compares names in Python instead.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION registration_name_deletions(name text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT key), '{}') FROM (
    SELECT word AS key FROM unnest(string_to_array(name, ' ')) AS word
    UNION ALL
    SELECT left(word, i - 1) || substr(word, i + 1)
    FROM unnest(string_to_array(name, ' ')) AS word, generate_series(1, length(word)) AS i
  ) AS keys WHERE length(key) >= 2
$$
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS registration_name_deletions_idx "
        "ON registrations_registration USING gin (registration_name_deletions(name_search))"
    )
    # The planner needs the new expression's statistics to choose the index.
    schema_editor.execute("ANALYZE registrations_registration")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS registration_name_deletions_idx")
    schema_editor.execute("DROP FUNCTION IF EXISTS registration_name_deletions(text)")


class Migration(migrations.Migration):
    dependencies = [("registrations", "0010_name_keys")]

    operations = [migrations.RunPython(forwards, backwards)]
