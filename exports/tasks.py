"""Celery entry point of the exports: thin, keyed by id, safe to run twice.

The task name keeps its ``analytics.`` prefix: queued messages name it so.
"""

from __future__ import annotations

from celery import shared_task

from exports import jobs


@shared_task(name="analytics.export_run", ignore_result=True)
def export_run_task(job_id: str) -> str:
    """Write an export job's file."""
    return jobs.export_job_run(job_id=job_id)
