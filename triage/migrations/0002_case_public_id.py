"""Opaque public ids for URLs (no sequential integer in any URL): add, fill, then make unique.

Not atomic, so on Postgres the fill's row updates are committed before the unique index is
built (an ALTER in the same transaction as pending trigger events is refused).
"""

import uuid

from django.db import migrations, models


def fill(apps, schema_editor):
    Case = apps.get_model("triage", "case")
    for pk in Case.objects.filter(public_id__isnull=True).values_list("pk", flat=True).iterator():
        Case.objects.filter(pk=pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("triage", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="case",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
