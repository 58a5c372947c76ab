"""The analysts' pages: charts of the aggregate tables and CSV exports."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
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
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from analytics.aggregation import rebuild as aggregation
from analytics.aggregation.filters import ResponseFilter
from analytics.dashboard.charts import crosstab_chart, question_chart
from analytics.dashboard.selectors import (
    question_diagnostics,
    survey_estimates,
    survey_questions,
    survey_results,
    wave_values,
)
from analytics.exports.jobs import export_job_create, export_job_progress, export_job_visible
from analytics.exports.writers import ROW_KINDS, export_chunks, export_filename, export_size
from analytics.forms import DashboardForm, ExportForm
from analytics.models import ExportJob
from analytics.rds import refresh
from surveys.models import Survey

log = logging.getLogger(__name__)

analyst_required = permission_required("surveys.analyst", raise_exception=True)


def _chosen_survey(request: HttpRequest, surveys: list[Survey]) -> Survey | None:
    slug = request.GET.get("survey") or request.POST.get("survey")
    for survey in surveys:
        if survey.slug == slug:
            return survey
    return surveys[0] if surveys else None


def _refresh_in_process(survey: Survey) -> None:
    # Without a worker (the embedded default) nothing rebuilds between submissions of a burst:
    # bring the tables up to date here. With a broker, the worker and the beat do it.
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        return
    try:
        need = aggregation.aggregates_stale(survey_id=survey.pk)
        if need:
            aggregation.aggregates_rebuild(survey_id=survey.pk, full=need == "full")
        if refresh.rds_stale(survey_id=survey.pk):
            refresh.rds_rebuild(survey_id=survey.pk)
    except Exception:
        log.exception("in-process refresh of the aggregates of %s failed", survey.slug)


@login_required
@analyst_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    surveys = list(Survey.objects.order_by("slug"))
    survey = _chosen_survey(request, surveys)
    if survey is None:
        return render(request, "analytics/dashboard.html", {"surveys": surveys})
    _refresh_in_process(survey)
    questions = survey_questions(survey=survey)
    form = DashboardForm(request.GET or None, questions=questions, waves=wave_values(survey=survey))
    filters = form.filters() if form.is_bound and form.is_valid() else ResponseFilter()
    results, table = survey_results(
        survey=survey, filters=filters, questions=questions, crosstab=form.crosstab()
    )
    # Population estimates describe the whole sample; under a filter only raw shares apply.
    estimates = (
        None
        if results.live or not filters.is_empty()
        else survey_estimates(survey=survey, results=results)
    )
    per_question = estimates.questions if estimates else {}
    charts = [
        question_chart(result=q, estimates=per_question.get(q.code))
        for q in results.questions
        if q.has_chart
    ]
    crosstab = crosstab_chart(table=table) if table and table.groups else None
    by_code = {chart["code"]: chart for chart in charts}
    context = {
        "surveys": surveys,
        "survey": survey,
        "form": form,
        "results": results,
        "crosstab": table,
        "charts": ([crosstab] if crosstab else []) + charts,
        "crosstab_chart": crosstab,
        "crosstab_rows": [
            {"label": series["label"], "percents": series["percents"]}
            for series in (crosstab["series"] if crosstab else [])
        ],
        "rows": [(q, by_code.get(q.code), per_question.get(q.code)) for q in results.questions],
        "estimates": estimates,
        "chart_meta": {
            "survey": survey.slug,
            "percentAxis": _("Share of respondents, %"),
            "respondents": _("respondents"),
        },
    }
    return render(request, "analytics/dashboard.html", context)


@login_required
@analyst_required
@require_POST
def rebuild(request: HttpRequest) -> HttpResponse:
    survey = get_object_or_404(Survey, slug=request.POST.get("survey", ""))
    if aggregation.aggregates_request_rebuild(survey_id=survey.pk):
        messages.success(request, _("A full rebuild of the aggregate tables was started."))
    else:
        messages.error(
            request,
            _("The rebuild could not be started now; the next scheduled run will do it."),
        )
    return redirect(f"{reverse('analytics:dashboard')}?{urlencode({'survey': survey.slug})}")


@login_required
@analyst_required
def exports(request: HttpRequest) -> HttpResponse:
    surveys = list(Survey.objects.order_by("slug"))
    survey = _chosen_survey(request, surveys)
    if survey is None:
        return render(request, "analytics/exports.html", {"surveys": surveys})
    questions = survey_questions(survey=survey)
    form = ExportForm(request.POST or None, questions=questions, waves=wave_values(survey=survey))
    if request.method == "POST" and form.is_valid():
        options = form.options()
        size = export_size(survey=survey, options=options)
        if options.kind in ROW_KINDS and size > settings.EXPORT_ASYNC_THRESHOLD:
            job = export_job_create(
                owner=request.user, survey=survey, options=options, rows_total=size
            )
            return redirect("analytics:export_job", pk=job.pk)
        name = export_filename(survey=survey, kind=options.kind, when=timezone.now())
        response = StreamingHttpResponse(
            export_chunks(survey=survey, options=options), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    jobs = ExportJob.objects.filter(owner=request.user).select_related("survey")[:10]
    context = {
        "surveys": surveys,
        "survey": survey,
        "form": form,
        "jobs": jobs,
        "threshold": settings.EXPORT_ASYNC_THRESHOLD,
    }
    return render(request, "analytics/exports.html", context, status=400 if form.errors else 200)


def _job(request: HttpRequest, pk: str) -> ExportJob:
    job = get_object_or_404(ExportJob.objects.select_related("survey"), pk=pk)
    if not export_job_visible(job=job, user=request.user):
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


@login_required
@analyst_required
@require_GET
def export_job(request: HttpRequest, pk: str) -> HttpResponse:
    job = _job(request, pk)
    return render(
        request,
        "analytics/export_job.html",
        {"job": job, "status": _job_status(job)},
    )


@login_required
@analyst_required
@require_GET
def export_job_status(request: HttpRequest, pk: str) -> JsonResponse:
    return JsonResponse(_job_status(_job(request, pk)))


@login_required
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
        content_type="text/csv; charset=utf-8",
    )


@login_required
@analyst_required
@require_GET
def diagnostics(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    survey = get_object_or_404(Survey, slug=slug)
    question = get_object_or_404(survey.questions, code=code)
    stored = question_diagnostics(survey=survey, code=code)
    labels = {option.code: option.label for option in question.options.all()}
    context = {
        "survey": survey,
        "question": question,
        "stored": stored,
        "unavailable": {k: _(v) for k, v in stored.unavailable.items()} if stored else {},
        "diagnostics": {
            "labels": labels,
            "single": question.kind == "single",
            "wave": stored.convergence_wave if stored else [],
            "order": stored.convergence_order if stored else [],
            "bottleneck": stored.bottleneck if stored else {},
            "text": {
                "wave": _("Wave"),
                "order": _("Respondents, in order of recruitment"),
                "share": _("Estimated share, %"),
                "seed": _("Seed's recruitment tree"),
            },
        },
    }
    return render(request, "analytics/diagnostics.html", context)
