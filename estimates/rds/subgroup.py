"""Population estimates of a subgroup (a filtered dashboard view), computed on request and cached.

A filter (a country, an age group, a wave...) asks for the shares in a part of the population.
R's ``RDS`` package answers it with the ``subset`` argument of ``RDS.II.estimates`` and
``RDS.SS.estimates`` (0.9-10, ``R/RDS.estimates.R``): the weights are computed on the full data,
then the estimates are computed for the subset. The whole recruitment forest still defines the
sample, so a respondent keeps the RDS-II weight 1 / degree (Volz & Heckathorn 2008) or the SS
weight (Gile 2011) computed on everyone; only the sums run over the subgroup's members.

The interval is the tree bootstrap (Baraff, McCormick & Raftery 2016) of the whole forest, each
replicate's estimate taken over the resampled members of the subgroup; with fewer replicates
than the published estimates (``RDS_SUBGROUP_REPLICATES``), since it runs while the analyst
waits. RDS-I is not given: it models recruitment between the answer groups of the whole sample.

The result depends only on the published estimates and the filter, so it is cached under the
estimate set's watermark and build time: a page view never writes to the database.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_noop

from aggregates.filters import ResponseFilter
from estimates.contracts import (
    EMPIRICAL,
    NO_INTERVAL,
    TREE,
    UNANSWERED,
    Estimate,
    Interval,
    OptionEstimates,
    QuestionRecord,
)
from estimates.models import EstimationSettings, RDSEstimateSet
from estimates.rds.bootstrap import tree_bootstrap_counts
from estimates.rds.estimators.empirical import el_intervals
from estimates.rds.refresh import (
    BOOTSTRAP_SEED,
    NO_CHAINS,
    NO_DEGREES,
    NOT_ANSWERED,
    ONE_SEED_EL,
    survey_forest,
)
from estimates.rds.sample import Indicators, RDSError, RDSSample, multi_choice
from estimates.rds.ss import SS_INFINITY, ss_weights
from estimates.rds.ss_estimates import SMALL_POPULATION, SS_SEED, ss_sample_count
from estimates.rds.weights import option_shares, rds2_weights
from surveys.models import QuestionKind, Response, Survey

# Stored untranslated (with their numbers beside them) and translated when shown.
TOO_FEW = gettext_noop(
    "No population estimates for this filter: %(n)s of the respondents in the recruitment "
    "chains match it, and estimates for a subgroup need at least %(minimum)s."
)
ONLY_SEEDS = gettext_noop(
    "No population estimates for this filter: everyone who matches it is a seed (wave 0), whom "
    "the organizers chose; nobody in it was recruited by another respondent, so there is no "
    "recruitment to weight by."
)
TOO_LARGE = gettext_noop(
    "No population estimates for this filter: on request they are computed for samples of up to "
    "%(limit)s respondents in the recruitment chains, and this one has %(n)s. The recruitment CSV "
    "gives the data to R's RDS package, whose subset argument makes the same estimate."
)
SS_TOO_COSTLY = gettext_noop(
    "SS is not estimated for a filtered view at this population size: its weights would take "
    "too long to simulate while the page loads."
)

_CACHE_SECONDS = 24 * 60 * 60
EL_CHOSEN = gettext_noop(
    "The 95 % intervals are R's empirical-likelihood intervals over the subgroup's respondents, "
    "as the survey's settings choose."
)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def subgroup_limits() -> dict[str, int]:
    """Return the work limits of subgroup estimates, from the settings."""
    return {
        "minimum": _setting("RDS_SUBGROUP_MIN_RESPONDENTS", 20),
        "limit": _setting("RDS_SUBGROUP_MAX_RESPONDENTS", 20_000),
        "replicates": _setting("RDS_SUBGROUP_REPLICATES", 200),
        # Population units x simulated samples that SS may simulate on request.
        "ss_budget": _setting("RDS_SUBGROUP_SS_MAX_DRAWS", 50_000_000),
    }


def _cache_key(estimate_set: RDSEstimateSet, filters: ResponseFilter, limits: dict) -> str:
    # repr() names every field of the filter, including any added later.
    digest = hashlib.sha256(f"{filters!r}|{sorted(limits.items())}".encode()).hexdigest()[:32]
    built = estimate_set.built_at.timestamp()
    return f"analytics:rds-subgroup:v2:{estimate_set.pk}:{estimate_set.watermark}:{built}:{digest}"


def _members(survey: Survey, filters: ResponseFilter, sample: RDSSample) -> np.ndarray:
    """Return the mask of the forest's rows that match the filter."""
    matching = filters.apply(Response.objects.filter(survey=survey, wave__isnull=False))
    chosen = {str(pk) for pk in matching.values_list("pk", flat=True).iterator(chunk_size=5000)}
    return np.fromiter((i in chosen for i in sample.ids), dtype=bool, count=sample.size)


def _ss_weights(
    estimate_set: RDSEstimateSet, sample: RDSSample, limits: dict
) -> tuple[np.ndarray | None, str]:
    """Return the whole sample's SS weights as the rebuild computes them, or why not."""
    size = estimate_set.population_size
    if size is None or estimate_set.ss_unavailable:
        return None, ""  # the page already says why there is no SS at all
    if size < sample.size:
        return None, SMALL_POPULATION
    samples = ss_sample_count(respondents=sample.size)
    if sample.size > SS_INFINITY * size and size * samples > limits["ss_budget"]:
        return None, SS_TOO_COSTLY
    return ss_weights(sample, population_size=size, seed=SS_SEED, samples=samples), ""


def _interval(
    copies: np.ndarray, weights: np.ndarray, ticked: np.ndarray, answered: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """Return the 95 % percentile interval of the replicates' subgroup shares, or None."""
    numerator = copies @ (weights[:, None] * ticked)
    denominator = copies @ (weights * answered)
    valid = denominator > 0
    if not valid.any():
        return None
    estimates = numerator[valid] / denominator[valid, None]
    lower, upper = np.quantile(estimates, [0.025, 0.975], axis=0)
    return lower, upper


@dataclass(frozen=True)
class SubgroupResult:
    """A filter's subgroup estimates, or why there are none (reasons untranslated)."""

    reason: str = ""
    # The numbers the reason names (%(n)s, %(minimum)s, %(limit)s).
    params: dict[str, int] = field(default_factory=dict)
    # Each question's estimates, in the stored shape (estimates.contracts).
    questions: dict[str, QuestionRecord] = field(default_factory=dict)
    ss_unavailable: str = ""
    respondents: int = 0  # in the subgroup
    sample: int | None = None  # in the whole recruitment forest
    seeds: int = 0  # in the subgroup
    replicates: int = 0


def _compute(
    survey: Survey, estimate_set: RDSEstimateSet, filters: ResponseFilter
) -> SubgroupResult:
    limits = subgroup_limits()
    result = SubgroupResult(replicates=limits["replicates"])
    if estimate_set.respondents > limits["limit"]:
        params = {"limit": limits["limit"], "n": estimate_set.respondents}
        return replace(result, reason=TOO_LARGE, params=params)
    questions = list(
        survey.questions.filter(kind__in=[QuestionKind.SINGLE, QuestionKind.MULTIPLE])
        .order_by("page__position", "position")
        .prefetch_related("options")
    )
    try:
        forest = survey_forest(survey, questions)
    except RDSError as error:
        return replace(result, reason=str(error))
    if forest is None or not forest.sample.has_degrees:
        return replace(result, reason=NO_CHAINS if forest is None else NO_DEGREES)
    sample = forest.sample
    members = _members(survey, filters, sample)
    count = int(members.sum())
    result = replace(
        result,
        respondents=count,
        sample=sample.size,
        seeds=int((members & (sample.parent < 0)).sum()),
    )
    if count < limits["minimum"]:
        return replace(result, reason=TOO_FEW, params={"n": count, "minimum": limits["minimum"]})
    if not (members & (sample.parent >= 0)).any():
        return replace(result, reason=ONLY_SEEDS)
    rds2 = rds2_weights(sample)
    ss, ss_unavailable = _ss_weights(estimate_set, sample, limits)
    weight_sets = {"rds2": rds2, **({"ss": ss} if ss is not None else {})}
    copies = None
    # As R's subset: the population size shrinks to the subgroup's RDS-II share of it.
    size = estimate_set.population_size
    if size is not None:
        size = size * float(rds2[members].sum() / rds2.sum())
    design = {"el": EstimationSettings.of(survey).interval_method == EMPIRICAL, "size": size}
    if len(sample.seeds) >= 2 and not design["el"]:
        # One set of draws serves every question and both estimators, restricted to the members.
        draws = tree_bootstrap_counts(sample, replicates=limits["replicates"], seed=BOOTSTRAP_SEED)
        copies = draws[:, members].astype(float)
    found = {}
    for question in questions:
        ticked, answered = forest.answers[question.code]
        found[question.code] = _question(
            sample, question, ticked, answered & members, members, weight_sets, copies, design
        )
    return replace(result, questions=found, ss_unavailable=ss_unavailable)


def _question(
    sample: RDSSample,
    question: Any,
    ticked: np.ndarray,
    answered: np.ndarray,
    members: np.ndarray,
    weight_sets: dict[str, np.ndarray],
    copies: np.ndarray | None,
    design: dict[str, Any],
) -> QuestionRecord:
    """Return one question's subgroup shares and intervals, or why there are none."""
    options = [option.code for option in question.options.all()]
    unavailable: dict[str, str] = {}
    try:
        answers = multi_choice(sample, ticked, answered, options)
    except RDSError:
        return QuestionRecord(unavailable={UNANSWERED: NOT_ANSWERED})
    estimates: dict[str, dict[str, Estimate]] = {}
    for name, weights in weight_sets.items():
        point = option_shares(weights, answers)
        bounds = None
        if copies is not None:
            bounds = _interval(
                copies, weights[members], answers.ticked[members], answers.answered[members]
            )
        method = TREE
        if copies is None:  # R's interval over the subgroup's rows, as RDS.*.estimates(subset)
            subset = Indicators(
                ticked=answers.ticked[members],
                answered=answers.answered[members],
                options=answers.options,
            )
            try:
                found = el_intervals(weights[members], subset, population_size=design["size"])
            except RDSError:
                found = None
            bounds = (
                None if found is None else tuple(zip(*(found[o] for o in options), strict=True))
            )
            method = EMPIRICAL
        estimates[name] = {
            code: Estimate(
                share=point[code],
                reported=None
                if bounds is None
                else Interval(float(bounds[0][k]), float(bounds[1][k]), method),
            )
            for k, code in enumerate(options)
        }
    if copies is None:
        unavailable[NO_INTERVAL] = EL_CHOSEN if design["el"] else ONE_SEED_EL
    shares = {
        code: OptionEstimates(**{name: found[code] for name, found in estimates.items()})
        for code in options
    }
    return QuestionRecord(options=shares, unavailable=unavailable)


def subgroup_compute(*, survey: Survey, filters: ResponseFilter) -> SubgroupResult | None:
    """Return the filter's subgroup estimates (numbers and untranslated reasons), cached.

    None when the survey's estimates have never been computed. Computing them reads the
    recruitment forest and runs a bootstrap, bounded by ``subgroup_limits``; the result lives
    in the cache only, under the published estimates' watermark, so a GET writes nothing.
    """
    estimate_set = RDSEstimateSet.objects.filter(pk=survey.pk).first()
    if estimate_set is None:
        return None
    if estimate_set.unavailable:
        return SubgroupResult(reason=estimate_set.unavailable)
    limits = subgroup_limits()
    key = _cache_key(estimate_set, filters, limits)
    found = cache.get(key)
    if found is None:
        found = _compute(survey, estimate_set, filters)
        cache.set(key, found, _CACHE_SECONDS)
    return found
