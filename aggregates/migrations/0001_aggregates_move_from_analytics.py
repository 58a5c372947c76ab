# The aggregate tables, moved here from analytics (analytics/migrations/0007_models_move_to_their_apps
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


MODELS = ('aggregatesnapshot', 'aggregatecount', 'aggregatestate', 'aggregateschedule')


def content_types_to_aggregates(apps, schema_editor):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    for model in MODELS:
        if not ContentType.objects.filter(app_label='aggregates', model=model).exists():
            ContentType.objects.filter(app_label='analytics', model=model).update(
                app_label='aggregates'
            )


def content_types_to_analytics(apps, schema_editor):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    for model in MODELS:
        if not ContentType.objects.filter(app_label='analytics', model=model).exists():
            ContentType.objects.filter(app_label='aggregates', model=model).update(
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
                    name='AggregateSchedule',
                    fields=[
                        ('survey', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='surveys.survey')),
                        ('enqueued_at', models.DateTimeField(blank=True, null=True)),
                        ('full_requested_at', models.DateTimeField(blank=True, null=True)),
                        ('failures', models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        'db_table': 'analytics_aggregateschedule',
                    },
                ),
                migrations.CreateModel(
                    name='AggregateSnapshot',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('built_at', models.DateTimeField(verbose_name='built at')),
                        ('watermark', models.BigIntegerField(default=0)),
                        ('gaps', models.JSONField(blank=True, default=dict)),
                        ('responses', models.PositiveIntegerField(default=0, verbose_name='responses counted')),
                        ('full', models.BooleanField(default=True)),
                        ('seconds', models.FloatField(default=0, verbose_name='build time (s)')),
                        ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='aggregate_snapshots', to='surveys.survey')),
                    ],
                    options={
                        'verbose_name': 'aggregate snapshot',
                        'verbose_name_plural': 'aggregate snapshots',
                        'db_table': 'analytics_aggregatesnapshot',
                    },
                ),
                migrations.CreateModel(
                    name='AggregateState',
                    fields=[
                        ('survey', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='surveys.survey')),
                        ('runs', models.PositiveIntegerField(default=0, verbose_name='rebuilds')),
                        ('full_runs', models.PositiveIntegerField(default=0, verbose_name='full rebuilds')),
                        ('last_full_at', models.DateTimeField(blank=True, null=True)),
                        ('last_error', models.TextField(blank=True)),
                        ('last_error_at', models.DateTimeField(blank=True, null=True)),
                        ('snapshot', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='aggregates.aggregatesnapshot')),
                    ],
                    options={
                        'verbose_name': 'aggregate state',
                        'verbose_name_plural': 'aggregate states',
                        'db_table': 'analytics_aggregatestate',
                    },
                ),
                migrations.CreateModel(
                    name='AggregateCount',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('dimension', models.CharField(blank=True, max_length=50)),
                        ('value', models.CharField(blank=True, max_length=100)),
                        ('question', models.CharField(blank=True, max_length=50)),
                        ('option', models.CharField(blank=True, max_length=100)),
                        ('count', models.PositiveIntegerField()),
                        ('unflagged', models.PositiveIntegerField(default=0)),
                        ('snapshot', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='aggregates.aggregatesnapshot')),
                    ],
                    options={
                        'db_table': 'analytics_aggregatecount',
                        'indexes': [models.Index(fields=['snapshot', 'dimension', 'value'], name='analytics_a_snapsho_3c7194_idx')],
                        'constraints': [models.UniqueConstraint(fields=('snapshot', 'dimension', 'value', 'question', 'option'), name='aggregate_count_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_aggregates, content_types_to_analytics),
    ]
