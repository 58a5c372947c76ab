"""What every app sends back over HTTP: a 400 page saying why, form pages, safe file names."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.text import slugify

from surveys.models import Survey


def bad_request_page(request: HttpRequest, *, message: str) -> HttpResponse:
    """Render the site's 400 page with a message in the page's language."""
    return render(request, "400.html", {"message": message}, status=400)


def posted(request: HttpRequest) -> QueryDict | None:
    """Return the data to bind a page's form to: the POST's, or None (unbound) on a GET."""
    return request.POST if request.method == "POST" else None


def form_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """Render a page with its ``context["form"]``: 400 when a posted form was refused."""
    form = context["form"]
    return render(request, template, context, status=400 if form.is_bound and form.errors else 200)


def file_stem(*, survey: Survey) -> str:
    """Return the survey's part of a file or archive member name, made of safe characters only."""
    # The loader refuses other slugs; a row written some other way must still not name a path.
    return slugify(survey.slug) or "survey"
