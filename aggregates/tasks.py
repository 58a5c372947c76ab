"""Celery entry points of the aggregates: thin, keyed by id, safe to run twice.

The task names keep their ``analytics.`` prefix: the beat (config/settings.py) and any queued
message name them so.
"""

from __future__ import annotations

from celery import shared_task

from aggregates.refresh import survey_refresh
from surveys.models import Survey


@shared_task(name="analytics.aggregates_rebuild", ignore_result=True)
def aggregates_rebuild_task(survey_id: int, full: bool = False) -> int:
    """Publish a fresh snapshot of one survey's aggregate tables, then refresh its estimates."""
    if not Survey.objects.filter(pk=survey_id).exists():
        return 0
    snapshot = survey_refresh(survey_id=survey_id, force=full).snapshot
    return snapshot.responses if snapshot else 0


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
