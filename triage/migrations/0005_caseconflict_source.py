"""Conflicts written by the portal itself: the reporter, and the family link's two people.

Backfills every existing case, so no triager reads their own report or their family
member's report, whenever it was sent.
"""

from django.db import migrations, models


def backfill(apps, schema_editor):
    Case = apps.get_model("triage", "Case")
    CaseConflict = apps.get_model("triage", "CaseConflict")
    cases = Case.objects.select_related("report__family_link").order_by("pk")
    for case in cases.iterator(chunk_size=500):
        report = case.report
        people = {report.reporter_id}
        if report.family_link_id is not None:
            people |= {report.family_link.member_id, report.family_link.family_user_id}
        for user_id in people - {None}:
            CaseConflict.objects.get_or_create(
                case_id=case.pk,
                user_id=user_id,
                defaults={"source": "report", "reason": "The reporter, or linked to the reporter"},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0004_case_conflicts"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseconflict",
            name="source",
            field=models.CharField(
                choices=[
                    ("declared", "Stepped aside"),
                    ("report", "The reporter, or linked to the reporter"),
                ],
                default="declared",
                max_length=10,
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
