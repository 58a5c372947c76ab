"""Turn the surveys' signals into webhook events (after their transactions commit)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.signals import request_started
from django.db import transaction
from django.dispatch import receiver

from api.serializers import ResponseSerializer
from surveys.links.policy import personal_limit, personal_used, seed_used
from surveys.models import Response
from surveys.questionnaire.cache import survey_memo, survey_settings_watch
from surveys.signals import response_reviewed, response_submitted, response_withdrawn
from webhooks.enqueue import deliveries_start
from webhooks.models import Event, WebhookEndpoint
from webhooks.pump import pump_ensure
from webhooks.selectors import webhook_events_wanted
from webhooks.services import webhook_event_emit

log = logging.getLogger(__name__)


def _response_data(response: Response) -> dict[str, Any]:
    # As the API shows a response: answers by code, flags; no contact, link code or hash.
    return {"survey": response.survey.slug, "response": ResponseSerializer(response).data}


def _emit(response: Response, event: Event, key: str, data: dict[str, Any]) -> None:
    # The response is stored already: a failure here must not turn the thank-you page into an
    # error, nor keep the other receivers (aggregates, incentives) from running.
    try:
        ids = webhook_event_emit(survey_id=response.survey_id, event=event, key=key, data=data)
    except Exception:
        log.exception("webhook event %s of response %s not queued", event, response.pk)
        return
    transaction.on_commit(lambda: deliveries_start(delivery_ids=ids))


def _used_up(response: Response) -> None:
    """Emit link.used_up when this response took a link's last coupon."""
    if response.recruiter_id is not None:
        limit = personal_limit(survey=response.survey)
        if limit and personal_used(recruiter=response.recruiter) == limit:
            data = {"survey": response.survey.slug, "kind": "personal", "limit": limit,
                    "recruiter_id": response.recruiter_id}  # fmt: skip
            _emit(response, Event.LINK_USED_UP, f"personal:{response.recruiter_id}", data)
    elif response.seed_link_id is not None and response.wave == 0:
        seed = response.seed_link
        if seed.coupon_limit and seed_used(seed_link=seed) == seed.coupon_limit:
            data = {"survey": response.survey.slug, "kind": "seed", "limit": seed.coupon_limit,
                    "seed_link_id": seed.pk, "label": seed.label}  # fmt: skip
            _emit(response, Event.LINK_USED_UP, f"seed:{seed.pk}", data)


def _wanted(response: Response) -> frozenset[str]:
    # Most surveys have no endpoint: one small query, instead of serializing the response and
    # counting coupons on every submit for nobody.
    # Kept in this process until an endpoint of the survey is saved (survey_settings_watch).
    try:
        return survey_memo(
            response=response,
            name="webhooks",
            read=lambda: frozenset(webhook_events_wanted(survey_id=response.survey_id)),
        )
    except Exception:
        log.exception("webhook endpoints of survey %s not read", response.survey_id)
        return frozenset()


@receiver(response_submitted, dispatch_uid="webhooks.completed")
def _completed(sender: object, response: Response, **kwargs: Any) -> None:
    wanted = _wanted(response)
    if Event.RESPONSE_COMPLETED in wanted:
        _emit(response, Event.RESPONSE_COMPLETED, str(response.pk), _response_data(response))
    if Event.LINK_USED_UP in wanted:
        _used_up(response)


@receiver(response_withdrawn, dispatch_uid="webhooks.withdrawn")
def _withdrawn(sender: object, response: Response, **kwargs: Any) -> None:
    data = {"survey": response.survey.slug, "response_id": response.pk,
            "withdrawn_at": response.withdrawn_at}  # fmt: skip
    _emit(response, Event.RESPONSE_WITHDRAWN, str(response.pk), data)


@receiver(response_reviewed, dispatch_uid="webhooks.reviewed")
def _reviewed(sender: object, response: Response, **kwargs: Any) -> None:
    data = {"survey": response.survey.slug, "response_id": response.pk,
            "review": response.review, "quality_flags": response.quality_flags,
            "reviewed_at": response.reviewed_at}  # fmt: skip
    key = f"{response.pk}:{response.reviewed_at.isoformat() if response.reviewed_at else ''}"
    _emit(response, Event.REVIEW_DECIDED, key, data)


# Every process keeps the events a survey's endpoints want (_wanted): a save reads them again.
survey_settings_watch(WebhookEndpoint)


@receiver(request_started, dispatch_uid="webhooks.pump")
def _pump_running(sender: object, **kwargs: Any) -> None:
    # After a restart, deliveries left pending are sent without waiting for a new event.
    from webhooks import tasks

    if tasks.webhook_deliver_task.app.conf.task_always_eager:
        pump_ensure()
