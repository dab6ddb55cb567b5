"""Re-sync the groups' permissions with apoc/accounts/roles.py (Jobnet letters)."""

from django.db import migrations

from apoc.accounts.migrations import _sync


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_roles"),
        ("registrations", "0003_jobnet_account"),
    ]

    operations = [migrations.RunPython(_sync.sync_roles, migrations.RunPython.noop)]
