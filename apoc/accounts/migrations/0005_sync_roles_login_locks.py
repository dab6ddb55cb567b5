"""Re-sync the groups' permissions with apoc/accounts/roles.py (login locks)."""

from django.db import migrations

from apoc.accounts.migrations import _sync


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_sync_roles"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(_sync.sync_roles, migrations.RunPython.noop)]
