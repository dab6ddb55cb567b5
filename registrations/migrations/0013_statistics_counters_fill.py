"""The statistics page's counters for the registrations and refused intakes already made.

Recounted from the tables a local month at a time (registrations.statistics.statistics_rebuild,
the same recount as ``manage.py rebuild_statistics``), in one transaction. At 1,000,000
registrations it takes seconds (bench/README.md).
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from registrations.statistics import statistics_rebuild

    statistics_rebuild(
        registrations=apps.get_model("registrations", "Registration"),
        refusals=apps.get_model("registrations", "IntakeRefusal"),
        counts=apps.get_model("registrations", "StatisticsCount"),
    )


def backwards(apps, schema_editor):
    apps.get_model("registrations", "StatisticsCount").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("registrations", "0012_statistics_counters")]

    operations = [migrations.RunPython(forwards, backwards)]
