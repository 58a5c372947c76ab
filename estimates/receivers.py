"""Keep the estimates following the aggregate counts they are computed with."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from aggregates.signals import counts_refreshed
from estimates.models import RDSEstimateSet
from estimates.rds.refresh import rds_refresh


@receiver(counts_refreshed)
def refresh_estimates(
    sender: type, *, survey_id: int, force: bool, **kwargs: Any
) -> RDSEstimateSet | None:
    """Receive counts_refreshed: refresh the RDS estimates if stale; return what was published."""
    return rds_refresh(survey_id=survey_id, force=force)
