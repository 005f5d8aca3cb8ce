from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_public_ids"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="platform_other",
            field=models.CharField(
                blank=True,
                help_text='Where it happened, when "Somewhere else" is ticked.',
                max_length=100,
            ),
        ),
    ]
