"""Reads for the dashboard, the aggregates CSV, the exports and the margins page.

Everything is computed on request from the stored responses and margins; nothing is written.
Call :func:`poststratification` once per page when several of its parts are needed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils.translation import get_language

from aggregates.models import AggregateState
from estimates.contracts import Estimate
from estimates.margins.estimates import Poststratification, poststratification
from estimates.margins.sample import MARGIN_ROLES, stored_shares
from estimates.margins.weights import WEIGHT_COLUMNS, weight_table
from estimates.models import EstimationSettings, PopulationMargin, RDSEstimateSet
from surveys.models import Question, Survey

# A day: the key changes whenever the result would, so the timeout only bounds stale entries.
_CACHE_SECONDS = 24 * 3600

__all__ = [
    "MarginQuestion",
    "Poststratification",
    "cached_poststratification",
    "design_effects",
    "margin_questions",
    "poststrat_estimates",
    "poststratification",
    "response_weights",
]


def _version(survey: Survey) -> str:
    """Return what the survey's post-stratification depends on, as a cache key."""
    margins = PopulationMargin.objects.filter(survey=survey).aggregate(
        count=Count("pk"), latest=Max("entered_at")
    )
    # The published aggregates move with the responses (each submission's rebuild, withdrawals),
    # the estimate set with the recruitment forest that the RDS-II and SS weights come from.
    snapshot = (
        AggregateState.objects.filter(survey=survey).values_list("snapshot_id", flat=True).first()
    )
    estimates = (
        RDSEstimateSet.objects.filter(survey=survey).values_list("built_at", flat=True).first()
    )
    parts = (
        survey.pk,
        margins["count"],
        margins["latest"],
        snapshot,
        estimates,
        EstimationSettings.of(survey).population_size,
    )
    # v2: the estimates are estimates.contracts.Estimate, no longer dicts. The language is part
    # of the key: the reasons (why no post-stratification, no SS weight) are translated text.
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"poststrat:v2:{get_language()}:{digest}"


def cached_poststratification(*, survey: Survey) -> Poststratification:
    """Return :func:`poststratification`, computed once per change of what it depends on.

    For pages that show it on every view (the dashboard, the aggregates CSV): the weights read
    every response, and the SS weights simulate the population. Kept in the cache only, so a
    GET writes nothing to the database.
    """
    key = _version(survey)
    found = cache.get(key)
    if found is None:
        found = poststratification(survey=survey)
        cache.set(key, found, _CACHE_SECONDS)
    return found


def poststrat_estimates(*, survey: Survey) -> dict[str, dict[str, Estimate]]:
    """Return {question: {option: share and interval}}; {} without usable margins."""
    return poststratification(survey=survey).estimates


def design_effects(*, survey: Survey) -> dict[str, float | None]:
    """Return Kish's design effect of the "poststrat", "rds2" and "ss" weights (None if none)."""
    return poststratification(survey=survey).design_effects


def response_weights(*, survey: Survey) -> dict[int, dict[str, float | None]]:
    """Return each kept response's weight_poststrat, weight_rds2 and weight_ss (None if none)."""
    table = weight_table(survey=survey)
    return {
        int(pk): {
            name: None if np.isnan(value) else float(value)
            for name, value in zip(WEIGHT_COLUMNS, row, strict=True)
        }
        for pk, row in zip(table.ids, table.weights, strict=True)
    }


@dataclass(frozen=True)
class MarginQuestion:
    """A question that may carry margins, with its options and their entered shares."""

    question: Question
    shares: dict[str, float]  # option code -> share, only the entered ones


def margin_questions(*, survey: Survey) -> list[MarginQuestion]:
    """Return the survey's questions with a margin role, in order, with their stored shares."""
    stored = stored_shares(survey=survey)
    questions = (
        survey.questions.filter(role__in=MARGIN_ROLES)
        .order_by("page__position", "position")
        .prefetch_related("options")
    )
    return [MarginQuestion(question, stored.get(question.code, {})) for question in questions]
