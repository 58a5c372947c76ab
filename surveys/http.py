"""What every app sends back over HTTP: a 400 page saying why, and safe file names."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from surveys.models import Survey


def bad_request_page(request: HttpRequest, *, message: str) -> HttpResponse:
    """Render the site's 400 page with a message in the page's language."""
    return render(request, "400.html", {"message": message}, status=400)


def file_stem(*, survey: Survey) -> str:
    """Return the survey's part of a file or archive member name, made of safe characters only."""
    # The loader refuses other slugs; a row written some other way must still not name a path.
    return slugify(survey.slug) or "survey"
