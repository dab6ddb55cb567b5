"""registrations.view_all_jobcentres moves to accounts (see accounts 0006)."""

from django.db import migrations


def remove_old_permission(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        content_type__app_label="registrations", codename="view_all_jobcentres"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0004_admin_indexes"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="registration",
            options={
                "ordering": ["-created_at", "-id"],
                "permissions": [
                    ("review_registration", "Kan gennemgå registreringer"),
                    ("view_full_personnummer", "Kan se fulde personnumre i udtræk"),
                    ("export_registration", "Kan udtrække registreringer"),
                    ("print_letter", "Kan udskrive Jobnet-breve"),
                ],
                "verbose_name": "registrering",
                "verbose_name_plural": "registreringer",
            },
        ),
        migrations.RunPython(remove_old_permission, migrations.RunPython.noop),
    ]
