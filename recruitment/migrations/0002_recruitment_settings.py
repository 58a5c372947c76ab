# The survey's health-alert thresholds move from Survey.health_thresholds to recruitment's own
# RecruitmentSettings (one row per survey that set any): the values are copied here, and only
# then does surveys/migrations/0014_survey_health_thresholds_moves_to_recruitment drop the
# column. Backwards, that migration adds the column again first and this one copies them back.

import django.db.models.deletion
from django.db import migrations, models


def thresholds_to_settings(apps, schema_editor):
    Survey = apps.get_model('surveys', 'Survey')
    RecruitmentSettings = apps.get_model('recruitment', 'RecruitmentSettings')
    RecruitmentSettings.objects.bulk_create(
        RecruitmentSettings(survey_id=pk, health_thresholds=thresholds)
        for pk, thresholds in Survey.objects.values_list('pk', 'health_thresholds')
        if thresholds  # an empty dict is every default: no row needed
    )


def thresholds_to_surveys(apps, schema_editor):
    Survey = apps.get_model('surveys', 'Survey')
    RecruitmentSettings = apps.get_model('recruitment', 'RecruitmentSettings')
    for row in RecruitmentSettings.objects.all():
        Survey.objects.filter(pk=row.survey_id).update(health_thresholds=row.health_thresholds)


class Migration(migrations.Migration):

    dependencies = [
        ('recruitment', '0001_alert_snooze'),
        ('surveys', '0013_alertsnooze_moves_to_recruitment'),
    ]

    operations = [
        migrations.CreateModel(
            name='RecruitmentSettings',
            fields=[
                ('survey', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='recruitment_settings', serialize=False, to='surveys.survey')),
                ('health_thresholds', models.JSONField(blank=True, default=dict, verbose_name='alert thresholds')),
            ],
        ),
        migrations.RunPython(thresholds_to_settings, thresholds_to_surveys),
    ]
