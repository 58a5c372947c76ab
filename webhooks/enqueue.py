"""Start deliveries: on a worker with Celery, else in the embedded default's loop."""

from __future__ import annotations

import logging

from webhooks import tasks
from webhooks.pump import pump_wake

log = logging.getLogger(__name__)


def deliveries_start(*, delivery_ids: list[int]) -> None:
    """Have the deliveries attempted soon; a lost enqueue is picked up by the next round."""
    if not delivery_ids:
        return
    if tasks.webhook_deliver_task.app.conf.task_always_eager:
        # Not in the respondent's request: the loop sends, so a slow receiver slows no one.
        pump_wake()
        return
    for pk in delivery_ids:
        try:
            tasks.webhook_deliver_task.delay(pk)
        except Exception:
            log.exception("webhook delivery %s not enqueued; the beat's round sends it", pk)
