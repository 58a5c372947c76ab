"""The export pages: the request form, the background jobs and their downloads."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from django.conf import settings
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from aggregates.selectors import survey_questions, wave_values
from analytics.access import analyst_required
from analytics.export_forms import ExportForm
from exports.bundle import bundle_write
from exports.enqueue import export_job_start
from exports.formats import CONTENT_TYPES, export_write
from exports.jobs import export_job_progress, export_job_visible
from exports.models import ExportJob
from exports.options import (
    LABELS,
    ROW_KINDS,
    ExportOptions,
    export_filename,
    export_size,
)
from exports.stream import export_chunks
from membership.models import Role
from membership.selectors import survey_chosen, surveys_visible
from surveys.models import Survey


@analyst_required
def exports(request: HttpRequest) -> HttpResponse:
    surveys = list(surveys_visible(user=request.user, role=Role.ANALYST))
    slug = request.GET.get("survey") or request.POST.get("survey")
    survey = survey_chosen(surveys=surveys, slug=slug)
    if survey is None:
        return render(request, "analytics/exports.html", {"surveys": surveys})
    questions = survey_questions(survey=survey)
    form = ExportForm(request.POST or None, questions=questions, waves=wave_values(survey=survey))
    if request.method == "POST" and form.is_valid():
        options = form.options()
        size = export_size(survey=survey, options=options)
        if options.kind in ROW_KINDS and size > settings.EXPORT_ASYNC_THRESHOLD:
            job = export_job_start(
                owner=request.user, survey=survey, options=options, rows_total=size
            )
            return redirect("analytics:export_job", pk=job.pk)
        name = export_filename(
            survey=survey, kind=options.kind, when=timezone.now(), extension=options.format
        )
        if options.format != "csv":
            return FileResponse(
                _written(survey, options),
                as_attachment=True,
                filename=name,
                content_type=CONTENT_TYPES[options.format],
            )
        response = StreamingHttpResponse(
            export_chunks(survey=survey, options=options), content_type=CONTENT_TYPES["csv"]
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    jobs = ExportJob.objects.filter(owner=request.user, survey__in=surveys).select_related(
        "survey"
    )[:10]
    context = {
        "surveys": surveys,
        "survey": survey,
        "form": form,
        "jobs": jobs,
        "threshold": settings.EXPORT_ASYNC_THRESHOLD,
    }
    return render(request, "analytics/exports.html", context, status=400 if form.errors else 200)


def _written(survey: Survey, options: ExportOptions) -> IO[bytes]:
    """Return a small export written to an unnamed temporary file, open for reading."""
    return _unnamed(
        lambda path: export_write(survey=survey, options=options, path=path), f".{options.format}"
    )


def _unnamed(write: Callable[[Path], None], suffix: str) -> IO[bytes]:
    """Return the file that write makes at a temporary path, open for reading and unnamed."""
    # The writers need a path; the name goes as soon as the file is open, so nothing is left.
    descriptor, name = tempfile.mkstemp(suffix=suffix)
    os.close(descriptor)
    try:
        write(Path(name))
        return open(name, "rb")  # FileResponse closes it
    finally:
        os.unlink(name)


@analyst_required
@require_GET
def export_bundle(request: HttpRequest, survey: Survey) -> FileResponse:
    # Value labels of the .sav and .dta in the page's language.
    labels = request.LANGUAGE_CODE if request.LANGUAGE_CODE in LABELS else "en"
    stream = _unnamed(lambda path: bundle_write(survey=survey, path=path, labels=labels), ".zip")
    filename = export_filename(survey=survey, kind="bundle", when=timezone.now(), extension="zip")
    return FileResponse(
        stream, as_attachment=True, filename=filename, content_type="application/zip"
    )


def _job(request: HttpRequest, pk: str) -> ExportJob:
    job = get_object_or_404(ExportJob.objects.select_related("survey"), pk=pk)
    if not export_job_visible(job=job, user=request.user):
        raise Http404("No such export")
    # A job outlives its owner's membership: once out of the study, its files are out of reach.
    if not surveys_visible(user=request.user, role=Role.ANALYST).filter(pk=job.survey_id).exists():
        raise Http404("No such export")
    return job


def _job_status(job: ExportJob) -> dict[str, object]:
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "rows_done": export_job_progress(job=job),
        "rows_total": job.rows_total,
        "error": _(job.error) if job.error else "",
        "download_url": reverse("analytics:export_download", kwargs={"pk": job.pk})
        if job.status == ExportJob.Status.DONE
        else "",
    }


@analyst_required
@require_GET
def export_job(request: HttpRequest, pk: str) -> HttpResponse:
    job = _job(request, pk)
    return render(
        request,
        "analytics/export_job.html",
        {"job": job, "status": _job_status(job)},
    )


@analyst_required
@require_GET
def export_job_status(request: HttpRequest, pk: str) -> JsonResponse:
    return JsonResponse(_job_status(_job(request, pk)))


@analyst_required
@require_GET
def export_download(request: HttpRequest, pk: str) -> FileResponse:
    job = _job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.path.exists():
        raise Http404("The export is not ready")
    return FileResponse(
        job.path.open("rb"),
        as_attachment=True,
        filename=job.file_name,
        content_type=CONTENT_TYPES.get(job.options.get("format", "csv"), CONTENT_TYPES["csv"]),
    )
