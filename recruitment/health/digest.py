"""The daily digest: today's alerts, the last day's completions per chain, the flagged
responses awaiting review and the design changes of the last day, on one plain page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page
from django.db.models import Count
from django.utils import timezone

from recruitment.health.store import HealthPanel, health_panel
from recruitment.monitor.quarantine import flagged_page
from surveys.models import Response, Survey
from surveys.quality.design_log import Change, design_changes

DIGEST_HOURS = 24
DIGEST_FLAGGED = 50


@dataclass(frozen=True)
class ChainDay:
    label: str  # the seed link's label, "" for responses without a seed link
    completed: int


@dataclass(frozen=True)
class Digest:
    survey: Survey
    since: dt.datetime
    until: dt.datetime
    health: HealthPanel
    completions: list[ChainDay]
    flagged: Page
    changes: list[Change]

    @property
    def completed(self) -> int:
        return sum(chain.completed for chain in self.completions)


def digest(*, survey: Survey, now: dt.datetime | None = None) -> Digest:
    """Return the survey's digest of the last 24 hours."""
    now = now or timezone.now()
    since = now - dt.timedelta(hours=DIGEST_HOURS)
    rows = (
        Response.objects.filter(
            survey=survey, submitted_at__gte=since, submitted_at__lte=now, withdrawn_at__isnull=True
        )
        .order_by()
        .values("seed_link__label")
        .annotate(completed=Count("id"))
    )
    completions = sorted(
        (ChainDay(label=row["seed_link__label"] or "", completed=row["completed"]) for row in rows),
        key=lambda chain: (-chain.completed, chain.label),
    )
    return Digest(
        survey=survey,
        since=since,
        until=now,
        health=health_panel(survey=survey, now=now),
        completions=completions,
        flagged=flagged_page(survey=survey, state="pending", per_page=DIGEST_FLAGGED),
        changes=design_changes(survey=survey, since=since),
    )
