"""Put the aggregates' rebuilds on the queue: the one module, besides the beat, naming their task.

Services decide and write (the rebuild claims its coalescing window); the receivers and the
views call here to enqueue. No service imports a task, so the task's imports (tasks → refresh →
rebuild) never lead back to them.
"""

from __future__ import annotations

import logging

from django.conf import settings

from aggregates import tasks
from aggregates.rebuild import (
    aggregates_claim_window,
    aggregates_enqueue_failed,
    aggregates_full_requested,
)

log = logging.getLogger(__name__)


def aggregates_schedule(*, survey_id: int) -> bool:
    """Enqueue a rebuild unless one was enqueued within the coalescing window.

    With a worker, the rebuild waits for the window to end, so every submission inside the
    window is counted by it; a burst of submissions costs one rebuild per window. In-process
    (no broker) every submission is counted at once, as an incremental rebuild. A broker that
    cannot be reached costs one bounded attempt per window and is logged: the beat's catch-up
    does the rebuild.
    """
    if _in_process():
        # No worker waits out a window in-process (eager tasks ignore the countdown): count the
        # response now, on commit, so that the dashboard is current without rebuilding on GET.
        return _enqueue(survey_id=survey_id, full=False, countdown=0)
    if not aggregates_claim_window(survey_id=survey_id):
        return False
    return _enqueue(survey_id=survey_id, full=False, countdown=settings.AGGREGATES_COALESCE_SECONDS)


def aggregates_request_full(*, survey_id: int) -> bool:
    """Ask for a full rebuild, e.g. after a withdrawal; the catch-up retries a lost request."""
    aggregates_full_requested(survey_id=survey_id)
    return _enqueue(survey_id=survey_id, full=True, countdown=0)


def aggregates_request_rebuild(*, survey_id: int) -> bool:
    """Start a full rebuild now, as the dashboard's button asks."""
    return _enqueue(survey_id=survey_id, full=True, countdown=0)


def _in_process() -> bool:
    """Return whether tasks run eagerly, in this process, as in the embedded default."""
    return bool(tasks.aggregates_rebuild_task.app.conf.task_always_eager)


def _enqueue(*, survey_id: int, full: bool, countdown: int) -> bool:
    try:
        tasks.aggregates_rebuild_task.apply_async(
            args=[survey_id], kwargs={"full": full}, countdown=countdown
        )
    except Exception:
        # Redis down, or (in-process) a failing rebuild: the response is stored all the same.
        log.exception("aggregate rebuild of survey %s not run now; the catch-up will", survey_id)
        aggregates_enqueue_failed(survey_id=survey_id)
        return False
    return True
