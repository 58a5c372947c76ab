"""Webhook endpoints and their deliveries: create, emit an event, attempt, retry, resend."""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.utils.encoders import JSONEncoder

from surveys.models import Survey
from webhooks.models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.sending import webhook_post
from webhooks.ssrf import webhook_url_check

Status = WebhookDelivery.Status


def webhook_secret_new() -> str:
    """Return a signing secret as the Standard Webhooks libraries take it: whsec_ + base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def webhook_endpoint_create(
    *, survey: Survey, url: str, events: list[str], created_by: User | None = None
) -> tuple[WebhookEndpoint, str]:
    """Add an endpoint after the SSRF check; return it and its secret (shown once)."""
    unknown = sorted(set(events) - set(Event.values))
    if unknown or not events:
        raise ValidationError(
            _("Choose events among: %(events)s.") % {"events": ", ".join(Event.values)},
            code="events",
        )
    webhook_url_check(url=url)
    secret = webhook_secret_new()
    endpoint = WebhookEndpoint.objects.create(
        survey=survey, url=url, events=sorted(set(events)), secret=secret, created_by=created_by
    )
    return endpoint, secret


def _message_id(*, survey_id: int, event: str, key: str) -> str:
    # The same event emitted twice (a signal sent again) is one message: the unique key holds.
    return "msg_" + uuid.uuid5(uuid.NAMESPACE_URL, f"sco:{survey_id}:{event}:{key}").hex


def webhook_event_emit(
    *, survey_id: int, event: Event, key: str, data: dict[str, Any]
) -> list[int]:
    """Queue the event for every active endpoint of the survey that wants it; return the ids."""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(survey_id=survey_id, is_active=True)
        if event in endpoint.events
    ]
    if not endpoints:
        return []
    message_id = _message_id(survey_id=survey_id, event=event, key=key)
    now = timezone.now()
    body = json.dumps(
        {"type": str(event), "timestamp": now.isoformat(), "data": data},
        cls=JSONEncoder,
        ensure_ascii=False,
    )
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint, message_id=message_id, event=event, body=body, created_at=now
            )
            for endpoint in endpoints
        ],
        ignore_conflicts=True,
    )
    return list(
        WebhookDelivery.objects.filter(
            message_id=message_id, endpoint__in=endpoints, status=Status.PENDING
        ).values_list("pk", flat=True)
    )


def _claim(*, delivery_id: int) -> bool:
    """Take the delivery for one attempt; no two processes ever attempt it at the same time."""
    now = timezone.now()
    lease = timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 3)
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id, status=Status.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=now + lease, attempts=F("attempts") + 1)
    )


def _retry_delay(*, attempts: int) -> timedelta:
    """Exponential backoff, capped so a receiver back up gets its events within minutes."""
    seconds = settings.WEBHOOK_RETRY_FIRST_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.WEBHOOK_RETRY_MAX_SECONDS))


def webhook_delivery_attempt(*, delivery_id: int) -> bool | None:
    """Attempt a due delivery once; return whether it arrived (None: not due or not pending)."""
    if not _claim(delivery_id=delivery_id):
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    now = timezone.now()
    try:
        webhook_url_check(url=endpoint.url)
    except ValidationError as refused:
        sent_status, duration, error = None, 0, " ".join(refused.messages)[:300]
        ok = False
    else:
        sent = webhook_post(
            url=endpoint.url,
            secret=endpoint.secret,
            message_id=delivery.message_id,
            body=delivery.body,
            when=now,
        )
        sent_status, duration, error, ok = sent.status, sent.duration_ms, sent.error, sent.ok
    WebhookAttempt.objects.create(
        delivery=delivery, at=now, status=sent_status, duration_ms=duration, error=error
    )
    changes: dict[str, Any] = {
        "last_status": sent_status,
        "last_duration_ms": duration,
        "last_error": error,
    }
    if ok:
        changes.update(status=Status.DELIVERED, delivered_at=timezone.now())
    elif timezone.now() - delivery.created_at >= timedelta(hours=settings.WEBHOOK_RETRY_HOURS):
        changes.update(status=Status.FAILED)
    else:
        changes.update(next_attempt_at=timezone.now() + _retry_delay(attempts=delivery.attempts))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**changes)
    return ok


def webhook_deliveries_due(*, limit: int = 100) -> list[int]:
    """Return the ids of pending deliveries whose next attempt is due, oldest first."""
    return list(
        WebhookDelivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def webhook_deliveries_run(*, limit: int = 100) -> int:
    """Attempt every due delivery once; return how many arrived."""
    return sum(
        1 for pk in webhook_deliveries_due(limit=limit) if webhook_delivery_attempt(delivery_id=pk)
    )


def webhook_delivery_resend(*, delivery: WebhookDelivery) -> None:
    """Send the delivery again, with the same webhook-id, and retry it for another day."""
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=Status.PENDING, next_attempt_at=now, created_at=now, delivered_at=None
    )
