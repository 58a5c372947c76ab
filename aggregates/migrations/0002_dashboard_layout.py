# The dashboard's figure numbers move from Survey.dashboard to aggregates' DashboardLayout (one
# row per survey whose questionnaire gives any): the values are copied here, and only then does
# surveys/migrations/0017_analysis_settings_move_out drop the column. Backwards, that migration
# adds the column again first and this one copies the values back.

import django.db.models.deletion
from django.db import migrations, models


def layouts_from_surveys(apps, schema_editor):
    Survey = apps.get_model('surveys', 'Survey')
    DashboardLayout = apps.get_model('aggregates', 'DashboardLayout')
    DashboardLayout.objects.bulk_create(
        DashboardLayout(survey_id=pk, layout=layout)
        for pk, layout in Survey.objects.order_by('pk').values_list('pk', 'dashboard')
        if layout  # an empty layout is the default: no row needed
    )


def layouts_to_surveys(apps, schema_editor):
    Survey = apps.get_model('surveys', 'Survey')
    DashboardLayout = apps.get_model('aggregates', 'DashboardLayout')
    for row in DashboardLayout.objects.all():
        Survey.objects.filter(pk=row.survey_id).update(dashboard=row.layout)


class Migration(migrations.Migration):

    dependencies = [
        ('aggregates', '0001_aggregates_move_from_analytics'),
        ('surveys', '0015_linkevent_index_by_survey_and_id'),
    ]

    operations = [
        migrations.CreateModel(
            name='DashboardLayout',
            fields=[
                ('survey', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='dashboard_layout', serialize=False, to='surveys.survey')),
                ('layout', models.JSONField(blank=True, default=dict, help_text='Figure numbers of the published report: {"figures": {"question": 1, ...}, "featured_crosstab": {"question": "...", "by": "...", "figure": 2}}.', verbose_name='dashboard layout')),
            ],
            options={
                'verbose_name': 'dashboard layout',
                'verbose_name_plural': 'dashboard layouts',
            },
        ),
        migrations.RunPython(layouts_from_surveys, layouts_to_surveys),
    ]
