"""Case history (CaseEvent), close reasons, the unread and "reporter replied" markers, the
record of a late update, and triagers' email preference.

Existing closed cases get their close reason; the case of a report withdrawn before this
migration, still open because nothing told triage, is closed as withdrawn now.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def close_reasons(apps, schema_editor):
    Case = apps.get_model("triage", "Case")
    withdrawn = Case.objects.filter(report__status="withdrawn")
    for case in withdrawn.exclude(status="closed").select_related("report"):
        case.status = "closed"
        case.closed_at = case.report.withdrawn_at or django.utils.timezone.now()
        case.next_update_due = None
        case.save(update_fields=["status", "closed_at", "next_update_due"])
    withdrawn.update(close_reason="withdrawn")
    Case.objects.filter(status="closed", close_reason="").update(close_reason="after_outcome")


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0002_case_public_id"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="close_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("after_outcome", "Closed after the outcome"),
                    ("withdrawn", "Withdrawn by the reporter"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="reporter_replied_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="case",
            name="unread_since",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="case",
            name="update_met_late_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(close_reasons, migrations.RunPython.noop),
        migrations.CreateModel(
            name="TriagePreference",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "email_when_reporter_writes",
                    models.BooleanField(
                        default=False,
                        help_text="Also send an email (which never says what was written) when a reporter writes on a case this person holds.",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="triage_preference",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="CaseEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("opened", "Report received"),
                            ("claimed", "Claimed"),
                            ("unclaimed", "Handed back to the queue"),
                            ("reassigned", "Reassigned"),
                            ("assessed", "Risk assessed"),
                            ("action_recorded", "Action recorded"),
                            ("note_added", "Internal note added"),
                            ("message_sent", "Message sent to the reporter"),
                            ("reporter_messaged", "Message from the reporter"),
                            ("evidence_added", "Reporter added evidence"),
                            ("outcome_given", "Outcome given"),
                            ("closed", "Closed"),
                            ("reopened", "Reopened"),
                            ("withdrawn", "Withdrawn by the reporter"),
                            ("escalated", "Missed deadline escalated to supervisors"),
                            ("transferred", "Transferred to another force"),
                            ("conflict_declared", "Stepped aside (conflict of interest)"),
                        ],
                        max_length=32,
                    ),
                ),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("detail", models.CharField(blank=True, max_length=300)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="triage.case",
                    ),
                ),
                (
                    "from_user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "to_user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["at", "id"],
                "indexes": [models.Index(fields=["case", "at"], name="caseevent_case_at_idx")],
            },
        ),
    ]
