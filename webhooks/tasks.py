"""Celery tasks: one delivery now, and the beat's round of every due delivery (retries)."""

from __future__ import annotations

from celery import shared_task

from webhooks.services import webhook_deliveries_run, webhook_delivery_attempt


@shared_task(name="webhooks.deliver")
def webhook_deliver_task(delivery_id: int) -> None:
    webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task(name="webhooks.deliver_due")
def webhooks_deliver_due_task() -> None:
    webhook_deliveries_run()
