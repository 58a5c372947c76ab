"""Writes of the aggregate tables: rebuilds (full or incremental) and their coalescing window.

A rebuild writes a new snapshot of counts and switches the survey's pointer to it in one
transaction, so readers see either the old or the new snapshot, never a mix. An incremental
rebuild copies the published counts and adds those of the responses the change feed
(surveys.changefeed) hands out since the snapshot's cursor, late commits included.

Every rebuild reads one consistent snapshot of the database (REPEATABLE READ on PostgreSQL;
SQLite's write lock gives the same), so that the feed and the counting see the same rows. A
counted response that was withdrawn, flagged or reviewed since has the survey counted again
from scratch: which cells it went into, with which mark, is not kept.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from aggregates.counting import (
    CountPlan,
    Tally,
    count_plan,
    count_python,
    count_sql,
    tune_for_counting,
)
from aggregates.models import AggregateCount, AggregateSchedule, AggregateSnapshot, AggregateState
from surveys.changefeed.cursor import FeedCursor, SequenceCursor, gaps_from_json
from surveys.changefeed.feed import IdSet, changes_since
from surveys.models import Response, Survey

log = logging.getLogger(__name__)

SERIALIZATION_RETRIES = 5
_RETRYABLE = {"40001", "40P01"}  # serialization failure, deadlock
REBUILD_LOCK_SPACE = 0x41474752  # "AGGR": the first key of the rebuilds' advisory locks


def _retryable(error: DatabaseError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) in _RETRYABLE


def aggregates_rebuild(*, survey_id: int, full: bool = False) -> AggregateSnapshot:
    """Publish a new snapshot of the survey's counts; incremental unless full is asked."""
    AggregateState.objects.get_or_create(survey_id=survey_id)
    attempts = SERIALIZATION_RETRIES if not connection.in_atomic_block else 1
    for attempt in range(1, attempts + 1):
        try:
            with _one_at_a_time(survey_id):
                return _rebuild(survey_id=survey_id, full=full)
        except OperationalError as error:
            # Two rebuilds of one survey at once: the later one starts again from a fresh view.
            if attempt < attempts and _retryable(error):
                time.sleep(0.05 * attempt)
                continue
            _record_error(survey_id, error)
            raise
        except Exception as error:
            _record_error(survey_id, error)
            raise
    raise AssertionError("unreachable")


@contextmanager
def _one_at_a_time(survey_id: int) -> Iterator[None]:
    """Hold the survey's rebuild lock on PostgreSQL, outside any transaction, for the block.

    In-process every submission rebuilds on commit: queueing here, before the repeatable-read
    snapshot is taken, keeps concurrent rebuilds from failing on each other's writes.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [REBUILD_LOCK_SPACE, survey_id])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [REBUILD_LOCK_SPACE, survey_id])


def _record_error(survey_id: int, error: BaseException) -> None:
    if connection.in_atomic_block and connection.needs_rollback:
        return
    try:
        AggregateState.objects.filter(pk=survey_id).update(
            last_error=f"{type(error).__name__}: {error}"[:2000], last_error_at=timezone.now()
        )
    except DatabaseError:
        log.exception("could not record the failed rebuild of survey %s", survey_id)


def snapshot_cursor(snapshot: AggregateSnapshot) -> FeedCursor:
    """Return where a snapshot stands in the change feed.

    Snapshots built before the feed kept their watermark apart and only the gaps, as
    {"<id>": "<moment first missed>"}; the change log did not exist yet, so they stand at its
    start.
    """
    if "version" in snapshot.gaps:
        return FeedCursor.from_json(snapshot.gaps)
    return FeedCursor(
        responses=SequenceCursor(
            watermark=snapshot.watermark, gaps=gaps_from_json(data=snapshot.gaps)
        )
    )


def _rebuild(*, survey_id: int, full: bool) -> AggregateSnapshot:
    started = time.perf_counter()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        # The first statement takes the state row's lock: rebuilds of a survey queue up here.
        AggregateState.objects.filter(pk=survey_id).update(runs=F("runs") + 1)
        state = AggregateState.objects.select_related("snapshot").get(pk=survey_id)
        survey = Survey.objects.get(pk=survey_id)
        plan = count_plan(survey=survey)
        now = timezone.now()
        previous = state.snapshot
        cursor = None if full or previous is None else snapshot_cursor(previous)
        changes = changes_since(survey_id=survey_id, cursor=cursor, now=now)
        if changes.changed:
            # Counted responses were withdrawn, flagged or reviewed: count everything again.
            cursor = None
            changes = changes_since(survey_id=survey_id, cursor=None, now=now)
        incremental = cursor is not None
        snapshot = AggregateSnapshot.objects.create(
            survey_id=survey_id,
            built_at=now,
            watermark=changes.cursor.responses.watermark,
            gaps=changes.cursor.to_json(),
            full=not incremental,
        )
        base = previous if incremental else None
        batch = _Batch(survey, plan, snapshot, base, changes.added)
        if connection.vendor == "postgresql":
            _write_sql(batch)
        else:
            _write_python(batch)
        snapshot.responses = (
            AggregateCount.objects.filter(snapshot=snapshot, dimension="", question="", option="")
            .values_list("count", flat=True)
            .first()
            or 0
        )
        snapshot.seconds = time.perf_counter() - started
        snapshot.save(update_fields=["responses", "seconds"])

        state.snapshot = snapshot
        state.last_error = ""
        if not incremental:
            state.full_runs = F("full_runs") + 1
            state.last_full_at = now
        state.save(
            update_fields=["snapshot", "last_error", "full_runs", "last_full_at"]
            if not incremental
            else ["snapshot", "last_error"]
        )
        # Keep the snapshot readers may still be reading; older ones go.
        keep = [snapshot.pk] + ([previous.pk] if previous else [])
        AggregateCount.objects.filter(snapshot__survey_id=survey_id).exclude(
            snapshot_id__in=keep
        ).delete()
        AggregateSnapshot.objects.filter(survey_id=survey_id).exclude(pk__in=keep).delete()
    log.info(
        "aggregates of survey %s rebuilt (%s, %d responses, %.3f s)",
        survey_id,
        "incremental" if incremental else "full",
        snapshot.responses,
        snapshot.seconds,
    )
    return snapshot


@dataclass(frozen=True)
class _Batch:
    """What one rebuild counts: the responses the feed handed out, onto base's counts."""

    survey: Survey
    plan: CountPlan
    snapshot: AggregateSnapshot
    base: AggregateSnapshot | None
    ids: IdSet


def _write_python(batch: _Batch) -> None:
    cells = Tally()
    if batch.base is not None:
        for dimension, value, question, option, count, unflagged in AggregateCount.objects.filter(
            snapshot=batch.base
        ).values_list("dimension", "value", "question", "option", "count", "unflagged"):
            cells[(dimension, value, question, option)] = count
            cells.unflagged[(dimension, value, question, option)] = unflagged
    # A response's unflagged mark is counted as it is now; a later review or flag comes
    # through the feed as a change, and the rebuild is a full one.
    cells.add(count_python(survey=batch.survey, plan=batch.plan, ids=batch.ids))
    AggregateCount.objects.bulk_create(
        (
            AggregateCount(
                snapshot=batch.snapshot,
                dimension=dimension,
                value=value,
                question=question,
                option=option,
                count=count,
                unflagged=cells.unflagged[(dimension, value, question, option)],
            )
            for (dimension, value, question, option), count in cells.items()
        ),
        batch_size=2000,
    )


def _write_sql(batch: _Batch) -> None:
    base = batch.base
    counting, params = count_sql(survey=batch.survey, plan=batch.plan, ids=batch.ids)
    table = AggregateCount._meta.db_table
    previous = ""
    previous_params: list[object] = []
    if base is not None:
        columns = "dimension, value, question, option, count, unflagged"
        previous = f"UNION ALL SELECT {columns} FROM {table} WHERE snapshot_id = %s"  # noqa: S608
        previous_params = [base.pk]
    # Fixed fragments and a table name only: every value is a bound parameter.
    sql = f"""
        INSERT INTO {table} (snapshot_id, dimension, value, question, option, count, unflagged)
        SELECT %s, dimension, value, question, option, sum(count), sum(unflagged)
        FROM ({counting} {previous}) AS cells
        GROUP BY dimension, value, question, option
    """  # noqa: S608
    with connection.cursor() as cursor:
        tune_for_counting(cursor, compile_plan=base is None)
        cursor.execute(sql, [batch.snapshot.pk, *params, *previous_params])


# Until when each survey's current window was claimed, as this process last learnt it (its
# own claim, or the end another process stored): a submission before then is counted by the
# rebuild enqueued for that window, which starts once the window is over. Less a margin for
# the clocks of several hosts.
_window_ends: dict[int, float] = {}
CLOCK_MARGIN_SECONDS = 1.0


def aggregates_claim_window(*, survey_id: int) -> bool:
    """Claim the survey's coalescing window; return whether this caller should enqueue.

    The window is claimed in the shared cache, or in the survey's schedule row when the cache
    is away. A process that knows the window is held makes no round trip until it ends: at a
    few hundred submits a second, one or two round trips per process per window, not one per
    submission.
    """
    window = settings.AGGREGATES_COALESCE_SECONDS
    now = time.time()
    if now < _window_ends.get(survey_id, 0.0):
        return False
    key = f"analytics:rebuild-enqueued:{survey_id}"
    end = now + window
    try:
        if cache.add(key, end, timeout=window):
            _window_ends[survey_id] = end - CLOCK_MARGIN_SECONDS
            return True
        held = cache.get(key)
    except Exception:
        log.warning("cache unreachable; claiming the rebuild window in the database")
        return _claim_window_row(survey_id=survey_id, window=window)
    if isinstance(held, float):
        _window_ends[survey_id] = min(held, now + window) - CLOCK_MARGIN_SECONDS
    return False


def _claim_window_row(*, survey_id: int, window: int) -> bool:
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=window)
    claimed = (
        AggregateSchedule.objects.filter(pk=survey_id)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=cutoff))
        .update(enqueued_at=now)
    )
    if not claimed:
        _, claimed = AggregateSchedule.objects.get_or_create(
            survey_id=survey_id, defaults={"enqueued_at": now}
        )
    return bool(claimed)


def aggregates_full_requested(*, survey_id: int) -> None:
    """Record that the survey needs a full rebuild, so that the catch-up retries a lost one."""
    AggregateSchedule.objects.get_or_create(survey_id=survey_id)
    AggregateSchedule.objects.filter(pk=survey_id).update(full_requested_at=timezone.now())


def aggregates_enqueue_failed(*, survey_id: int) -> None:
    """Count a rebuild that could not be enqueued (the catch-up will run it)."""
    AggregateSchedule.objects.get_or_create(survey_id=survey_id)
    AggregateSchedule.objects.filter(pk=survey_id).update(failures=F("failures") + 1)


def aggregates_stale(*, survey_id: int) -> str:
    """Return "full", "incremental" or "" for what the survey's aggregates need."""
    state = AggregateState.objects.filter(pk=survey_id).select_related("snapshot").first()
    snapshot = state.snapshot if state else None
    if snapshot is None:
        return "full" if Response.objects.filter(survey_id=survey_id).exists() else ""
    requested = (
        AggregateSchedule.objects.filter(pk=survey_id)
        .values_list("full_requested_at", flat=True)
        .first()
    )
    if requested is not None and (state.last_full_at is None or state.last_full_at < requested):
        return "full"
    changes = changes_since(survey_id=survey_id, cursor=snapshot_cursor(snapshot))
    if changes.changed:
        return "full"
    return "" if changes.added.empty else "incremental"
