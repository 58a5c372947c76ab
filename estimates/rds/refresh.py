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
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from aggregates.counting import unflagged_mark
from aggregates.models import AggregateState
from estimates.contracts import (
    NO_BOTTLENECK,
    NO_CONVERGENCE,
    NO_HCG,
    NO_INTERVAL,
    NO_RDS1,
    NO_RDS1_UNFLAGGED,
    UNANSWERED,
    CurvePoint,
    Estimate,
    Interval,
    OptionEstimates,
    QuestionRecord,
)
from estimates.models import EstimationSettings, RDSEstimateSet, RDSQuestion
from estimates.rds.diagnostics import (
    CumulativeEstimate,
    bottleneck_multi,
    convergence_multi,
    question_diagnostics,
)
from estimates.rds.estimators.intervals import choose_interval
from estimates.rds.estimators.reported import r_intervals, tree_intervals, unflagged_estimates
from estimates.rds.hcg_estimates import TOO_MANY as HCG_TOO_MANY
from estimates.rds.hcg_estimates import hcg_question, hcg_unavailable
from estimates.rds.sample import AnswerMatrices, RDSError, RDSSample, multi_choice, rds_sample
from estimates.rds.ss_estimates import SSWeights, ss_question_shares, ss_survey_weights
from estimates.rds.weights import (
    homophily,
    rds1_shares,
    rds2_multi_shares,
)
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
ONE_SEED_EL = gettext_noop(
    "All respondents come from a single seed, so the tree bootstrap cannot resample chains: the "
    "intervals shown are R's empirical-likelihood intervals instead."
)
NOT_ANSWERED = gettext_noop("No respondent in the recruitment chains answered this question.")


# A convergence plot by order of recruitment needs a few hundred points, not one per respondent.
ORDER_POINTS = 400


@dataclass(frozen=True)
class Forest:
    """A survey's recruitment forest with every question's answers, as the estimates read it."""

    sample: RDSSample
    # Per question code: (ticked n x k, answered n), filled while streaming the responses.
    answers: dict[str, tuple[np.ndarray, np.ndarray]]
    seed_labels: dict[str, str]
    outside: int
    # Per row: whether the respondent counts without flagged ones (surveys.models.unflagged_q).
    unflagged: np.ndarray
    # Per row: the submission time in seconds, the order of recruitment HCG reads.
    times: np.ndarray | None = None


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
    answers = AnswerMatrices({q.code: _options(q) for q in questions}, n)
    ids: list[str] = []
    recruiters: list[str | None] = []
    degrees: list[int | None] = []
    seed_labels: dict[str, str] = {}
    unflagged = np.zeros(n, dtype=bool)
    times = np.zeros(n)
    rows = chained.annotate(unflagged=unflagged_mark()).values_list(
        "id",
        "recruiter_id",
        "network_size",
        "answers",
        "seed_link__label",
        "unflagged",
        "submitted_at",
    )
    for row, (pk, recruiter, degree, given, label, mark, submitted) in enumerate(
        rows.iterator(chunk_size=5000)
    ):
        if row >= n:
            break  # a response that arrived after the count: the next rebuild takes it
        unflagged[row] = bool(mark)
        times[row] = submitted.timestamp() if submitted else row
        ids.append(str(pk))
        recruiters.append(None if recruiter is None else str(recruiter))
        degrees.append(degree)
        if recruiter is None:
            seed_labels[str(pk)] = f"#{pk} · {label}" if label else f"#{pk}"
        answers.add(row, given)
    matrices = answers.matrices
    if len(ids) < n:
        matrices = {code: (t[: len(ids)], a[: len(ids)]) for code, (t, a) in matrices.items()}
        unflagged = unflagged[: len(ids)]
        times = times[: len(ids)]
    sample = rds_sample(ids=ids, recruiter_ids=recruiters, degrees=degrees)
    return Forest(
        sample=sample,
        answers=matrices,
        seed_labels=seed_labels,
        outside=outside,
        unflagged=unflagged,
        times=times,
    )


def _options(question: Question) -> list[str]:
    return [option.code for option in question.options.all()]


def _cumulative(estimates: list[CumulativeEstimate]) -> tuple[CurvePoint, ...]:
    return tuple(CurvePoint(e.position, e.respondents, dict(e.shares)) for e in estimates)


@dataclass(frozen=True)
class Design:
    """What every question's estimates share: the SS weights and the interval to report."""

    ss: SSWeights
    interval_method: str
    # The population size for R's finite-population correction; None when unknown or too small.
    population_size: int | None
    # Why there is no HCG for any question ("" when it is computed).
    hcg_unavailable: str = ""


@dataclass(frozen=True)
class QuestionSpec:
    """What the estimates read of a question: its code, whether single choice, its options."""

    code: str
    single: bool
    options: list[str]


def question_spec(question: Question) -> QuestionSpec:
    """Return the question as the estimates read it."""
    return QuestionSpec(
        code=question.code,
        single=question.kind == QuestionKind.SINGLE,
        options=_options(question),
    )


def question_record(
    *,
    forest: Forest,
    question: QuestionSpec,
    tree: tuple[dict[str, Interval], dict[str, Interval], dict[str, Interval]],
    design: Design,
) -> QuestionRecord:
    """Return one question's estimates and diagnostics, given its tree-bootstrap intervals.

    tree holds the RDS-II, SS and RDS-II-without-flagged intervals by option
    (:func:`~estimates.rds.estimators.reported.tree_intervals`), empty when the bootstrap
    could not run.
    """
    sample, ss = forest.sample, design.ss
    options = question.options
    ticked, answered = forest.answers[question.code]
    unavailable: dict[str, str] = {}
    if not answered.any():
        return QuestionRecord(unavailable={UNANSWERED: NOT_ANSWERED})
    kwargs = {"ticked": ticked, "answered": answered, "options": options}
    point = rds2_multi_shares(sample, **kwargs)
    kept = answered & forest.unflagged
    # The whole sample's weights, the shares over the unflagged respondents who answered.
    unflagged = (
        rds2_multi_shares(sample, ticked=ticked, answered=kept, options=options)
        if kept.any()
        else {}
    )
    ss_point, ss_curve = ss_question_shares(ss, sample=sample, **kwargs)
    # {option: interval} of the tree bootstrap for RDS-II, SS and RDS-II without flagged
    # responses (estimates.rds.estimators.reported), empty when it cannot run.
    tree_rds2, tree_ss, tree_unflagged = tree
    tree_ran = len(sample.seeds) >= 2
    if not tree_ran:
        unavailable[NO_INTERVAL] = ONE_SEED_EL
    single = question.single
    # Single choice: exactly one tick per answering respondent, so the category is its column.
    # (indexed with numpy: a Python loop over a million rows costs seconds per question)
    labels = np.array([*options, None], dtype=object)
    values = (
        labels[np.where(answered, ticked.argmax(axis=1), len(options))].tolist() if single else None
    )
    homophily_value: float | None = None
    rds1: dict[str, float] | None = None
    if sample.n_waves < 2:
        unavailable[NO_RDS1] = ONE_WAVE
    elif single:
        try:
            rds1 = rds1_shares(sample, values=values)
            homophily_value = homophily(sample, values=values)
        except RDSError as error:
            unavailable[NO_RDS1] = str(error)
    el_rds2, el_rds1, el_ss = r_intervals(
        sample, rds1=rds1, ss_weights=ss.weights, population_size=design.population_size, **kwargs
    )
    hcg: dict[str, Estimate] = {}
    if single and not design.hcg_unavailable and forest.times is not None:
        hcg, reason = hcg_question(
            sample=sample,
            times=forest.times,
            answers=multi_choice(sample, **kwargs),
            population_size=design.population_size or 0,
        )
        if reason:
            unavailable[NO_HCG] = reason
    elif single and design.hcg_unavailable == HCG_TOO_MANY:
        unavailable[NO_HCG] = HCG_TOO_MANY

    def reported(share: float | None, tree: Interval | None, el: Interval | None) -> Estimate:
        chosen = choose_interval(
            tree=tree, empirical=el, method=design.interval_method, tree_ran=tree_ran
        )
        return Estimate(share=share, reported=chosen, tree=tree, el=el)

    shares = {
        code: OptionEstimates(
            rds2=reported(point[code], tree_rds2.get(code), el_rds2.get(code)),
            rds1=Estimate(
                share=None if rds1 is None else rds1.get(code),
                el=el_rds1.get(code),
            ),
            ss=reported(ss_point.get(code), tree_ss.get(code), el_ss.get(code)),
            hcg=hcg.get(code, Estimate()),
        )
        for code in options
    }
    rds2_alone, rds1_alone, reason = unflagged_estimates(
        sample=sample,
        kept=kept,
        full=shares,
        shares=unflagged,
        tree=tree_unflagged,
        values=values if rds1 is not None else None,
        method=design.interval_method,
        tree_ran=tree_ran,
        population_size=design.population_size,
        **kwargs,
    )
    if reason:
        unavailable[NO_RDS1_UNFLAGGED] = reason
    shares = {
        code: replace(option, rds2_unflagged=rds2_alone[code], rds1_unflagged=rds1_alone[code])
        for code, option in shares.items()
    }
    convergence: dict[str, tuple[CurvePoint, ...]] = {}
    if sample.n_waves < 2:
        unavailable[NO_CONVERGENCE] = ONE_WAVE
    else:
        for by in ("wave", "order"):
            convergence[by] = _cumulative(
                convergence_multi(sample, by=by, points=ORDER_POINTS, **kwargs)
            )
    bottleneck: dict[str, dict[str, float]] = {}
    if len(sample.seeds) < 2:
        unavailable[NO_BOTTLENECK] = ONE_SEED
    else:
        trees_shares = bottleneck_multi(sample, **kwargs)
        bottleneck = {
            forest.seed_labels.get(seed, f"#{seed}"): s for seed, s in trees_shares.items()
        }
    return QuestionRecord(
        options=shares,
        homophily=homophily_value,
        unavailable=unavailable,
        convergence_wave=convergence.get("wave", ()),
        convergence_order=convergence.get("order", ()),
        bottleneck=bottleneck,
        diagnostics=question_diagnostics(sample, values=values, ss_curve=ss_curve, **kwargs),
    )


def survey_records(
    *, forest: Forest, questions: list[QuestionSpec], replicates: int, design: Design
) -> dict[str, QuestionRecord]:
    """Return every question's record; one pass of bootstrap draws serves them all."""
    answered = {
        q.code: (*forest.answers[q.code], q.options)
        for q in questions
        if forest.answers[q.code][1].any()
    }
    trees = {}
    if len(forest.sample.seeds) >= 2:
        trees = tree_intervals(
            forest.sample,
            questions=answered,
            ss_weights=design.ss.weights,
            kept=forest.unflagged,
            method=design.interval_method,
            replicates=replicates,
            seed=BOOTSTRAP_SEED,
        )
    return {
        q.code: question_record(
            forest=forest, question=q, tree=trees.get(q.code, ({}, {}, {})), design=design
        )
        for q in questions
    }


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
    # Long enough for any run; a worker killed mid-run frees the survey when it expires.
    guard_seconds = int(max(15 * 60, 3 * (last[1] if last else 0)))
    guard = f"analytics:rds-running:{survey_id}"
    if not cache.add(guard, 1, timeout=guard_seconds):
        return None
    try:
        return rds_rebuild(survey_id=survey_id)
    finally:
        cache.delete(guard)


def rds_stale(*, survey_id: int) -> bool:
    """Return whether the published aggregates count responses the estimates do not."""
    return _stale(survey_id, _last_run(survey_id))
