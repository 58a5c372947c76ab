"""Existing staff keep what they saw: each becomes a member of every existing survey in the roles
their permissions gave them (superusers see everything and need no membership)."""

from django.db import migrations
from django.db.models import Q

ROLES = ("organizer", "analyst", "payments")


def join_every_survey(apps, schema_editor):
    User = apps.get_model("auth", "User")
    Survey = apps.get_model("surveys", "Survey")
    Membership = apps.get_model("membership", "Membership")
    surveys = list(Survey.objects.all())
    rows = []
    for role in ROLES:
        holders = (
            User.objects.filter(is_superuser=False)
            .filter(
                Q(groups__permissions__codename=role) | Q(user_permissions__codename=role)
            )
            .distinct()
        )
        rows += [
            Membership(survey=survey, user=user, role=role)
            for user in holders
            for survey in surveys
        ]
    Membership.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("membership", "0001_memberships"),
        ("surveys", "0002_staff_groups"),
        ("incentives", "0002_payments_group"),
    ]

    operations = [migrations.RunPython(join_every_survey, migrations.RunPython.noop)]
