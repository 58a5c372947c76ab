"""Put the estimates' background work on the queue: the one module naming their tasks.

Services decide and write (an SS-PSE request is recorded); the views call here to enqueue.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from estimates import tasks
from estimates.models import PopulationSizeEstimate
from estimates.rds.sspse_estimates import population_estimate_create

log = logging.getLogger(__name__)


def population_estimate_start(**kwargs: Any) -> PopulationSizeEstimate:
    """Record an SS-PSE request (population_estimate_create's arguments) and run it on commit."""
    estimate = population_estimate_create(**kwargs)
    transaction.on_commit(lambda: _enqueue_population_estimate(estimate_id=estimate.pk))
    return estimate


def estimates_recompute(*, survey_id: int) -> None:
    """Recompute the survey's estimates once the current transaction commits (e.g. a new N)."""
    transaction.on_commit(lambda: tasks.rds_recompute_task.delay(survey_id))


def _enqueue_population_estimate(*, estimate_id: int) -> None:
    try:
        tasks.population_estimate_run_task.apply_async(args=[estimate_id])
    except Exception:
        # The request stays "waiting"; the page says so and the analyst can ask again.
        log.exception("population size estimate %s could not be started", estimate_id)
