"""Where an alert's chain lives and when it last grew: the organizer's first question."""

from __future__ import annotations

from dataclasses import replace

from django.db.models import Count
from django.db.models.fields.json import KT

from recruitment.health.chains import RawAlert
from recruitment.health.thresholds import DYING_CHAIN, FLAGGED_SHARE, SEED_DOMINANCE
from recruitment.monitor.tally import country_question
from surveys.models import Response, Survey

CHAIN_KINDS = (DYING_CHAIN, SEED_DOMINANCE, FLAGGED_SHARE)
# The largest countries of a chain named in its alert; the tree shows the rest.
COUNTRIES_SHOWN = 3


def with_countries(*, survey: Survey, alerts: list[RawAlert]) -> list[RawAlert]:
    """Return the alerts, each seed link chain's with its largest countries (one query)."""
    question = country_question(survey=survey)
    seed_ids = {int(a.key) for a in alerts if a.kind in CHAIN_KINDS and a.key.isdigit()}
    if question is None or not seed_ids:
        return alerts
    found: dict[str, list[list]] = {}
    rows = (
        Response.objects.filter(survey=survey, seed_link_id__in=seed_ids, withdrawn_at__isnull=True)
        .annotate(place=KT(f"answers__{question.code}"))
        .values("seed_link_id", "place")
        .annotate(n=Count("id"))
        .order_by("seed_link_id", "-n", "place")
        .values_list("seed_link_id", "place", "n")
    )
    for seed_id, country, count in rows:
        shown = found.setdefault(str(seed_id), [])
        if len(shown) < COUNTRIES_SHOWN:
            shown.append([country or "", count])
    return [
        replace(alert, params={**alert.params, "countries": found.get(alert.key, [])})
        if alert.kind in CHAIN_KINDS
        else alert
        for alert in alerts
    ]
