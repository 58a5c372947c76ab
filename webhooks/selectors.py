"""Reads of the webhooks app."""

from __future__ import annotations

from webhooks.models import WebhookEndpoint


def webhook_events_wanted(*, survey_id: int) -> set[str]:
    """Return the events that at least one active endpoint of the survey subscribes to."""
    wanted: set[str] = set()
    for events in WebhookEndpoint.objects.filter(survey_id=survey_id, is_active=True).values_list(
        "events", flat=True
    ):
        wanted.update(events or ())
    return wanted
