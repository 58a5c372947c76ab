"""One refresh of a survey's analyses: the aggregate tables if stale, then what builds on them.

Every caller goes through here: the Celery tasks (after submissions, the beat's catch-up and
nightly rebuild), the dashboard's "Rebuild now" button (through its task) and the commands.
What is computed from the counts (the RDS estimates) listens to ``counts_refreshed`` and runs
right after the counts are committed, in the same run, so that the aggregates import nothing
that builds on them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import models

from aggregates.models import AggregateSnapshot
from aggregates.rebuild import aggregates_rebuild, aggregates_stale
from aggregates.signals import counts_refreshed
from surveys.signals import survey_refreshed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SurveyRefresh:
    """What one refresh published: a snapshot, and what the listeners built from the counts."""

    snapshot: AggregateSnapshot | None
    # What counts_refreshed's receivers published (the RDS estimates); empty if nothing was due.
    published: tuple[models.Model, ...] = ()


def survey_refresh(
    *, survey_id: int, force: bool = False, dependents: bool = True
) -> SurveyRefresh:
    """Rebuild the aggregates if stale (from scratch when forced), then refresh what uses them.

    force also skips the estimates' rest (someone asked for a rebuild), never the guard
    against two computations of one survey at once. dependents=False refreshes the counts only.
    """
    need = "full" if force else aggregates_stale(survey_id=survey_id)
    snapshot = aggregates_rebuild(survey_id=survey_id, full=need == "full") if need else None
    published: tuple[models.Model, ...] = ()
    if dependents:
        # The counts are committed before the estimates start, so they never wait for the
        # bootstrap; a failing estimate fails the refresh, as it did when it was called here.
        replies = counts_refreshed.send(
            sender=SurveyRefresh, survey_id=survey_id, snapshot=snapshot, force=force
        )
        published = tuple(reply for _receiver, reply in replies if reply is not None)
    if snapshot is not None or published:
        # Listeners (the organizers' sample-health alerts) recompute from what was published;
        # their failure must not fail the refresh.
        replies = survey_refreshed.send_robust(sender=SurveyRefresh, survey_id=survey_id)
        for receiver, error in replies:
            if isinstance(error, Exception):
                log.error("%s failed after survey %s was refreshed: %r", receiver, survey_id, error)
    return SurveyRefresh(snapshot=snapshot, published=published)
