# The population size, its range and the reported interval move from Survey to estimates'
# EstimationSettings (one row per survey that set any): the values are copied here, and only
# then does surveys/migrations/0017_analysis_settings_move_out drop the columns. Backwards, that
# migration adds the columns again first and this one copies the values back.

import django.db.models.deletion
from django.db import migrations, models

POPULATION = ('population_size', 'population_size_low', 'population_size_high')


def settings_from_surveys(apps, schema_editor):
    Survey = apps.get_model('surveys', 'Survey')
    EstimationSettings = apps.get_model('estimates', 'EstimationSettings')
    rows = []
    for survey in Survey.objects.order_by('pk'):
        values = {name: getattr(survey, name) for name in POPULATION}
        # No size and the tree bootstrap are every default: no row needed.
        if any(value is not None for value in values.values()) or survey.interval_method != 'tree':
            rows.append(
                EstimationSettings(
                    survey_id=survey.pk, interval_method=survey.interval_method, **values
                )
            )
    EstimationSettings.objects.bulk_create(rows)


def settings_to_surveys(apps, schema_editor):
    Survey = apps.get_model('surveys', 'Survey')
    EstimationSettings = apps.get_model('estimates', 'EstimationSettings')
    for row in EstimationSettings.objects.all():
        Survey.objects.filter(pk=row.survey_id).update(
            interval_method=row.interval_method, **{name: getattr(row, name) for name in POPULATION}
        )


class Migration(migrations.Migration):

    dependencies = [
        ('estimates', '0001_estimates_move_from_analytics'),
        ('surveys', '0015_linkevent_index_by_survey_and_id'),
    ]

    operations = [
        migrations.CreateModel(
            name='EstimationSettings',
            fields=[
                ('survey', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='estimation_settings', serialize=False, to='surveys.survey')),
                ('population_size', models.PositiveIntegerField(blank=True, help_text="How many people make up the population the recruitment chains were drawn from. Needed for Gile's successive-sampling (SS) estimates; leave empty if unknown.", null=True, verbose_name='population size')),
                ('population_size_low', models.PositiveIntegerField(blank=True, null=True, verbose_name='population size, low guess')),
                ('population_size_high', models.PositiveIntegerField(blank=True, null=True, verbose_name='population size, high guess')),
                ('interval_method', models.CharField(choices=[('tree', 'tree bootstrap (resamples recruitment trees)'), ('el', "R's empirical-likelihood interval (the RDS package's default)")], default='tree', help_text='Which 95 % interval the RDS-II and SS estimates report. The tree bootstrap needs at least two seeds; with one seed R\'s interval is reported whatever is chosen here.', max_length=8, verbose_name='reported interval')),
            ],
            options={
                'verbose_name': 'estimation settings',
                'verbose_name_plural': 'estimation settings',
            },
        ),
        migrations.RunPython(settings_from_surveys, settings_to_surveys),
    ]
