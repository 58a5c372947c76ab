"""Muting one alert for a while: an organizer's "not now", kept per survey, kind and key."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from recruitment.models import AlertSnooze
from surveys.models import Survey

SNOOZE_DAYS = (1, 7)


def alert_snooze(
    *, survey: Survey, kind: str, key: str, days: int, user: AbstractBaseUser | None
) -> AlertSnooze:
    """Hide the alert from the monitor for ``days`` days (again from now if it was muted)."""
    until = timezone.now() + dt.timedelta(days=days)
    snooze, _created = AlertSnooze.objects.update_or_create(
        survey=survey, kind=kind, key=key, defaults={"until": until, "snoozed_by": user}
    )
    return snooze


def alert_unsnooze(*, survey: Survey, kind: str, key: str) -> None:
    """Show the alert again."""
    AlertSnooze.objects.filter(survey=survey, kind=kind, key=key).delete()


def active_snoozes(*, survey: Survey, now: dt.datetime) -> dict[tuple[str, str], AlertSnooze]:
    """Return the survey's snoozes still running, by (kind, key)."""
    return {
        (snooze.kind, snooze.key): snooze
        for snooze in AlertSnooze.objects.filter(survey=survey, until__gt=now).select_related(
            "snoozed_by"
        )
    }
