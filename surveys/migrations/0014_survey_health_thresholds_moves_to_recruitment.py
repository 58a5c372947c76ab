# Survey.health_thresholds now lives in recruitment.RecruitmentSettings, where
# recruitment/migrations/0002_recruitment_settings copied every value before this drops the
# column. Backwards the column comes back (empty) and that migration fills it again.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0013_alertsnooze_moves_to_recruitment'),
        ('recruitment', '0002_recruitment_settings'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='survey',
            name='health_thresholds',
        ),
    ]
