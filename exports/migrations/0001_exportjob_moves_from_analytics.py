# The export jobs, moved here from analytics (analytics/migrations/0007_models_move_to_their_apps
# removes them from analytics' state right after this one).
#
# The models keep their tables, analytics_* (db_table), rather than renaming them: a rename would
# also have to rename the PostgreSQL sequences, indexes and constraints that carry the old name,
# while the running code reads the tables; keeping the names makes the move a change of the
# models' state only, with nothing to do in the database and nothing that can lose a row. Their
# content types (and so any permission or admin log entry pointing at them) move with them.

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


MODELS = ('exportjob',)


def content_types_to_exports(apps, schema_editor):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    for model in MODELS:
        if not ContentType.objects.filter(app_label='exports', model=model).exists():
            ContentType.objects.filter(app_label='analytics', model=model).update(
                app_label='exports'
            )


def content_types_to_analytics(apps, schema_editor):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    for model in MODELS:
        if not ContentType.objects.filter(app_label='analytics', model=model).exists():
            ContentType.objects.filter(app_label='exports', model=model).update(
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
                    name='ExportJob',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('kind', models.CharField(max_length=20)),
                        ('options', models.JSONField(default=dict)),
                        ('status', models.CharField(choices=[('pending', 'waiting'), ('running', 'running'), ('done', 'ready'), ('failed', 'failed')], default='pending', max_length=10)),
                        ('rows_total', models.PositiveIntegerField(default=0)),
                        ('rows_done', models.PositiveIntegerField(default=0)),
                        ('file_name', models.CharField(max_length=200)),
                        ('error', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='export_jobs', to=settings.AUTH_USER_MODEL)),
                        ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.survey')),
                    ],
                    options={
                        'verbose_name': 'export job',
                        'verbose_name_plural': 'export jobs',
                        'db_table': 'analytics_exportjob',
                        'ordering': ['-created_at'],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_exports, content_types_to_analytics),
    ]
