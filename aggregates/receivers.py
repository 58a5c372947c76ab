"""Keep the aggregate tables following the responses, without ever failing a submission.

What a failing receiver leaves undone, the beat's catch-up (analytics.aggregates_catch_up)
does. A loaded questionnaire's dashboard layout is stored here too, inside the load's
transaction.
"""

from __future__ import annotations

from django.dispatch import receiver

from aggregates.enqueue import aggregates_request_full, aggregates_schedule
from aggregates.models import DashboardLayout
from surveys.models import Response, Survey
from surveys.signals import (
    questionnaire_loaded,
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


@receiver(questionnaire_loaded)
def store_dashboard_layout(sender: object, *, survey: Survey, data: dict, **kwargs: object) -> None:
    """Store the figure numbers the questionnaire file gives the dashboard."""
    layout = data.get("dashboard", {})
    if DashboardLayout.of(survey).layout != layout:
        survey.dashboard_layout = DashboardLayout.objects.update_or_create(
            survey=survey, defaults={"layout": layout}
        )[0]
