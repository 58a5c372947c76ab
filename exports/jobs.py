"""Large exports as jobs: a Celery task writes the file, the analyst downloads it when ready."""

from __future__ import annotations

import errno
import logging
import os

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_noop

from exports.formats import export_write
from exports.models import ExportJob
from exports.options import ExportOptions, export_filename
from surveys.models import Survey

log = logging.getLogger(__name__)


def _progress_key(job_id: object) -> str:
    return f"analytics:export:{job_id}:rows"


def export_job_create(
    *, owner: object, survey: Survey, options: ExportOptions, rows_total: int
) -> ExportJob:
    """Record an export job and enqueue its task once the record is committed."""
    job = ExportJob.objects.create(
        owner=owner,
        survey=survey,
        kind=options.kind,
        options=options.as_dict(),
        rows_total=rows_total,
        file_name=export_filename(
            survey=survey, kind=options.kind, when=timezone.now(), extension=options.format
        ),
    )
    return job


def export_job_unqueued(*, job_id: object) -> None:
    """Fail a pending job whose task could not be queued, with a message its owner can read."""
    ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).update(
        status=ExportJob.Status.FAILED,
        error=gettext_noop("The task queue could not be reached; please try again later."),
        finished_at=timezone.now(),
    )


def _report(job_id: object, rows: int) -> None:
    # While COPY streams, the database connection is busy: progress goes through the cache.
    try:
        cache.set(_progress_key(job_id), rows, timeout=24 * 60 * 60)
    except Exception:
        log.warning("export progress of job %s not recorded", job_id, exc_info=True)


def export_job_progress(*, job: ExportJob) -> int:
    """Return how many responses the job has written so far."""
    if job.status != ExportJob.Status.RUNNING:
        return job.rows_done
    try:
        return int(cache.get(_progress_key(job.pk), job.rows_done))
    except Exception:
        return job.rows_done


def _failure_message(error: BaseException) -> str:
    # Stored in English and translated when shown: the worker has no visitor's language.
    if isinstance(error, OSError) and error.errno in {errno.ENOSPC, errno.EDQUOT}:
        return gettext_noop("The disk is full: the export could not be written.")
    return f"The export failed: {type(error).__name__}: {error}"


def export_job_run(*, job_id: str) -> str:
    """Write the job's file under a temporary name and rename it when complete."""
    job = ExportJob.objects.select_related("survey").filter(pk=job_id).first()
    if job is None:
        return "missing"
    if job.status == ExportJob.Status.DONE and job.path.exists():
        return job.status
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING, rows_done=0, error="", finished_at=None
    )
    options = ExportOptions.from_dict(job.options)
    partial = job.path.with_name(job.path.name + ".part")
    try:
        partial.parent.mkdir(parents=True, exist_ok=True)
        done = 0

        def progress(rows: int) -> None:
            nonlocal done
            done = rows
            _report(job.pk, rows)

        export_write(survey=job.survey, options=options, path=partial, progress=progress)
        os.replace(partial, job.path)
    except Exception as error:
        log.exception("export job %s failed", job.pk)
        partial.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED,
            error=_failure_message(error),
            finished_at=timezone.now(),
        )
        return ExportJob.Status.FAILED
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE, rows_done=done, finished_at=timezone.now()
    )
    return ExportJob.Status.DONE


def export_job_visible(*, job: ExportJob, user: object) -> bool:
    """Return whether this user may see and download the job's file."""
    return job.owner_id == getattr(user, "pk", None) or bool(getattr(user, "is_superuser", False))
