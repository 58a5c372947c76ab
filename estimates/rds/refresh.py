"""Population estimates by respondent-driven sampling, stored beside the aggregate tables.

The raw shares describe the sample; snowball samples over-represent well-connected people.
RDS-II reweights every respondent by 1 / network size (Volz & Heckathorn 2008), the tree
bootstrap gives the interval (Baraff, McCormick & Raftery 2016), RDS-I models recruitment as a
Markov chain (Salganik & Heckathorn 2004), Gile's SS (2011) corrects RDS-II for sampling without
replacement when the analyst gave the population size. RDS-II is also given without flagged
responses (``rds2_unflagged``), with its reported interval, and RDS-I too: the whole forest
stays, and the shares are taken over the unflagged respondents, as R's ``subset`` argument does
(:mod:`estimates.rds.estimators.reported`). The numbers come from ``estimates.rds``; this
module feeds it a survey's recruitment forest and stores what it returns (in the shape of
``estimates.contracts``), or why it could not.

This runs as its own task after an aggregate rebuild, not inside it: the bootstrap costs far
more than counting, and the counts must not wait for it.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from aggregates.models import AggregateState
from estimates.contracts import QuestionRecord
from estimates.models import EstimationSettings, RDSEstimateSet, RDSQuestion
from estimates.rds.estimators.records import (
    BOOTSTRAP_SEED,
    NOT_ANSWERED,
    ONE_SEED,
    ONE_SEED_EL,
    ONE_WAVE,
    Design,
    Forest,
    QuestionSpec,
    survey_records,
)
from estimates.rds.hcg_estimates import hcg_unavailable
from estimates.rds.reading import read_chains
from estimates.rds.sample import RDSError, forest_sample
from estimates.rds.ss_estimates import ss_survey_weights
from surveys.models import Question, QuestionKind, Response, Survey

# Read here by the bundle, the subgroup estimates and the tests: the maths moved to records.
__all__ = [
    "BOOTSTRAP_SEED",
    "NOT_ANSWERED",
    "NO_CHAINS",
    "NO_DEGREES",
    "ONE_SEED",
    "ONE_SEED_EL",
    "ONE_WAVE",
    "estimated_questions",
    "rds_rebuild",
    "rds_recompute",
    "rds_refresh",
    "rds_rest_remaining",
    "rds_running_key",
    "rds_stale",
    "survey_forest",
]

log = logging.getLogger(__name__)

# Stored untranslated and translated when shown, so that a rebuild is the same in every language.
NO_CHAINS = gettext_noop(
    "No respondent came through a seed or referral link, so there is no recruitment chain "
    "to weight by."
)
NO_DEGREES = gettext_noop(
    "No respondent reported a network size, so degree-weighted (RDS) estimates cannot be made."
)


def survey_forest(survey: Survey, questions: list[Question]) -> Forest | None:
    """Read the recruitment chains and the answers in one pass, without keeping the rows.

    A withdrawn response stays in the forest as a tombstone, so that its recruits keep their
    wave and chain; its answers and network size were erased, so it has answered no question
    and its degree is missing. A respondent who came without a link is a seed. A flagged or
    excluded respondent stays a node of the forest too; only the unflagged shares leave them out.
    """
    queryset = Response.objects.filter(survey=survey)
    if not queryset.filter(Q(seed_link__isnull=False) | Q(recruiter__isnull=False)).exists():
        return None  # only lone self-started roots: nobody came through a link, no chain
    # Older data may still hold responses outside every chain (no wave); they are left out.
    outside = queryset.filter(wave__isnull=True, withdrawn_at__isnull=True).count()
    chained = queryset.filter(wave__isnull=False).order_by("submitted_at", "id")
    n = chained.count()
    if n == 0:
        return None
    chains = read_chains(chained=chained, n=n, options={q.code: _options(q) for q in questions})
    # Recruiters as rows by array look-ups (ids are unique keys); outside the sample: a seed.
    order = np.argsort(chains.ids, kind="stable")
    at = np.minimum(np.searchsorted(chains.ids, chains.recruiters, sorter=order), len(order) - 1)
    inside = (chains.recruiters >= 0) & (chains.ids[order[at]] == chains.recruiters)
    sample = forest_sample(
        ids=list(map(str, chains.ids.tolist())),
        parent=np.where(inside, order[at], -1),
        reported=chains.degrees,
    )
    return Forest(
        sample=sample,
        answers=chains.answers,
        seed_labels=chains.seed_labels,
        outside=outside,
        unflagged=chains.unflagged,
        times=chains.times,
    )


def _options(question: Question) -> list[str]:
    return [option.code for option in question.options.all()]


def question_spec(question: Question) -> QuestionSpec:
    """Return the question as the estimates read it."""
    return QuestionSpec(
        code=question.code,
        single=question.kind == QuestionKind.SINGLE,
        options=_options(question),
    )


def estimated_questions(survey: Survey) -> list[Question]:
    """Return the survey's questions that get estimates, in questionnaire order, with options."""
    return list(
        survey.questions.filter(kind__in=[QuestionKind.SINGLE, QuestionKind.MULTIPLE])
        .order_by("page__position", "position")
        .prefetch_related("options")
    )


def rds_rebuild(*, survey_id: int, replicates: int | None = None) -> RDSEstimateSet:
    """Compute and store the survey's RDS estimates, replacing the previous ones at once."""
    started = time.perf_counter()
    replicates = replicates or settings.RDS_BOOTSTRAP_REPLICATES
    survey = Survey.objects.get(pk=survey_id)
    state = AggregateState.objects.filter(pk=survey_id).select_related("snapshot").first()
    watermark = state.snapshot.watermark if state and state.snapshot else 0
    questions = estimated_questions(survey)
    attributes: dict[str, Any] = {"built_at": timezone.now(), "watermark": watermark}
    results: dict[str, QuestionRecord] = {}
    try:
        forest = survey_forest(survey, questions)
    except RDSError as error:
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
            ss = ss_survey_weights(survey=survey, sample=sample)
            attributes.update(population_size=ss.population_size, ss_unavailable=ss.unavailable)
            estimation = EstimationSettings.of(survey)
            size = estimation.population_size
            design = Design(
                hcg_unavailable=hcg_unavailable(respondents=sample.size, population_size=size),
                ss=ss,
                interval_method=estimation.interval_method,
                population_size=size if size is not None and size > sample.size else None,
            )
            results = survey_records(
                forest=forest,
                questions=[question_spec(q) for q in questions],
                replicates=replicates,
                design=design,
            )
    attributes.setdefault("unavailable", "")
    attributes["seconds"] = time.perf_counter() - started
    with transaction.atomic():
        RDSEstimateSet.objects.filter(pk=survey_id).delete()
        estimate_set = RDSEstimateSet.objects.create(survey=survey, **attributes)
        RDSQuestion.objects.bulk_create(
            RDSQuestion(estimate_set=estimate_set, question=code, **result.to_json())
            for code, result in results.items()
        )
    log.info("RDS estimates of survey %s rebuilt in %.2f s", survey_id, attributes["seconds"])
    return estimate_set


def _last_run(survey_id: int) -> tuple[dt.datetime, float] | None:
    """Return when the survey's stored estimates were started and how long they took."""
    return RDSEstimateSet.objects.filter(pk=survey_id).values_list("built_at", "seconds").first()


def _stale(survey_id: int, last: tuple[dt.datetime, float] | None) -> bool:
    state = AggregateState.objects.filter(pk=survey_id).select_related("snapshot").first()
    if state is None or state.snapshot is None:
        return False
    return last is None or last[0] < state.snapshot.built_at


def _rest_remaining(last: tuple[dt.datetime, float] | None) -> float:
    if last is None:
        return 0.0
    built_at, seconds = last
    rest = max(settings.RDS_MIN_INTERVAL_SECONDS, settings.RDS_REST_FACTOR * seconds)
    # built_at is when the last run started: the rest counts from its end.
    ends = built_at + dt.timedelta(seconds=seconds + rest)
    return max(0.0, (ends - timezone.now()).total_seconds())


def rds_rest_remaining(*, survey_id: int) -> float:
    """Return how many seconds the estimates must rest before they may be computed again."""
    return _rest_remaining(_last_run(survey_id))


def rds_refresh(*, survey_id: int, force: bool = False) -> RDSEstimateSet | None:
    """Recompute stale estimates unless they are resting or being computed; return them if so.

    force skips the rest (an organizer asked for a rebuild), never the guard against a second
    computation of the same survey at once, which the beat's catch-up would otherwise start
    every minute while a long one runs.
    """
    last = _last_run(survey_id)
    if not _stale(survey_id, last):
        return None
    if not force and _rest_remaining(last) > 0:
        return None
    return _guarded(survey_id, last)


def rds_recompute(*, survey_id: int) -> RDSEstimateSet | None:
    """Recompute the estimates now (an input such as N changed), unless being computed.

    None when another computation of the survey runs: the caller retries, since that one may
    have read the old input.
    """
    return _guarded(survey_id, _last_run(survey_id))


def _guarded(survey_id: int, last: tuple[dt.datetime, float] | None) -> RDSEstimateSet | None:
    """Rebuild unless another worker is computing the survey's estimates; None if it is."""
    # Long enough for any run; a worker killed mid-run frees the survey when it expires.
    guard_seconds = int(max(15 * 60, 3 * (last[1] if last else 0)))
    guard = rds_running_key(survey_id=survey_id)
    if not cache.add(guard, 1, timeout=guard_seconds):
        return None
    try:
        return rds_rebuild(survey_id=survey_id)
    finally:
        cache.delete(guard)


def rds_running_key(*, survey_id: int) -> str:
    """Return the shared cache key a worker holds while computing the survey's estimates."""
    return f"analytics:rds-running:{survey_id}"


def rds_stale(*, survey_id: int) -> bool:
    """Return whether the published aggregates count responses the estimates do not."""
    return _stale(survey_id, _last_run(survey_id))
