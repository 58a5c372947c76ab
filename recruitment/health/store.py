"""The alerts computed after each refresh of the aggregates, kept in the cache per survey.

``survey_refreshed`` (sent by analytics after a rebuild it published, from the Celery tasks,
the beat's catch-up and nightly rebuild, and the commands) makes this module compute the
survey's alerts and store them. A read takes them from the cache; when the cache has none,
or has them for other thresholds, it computes them without storing (a GET never writes).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.cache import cache
from django.dispatch import receiver
from django.utils import timezone

from recruitment.health.chains import (
    RawAlert,
    chain_stats,
    dominant_chains,
    dying_chains,
    flagged_share_alerts,
)
from recruitment.health.convergence import unstable_estimates
from recruitment.health.places import with_countries
from recruitment.health.snooze import active_snoozes
from recruitment.health.stalled import stalled_survey
from recruitment.health.texts import AlertView, alert_view, labels_for
from recruitment.health.thresholds import (
    CONVERGENCE,
    DYING_CHAIN,
    FLAGGED_SHARE,
    SEED_DOMINANCE,
    SURVEY_STALLED,
    Thresholds,
    thresholds_for,
)
from surveys.models import Survey
from surveys.signals import survey_refreshed

log = logging.getLogger(__name__)

VERSION = 2  # 2: the stalled survey, alerts in order of urgency, chains' countries
# The nightly full rebuild stores them again; a week covers a beat that stopped for a while.
CACHE_SECONDS = 7 * 24 * 60 * 60


@dataclass(frozen=True)
class Health:
    """A survey's alerts as computed, with the thresholds and the moment they were computed at."""

    computed_at: dt.datetime
    thresholds: Thresholds
    alerts: list[RawAlert]
    cached: bool = False


@dataclass(frozen=True)
class HealthPanel:
    """The alerts to show and the snoozed ones, in words."""

    computed_at: dt.datetime
    alerts: list[AlertView] = field(default_factory=list)
    snoozed: list[AlertView] = field(default_factory=list)
    # Every alert not snoozed, counted per kind, and how many of them ``alerts`` leaves out.
    kinds: dict[str, int] = field(default_factory=dict)
    more: int = 0


@dataclass(frozen=True)
class AlertGroup:
    """Alerts of one kind shown together, and how many alerts of that kind there are in all."""

    kind: str
    alerts: list[AlertView]
    total: int


def alert_groups(*, panel: HealthPanel) -> list[AlertGroup]:
    """Return the panel's alerts grouped by kind, each group with its kind's full count.

    The alerts come most urgent first, one kind after the other (``urgency``)."""
    groups: list[AlertGroup] = []
    for alert in panel.alerts:
        if groups and groups[-1].kind == alert.kind:
            groups[-1].alerts.append(alert)
        else:
            groups.append(
                AlertGroup(kind=alert.kind, alerts=[alert], total=panel.kinds[alert.kind])
            )
    return groups


def _key(survey_id: int) -> str:
    return f"recruitment:health:v{VERSION}:{survey_id}"


def health_compute(*, survey: Survey, now: dt.datetime | None = None) -> Health:
    """Compute the survey's alerts from its data and its stored estimates."""
    now = now or timezone.now()
    thresholds = thresholds_for(survey=survey)
    chains = chain_stats(survey=survey)
    alerts = [
        *stalled_survey(survey=survey, thresholds=thresholds, now=now),
        *dying_chains(survey=survey, chains=chains, thresholds=thresholds, now=now),
        *dominant_chains(chains=chains, thresholds=thresholds),
        *unstable_estimates(survey=survey, thresholds=thresholds),
        *flagged_share_alerts(chains=chains, thresholds=thresholds),
    ]
    alerts = with_countries(survey=survey, alerts=sorted(alerts, key=urgency))
    return Health(computed_at=now, thresholds=thresholds, alerts=alerts)


# Most urgent first: nothing completes at all, then chains dying out, then the sample's
# quality and balance, then estimates still moving (which only more waves can settle).
URGENCY = (SURVEY_STALLED, DYING_CHAIN, FLAGGED_SHARE, SEED_DOMINANCE, CONVERGENCE)


def urgency(alert: RawAlert) -> tuple[int, float, str]:
    """Return an alert's place: by kind, then the longest quiet or the largest share first."""
    rank = URGENCY.index(alert.kind) if alert.kind in URGENCY else len(URGENCY)
    weight = alert.params.get("days") or alert.params.get("share") or alert.params.get("movement")
    return rank, -float(weight or 0), alert.key


def health_store(*, survey: Survey) -> Health:
    """Compute the survey's alerts and keep them in the cache."""
    health = health_compute(survey=survey)
    stored: dict[str, Any] = {
        "computed_at": health.computed_at.isoformat(),
        "thresholds": health.thresholds,
        "alerts": [alert.__dict__ for alert in health.alerts],
    }
    try:
        cache.set(_key(survey.pk), stored, timeout=CACHE_SECONDS)
    except Exception:
        log.warning("cache unreachable; the alerts of survey %s are computed on read", survey.pk)
    return health


def health_read(*, survey: Survey) -> Health:
    """Return the alerts stored for the thresholds in force, computing and storing them if none."""
    thresholds = thresholds_for(survey=survey)
    try:
        stored = cache.get(_key(survey.pk))
    except Exception:
        stored = None
    if stored and stored.get("thresholds") == thresholds:
        return Health(
            computed_at=dt.datetime.fromisoformat(stored["computed_at"]),
            thresholds=thresholds,
            alerts=[RawAlert(**alert) for alert in stored["alerts"]],
            cached=True,
        )
    # Nothing stored yet (before the first refresh, or the cache was emptied): computing the
    # alerts scans the responses (2 s at a million), so the first visit keeps what it computed
    # rather than every visit paying until the next refresh stores them.
    return health_store(survey=survey)


def health_panel(
    *, survey: Survey, now: dt.datetime | None = None, limit: int | None = None
) -> HealthPanel:
    """Return the survey's alerts in words (the first ``limit`` of them), the snoozed ones apart.

    The alerts left out are counted, not put in words: a long list costs nothing."""
    now = now or timezone.now()
    health = health_read(survey=survey)
    # Without an alert there is nothing to hide: no snooze is read.
    snoozes = active_snoozes(survey=survey, now=now) if health.alerts else {}
    active = [alert for alert in health.alerts if (alert.kind, alert.key) not in snoozes]
    shown = active if limit is None else active[:limit]
    hidden = [alert for alert in health.alerts if (alert.kind, alert.key) in snoozes]
    labels = labels_for(survey=survey, alerts=shown + hidden)
    snoozed = []
    for alert in hidden:
        snooze = snoozes[(alert.kind, alert.key)]
        view = alert_view(alert, thresholds=health.thresholds, labels=labels)
        by = snooze.snoozed_by.get_username() if snooze.snoozed_by else ""
        snoozed.append(replace(view, snoozed_until=snooze.until, snoozed_by=by))
    return HealthPanel(
        computed_at=health.computed_at,
        alerts=[alert_view(alert, thresholds=health.thresholds, labels=labels) for alert in shown],
        snoozed=snoozed,
        kinds=dict(Counter(alert.kind for alert in active)),
        more=len(active) - len(shown),
    )


@receiver(survey_refreshed)
def on_survey_refreshed_store_health(sender: type, survey_id: int, **kwargs: Any) -> None:
    """Receive surveys.signals.survey_refreshed: recompute and store the survey's alerts."""
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is not None:
        health_store(survey=survey)
