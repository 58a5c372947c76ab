"""One refresh of a survey's analyses: the aggregate tables if stale, then the RDS estimates.

Every caller goes through here: the Celery tasks (after submissions, the beat's catch-up and
nightly rebuild), the dashboard's "Rebuild now" button (through its task) and the commands.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from analytics.aggregation.rebuild import aggregates_rebuild, aggregates_stale
from analytics.models import AggregateSnapshot, RDSEstimateSet
from analytics.rds.refresh import rds_refresh
from surveys.signals import survey_refreshed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SurveyRefresh:
    """What one refresh published: a snapshot and estimates, or None where nothing was due."""

    snapshot: AggregateSnapshot | None
    estimates: RDSEstimateSet | None


def survey_refresh(*, survey_id: int, force: bool = False, estimates: bool = True) -> SurveyRefresh:
    """Rebuild the aggregates if stale (from scratch when forced), then refresh the estimates.

    force also skips the estimates' rest (someone asked for a rebuild), never the guard
    against two computations of one survey at once.
    """
    need = "full" if force else aggregates_stale(survey_id=survey_id)
    snapshot = aggregates_rebuild(survey_id=survey_id, full=need == "full") if need else None
    # The counts are committed before the estimates start, so they never wait for the bootstrap.
    refreshed = rds_refresh(survey_id=survey_id, force=force) if estimates else None
    if snapshot is not None or refreshed is not None:
        # Listeners (the organizers' sample-health alerts) recompute from what was published;
        # their failure must not fail the refresh.
        replies = survey_refreshed.send_robust(sender=SurveyRefresh, survey_id=survey_id)
        for receiver, error in replies:
            if isinstance(error, Exception):
                log.error("%s failed after survey %s was refreshed: %r", receiver, survey_id, error)
    return SurveyRefresh(snapshot=snapshot, estimates=refreshed)
