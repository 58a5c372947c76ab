"""Gile's SS estimates of a survey: weights at the analyst's population size(s), shares from them.

SS weights depend only on the respondents' degrees and the population size N, not on the
question, so they are computed once per rebuild (at the survey's N and at each size of its
range) and every question's shares are weighted sums. Needs Django settings; the estimator itself
is :mod:`estimates.rds.ss`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.utils.translation import gettext_noop

from estimates.contracts import SizePoint
from estimates.models import EstimationSettings
from estimates.rds.sample import RDSSample, multi_choice
from estimates.rds.ss import ss_weights
from estimates.rds.weights import option_shares
from surveys.models import Survey

SS_SEED = 20250101

# SS weights simulate `samples` successive samples from a population of N units, six times: at
# n = 100,000 and N = 1,000,000 one population size takes about 50 s on one core, and each size of
# the range costs as much again. RDS_SS_SAMPLES (R's default, 500) trades precision for time;
# above RDS_SS_MAX_RESPONDENTS respondents SS is skipped with a reason (0 = never skipped).

# Stored untranslated and translated when shown, like the other reasons.
NO_POPULATION_SIZE = gettext_noop(
    "SS needs the population size; set it in the survey's settings (population size, with an "
    "optional low and high guess) and rebuild the estimates."
)
SMALL_POPULATION = gettext_noop(
    "SS needs the size of the whole population, but the population size set for this survey "
    "is smaller than the number of respondents in the chains."
)
TOO_MANY = gettext_noop(
    "SS is not computed for samples this large (see the RDS_SS_MAX_RESPONDENTS setting)."
)


@dataclass(frozen=True)
class SSWeights:
    """A survey's SS weights at its population size and across its range, or why there are none."""

    population_size: int | None = None
    weights: np.ndarray | None = None
    by_size: list[tuple[int, np.ndarray]] = field(default_factory=list)
    unavailable: str = ""


def ss_sample_count(*, respondents: int) -> int:
    """Return how many successive samples SS simulates per iteration for a sample this size."""
    # The Monte-Carlo error of the inclusion probabilities shrinks with the number of simulated
    # respondents, samples x n: R's fixed 500 leaves about +-0.002 on faux (n = 389), so small
    # samples get enough samples for RDS_SS_DRAWS simulated respondents. Never below R's default.
    floor = settings.RDS_SS_SAMPLES
    if respondents <= 0:
        return floor
    return max(floor, math.ceil(settings.RDS_SS_DRAWS / respondents))


def ss_unavailable(*, survey: Survey, respondents: int) -> str:
    """Return why there are no SS weights at the survey's population size, "" if there are."""
    size = EstimationSettings.of(survey).population_size
    if size is None:
        return NO_POPULATION_SIZE
    if size < respondents:
        return SMALL_POPULATION
    limit = settings.RDS_SS_MAX_RESPONDENTS
    if limit and respondents > limit:
        return TOO_MANY
    return ""


def ss_survey_weights(*, survey: Survey, sample: RDSSample) -> SSWeights:
    """Return the survey's SS weights at its population size and at each size of its range."""
    estimation = EstimationSettings.of(survey)
    mid = estimation.population_size
    unavailable = ss_unavailable(survey=survey, respondents=sample.size)
    if unavailable:
        return SSWeights(population_size=mid, unavailable=unavailable)
    sizes = estimation.population_sizes()
    samples = ss_sample_count(respondents=sample.size)
    by_size = [
        (size, ss_weights(sample, population_size=size, seed=SS_SEED, samples=samples))
        # A guess below the sample size is impossible: leave it off the plot.
        for size in sizes
        if size >= sample.size
    ]
    weights = dict(by_size)[mid]
    return SSWeights(population_size=mid, weights=weights, by_size=by_size)


def ss_question_shares(
    ss: SSWeights,
    *,
    sample: RDSSample,
    ticked: np.ndarray,
    answered: np.ndarray,
    options: list[str],
) -> tuple[dict[str, float], list[SizePoint]]:
    """Return one question's SS shares at the survey's population size and across the range."""
    if ss.weights is None:
        return {}, []
    answers = multi_choice(sample, ticked, answered, options)
    point = option_shares(ss.weights, answers)
    curve = [SizePoint(size, option_shares(weights, answers)) for size, weights in ss.by_size]
    return point, curve
