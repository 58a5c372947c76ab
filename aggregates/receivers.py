"""Keep the aggregate tables following the responses, without ever failing a submission.

What a failing receiver leaves undone, the beat's catch-up (analytics.aggregates_catch_up)
does.
"""

from __future__ import annotations

from aggregates.enqueue import aggregates_request_full, aggregates_schedule
from surveys.models import Response
from surveys.signals import (
    response_flagged,
    response_receiver,
    response_reviewed,
    response_submitted,
    response_withdrawn,
)


@response_receiver(response_submitted, doing="schedule the aggregates")
def schedule_rebuild(*, response: Response) -> None:
    aggregates_schedule(survey_id=response.survey_id)


@response_receiver(
    response_withdrawn, response_reviewed, response_flagged, doing="schedule a full rebuild"
)
def schedule_full_rebuild(*, response: Response) -> None:
    aggregates_request_full(survey_id=response.survey_id)
