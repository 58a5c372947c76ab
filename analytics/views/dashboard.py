"""The dashboard: charts of the published aggregate tables, and the button that rebuilds them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aggregates.enqueue import aggregates_request_rebuild
from aggregates.filters import ResponseFilter
from aggregates.selectors import (
    FLAGGED_WITHOUT,
    featured_crosstab,
    survey_questions,
    survey_results,
    wave_values,
)
from analytics.access import analyst_required
from analytics.dashboard.charts import crosstab_chart, question_chart
from analytics.dashboard.forms import DashboardForm
from estimates.margins.selectors import cached_poststratification
from estimates.rds.guidance import estimates_guidance
from estimates.rds.selectors import (
    rds2_unflagged,
    subgroup_estimates,
    survey_estimates,
    with_poststrat,
)
from membership.models import Role
from membership.selectors import survey_chosen, survey_visible, surveys_visible


@analyst_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    surveys = list(surveys_visible(user=request.user, role=Role.ANALYST))
    survey = survey_chosen(surveys=surveys, slug=request.GET.get("survey"))
    if survey is None:
        return render(request, "analytics/dashboard.html", {"surveys": surveys})
    questions = survey_questions(survey=survey)
    form = DashboardForm(
        request.GET or None,
        questions=questions,
        waves=wave_values(survey=survey),
        featured=featured_crosstab(survey=survey),
    )
    filters = form.filters() if form.is_bound and form.is_valid() else ResponseFilter()
    flagged = form.flagged_mode()
    results, table = survey_results(
        survey=survey,
        filters=filters,
        questions=questions,
        crosstab=form.crosstab(),
        flagged=flagged,
        # RDS-II without flagged responses is estimated for the whole sample only.
        rds2_unflagged=(
            rds2_unflagged(survey=survey)
            if flagged == FLAGGED_WITHOUT and filters.is_empty()
            else None
        ),
    )
    # Under a filter the estimates are the subgroup's: the whole sample's weights restricted to
    # the matching respondents, computed on request and cached. Without flagged responses they
    # stay (every response's, said so on the page) beside RDS-II without them: the comparison.
    estimates = (
        survey_estimates(survey=survey, results=results)
        if filters.is_empty() and not results.live
        else subgroup_estimates(survey=survey, filters=filters, results=results)
    )
    if estimates and not estimates.subgroup and not estimates.unavailable:
        # Margins are the whole population's: post-stratified shares beside the unfiltered view.
        poststrat = cached_poststratification(survey=survey)
        estimates = with_poststrat(estimates, poststrat.estimates, poststrat.design_effects)
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
        "guidance": estimates_guidance(survey=survey, estimates=estimates),
        "chart_meta": {
            "survey": survey.slug,
            "percentAxis": _("Share of respondents, %"),
            "respondents": _("respondents"),
            # The charts write shares as the tables do; browsers' Kazakh number data is patchy.
            "decimalSeparator": get_format("DECIMAL_SEPARATOR"),
        },
    }
    return render(request, "analytics/dashboard.html", context)


@analyst_required
@require_POST
def rebuild(request: HttpRequest) -> HttpResponse:
    survey = survey_visible(
        user=request.user, role=Role.ANALYST, slug=request.POST.get("survey", "")
    )
    # The task runs aggregates.refresh.survey_refresh, forced: in-process now, else on a worker.
    if aggregates_request_rebuild(survey_id=survey.pk):
        messages.success(request, _("A full rebuild of the aggregate tables was started."))
    else:
        messages.error(
            request,
            _("The rebuild could not be started now; the next scheduled run will do it."),
        )
    return redirect(f"{reverse('analytics:dashboard')}?{urlencode({'survey': survey.slug})}")
