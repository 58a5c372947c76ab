"""Celery entry points of the estimates: thin, keyed by id, safe to run twice.

The task names keep their ``analytics.`` prefix: queued messages name them so.
"""

from __future__ import annotations

from celery import Task, shared_task

from estimates.rds import refresh as rds
from estimates.rds import sspse_estimates
from surveys.models import Survey


@shared_task(bind=True, name="analytics.rds_recompute", ignore_result=True, max_retries=None)
def rds_recompute_task(self: Task, survey_id: int) -> int:
    """Recompute a survey's RDS estimates now: an input they depend on (N) changed."""
    if not Survey.objects.filter(pk=survey_id).exists():
        return 0
    estimates = rds.rds_recompute(survey_id=survey_id)
    if estimates is None:
        # Another computation runs and may have read the old input: compute again after it.
        raise self.retry(countdown=60)
    return estimates.respondents


@shared_task(name="analytics.population_estimate_run", ignore_result=True)
def population_estimate_run_task(estimate_id: int) -> str:
    """Run an SS-PSE population size estimate."""
    return sspse_estimates.population_estimate_run(estimate_id=estimate_id)
