"""Shared by the role migrations: give each group exactly the permissions in roles.py."""

from django.contrib.auth.management import create_permissions

from apoc.accounts.roles import ROLE_PERMISSIONS


def sync_roles(apps, schema_editor):
    # Permissions are normally made after migrate; make them now to attach them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, permissions in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        # A permission whose model is not migrated yet is added by a later sync.
        group.permissions.set(
            [
                permission
                for app, codename in permissions
                for permission in Permission.objects.filter(
                    content_type__app_label=app, codename=codename
                )
            ]
        )
