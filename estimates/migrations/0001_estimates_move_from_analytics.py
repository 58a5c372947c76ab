# The stored estimates, moved here from analytics (analytics/migrations/0007_models_move_to_their_apps
# removes them from analytics' state right after this one).
#
# The models keep their tables, analytics_* (db_table), rather than renaming them: a rename would
# also have to rename the PostgreSQL sequences, indexes and constraints that carry the old name,
# while the running code reads the tables; keeping the names makes the move a change of the
# models' state only, with nothing to do in the database and nothing that can lose a row. Their
# content types (and so any permission or admin log entry pointing at them) move with them.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MODELS = ('rdsestimateset', 'rdsquestion', 'populationmargin', 'populationsizeestimate')


def content_types_to_estimates(apps, schema_editor):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    for model in MODELS:
        if not ContentType.objects.filter(app_label='estimates', model=model).exists():
            ContentType.objects.filter(app_label='analytics', model=model).update(
                app_label='estimates'
            )


def content_types_to_analytics(apps, schema_editor):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    for model in MODELS:
        if not ContentType.objects.filter(app_label='analytics', model=model).exists():
            ContentType.objects.filter(app_label='estimates', model=model).update(
                app_label='analytics'
            )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('analytics', '0006_rds_question_version'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='RDSEstimateSet',
                    fields=[
                        ('survey', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='surveys.survey')),
                        ('built_at', models.DateTimeField(verbose_name='built at')),
                        ('watermark', models.BigIntegerField(default=0)),
                        ('respondents', models.PositiveIntegerField(default=0)),
                        ('seeds', models.PositiveIntegerField(default=0)),
                        ('waves', models.PositiveIntegerField(default=0)),
                        ('imputed_degrees', models.PositiveIntegerField(default=0)),
                        ('outside_chains', models.PositiveIntegerField(default=0, help_text='Respondents who came without a seed or referral link.')),
                        ('replicates', models.PositiveIntegerField(default=0)),
                        ('unavailable', models.TextField(blank=True)),
                        ('population_size', models.PositiveIntegerField(blank=True, null=True)),
                        ('ss_unavailable', models.TextField(blank=True)),
                        ('seconds', models.FloatField(default=0)),
                    ],
                    options={
                        'verbose_name': 'RDS estimates',
                        'verbose_name_plural': 'RDS estimates',
                        'db_table': 'analytics_rdsestimateset',
                    },
                ),
                migrations.CreateModel(
                    name='PopulationSizeEstimate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('prior_median', models.PositiveIntegerField(verbose_name='prior median of the population size')),
                        ('samples', models.PositiveIntegerField(verbose_name='posterior draws')),
                        ('seed', models.BigIntegerField(blank=True, null=True, verbose_name='random seed')),
                        ('status', models.CharField(choices=[('pending', 'waiting'), ('running', 'running'), ('done', 'ready'), ('failed', 'failed')], default='pending', max_length=10)),
                        ('result', models.JSONField(blank=True, default=dict)),
                        ('error', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='population_size_estimates', to='surveys.survey')),
                    ],
                    options={
                        'verbose_name': 'population size estimate',
                        'verbose_name_plural': 'population size estimates',
                        'db_table': 'analytics_populationsizeestimate',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='PopulationMargin',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('question', models.CharField(max_length=50, verbose_name='question')),
                        ('option', models.CharField(max_length=100, verbose_name='option')),
                        ('share', models.FloatField(verbose_name='population share')),
                        ('entered_at', models.DateTimeField(auto_now=True)),
                        ('entered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.survey')),
                    ],
                    options={
                        'verbose_name': 'population margin',
                        'verbose_name_plural': 'population margins',
                        'db_table': 'analytics_populationmargin',
                        'ordering': ['question', 'option'],
                        'constraints': [models.UniqueConstraint(fields=('survey', 'question', 'option'), name='population_margin_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='RDSQuestion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('question', models.CharField(max_length=50)),
                        ('version', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('shares', models.JSONField(default=dict)),
                        ('homophily', models.FloatField(blank=True, null=True)),
                        ('convergence_wave', models.JSONField(default=list)),
                        ('convergence_order', models.JSONField(default=list)),
                        ('bottleneck', models.JSONField(default=dict)),
                        ('diagnostics', models.JSONField(default=dict)),
                        ('unavailable', models.JSONField(default=dict)),
                        ('estimate_set', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='questions', to='estimates.rdsestimateset')),
                    ],
                    options={
                        'db_table': 'analytics_rdsquestion',
                        'constraints': [models.UniqueConstraint(fields=('estimate_set', 'question'), name='rds_question_once')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_estimates, content_types_to_analytics),
    ]
