"""The analytics models move to aggregates, estimates and exports with every row, both ways."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from estimates.contracts import Estimate, Interval, OptionEstimates, QuestionRecord

BEFORE = [
    ("analytics", "0006_rds_question_version"),
    ("aggregates", None),
    ("estimates", None),
    ("exports", None),
]
AFTER = [("analytics", "0007_models_move_to_their_apps")]

# Each model, the app that owns it now, and the columns compared (FKs through what they name).
MOVED = {
    "AggregateSnapshot": ("aggregates", ("pk", "survey__slug", "watermark", "gaps", "responses")),
    "AggregateCount": (
        "aggregates",
        ("pk", "snapshot_id", "dimension", "value", "question", "option", "count", "unflagged"),
    ),
    "AggregateState": ("aggregates", ("survey__slug", "snapshot_id", "runs", "full_runs")),
    "AggregateSchedule": ("aggregates", ("survey__slug", "enqueued_at", "failures")),
    "ExportJob": (
        "exports",
        ("pk", "owner__username", "survey__slug", "kind", "status", "file_name"),
    ),
    "RDSEstimateSet": ("estimates", ("survey__slug", "respondents", "seeds", "population_size")),
    "RDSQuestion": (
        "estimates",
        ("pk", "estimate_set__survey__slug", "question", "version", "shares", "homophily"),
    ),
    "PopulationMargin": ("estimates", ("pk", "survey__slug", "question", "option", "share")),
    "PopulationSizeEstimate": (
        "estimates",
        ("pk", "survey__slug", "requested_by__username", "prior_median", "status", "result"),
    ),
}


def _migrate(targets: list[tuple[str, str | None]]) -> Any:
    """Migrate to the targets; return the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # The state of what is applied now: migrating these apps back also unapplies the later
    # migrations of other apps that depend on them (e.g. a column moving out of surveys).
    executor.loader.build_graph()
    return executor.loader.project_state(list(executor.loader.applied_migrations)).apps


def _latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _rows(apps: Any, *, moved: bool) -> dict[str, set[tuple[Any, ...]]]:
    rows = {}
    for name, (app, columns) in MOVED.items():
        model = apps.get_model(app if moved else "analytics", name)
        rows[name] = {tuple(map(repr, row)) for row in model.objects.values_list(*columns)}
    return rows


def _content_types(apps: Any) -> dict[str, str]:
    types = apps.get_model("contenttypes", "ContentType").objects
    names = {name.lower() for name in MOVED}
    return dict(types.filter(model__in=names).values_list("model", "app_label"))


# What the estimates of one option looked like when stored: RDS-II 40 % (25-55 %, tree bootstrap).
STORED = QuestionRecord(
    options={"yes": OptionEstimates(rds2=Estimate(0.4, Interval(0.25, 0.55, "tree")))},
    homophily=1.2,
)


def _fill(old: Any) -> None:
    """Store one row (or two) in every table that moves, in the schema before the move."""
    now = timezone.now()
    titles = {f"title_{lang}": "t" for lang in ("ru", "kk", "en")}
    survey = old.get_model("surveys", "Survey").objects.create(slug="sco-old", **titles)
    olga = old.get_model("auth", "User").objects.create(username="olga")

    def model(name: str) -> Any:
        return old.get_model("analytics", name).objects

    snapshot = model("AggregateSnapshot").create(
        survey=survey, built_at=now, watermark=41, gaps={"40": 1}, responses=37
    )
    model("AggregateCount").create(snapshot=snapshot, question="", count=37, unflagged=35)
    model("AggregateCount").create(
        snapshot=snapshot, question="q1", option="yes", count=12, unflagged=11
    )
    model("AggregateState").create(survey=survey, snapshot=snapshot, runs=3, full_runs=1)
    model("AggregateSchedule").create(survey=survey, enqueued_at=now, failures=2)
    model("ExportJob").create(
        owner=olga, survey=survey, kind="wide", status="done", file_name="sco-old.csv"
    )
    estimate_set = model("RDSEstimateSet").create(
        survey=survey, built_at=now, respondents=37, seeds=4, population_size=5000
    )
    model("RDSQuestion").create(estimate_set=estimate_set, question="q1", **STORED.to_json())
    model("RDSQuestion").create(estimate_set=estimate_set, question="q2", shares={})
    model("PopulationMargin").create(
        survey=survey, question="q1", option="yes", share=0.3, entered_by=olga
    )
    model("PopulationSizeEstimate").create(
        survey=survey,
        requested_by=olga,
        prior_median=4000,
        samples=200,
        status="done",
        result={"median": 5100},
    )
    types = old.get_model("contenttypes", "ContentType").objects
    for name in MOVED:
        types.get_or_create(app_label="analytics", model=name.lower())


def _read_by_the_running_code() -> None:
    """Read the moved rows through the apps' own models and readers, and add one more."""
    from aggregates.models import AggregateSnapshot
    from aggregates.selectors import published_snapshot
    from estimates.margins.sample import stored_shares
    from estimates.models import PopulationSizeEstimate, RDSEstimateSet
    from exports.jobs import export_job_visible
    from exports.models import ExportJob
    from surveys.models import Survey

    survey = Survey.objects.get(slug="sco-old")
    snapshot = published_snapshot(survey=survey)
    assert snapshot is not None and (snapshot.watermark, snapshot.responses) == (41, 37)
    estimate_set = RDSEstimateSet.objects.get(survey=survey)
    records = {row.question: row.record() for row in estimate_set.questions.all()}
    assert records["q1"] == STORED and records["q2"].options == {}
    assert records["q1"].option("yes").rds2.low == 0.25
    assert stored_shares(survey=survey) == {"q1": {"yes": 0.3}}
    assert PopulationSizeEstimate.objects.get(survey=survey).result == {"median": 5100}
    job = ExportJob.objects.get(survey=survey)
    assert export_job_visible(job=job, user=job.owner) and job.path.name == f"{job.pk}.csv"
    # New rows go on numbering after the moved ones (the tables keep their sequences).
    later = AggregateSnapshot.objects.create(survey=survey, built_at=timezone.now())
    assert later.pk > snapshot.pk
    later.delete()


@pytest.mark.django_db(transaction=True)
def test_every_moved_row_and_content_type_survives_the_move_and_the_move_back() -> None:
    try:
        old = _migrate(BEFORE)
        _fill(old)
        before = _rows(old, moved=False)
        assert all(before.values()), before
        assert len(before["RDSQuestion"]) == 2 and len(before["AggregateCount"]) == 2

        new = _migrate(AFTER)
        assert _rows(new, moved=True) == before
        assert _content_types(new) == {name.lower(): app for name, (app, _columns) in MOVED.items()}
        _read_by_the_running_code()

        back = _migrate(BEFORE)
        assert _rows(back, moved=False) == before
        assert set(_content_types(back).values()) == {"analytics"}
    finally:
        _latest()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_move_changes_nothing_in_a_postgresql_database() -> None:
    assert connection.vendor == "postgresql"
    executor = MigrationExecutor(connection)
    try:
        _migrate(BEFORE)
        executor.loader.build_graph()
        with connection.cursor() as cursor:
            tables = set(connection.introspection.table_names(cursor))
            before = {
                table: connection.introspection.get_constraints(cursor, table)
                for table in tables
                if table.startswith("analytics_")
            }
        plan = executor.migration_plan(AFTER)
        sql = [
            statement
            for migration, backwards in plan
            for statement in executor.loader.collect_sql([(migration, backwards)])
        ]
        # Only the content types' rows change; no table, index or constraint.
        assert not [s for s in sql if "TABLE" in s.upper() or "INDEX" in s.upper()], sql
        _migrate(AFTER)
        with connection.cursor() as cursor:
            after = {
                table: connection.introspection.get_constraints(cursor, table) for table in before
            }
        assert after == before and len(before) == 9
    finally:
        _latest()
