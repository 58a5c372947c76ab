"""The RDS diagnostics page of one question: convergence and bottleneck plots."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from analytics.access import analyst_required
from analytics.rds.selectors import question_diagnostics
from surveys.models import Survey


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
