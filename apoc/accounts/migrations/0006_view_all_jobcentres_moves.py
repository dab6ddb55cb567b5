"""The permission to see every jobcentre belongs to the jobcentres, not to registrations.

Scoping is one rule (apoc/accounts/scope.py) for registrations, the access log
and everything else, so its permission moves to accounts.Jobcentre; the groups
are re-synced with apoc/accounts/roles.py.
"""

from django.db import migrations

from apoc.accounts.migrations import _sync


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_sync_roles_login_locks"),
        ("registrations", "0005_view_all_jobcentres_moves"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="jobcentre",
            options={
                "ordering": ["municipality_code"],
                "permissions": [
                    ("view_all_jobcentres", "Kan se alle jobcentres registreringer")
                ],
                "verbose_name": "jobcenter",
                "verbose_name_plural": "jobcentre",
            },
        ),
        migrations.RunPython(_sync.sync_roles, migrations.RunPython.noop),
    ]
