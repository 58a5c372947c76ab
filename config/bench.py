"""The write floor for the submission benchmark: one response-wide row, one transaction.

``POST /bench/insert`` (only with ``BENCH_HELLO``) stores one row in the responses table, as wide
as a stored response (the same answers, other texts, paradata and flags JSON as the latest real
response, so the same size) and through the same indexes, in one transaction, through Django's
ORM. Nothing else: no session, no draft, no checks. A final submit can be no faster than this;
benchmarks/bench_submissions.py reports submits ÷ inserts. The rows belong to a closed survey of
their own (``bench-insert``), so that no measured survey's figures count them.
"""

from __future__ import annotations

import secrets
import uuid
from functools import cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from surveys.models import Response, Survey

INSERT_SURVEY = "bench-insert"


@cache
def _template() -> dict[str, Any]:
    """Return the columns of the latest real response, read once per process (not per request)."""
    latest = (
        Response.objects.exclude(survey__slug=INSERT_SURVEY)
        .filter(withdrawn_at__isnull=True)
        .order_by("-id")
        .first()
    )
    if latest is None:
        raise Http404("No response to copy the width of")
    survey, _ = Survey.objects.get_or_create(
        slug=INSERT_SURVEY,
        defaults={
            **{f"title_{code}": "Benchmark: the insert floor" for code in ("ru", "kk", "en")},
            **{f"consent_{code}": "-" for code in ("ru", "kk", "en")},
            **{f"consent_label_{code}": "-" for code in ("ru", "kk", "en")},
            "is_open": False,
        },
    )
    row = {f.attname: getattr(latest, f.attname) for f in Response._meta.concrete_fields}
    # Keys of its own (the unique ones get theirs at insert), in a chain of its own.
    for name in ("id", "referral_code", "withdraw_token", "withdraw_code"):
        row.pop(name)
    return {**row, "survey_id": survey.pk, "recruiter_id": None, "seed_link_id": None}


@csrf_exempt  # a load client posts here without a form; the endpoint exists only for benchmarks
@require_POST
def insert(request: HttpRequest) -> HttpResponse:
    """Store one response-wide row in one transaction and answer 204."""
    if not settings.BENCH_HELLO:
        raise Http404("Benchmark endpoints are off")
    now = timezone.now()
    with transaction.atomic():
        Response.objects.create(
            **{
                **_template(),
                "submission_key": uuid.uuid4(),
                "started_at": now,
                "submitted_at": now,
                "client_hash": secrets.token_hex(16),
                "device_hash": secrets.token_hex(16),
            }
        )
    return HttpResponse(status=204)
