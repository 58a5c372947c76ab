"""The API's documentation page: Swagger UI from the vendored sidecar assets, no CDN."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    # The schema is public (it says how to ask, not what is stored); the data needs a token.
    return render(request, "api/docs.html")
