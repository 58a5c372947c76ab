"""Keep the ledger following the responses, without ever failing a submission or a review.

What a failing receiver leaves undone, the hourly catch-up (tasks.ledger_catch_up_task) does.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from incentives.contacts import payout_contact_erase
from incentives.ledger import entries_accrue, entries_settle
from incentives.models import IncentiveSettings
from surveys.models import Response
from surveys.questionnaire.cache import survey_settings_changed
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


@receiver(post_save, sender=IncentiveSettings, dispatch_uid="incentives.settings_saved")
@receiver(post_delete, sender=IncentiveSettings, dispatch_uid="incentives.settings_deleted")
def _settings_saved(sender: type, instance: IncentiveSettings, **kwargs: Any) -> None:
    # Every process keeps the settings between submits (entries_accrue): read them again.
    survey_settings_changed(survey_id=instance.survey_id)
