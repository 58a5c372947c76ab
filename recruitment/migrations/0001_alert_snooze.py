# AlertSnooze, moved here from surveys (surveys/migrations/0013_alertsnooze_moves_to_recruitment).
#
# The model keeps its table, surveys_alertsnooze (db_table), rather than renaming it to
# recruitment_alertsnooze: a rename would also have to rename the PostgreSQL sequence, indexes
# and constraints that carry the old name, and a live monitor reads the table while it runs;
# keeping the name makes the move a change of the models' state only, with nothing to do in
# the database and nothing that can lose a row. Its content type (and so any permission or
# admin log entry pointing at it) moves with it.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_type_to_recruitment(apps, schema_editor):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    if not ContentType.objects.filter(app_label='recruitment', model='alertsnooze').exists():
        ContentType.objects.filter(app_label='surveys', model='alertsnooze').update(
            app_label='recruitment'
        )


def content_type_to_surveys(apps, schema_editor):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    if not ContentType.objects.filter(app_label='surveys', model='alertsnooze').exists():
        ContentType.objects.filter(app_label='recruitment', model='alertsnooze').update(
            app_label='surveys'
        )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('surveys', '0013_alertsnooze_moves_to_recruitment'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AlertSnooze',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=32)),
                        ('key', models.CharField(blank=True, max_length=100)),
                        ('until', models.DateTimeField()),
                        ('snoozed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.survey')),
                    ],
                    options={
                        'db_table': 'surveys_alertsnooze',
                        'constraints': [models.UniqueConstraint(fields=('survey', 'kind', 'key'), name='alert_snooze_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_recruitment, content_type_to_surveys),
    ]
