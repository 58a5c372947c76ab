"""Population estimates by respondent-driven sampling, stored beside the aggregate tables.

The raw shares describe the sample; snowball samples over-represent well-connected people.
RDS-II reweights every respondent by 1 / network size (Volz & Heckathorn 2008), the tree
bootstrap gives the interval (Baraff, McCormick & Raftery 2016), RDS-I models recruitment as a
Markov chain (Salganik & Heckathorn 2004). The numbers come from ``analytics.rds``; this module
feeds it a survey's recruitment forest and stores what it returns, or why it could not.

This runs as its own task after an aggregate rebuild, not inside it: the bootstrap costs far
more than counting, and the counts must not wait for it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from analytics import rds
from analytics.models import AggregateState, RDSEstimateSet, RDSQuestion
from surveys.models import Question, QuestionKind, Response, Survey

log = logging.getLogger(__name__)

BOOTSTRAP_SEED = 20250101

# Stored untranslated and translated when shown, so that a rebuild is the same in every language.
NO_CHAINS = gettext_noop(
    "No respondent came through a seed or referral link, so there is no recruitment chain "
    "to weight by."
)
NO_DEGREES = gettext_noop(
    "No respondent reported a network size, so degree-weighted (RDS) estimates cannot be made."
)
ONE_WAVE = gettext_noop(
    "There are fewer than two waves of recruitment: nobody recruited by a respondent answered "
    "yet, so recruitment cannot be modelled."
)
ONE_SEED = gettext_noop(
    "All respondents come from a single seed, so the tree bootstrap cannot resample chains and "
    "no interval can be given."
)
NOT_ANSWERED = gettext_noop("No respondent in the recruitment chains answered this question.")


@dataclass(frozen=True)
class _Forest:
    sample: rds.RDSSample
    answers: list[dict[str, Any]]
    seed_labels: dict[str, str]
    outside: int


def _forest(survey: Survey) -> _Forest | None:
    rows = list(
        Response.objects.filter(survey=survey, withdrawn_at__isnull=True)
        .order_by("submitted_at", "id")
        .values_list("id", "recruiter_id", "network_size", "answers", "seed_link__label", "wave")
    )
    chained = [row for row in rows if row[5] is not None]
    if not chained:
        return None
    sample = rds.rds_sample(
        ids=[str(row[0]) for row in chained],
        recruiter_ids=[None if row[1] is None else str(row[1]) for row in chained],
        degrees=[row[2] for row in chained],
    )
    labels = {str(row[0]): f"#{row[0]} · {row[4] or ''}".rstrip(" ·") for row in chained}
    return _Forest(
        sample=sample,
        answers=[row[3] for row in chained],
        seed_labels=labels,
        outside=len(rows) - len(chained),
    )


def _options(question: Question) -> list[str]:
    return [option.code for option in question.options.all()]


def _indicators(question: Question, answers: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    options = _options(question)
    column = {code: k for k, code in enumerate(options)}
    ticked = np.zeros((len(answers), len(options)), dtype=bool)
    answered = np.zeros(len(answers), dtype=bool)
    for row, response in enumerate(answers):
        value = response.get(question.code)
        if value in (None, "", []):
            continue
        answered[row] = True
        for code in value if isinstance(value, list) else [value]:
            if code in column:
                ticked[row, column[code]] = True
    return ticked, answered


def _cumulative(estimates: list[rds.CumulativeEstimate]) -> list[dict[str, Any]]:
    return [
        {"position": e.position, "respondents": e.respondents, "shares": dict(e.shares)}
        for e in estimates
    ]


def _question(forest: _Forest, question: Question, replicates: int) -> dict[str, Any]:
    sample = forest.sample
    options = _options(question)
    ticked, answered = _indicators(question, forest.answers)
    result: dict[str, Any] = {"shares": {}, "unavailable": {}, "homophily": None}
    if not answered.any():
        result["unavailable"]["shares"] = NOT_ANSWERED
        return result
    kwargs = {"ticked": ticked, "answered": answered, "options": options}
    point = rds.rds2_multi_shares(sample, **kwargs)
    shares: dict[str, dict[str, float | None]] = {
        code: {"rds2": point[code], "low": None, "high": None, "rds1": None} for code in options
    }
    if len(sample.seeds) < 2:
        result["unavailable"]["interval"] = ONE_SEED
    else:
        interval = rds.tree_bootstrap_multi(
            sample, replicates=replicates, seed=BOOTSTRAP_SEED, **kwargs
        )
        for code, (low, high) in interval.items():
            shares[code]["low"], shares[code]["high"] = low, high
    single = question.kind == QuestionKind.SINGLE
    values = [a.get(question.code) for a in forest.answers] if single else None
    if sample.n_waves < 2:
        result["unavailable"]["rds1"] = ONE_WAVE
    elif single:
        try:
            for code, share in rds.rds1_shares(sample, values=values).items():
                shares[code]["rds1"] = share
            result["homophily"] = rds.homophily(sample, values=values)
        except rds.RDSError as error:
            result["unavailable"]["rds1"] = str(error)
    result["shares"] = shares
    if sample.n_waves < 2:
        result["unavailable"]["convergence"] = ONE_WAVE
    else:
        for by in ("wave", "order"):
            result[f"convergence_{by}"] = _cumulative(
                rds.convergence_multi(sample, by=by, **kwargs)
            )
    if len(sample.seeds) < 2:
        result["unavailable"]["bottleneck"] = ONE_SEED
    else:
        trees = rds.bottleneck_multi(sample, **kwargs)
        result["bottleneck"] = {forest.seed_labels[seed]: s for seed, s in trees.items()}
    return result


def rds_rebuild(*, survey_id: int, replicates: int | None = None) -> RDSEstimateSet:
    """Compute and store the survey's RDS estimates, replacing the previous ones at once."""
    started = time.perf_counter()
    replicates = replicates or settings.RDS_BOOTSTRAP_REPLICATES
    survey = Survey.objects.get(pk=survey_id)
    state = AggregateState.objects.filter(pk=survey_id).select_related("snapshot").first()
    watermark = state.snapshot.watermark if state and state.snapshot else 0
    questions = list(
        survey.questions.filter(kind__in=[QuestionKind.SINGLE, QuestionKind.MULTIPLE])
        .order_by("page__position", "position")
        .prefetch_related("options")
    )
    attributes: dict[str, Any] = {"built_at": timezone.now(), "watermark": watermark}
    results: dict[str, dict[str, Any]] = {}
    try:
        forest = _forest(survey)
    except rds.RDSError as error:
        forest, attributes["unavailable"] = None, str(error)
    if forest is None:
        attributes.setdefault("unavailable", NO_CHAINS)
    else:
        sample = forest.sample
        attributes.update(
            respondents=sample.size,
            seeds=len(sample.seeds),
            waves=sample.n_waves,
            imputed_degrees=sample.imputed_degrees,
            outside_chains=forest.outside,
            replicates=replicates,
        )
        if not sample.has_degrees:
            attributes["unavailable"] = NO_DEGREES
        else:
            for question in questions:
                results[question.code] = _question(forest, question, replicates)
    attributes.setdefault("unavailable", "")
    attributes["seconds"] = time.perf_counter() - started
    with transaction.atomic():
        RDSEstimateSet.objects.filter(pk=survey_id).delete()
        estimate_set = RDSEstimateSet.objects.create(survey=survey, **attributes)
        RDSQuestion.objects.bulk_create(
            RDSQuestion(estimate_set=estimate_set, question=code, **result)
            for code, result in results.items()
        )
    log.info("RDS estimates of survey %s rebuilt in %.2f s", survey_id, attributes["seconds"])
    return estimate_set


def rds_stale(*, survey_id: int) -> bool:
    """Return whether the published aggregates count responses the estimates do not."""
    state = AggregateState.objects.filter(pk=survey_id).select_related("snapshot").first()
    if state is None or state.snapshot is None:
        return False
    current = RDSEstimateSet.objects.filter(pk=survey_id).values_list("built_at", flat=True).first()
    return current is None or current < state.snapshot.built_at
