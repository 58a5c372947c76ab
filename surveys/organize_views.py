"""The organizers' pages: seed links and the recruitment monitor."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
@permission_required("surveys.organizer", raise_exception=True)
def monitor(request: HttpRequest) -> HttpResponse:
    return render(request, "organize/monitor.html")
