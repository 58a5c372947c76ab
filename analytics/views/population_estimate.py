"""The SS-PSE page: the analyst's prior on N, the background estimate, and using its result."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from analytics.access import analyst_required
from analytics.dashboard.population_plot import density_plot
from analytics.forms import PopulationEstimateForm
from estimates.enqueue import estimates_recompute, population_estimate_start
from estimates.models import EstimationSettings, PopulationSizeEstimate
from estimates.rds import sspse_estimates
from estimates.rds.sample import RDSError
from surveys.models import Survey


def _respondents(survey: Survey) -> tuple[int | None, str]:
    """Return how many respondents reported a network size, or why none can be used."""
    try:
        return len(sspse_estimates.survey_degrees(survey=survey)), ""
    except RDSError as error:
        return None, _(str(error))


@analyst_required
@require_http_methods(["GET", "POST"])
def population_estimate(request: HttpRequest, survey: Survey) -> HttpResponse:
    if request.method == "POST":
        respondents, problem = _respondents(survey)
        form = PopulationEstimateForm(request.POST, respondents=respondents)
        if form.is_valid() and problem:
            form.add_error(None, problem)
        if form.is_valid():
            population_estimate_start(survey=survey, user=request.user, **form.cleaned_data)
            messages.success(request, _("The estimate was started."))
            return redirect("analytics:population_estimate", slug=survey.slug)
    else:
        size = EstimationSettings.of(survey).population_size
        initial = {"prior_median": size} if size else {}
        form = PopulationEstimateForm(initial=initial)
    estimate = sspse_estimates.population_estimate_latest(survey=survey)
    done = estimate is not None and estimate.status == PopulationSizeEstimate.Status.DONE
    context = {
        "survey": survey,
        "form": form,
        "estimate": estimate,
        "done": done,
        "working": estimate is not None
        and estimate.status
        in (PopulationSizeEstimate.Status.PENDING, PopulationSizeEstimate.Status.RUNNING),
        "error": _(estimate.error) if estimate is not None and estimate.error else "",
        "plot": density_plot(estimate.result) if done else None,
    }
    return render(
        request,
        "analytics/population_estimate.html",
        context,
        status=400 if form.is_bound else 200,
    )


@analyst_required
@require_POST
def population_estimate_apply(request: HttpRequest, survey: Survey, pk: int) -> HttpResponse:
    estimate = get_object_or_404(
        PopulationSizeEstimate.objects.select_related("survey"),
        pk=pk,
        survey=survey,
        status=PopulationSizeEstimate.Status.DONE,
    )
    try:
        changed = sspse_estimates.population_estimate_apply(estimate=estimate, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("analytics:population_estimate", slug=survey.slug)
    if changed:
        estimates_recompute(survey_id=survey.pk)
    chosen = EstimationSettings.objects.get(survey=survey)
    messages.success(
        request,
        _(
            "Population size set to %(size)s (range %(low)s to %(high)s) from the estimate; the "
            "SS estimates are computed again with it. The design-change log records the change."
        )
        % {
            "size": chosen.population_size,
            "low": chosen.population_size_low,
            "high": chosen.population_size_high,
        },
    )
    return redirect(f"{reverse('analytics:dashboard')}?survey={survey.slug}")
