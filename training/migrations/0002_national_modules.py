"""Data migration: the six national training modules, from the files in training/content/.

The loader takes the historical models, skips any module whose slug already exists, and
publishes version 1 of the rest. Reversing it is a no-op: once learners may have completed a
module, its rows are history, so unapplying this migration leaves them in place.
"""

from django.db import migrations
from django.utils import timezone


def load(apps, schema_editor):
    from training.content import load_modules

    load_modules(
        module_model=apps.get_model("training", "Module"),
        version_model=apps.get_model("training", "ModuleVersion"),
        section_model=apps.get_model("training", "Section"),
        question_model=apps.get_model("training", "Question"),
        answer_model=apps.get_model("training", "Answer"),
        now=timezone.now(),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
