"""Recruitment's records survive their move out of surveys, both ways: snoozes and thresholds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("surveys", "0012_questionnaire_logic_and_screening"), ("recruitment", None)]
AFTER = [("recruitment", "0001_alert_snooze")]


def _migrate(targets: list[tuple[str, str | None]]) -> Any:
    """Migrate to the targets; return the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    nodes = [target for target in targets if target[1] is not None]
    return executor.loader.project_state(nodes).apps


def _latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _snoozes(apps: Any, app_label: str) -> set[tuple[Any, ...]]:
    AlertSnooze = apps.get_model(app_label, "AlertSnooze")
    return set(
        AlertSnooze.objects.values_list(
            "pk", "survey__slug", "kind", "key", "until", "snoozed_by__username"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_the_snoozed_alerts_and_their_content_type_move_to_recruitment_and_back() -> None:
    try:
        old = _migrate(BEFORE)
        Survey = old.get_model("surveys", "Survey")
        titles = {f"title_{lang}": "t" for lang in ("ru", "kk", "en")}
        survey = Survey.objects.create(slug="sco-old", **titles)
        olga = old.get_model("auth", "User").objects.create(username="olga")
        until = timezone.now() + dt.timedelta(days=7)
        Snooze = old.get_model("surveys", "AlertSnooze")
        Snooze.objects.create(survey=survey, kind="seed_dominance", key="12", until=until,
                              snoozed_by=olga)  # fmt: skip
        Snooze.objects.create(survey=survey, kind="stalled", key="", until=until)
        ContentType = old.get_model("contenttypes", "ContentType")
        ContentType.objects.get_or_create(app_label="surveys", model="alertsnooze")
        before = _snoozes(old, "surveys")

        new = _migrate(AFTER)
        assert _snoozes(new, "recruitment") == before and len(before) == 2
        types = new.get_model("contenttypes", "ContentType").objects
        assert types.filter(app_label="recruitment", model="alertsnooze").exists()
        assert not types.filter(app_label="surveys", model="alertsnooze").exists()

        # The running code reads them through its own model, unchanged.
        from recruitment.health.snooze import active_snoozes
        from surveys.models import Survey as LiveSurvey

        live = LiveSurvey.objects.get(slug="sco-old")
        snoozed = active_snoozes(survey=live, now=timezone.now())
        assert set(snoozed) == {("seed_dominance", "12"), ("stalled", "")}
        assert snoozed[("seed_dominance", "12")].snoozed_by.username == "olga"

        back = _migrate(BEFORE)
        assert _snoozes(back, "surveys") == before
        assert (
            back.get_model("contenttypes", "ContentType")
            .objects.filter(app_label="surveys", model="alertsnooze")
            .exists()
        )
    finally:
        _latest()


SETTINGS_BEFORE = [
    ("surveys", "0013_alertsnooze_moves_to_recruitment"),
    ("recruitment", "0001_alert_snooze"),
]
SETTINGS_AFTER = [("surveys", "0014_survey_health_thresholds_moves_to_recruitment")]


@pytest.mark.django_db(transaction=True)
def test_each_surveys_alert_thresholds_move_to_its_recruitment_settings_and_back() -> None:
    try:
        old = _migrate(SETTINGS_BEFORE)
        Survey = old.get_model("surveys", "Survey")
        titles = {f"title_{lang}": "t" for lang in ("ru", "kk", "en")}
        stricter = {"seed_dominance": {"percent": 95}, "dying_chain": {"days": 21}}
        Survey.objects.create(slug="strict", health_thresholds=stricter, **titles)
        Survey.objects.create(slug="defaults", health_thresholds={}, **titles)

        new = _migrate(SETTINGS_AFTER)
        rows = new.get_model("recruitment", "RecruitmentSettings").objects
        assert dict(rows.values_list("survey__slug", "health_thresholds")) == {"strict": stricter}

        # The alerts in force, as the monitor and the thresholds form read them.
        from recruitment.health.thresholds import defaults, thresholds_for
        from surveys.models import Survey as LiveSurvey

        strict = thresholds_for(survey=LiveSurvey.objects.get(slug="strict"))
        assert strict["seed_dominance"]["percent"] == 95 and strict["dying_chain"]["days"] == 21
        assert thresholds_for(survey=LiveSurvey.objects.get(slug="defaults")) == defaults()

        back = _migrate(SETTINGS_BEFORE)
        restored = back.get_model("surveys", "Survey").objects.values_list(
            "slug", "health_thresholds"
        )
        assert dict(restored) == {"strict": stricter, "defaults": {}}
    finally:
        _latest()
