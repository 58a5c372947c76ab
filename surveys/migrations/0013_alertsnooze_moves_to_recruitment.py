# AlertSnooze moves to the recruitment app, the only one that uses it. State only: the table
# surveys_alertsnooze and its rows stay where they are, and recruitment's model names that table
# (recruitment/migrations/0001_alert_snooze.py takes the model over right after this one).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0012_questionnaire_logic_and_screening'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='AlertSnooze')],
            database_operations=[],
        ),
    ]
