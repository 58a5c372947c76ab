"""Celery entry points of the analytics app: thin, keyed by id, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from analytics.exports import jobs
from analytics.rds import refresh as rds
from analytics.rds import sspse_estimates
from analytics.refresh import survey_refresh
from surveys.models import Survey


@shared_task(name="analytics.aggregates_rebuild", ignore_result=True)
def aggregates_rebuild_task(survey_id: int, full: bool = False) -> int:
    """Publish a fresh snapshot of one survey's aggregate tables, then refresh its estimates."""
    if not Survey.objects.filter(pk=survey_id).exists():
        return 0
    snapshot = survey_refresh(survey_id=survey_id, force=full).snapshot
    return snapshot.responses if snapshot else 0


@shared_task(name="analytics.rds_rebuild", ignore_result=True)
def rds_rebuild_task(survey_id: int, force: bool = False) -> int:
    """Recompute a survey's RDS estimates if stale and not resting (the catch-up retries)."""
    estimates = rds.rds_refresh(survey_id=survey_id, force=force)
    return estimates.respondents if estimates else 0


@shared_task(name="analytics.rds_recompute", ignore_result=True)
def rds_recompute_task(survey_id: int) -> int:
    """Recompute a survey's RDS estimates now: an input they depend on (N) changed."""
    if not Survey.objects.filter(pk=survey_id).exists():
        return 0
    return rds.rds_rebuild(survey_id=survey_id).respondents


@shared_task(name="analytics.aggregates_catch_up", ignore_result=True)
def aggregates_catch_up_task() -> list[int]:
    """Rebuild the aggregates, then the estimates, of every survey that misses responses."""
    rebuilt = []
    for survey_id in Survey.objects.order_by("pk").values_list("pk", flat=True):
        if survey_refresh(survey_id=survey_id).snapshot is not None:
            rebuilt.append(survey_id)
    return rebuilt


@shared_task(name="analytics.aggregates_rebuild_all", ignore_result=True)
def aggregates_rebuild_all_task() -> list[int]:
    """Rebuild every survey's aggregates from scratch."""
    surveys = list(Survey.objects.order_by("pk").values_list("pk", flat=True))
    for survey_id in surveys:
        survey_refresh(survey_id=survey_id, force=True)
    return surveys


@shared_task(name="analytics.export_run", ignore_result=True)
def export_run_task(job_id: str) -> str:
    """Write an export job's file."""
    return jobs.export_job_run(job_id=job_id)


@shared_task(name="analytics.population_estimate_run", ignore_result=True)
def population_estimate_run_task(estimate_id: int) -> str:
    """Run an SS-PSE population size estimate."""
    return sspse_estimates.population_estimate_run(estimate_id=estimate_id)
