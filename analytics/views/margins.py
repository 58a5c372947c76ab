"""The analysts' margins page: see, enter, upload, replace or clear a survey's margins."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from analytics.access import analyst_required
from analytics.margin_forms import MarginsForm, MarginsUploadForm
from estimates.margins.reader import margins_read
from estimates.margins.selectors import margin_questions, poststratification
from estimates.margins.services import margins_clear, margins_replace
from surveys.models import Survey

PROBLEMS_SHOWN = 20


@analyst_required
@require_http_methods(["GET", "POST"])
def margins(request: HttpRequest, survey: Survey) -> HttpResponse:
    questions = margin_questions(survey=survey)
    action = request.POST.get("action") if request.method == "POST" else None
    form = MarginsForm(request.POST if action == "replace" else None, questions=questions)
    upload = MarginsUploadForm(
        request.POST if action == "upload" else None,
        request.FILES if action == "upload" else None,
    )
    problems: list[str] = []
    if action == "clear":
        removed = margins_clear(survey=survey)
        messages.success(request, _("%(count)s margins removed.") % {"count": removed})
        return redirect("analytics:margins", slug=survey.slug)
    bound = form if action == "replace" else upload if action == "upload" else None
    if bound is not None and bound.is_valid():
        try:
            rows = form.rows() if bound is form else margins_read(text=upload.cleaned_data["text"])
            count = margins_replace(survey=survey, rows=rows, user=request.user)
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, _("%(count)s margins saved.") % {"count": count})
            return redirect("analytics:margins", slug=survey.slug)
    context = {
        "survey": survey,
        "form": form,
        "upload": upload,
        # A file of 100,000 bad lines must not answer with 100,000 messages.
        "problems": problems[:PROBLEMS_SHOWN],
        "more_problems": max(len(problems) - PROBLEMS_SHOWN, 0),
        "result": poststratification(survey=survey),
    }
    failed = bool(problems) or (bound is not None and bool(bound.errors))
    return render(request, "analytics/margins.html", context, status=400 if failed else 200)
