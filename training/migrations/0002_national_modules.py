"""Data migration: the six national training modules (seed content in training/content/)."""

from django.db import migrations


def load(apps, schema_editor):
    """Load the national modules using the historical models (filled in by the content work)."""


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
