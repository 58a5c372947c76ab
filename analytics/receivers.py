"""Keep the aggregate tables following the responses, without ever failing a submission."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from analytics.enqueue import aggregates_request_full, aggregates_schedule
from surveys.models import Response
from surveys.signals import (
    response_flagged,
    response_reviewed,
    response_submitted,
    response_withdrawn,
)

log = logging.getLogger(__name__)


@receiver(response_submitted)
def schedule_rebuild(sender: type, response: Response, **kwargs: Any) -> None:
    try:
        aggregates_schedule(survey_id=response.survey_id)
    except Exception:
        # The respondent's answers are already stored; the beat's catch-up counts them.
        log.exception("could not schedule the aggregates of survey %s", response.survey_id)


@receiver(response_withdrawn)
@receiver(response_reviewed)
@receiver(response_flagged)
def schedule_full_rebuild(sender: type, response: Response, **kwargs: Any) -> None:
    try:
        aggregates_request_full(survey_id=response.survey_id)
    except Exception:
        log.exception("could not schedule the aggregates of survey %s", response.survey_id)
