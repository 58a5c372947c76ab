"""A study contact on the survey, and a short withdrawal code on each new response."""

from django.db import migrations, models

import surveys.links.codes


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0007_response_flagged_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="survey",
            name="contact",
            field=models.CharField(
                blank=True,
                help_text="An e-mail address or another way to reach the study team, shown on the consent and privacy pages, e.g. for withdrawing answers from another device.",
                max_length=300,
                verbose_name="study contact",
            ),
        ),
        # Added without a default first: one default for every stored row would not be unique.
        # Responses stored before keep no code (their withdrawal link still works).
        migrations.AddField(
            model_name="response",
            name="withdraw_code",
            field=models.CharField(editable=False, max_length=16, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="response",
            name="withdraw_code",
            field=models.CharField(
                default=surveys.links.codes.new_withdraw_code,
                editable=False,
                max_length=16,
                null=True,
                unique=True,
            ),
        ),
    ]
