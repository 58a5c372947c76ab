"""Questions carry roles; the survey's network-size code becomes that question's role."""

from django.db import migrations, models


def degree_code_to_role(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    Question = apps.get_model("surveys", "Question")
    for survey in Survey.objects.exclude(degree_question_code=""):
        Question.objects.filter(
            survey=survey, code=survey.degree_question_code, kind="integer"
        ).update(role="network_size")


def role_to_degree_code(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    Question = apps.get_model("surveys", "Question")
    for question in Question.objects.filter(role="network_size"):
        Survey.objects.filter(pk=question.survey_id).update(degree_question_code=question.code)
    Survey.objects.exclude(
        pk__in=Question.objects.filter(role="network_size").values("survey_id")
    ).update(degree_question_code="")


class Migration(migrations.Migration):
    dependencies = [("surveys", "0003_response_same_client_index")]

    operations = [
        migrations.AddField(
            model_name="question",
            name="role",
            field=models.CharField(
                blank=True,
                choices=[
                    ("country", "respondent's country"),
                    ("age_group", "age group"),
                    ("gender", "gender"),
                    ("network_size", "network size (the RDS degree)"),
                    ("breakdown", "another breakdown for crosstabs"),
                ],
                default="",
                help_text="What the platform reads this question as: country, network size, ...",
                max_length=16,
                verbose_name="role",
            ),
        ),
        migrations.AddField(
            model_name="survey",
            name="dashboard",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text=(
                    'Figure numbers of the published report: {"figures": {"question": 1, ...}, '
                    '"featured_crosstab": {"question": "...", "by": "...", "figure": 2}}.'
                ),
                verbose_name="dashboard layout",
            ),
        ),
        migrations.RunPython(degree_code_to_role, role_to_degree_code),
        migrations.RemoveField(model_name="survey", name="degree_question_code"),
        migrations.AddConstraint(
            model_name="question",
            constraint=models.UniqueConstraint(
                condition=models.Q(role__in=["country", "age_group", "gender", "network_size"]),
                fields=("survey", "role"),
                name="question_role_unique",
            ),
        ),
    ]
