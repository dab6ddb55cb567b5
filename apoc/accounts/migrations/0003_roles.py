"""The groups sagsbehandler, teamleder and landsadministrator with their permissions."""

from django.db import migrations

from apoc.accounts.migrations._sync import sync_roles
from apoc.accounts.roles import ROLE_PERMISSIONS


def forwards(apps, schema_editor):
    sync_roles(apps, schema_editor)


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLE_PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_load_jobcentres"),
        ("audit", "0001_initial"),
        ("registrations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
