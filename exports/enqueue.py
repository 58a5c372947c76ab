"""Put export jobs on the queue: the one module naming the export task.

The service creates the job; the views call here to run it once it is committed.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from exports import tasks
from exports.jobs import export_job_create, export_job_unqueued
from exports.models import ExportJob

log = logging.getLogger(__name__)


def export_job_start(**kwargs: Any) -> ExportJob:
    """Create an export job (export_job_create's arguments) and run it once it is committed."""
    job = export_job_create(**kwargs)
    transaction.on_commit(lambda: _enqueue_export(job_id=str(job.pk)))
    return job


def _enqueue_export(*, job_id: str) -> None:
    try:
        tasks.export_run_task.apply_async(args=[job_id])
    except Exception:
        log.exception("export job %s could not be started", job_id)
        export_job_unqueued(job_id=job_id)
