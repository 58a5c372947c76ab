"""The answer every app gives to a request it cannot act on: 400, saying why."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def bad_request_page(request: HttpRequest, *, message: str) -> HttpResponse:
    """Render the site's 400 page with a message in the page's language."""
    return render(request, "400.html", {"message": message}, status=400)
