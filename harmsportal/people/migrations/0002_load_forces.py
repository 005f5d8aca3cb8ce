from django.db import migrations

from harmsportal.people.forces import read_forces, upsert_forces


def load(apps, schema_editor):
    upsert_forces(apps.get_model("people", "Force"), read_forces())


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
