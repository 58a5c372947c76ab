"""Signals other apps listen to, so that collecting answers does not depend on analysing them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.dispatch import Signal, receiver

if TYPE_CHECKING:
    from surveys.models import Response

# Sent after the transaction that stored a response commits; kwargs: response.
response_submitted = Signal()

# Sent after a respondent withdraws their response; kwargs: response. Aggregates need a full
# rebuild, since counts cannot be taken back incrementally without knowing what was counted.
response_withdrawn = Signal()

# Sent after an organizer's decision on a flagged response commits (surveys.quality.reviews);
# kwargs: response. It moves in or out of the "without flagged" counts: a full rebuild.
response_reviewed = Signal()

# Sent after a quality flag is added to a stored response (surveys.quality.reviews, e.g. a
# repeated payout contact) commits; kwargs: response. Like a review: a full rebuild.
response_flagged = Signal()

# Sent by analytics after a refresh of a survey's aggregates or estimates published something;
# kwargs: survey_id. Here, not in analytics, because analytics imports recruitment (the
# bundle's recruitment CSV) and recruitment's sample-health alerts listen to it.
survey_refreshed = Signal()

# Sent inside the transaction that loads a questionnaire (surveys.questionnaire.loader);
# kwargs: survey, data (the questionnaire as read). Analytics stores its part of the file, the
# dashboard's figure numbers, from it. Not guarded: a listener that fails fails the load, so
# that nothing is half-loaded.
questionnaire_loaded = Signal()

ResponseListener = Callable[..., None]


def response_receiver(*signals: Signal, doing: str) -> Callable[[ResponseListener], Any]:
    """Connect a listener of these response signals that logs, never raises, what it fails at.

    The response is stored before these signals are sent: a listener's failure must not turn
    the respondent's or the organizer's page into an error, nor keep the other listeners from
    running. Its own catch-up job does later what it could not (``doing``, e.g. "settle the
    incentives"). The listener takes the response as its one keyword argument.
    """

    def decorate(listener: ResponseListener) -> ResponseListener:
        log = logging.getLogger(listener.__module__)

        @wraps(listener)
        def guarded(sender: object, response: Response, **kwargs: Any) -> None:
            try:
                listener(response=response)
            except Exception:
                log.exception(
                    "could not %s after response %s of survey %s",
                    doing,
                    response.pk,
                    response.survey_id,
                )

        # wraps() links the listener as __wrapped__, whose signature (no **kwargs) Django's
        # DEBUG check of a receiver would read instead of guarded's and refuse.
        del guarded.__wrapped__
        receiver(list(signals))(guarded)
        return guarded

    return decorate
