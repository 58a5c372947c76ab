"""The analysts' pages: charts of the aggregate tables and CSV exports."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
@permission_required("surveys.analyst", raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "analytics/dashboard.html")
