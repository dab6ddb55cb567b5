"""Opening hours for the jobcentres, whose contact details the Jobnet letter prints."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_view_all_jobcentres_moves"),
    ]

    operations = [
        migrations.AddField(
            model_name="jobcentre",
            name="opening_hours",
            field=models.CharField(
                blank=True,
                help_text="Fx »man-tor 9-15, fre 9-13«. Brevet skriver dem på personens sprog.",
                max_length=200,
                verbose_name="åbningstider",
            ),
        ),
        migrations.AlterField(
            model_name="jobcentre",
            name="address",
            field=models.CharField(
                blank=True,
                help_text="Gade og nummer, postnummer og by, adskilt af komma.",
                max_length=200,
                verbose_name="adresse",
            ),
        ),
    ]
