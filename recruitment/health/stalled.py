"""The alert for a survey where nothing is completed any more, whatever its chains say.

A survey whose every chain went quiet at once looks calm chain by chain (no chain dies out
while the others grow), so the whole survey is watched on its own: no completed response for
N days is an alert, open or closed.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from recruitment.health.chains import RawAlert
from recruitment.health.thresholds import SURVEY_STALLED, Thresholds
from surveys.models import Response, Survey


def stalled_survey(*, survey: Survey, thresholds: Thresholds, now: dt.datetime) -> list[RawAlert]:
    """Return an alert when no response was completed in the last N days (N: the threshold)."""
    days = thresholds[SURVEY_STALLED]["days"]
    latest = Response.objects.filter(survey=survey, withdrawn_at__isnull=True).aggregate(
        last=Max("submitted_at")
    )["last"]
    since = latest or survey.created_at
    if since >= now - dt.timedelta(days=days):
        return []
    return [
        RawAlert(
            kind=SURVEY_STALLED,
            key="survey",
            severity="danger",
            params={
                "days": (now - since).days,
                "since": since.date().isoformat(),
                "started": latest is not None,
                "open": survey.is_open,
            },
        )
    ]


def stalled_words(alert: RawAlert, thresholds: Thresholds) -> tuple[str, str, str]:
    """Return the stalled survey's alert in words: title, explanation, threshold."""
    p = alert.params
    if p["started"]:
        title = (
            ngettext(
                "No completed response for %(days)s day (since %(since)s)",
                "No completed response for %(days)s days (since %(since)s)",
                p["days"],
            )
            % p
        )
    else:
        title = (
            ngettext(
                "Nobody has completed the survey in the %(days)s day since it was created",
                "Nobody has completed the survey in the %(days)s days since it was created",
                p["days"],
            )
            % p
        )
    if p["open"]:
        text = _(
            "The survey is open, but recruitment has stopped in every chain at once. Check that "
            "the survey's address and the seed links still open, contact the seeds again, or add "
            "new seed links."
        )
    else:
        text = _(
            "The survey is closed, so nobody can complete it. If recruitment should go on, open "
            "it again in the survey settings."
        )
    limit = _("Alert after %(days)s days without any completed response.") % {
        "days": thresholds[SURVEY_STALLED]["days"]
    }
    return title, text, limit
