"""One question's RDS estimates, intervals and diagnostics over a survey's recruitment forest.

:mod:`estimates.rds.refresh` reads the forest and stores what :func:`survey_records` returns.
Every question is computed from the same forest and the same bootstrap replicates: one pass of
tree-bootstrap draws (Baraff, McCormick & Raftery 2016) serves all questions, since the draws
cost far more than the weighted sums; the rest is per question (RDS-II, Volz & Heckathorn 2008;
RDS-I, Salganik & Heckathorn 2004; R's intervals; the diagnostics of Gile, Johnston & Salganik
2015; HCG and SS where available).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from django.utils.translation import gettext_noop

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
from estimates.rds.diagnostics import (
    CumulativeEstimate,
    bottleneck_multi,
    convergence_multi,
    question_diagnostics,
)
from estimates.rds.estimators.intervals import choose_interval
from estimates.rds.estimators.reported import r_intervals, tree_intervals, unflagged_estimates
from estimates.rds.hcg_estimates import TOO_MANY as HCG_TOO_MANY
from estimates.rds.hcg_estimates import hcg_question
from estimates.rds.sample import RDSError, RDSSample, multi_choice
from estimates.rds.ss_estimates import SSWeights, ss_question_shares
from estimates.rds.weights import homophily, rds1_shares, rds2_multi_shares

BOOTSTRAP_SEED = 20250101

# Stored untranslated and translated when shown, so that a rebuild is the same in every language.
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
