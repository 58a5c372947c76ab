"""Existing staff keep what they had when studies were kept apart: the data migration."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("membership", "0001_memberships")]
AFTER = [("membership", "0002_existing_staff_join_every_survey")]


def _migrate(targets: list[tuple[str, str]]) -> object:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # Every other app at its latest state, as the database is: only membership moves.
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "membership"]
    return executor.loader.project_state([*others, *targets]).apps


@pytest.mark.django_db(transaction=True)
def test_existing_organizers_and_analysts_become_members_of_every_existing_survey() -> None:
    apps = _migrate(BEFORE)
    User = apps.get_model("auth", "User")
    Group = apps.get_model("auth", "Group")
    Survey = apps.get_model("surveys", "Survey")
    Permission = apps.get_model("auth", "Permission")
    # A transactional test before this one may have flushed the groups the migrations made.
    for name, codename in (("Organizers", "organizer"), ("Analysts", "analyst")):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(
            Permission.objects.get(content_type__app_label="surveys", codename=codename)
        )
    titles = {f"title_{lang}": "t" for lang in ("ru", "kk", "en")}
    surveys = [Survey.objects.create(slug=slug, **titles) for slug in ("first", "second")]
    organizer = User.objects.create(username="olga")
    organizer.groups.add(Group.objects.get(name="Organizers"))
    both = User.objects.create(username="bota")
    both.groups.add(Group.objects.get(name="Organizers"), Group.objects.get(name="Analysts"))
    User.objects.create(username="nobody")  # no staff permission: stays out
    User.objects.create(username="root", is_superuser=True)  # sees all without a membership

    apps = _migrate(AFTER)
    Membership = apps.get_model("membership", "Membership")
    held = set(Membership.objects.values_list("user__username", "survey__slug", "role"))
    assert held == {
        ("olga", "first", "organizer"),
        ("olga", "second", "organizer"),
        ("bota", "first", "organizer"),
        ("bota", "second", "organizer"),
        ("bota", "first", "analyst"),
        ("bota", "second", "analyst"),
    }
    assert {s.slug for s in surveys} == {"first", "second"}
