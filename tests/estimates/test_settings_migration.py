"""The analysts' settings leave the survey's row for their own apps and come back, all kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("surveys", "0016_response_change_log"),
    ("estimates", "0001_estimates_move_from_analytics"),
    ("aggregates", "0001_aggregates_move_from_analytics"),
]
AFTER = [("surveys", "0017_analysis_settings_move_out")]
LAYOUT = {
    "figures": {"q1": 1, "q7": 3},
    "featured_crosstab": {"question": "q7", "by": "q1", "figure": 2},
}
COLUMNS = ("slug", "population_size", "population_size_low", "population_size_high",
           "interval_method", "dashboard")  # fmt: skip


def _migrate(targets: list[tuple[str, str]]) -> Any:
    """Migrate to the targets; return the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_population_sizes_intervals_and_figure_numbers_move_to_their_apps_and_back() -> None:
    try:
        old = _migrate(BEFORE)
        Survey = old.get_model("surveys", "Survey")
        titles = {f"title_{lang}": "t" for lang in ("ru", "kk", "en")}
        sized = {"population_size": 5000, "population_size_low": 3000, "population_size_high": 9000}
        Survey.objects.create(
            slug="sized", interval_method="el", dashboard=LAYOUT, **sized, **titles
        )
        Survey.objects.create(slug="el-only", interval_method="el", **titles)
        Survey.objects.create(slug="defaults", **titles)
        before = list(Survey.objects.order_by("slug").values_list(*COLUMNS))

        new = _migrate(AFTER)
        settings = new.get_model("estimates", "EstimationSettings").objects
        assert dict(settings.values_list("survey__slug", "interval_method")) == {
            "sized": "el",
            "el-only": "el",
        }
        layouts = new.get_model("aggregates", "DashboardLayout").objects
        assert dict(layouts.values_list("survey__slug", "layout")) == {"sized": LAYOUT}

        # The running code reads them where the estimators, the dashboard and the alerts look.
        from aggregates.selectors import featured_crosstab, figure_numbers
        from estimates.models import EstimationSettings
        from recruitment.health.convergence import key_questions
        from surveys.models import Survey as LiveSurvey

        live = LiveSurvey.objects.get(slug="sized")
        assert EstimationSettings.of(live).population_sizes() == [
            3000,
            4500,
            5000,
            6000,
            7500,
            9000,
        ]
        assert figure_numbers(survey=live) == {"q1": 1, "q7": 3}
        assert featured_crosstab(survey=live) == ("q7", "q1")
        assert key_questions(survey=live) == ["q1", "q7"]
        plain = LiveSurvey.objects.get(slug="defaults")
        assert EstimationSettings.of(plain).population_size is None
        assert EstimationSettings.of(plain).interval_method == "tree"
        assert figure_numbers(survey=plain) == {}

        back = _migrate(BEFORE)
        restored = back.get_model("surveys", "Survey").objects.order_by("slug")
        assert list(restored.values_list(*COLUMNS)) == before
    finally:
        _latest()
