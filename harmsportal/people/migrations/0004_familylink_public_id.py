"""Opaque public ids for URLs (no sequential integer in any URL): add, fill, then make unique.

Not atomic, so on Postgres the fill's row updates are committed before the unique index is
built (an ALTER in the same transaction as pending trigger events is refused).
"""

import uuid

from django.db import migrations, models


def fill(apps, schema_editor):
    FamilyLink = apps.get_model("people", "familylink")
    for pk in (
        FamilyLink.objects.filter(public_id__isnull=True).values_list("pk", flat=True).iterator()
    ):
        FamilyLink.objects.filter(pk=pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("people", "0003_professional_standards_wall"),
    ]

    operations = [
        migrations.AddField(
            model_name="familylink",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="familylink",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
