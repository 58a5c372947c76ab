"""The RDS diagnostics page of one question: convergence, bottleneck, SS and activity."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from analytics.access import analyst_required
from estimates.contracts import Diagnostics, QuestionRecord
from estimates.enqueue import estimates_recompute
from estimates.models import EstimationSettings
from estimates.rds.population import PopulationSizeForm, population_size_save
from estimates.rds.selectors import bottleneck_sizes, question_diagnostics, reason_text
from surveys.http import form_page, posted
from surveys.models import Survey


def _by_option(
    labels: dict[str, str], values: dict[str, float | None]
) -> list[tuple[str, float | None]]:
    """Return (label, value) pairs in the question's option order."""
    return [(label, values[code]) for code, label in labels.items() if code in values]


@analyst_required
@require_GET
def diagnostics(request: HttpRequest, survey: Survey, code: str) -> HttpResponse:
    question = get_object_or_404(survey.questions, code=code)
    stored = question_diagnostics(survey=survey, code=code)
    record = stored.record() if stored else QuestionRecord()
    labels = {option.code: option.label for option in question.options.all()}
    extra = record.diagnostics or Diagnostics()
    estimate_set = stored.estimate_set if stored else None
    context = {
        "activity": _by_option(labels, extra.differential_activity),
        "population_homophily": _by_option(labels, extra.population_homophily or {}),
        "population_homophily_unavailable": reason_text(extra.population_homophily_unavailable),
        "ss_unavailable": reason_text(estimate_set.ss_unavailable) if estimate_set else "",
        "survey": survey,
        "question": question,
        "stored": stored,
        "unavailable": {k: reason_text(v) for k, v in record.unavailable.items()},
        "diagnostics": {
            "labels": labels,
            "single": question.kind == "single",
            # The page's script reads the stored shape of the curves (estimates.contracts).
            "wave": [point.to_json() for point in record.convergence_wave],
            "order": [point.to_json() for point in record.convergence_order],
            "bottleneck": record.bottleneck,
            # How many in each tree answered: a tree of one and a tree of a hundred differ.
            "bottleneck_n": bottleneck_sizes(survey=survey, code=code, stored=stored)
            if stored and record.bottleneck
            else {},
            "ss_by_size": [point.to_json() for point in extra.ss_by_size],
            "text": {
                "wave": _("Wave"),
                "order": _("Respondents, in order of recruitment"),
                "share": _("Estimated share, %"),
                "seed": _("Seed's recruitment tree (n = respondents in it who answered)"),
                "n": _("n = %(n)s"),
                "population_size": _("Population size N"),
            },
        },
    }
    return render(request, "analytics/diagnostics.html", context)


@analyst_required
@require_http_methods(["GET", "POST"])
def population_size(request: HttpRequest, survey: Survey) -> HttpResponse:
    form = PopulationSizeForm(posted(request), instance=EstimationSettings.of(survey))
    if request.method == "POST" and form.is_valid():
        if population_size_save(form=form, user=request.user):
            estimates_recompute(survey_id=survey.pk)
        messages.success(
            request,
            _(
                "Population size saved; the SS estimates are computed again with it. The "
                "design-change log records the change."
            ),
        )
        return redirect(f"{reverse('analytics:dashboard')}?survey={survey.slug}")
    context = {"survey": survey, "form": form}
    return form_page(request, "analytics/population.html", context)
