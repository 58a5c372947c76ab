"""Pages behind seed and referral links."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from surveys import recruitment
from surveys.models import LinkEvent
from surveys.selectors import visitor_remember_code


@never_cache
def referral_open(request: HttpRequest, code: str) -> HttpResponse:
    found = recruitment.link_survey(code=code)
    if found is None:
        return render(request, "surveys/link_invalid.html", status=404)
    survey, code = found
    LinkEvent.objects.create(survey=survey, code=code, kind=LinkEvent.Kind.OPENED)
    visitor_remember_code(request=request, survey=survey, code=code)
    return redirect("surveys:start", slug=survey.slug)
