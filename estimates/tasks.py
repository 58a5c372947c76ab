"""Celery entry points of the estimates: thin, keyed by id, safe to run twice.

The task names keep their ``analytics.`` prefix: queued messages name them so.
"""

from __future__ import annotations

from celery import shared_task

from estimates.rds import refresh as rds
from estimates.rds import sspse_estimates
from surveys.models import Survey


@shared_task(name="analytics.rds_recompute", ignore_result=True)
def rds_recompute_task(survey_id: int) -> int:
    """Recompute a survey's RDS estimates now: an input they depend on (N) changed."""
    if not Survey.objects.filter(pk=survey_id).exists():
        return 0
    return rds.rds_rebuild(survey_id=survey_id).respondents


@shared_task(name="analytics.population_estimate_run", ignore_result=True)
def population_estimate_run_task(estimate_id: int) -> str:
    """Run an SS-PSE population size estimate."""
    return sspse_estimates.population_estimate_run(estimate_id=estimate_id)
