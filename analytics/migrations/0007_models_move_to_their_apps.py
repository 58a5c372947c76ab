# The models move to the apps that own their domain: the aggregate tables to aggregates, the
# stored estimates to estimates, the export jobs to exports (each app's 0001 takes its models
# over, on the same tables, just before this one). State only: every table and row stays where
# it is, under its analytics_* name. Analytics keeps the analysts' pages, and no model.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0006_rds_question_version'),
        ('aggregates', '0001_aggregates_move_from_analytics'),
        ('estimates', '0001_estimates_move_from_analytics'),
        ('exports', '0001_exportjob_moves_from_analytics'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                # The models that point at another first, so each deletion leaves no dangling FK.
                migrations.DeleteModel(name='AggregateCount'),
                migrations.DeleteModel(name='AggregateState'),
                migrations.DeleteModel(name='AggregateSchedule'),
                migrations.DeleteModel(name='AggregateSnapshot'),
                migrations.DeleteModel(name='ExportJob'),
                migrations.DeleteModel(name='RDSQuestion'),
                migrations.DeleteModel(name='RDSEstimateSet'),
                migrations.DeleteModel(name='PopulationMargin'),
                migrations.DeleteModel(name='PopulationSizeEstimate'),
            ],
            database_operations=[],
        ),
    ]
