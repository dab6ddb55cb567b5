"""Load the 98 municipalities' jobcentres. Name and contact data stay editable."""

from django.db import migrations

from apoc.accounts.municipalities import MUNICIPALITIES


def load(apps, schema_editor):
    Jobcentre = apps.get_model("accounts", "Jobcentre")
    for municipality in MUNICIPALITIES:
        Jobcentre.objects.update_or_create(
            municipality_code=municipality.code,
            defaults={
                "municipality": municipality.name,
                "name": f"Jobcenter {municipality.name}",
                "region": municipality.region,
            },
        )


def unload(apps, schema_editor):
    Jobcentre = apps.get_model("accounts", "Jobcentre")
    Jobcentre.objects.filter(staff__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
