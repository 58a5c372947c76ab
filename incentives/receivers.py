"""Keep the ledger following the responses, without ever failing a submission or a review.

What a failing receiver leaves undone, the hourly catch-up (tasks.ledger_catch_up_task) does.
"""

from __future__ import annotations

from incentives.contacts import payout_contact_erase
from incentives.ledger import entries_accrue, entries_settle
from incentives.models import IncentiveSettings
from surveys.models import Response
from surveys.questionnaire.cache import survey_settings_watch
from surveys.signals import (
    response_flagged,
    response_receiver,
    response_reviewed,
    response_submitted,
    response_withdrawn,
)


@response_receiver(response_submitted, doing="accrue the incentives")
def accrue(*, response: Response) -> None:
    entries_accrue(response=response)


@response_receiver(response_reviewed, response_flagged, doing="settle the incentives")
def settle(*, response: Response) -> None:
    entries_settle(response_ids=[response.pk])


@response_receiver(response_withdrawn, doing="erase the payout contact and void the incentives")
def erase(*, response: Response) -> None:
    # At once: the respondent asked to be forgotten, and nobody pays a withdrawn respondent.
    payout_contact_erase(response=response)
    entries_settle(response_ids=[response.pk])


# Every process keeps the settings between submits (entries_accrue): a save reads them again.
survey_settings_watch(IncentiveSettings)
