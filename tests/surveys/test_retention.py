"""Unfinished answers are deleted after the period the privacy page promises."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from surveys.models import Draft, Response, Survey
from surveys.retention import DRAFT_RETENTION
from surveys.tasks import drafts_purge_task
from tests.flow import complete_survey


def test_it_deletes_drafts_untouched_for_thirty_days_and_keeps_responses(
    sco_survey: Survey,
) -> None:
    complete_survey(Client(), sco_survey)
    Client().post("/en/s/sco-2025/", {"consent": "on"})
    fresh = Client()
    fresh.post("/en/s/sco-2025/", {"consent": "on"})
    assert Draft.objects.count() == 3
    stale = Draft.objects.order_by("pk")[:2]
    Draft.objects.filter(pk__in=[d.pk for d in stale]).update(
        updated_at=timezone.now() - DRAFT_RETENTION - timedelta(minutes=1)
    )
    assert drafts_purge_task.delay().get() == 2
    assert Draft.objects.count() == 1
    assert Response.objects.count() == 1
    assert fresh.get("/en/s/sco-2025/p/1/").status_code == 200
