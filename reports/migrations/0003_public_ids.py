"""Opaque public ids for URLs (no sequential integer in any URL): add, fill, then make unique.

Not atomic, so on Postgres the fill's row updates are committed before the unique index is
built (an ALTER in the same transaction as pending trigger events is refused).
"""

import uuid

from django.db import migrations, models


def fill(apps, schema_editor):
    Report = apps.get_model("reports", "report")
    for pk in Report.objects.filter(public_id__isnull=True).values_list("pk", flat=True).iterator():
        Report.objects.filter(pk=pk).update(public_id=uuid.uuid4())
    Evidence = apps.get_model("reports", "evidence")
    for pk in (
        Evidence.objects.filter(public_id__isnull=True).values_list("pk", flat=True).iterator()
    ):
        Evidence.objects.filter(pk=pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("reports", "0002_seed_taxonomy"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="evidence",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="report",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="evidence",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
