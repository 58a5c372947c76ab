"""Writes of the aggregate tables: rebuilds (full or incremental) and their coalescing window.

A rebuild writes a new snapshot of counts and switches the survey's pointer to it in one
transaction, so readers see either the old or the new snapshot, never a mix. An incremental
rebuild copies the published counts and adds those of responses above the watermark.

Response ids come from a sequence, and a response can commit after another one with a higher
id: a rebuild that saw id 105 may not yet see id 104. So every rebuild reads one consistent
snapshot of the database (REPEATABLE READ on PostgreSQL; SQLite's write lock gives the same)
and records the ids at or below its watermark that it could not see, the gaps; the next
rebuild counts those that have appeared since. Ids that stay missing for ten minutes were rolled
back and are forgotten.
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
from django.db.models import F, Max, Q
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
from surveys.models import Response, Survey

log = logging.getLogger(__name__)

# Ids above (watermark - GAP_LOOKBACK) that a rebuild cannot see are remembered as gaps; a
# submission's transaction lasts milliseconds, not while a thousand later ids are handed out,
# nor ten minutes.
GAP_LOOKBACK = 1_000
GAP_TTL = dt.timedelta(minutes=10)
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


def _missing_ids(low: int, high: int) -> set[int]:
    """Return the ids in (low, high] that no response (of any survey) has in this snapshot."""
    if high <= low:
        return set()
    present = set(Response.objects.filter(id__gt=low, id__lte=high).values_list("id", flat=True))
    return set(range(low + 1, high + 1)) - present


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
        high = Response.objects.filter(survey_id=survey_id).aggregate(last=Max("id"))["last"] or 0
        incremental = not full and previous is not None and high >= previous.watermark
        if incremental:
            old_gaps = {int(key): value for key, value in previous.gaps.items()}
            appeared = set(
                Response.objects.filter(id__in=list(old_gaps)).values_list("id", flat=True)
            )
            cutoff = (now - GAP_TTL).isoformat()
            gaps = {
                gap: seen
                for gap, seen in old_gaps.items()
                if gap not in appeared and seen >= cutoff
            }
            low = previous.watermark
            extra = sorted(appeared)
        else:
            gaps, low, extra = {}, 0, []
        stamp = now.isoformat()
        for gap in _missing_ids(max(low, high - GAP_LOOKBACK), high):
            gaps.setdefault(gap, stamp)

        snapshot = AggregateSnapshot.objects.create(
            survey_id=survey_id,
            built_at=now,
            watermark=high,
            gaps={str(gap): seen for gap, seen in sorted(gaps.items())},
            full=not incremental,
        )
        base = previous if incremental else None
        batch = _Batch(survey, plan, snapshot, base, (low, high), extra)
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
    """What one rebuild counts: the responses in id_range plus late ones, onto base's counts."""

    survey: Survey
    plan: CountPlan
    snapshot: AggregateSnapshot
    base: AggregateSnapshot | None
    id_range: tuple[int, int]
    extra: list[int]


def _write_python(batch: _Batch) -> None:
    cells = Tally()
    if batch.base is not None:
        for dimension, value, question, option, count, unflagged in AggregateCount.objects.filter(
            snapshot=batch.base
        ).values_list("dimension", "value", "question", "option", "count", "unflagged"):
            cells[(dimension, value, question, option)] = count
            cells.unflagged[(dimension, value, question, option)] = unflagged
    # A response's unflagged mark is counted as it is now; a later review or flag changes old
    # responses, which only a full rebuild recounts (aggregates.receivers asks for one).
    cells.add(
        count_python(
            survey=batch.survey, plan=batch.plan, id_range=batch.id_range, extra_ids=batch.extra
        )
    )
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
    counting, params = count_sql(
        survey=batch.survey, plan=batch.plan, id_range=batch.id_range, extra_ids=batch.extra
    )
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


def aggregates_claim_window(*, survey_id: int) -> bool:
    """Claim the survey's coalescing window; return whether this caller should enqueue.

    The window is claimed in the shared cache (one round trip on every submission), or in the
    survey's schedule row when the cache is away.
    """
    window = settings.AGGREGATES_COALESCE_SECONDS
    try:
        return bool(cache.add(f"analytics:rebuild-enqueued:{survey_id}", 1, timeout=window))
    except Exception:
        log.warning("cache unreachable; claiming the rebuild window in the database")
        return _claim_window_row(survey_id=survey_id, window=window)


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
    if Response.objects.filter(survey_id=survey_id, id__gt=snapshot.watermark).exists():
        return "incremental"
    gaps = [int(gap) for gap in snapshot.gaps]
    if gaps and Response.objects.filter(survey_id=survey_id, id__in=gaps).exists():
        return "incremental"
    return ""
