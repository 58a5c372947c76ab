"""Keep the ledger following the responses, without ever failing a submission or a review."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from incentives.contacts import payout_contact_erase
from incentives.ledger import entries_accrue, entries_settle
from surveys.models import Response
from surveys.signals import (
    response_flagged,
    response_reviewed,
    response_submitted,
    response_withdrawn,
)

log = logging.getLogger(__name__)


@receiver(response_submitted)
def accrue(sender: type, response: Response, **kwargs: Any) -> None:
    try:
        entries_accrue(response=response)
    except Exception:
        # The answers are stored whatever happens here; the log tells the organizers.
        log.exception("could not accrue the incentives of response %s", response.pk)


@receiver(response_reviewed)
@receiver(response_flagged)
def settle(sender: type, response: Response, **kwargs: Any) -> None:
    entries_settle(response_ids=[response.pk])


@receiver(response_withdrawn)
def erase(sender: type, response: Response, **kwargs: Any) -> None:
    # At once: the respondent asked to be forgotten, and nobody pays a withdrawn respondent.
    payout_contact_erase(response=response)
    entries_settle(response_ids=[response.pk])
