# Survey.population_size (and its range), interval_method and dashboard now live on the
# analytics side (estimates.EstimationSettings, aggregates.DashboardLayout), where
# estimates/migrations/0002_estimation_settings and aggregates/migrations/0002_dashboard_layout
# copied every value before this drops the columns. Backwards the columns come back (empty)
# and those migrations fill them again.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0016_response_change_log'),
        ('estimates', '0002_estimation_settings'),
        ('aggregates', '0002_dashboard_layout'),
    ]

    operations = [
        migrations.RemoveField(model_name='survey', name='dashboard'),
        migrations.RemoveField(model_name='survey', name='population_size'),
        migrations.RemoveField(model_name='survey', name='population_size_low'),
        migrations.RemoveField(model_name='survey', name='population_size_high'),
        migrations.RemoveField(model_name='survey', name='interval_method'),
    ]
