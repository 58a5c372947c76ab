"""Site-wide pages: the home page and the health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from surveys.models import Survey


def home(request: HttpRequest) -> HttpResponse:
    surveys = Survey.objects.filter(is_open=True)
    return render(request, "home.html", {"surveys": surveys})


def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the database answers; 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception as error:
        database = f"error: {type(error).__name__}"
    status = 200 if database == "ok" else 503
    return JsonResponse({"database": database}, status=status)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Explain an expired form in the visitor's language instead of Django's English page."""
    return render(request, "403_csrf.html", status=403)
