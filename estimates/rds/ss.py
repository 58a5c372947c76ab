"""Gile's successive-sampling (SS) estimator of population shares, numpy only.

Gile (2011), "Improved inference for respondent-driven sampling data with application to HIV
prevalence estimation", JASA 106(493). RDS-II weights each respondent by 1 / degree, which is the
inclusion probability of sampling *with* replacement proportional to degree. When a sizeable part
of a population of N people is sampled, sampling is really *without* replacement: high-degree
people are used up early, so their inclusion probability grows less than proportionally with
degree. SS models the sample as successive sampling (probability proportional to degree, without
replacement) from N units and estimates the inclusion probability of each degree by simulation:

1. start from the RDS-II estimate of the population's degree distribution;
2. build a population of N units with that distribution, draw ``samples`` successive samples of
   the sample's size from it, and take each degree's inclusion probability as the expected number
   of its units drawn (over the simulated samples plus the observed one) over its population count;
3. re-estimate the degree distribution as the sample counts over those probabilities (Hajek) and
   repeat from 2, ``iterations`` more times.

The weights are the inverse inclusion probabilities, scaled to sum to N (Hajek). This follows R's
``RDS::gile.ss.weights`` (``R/gile-ss-util.R``, ``src/getinclCstacked.c`` in ``cran/RDS``): the same
defaults (500 samples, 5 iterations), the same start, smoothing by the observed sample and the
same shortcut to RDS-II when at most 4 % of the population is sampled. Two choices differ
and are documented below: population counts are rounded by largest remainder rather than
randomly, and the successive samples are drawn with exponential keys rather than urn updates.
Missing or zero degrees are already replaced by the largest degree in :class:`RDSSample`, as in
R's ``compute.weights``.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

import numpy as np

from estimates.rds import sample as rds_sample
from estimates.rds.sample import SS_POPULATION_TOO_SMALL, RDSError, RDSSample
from estimates.rds.weights import option_shares

__all__ = [
    "SS_INFINITY",
    "population_counts",
    "ss_degree_weights",
    "ss_multi_shares",
    "ss_shares",
    "ss_weights",
    "successive_sample_counts",
]

#: Sample fraction n / N at or below which SS equals RDS-II: R's ``SS.infinity`` as
#: ``RDS.SS.estimates`` and its bootstrap pass it (``control.rds.estimates``, 1 %), so the
#: bundle's ``analysis.R`` and the platform agree for fractions between 1 % and 4 % too
#: (``gile.ss.weights`` called bare defaults to 4 %, which HCG keeps).
SS_INFINITY = 0.01

# Upper bound on simulated samples x population units held in memory at once (one float64 key
# each); it bounds memory for large N and fixes the chunking, so results stay reproducible.
_SIMULATION_CELLS = 1 << 21


def population_counts(shares: np.ndarray, population_size: int) -> np.ndarray:
    """Split the population into whole counts per degree class, at least one per class."""
    # Every observed degree must exist in the population. R rounds and then moves the remainder
    # one unit at a time to randomly chosen classes; largest remainder gives the same totals
    # without consuming random numbers, so the simulation's draws depend only on the seed.
    target = population_size * shares / shares.sum()
    counts = np.maximum(np.floor(target), 1).astype(np.int64)
    short = population_size - int(counts.sum())
    if short > 0:  # at most one unit per class is missing after flooring
        order = np.argsort(counts - target, kind="stable")
        counts[order[:short]] += 1
    while short < 0:  # classes raised to one unit pushed the total over N
        surplus = np.where(counts > 1, counts - target, -np.inf)
        counts[int(np.argmax(surplus))] -= 1
        short += 1
    return counts


def successive_sample_counts(
    *,
    degrees: np.ndarray,
    counts: np.ndarray,
    sample_size: int,
    samples: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Return how often each degree class is drawn in total over simulated successive samples."""
    # Drawing without replacement with probability proportional to degree, one unit after the
    # other, orders the units like independent exponential clocks of rate = degree: the first
    # sample_size to ring are the sample. So each simulated sample is the sample_size smallest
    # keys Exp(1) / degree, which numpy finds for many samples at once.
    population = int(counts.sum())
    if sample_size >= population:  # everyone is drawn in every sample
        return counts * samples
    unit_degree = np.repeat(degrees.astype(float), counts)
    unit_class = np.repeat(np.arange(len(degrees)), counts)
    drawn = np.zeros(len(degrees), dtype=np.int64)
    chunk = max(1, _SIMULATION_CELLS // population)
    for start in range(0, samples, chunk):
        rows = min(chunk, samples - start)
        keys = rng.standard_exponential((rows, population)) / unit_degree
        first = np.argpartition(keys, sample_size - 1, axis=1)[:, :sample_size]
        drawn += np.bincount(unit_class[first].ravel(), minlength=len(degrees))
    return drawn


def _population_size(sample: RDSSample, population_size: int) -> int:
    """Return the population size as an int, raising RDSError when it is below the sample size."""
    size = operator.index(population_size)
    if size < sample.size:
        raise RDSError(SS_POPULATION_TOO_SMALL, {"size": size, "n": sample.size})
    return size


def ss_weights(
    sample: RDSSample,
    *,
    population_size: int,
    seed: int = 20250101,
    samples: int = 500,
    iterations: int = 5,
) -> np.ndarray:
    """Return Gile's successive-sampling weights, summing to population_size."""
    rds_sample.require_degrees(sample)
    size = _population_size(sample, population_size)
    return ss_degree_weights(
        sample.degree, population_size=size, seed=seed, samples=samples, iterations=iterations
    )


def ss_degree_weights(
    degree: np.ndarray,
    *,
    population_size: int,
    seed: int = 20250101,
    samples: int = 500,
    iterations: int = 5,
    infinity: float = SS_INFINITY,
) -> np.ndarray:
    """Return Gile's SS weights of respondents with these (positive) degrees, summing to N.

    infinity is the sample fraction at or below which SS is RDS-II (R's ``SS.infinity``).
    """
    size = operator.index(population_size)
    if samples < 1 or iterations < 0:
        raise ValueError("samples must be at least 1 and iterations at least 0")
    n = len(degree)
    if n == 1:
        return np.array([float(size)])
    degrees, row_class, observed = np.unique(degree, return_inverse=True, return_counts=True)
    # The RDS-II estimate of the degree distribution: sample counts over probabilities ~ degree.
    shares = observed / degrees
    if n <= infinity * size:
        # A small sample fraction: sampling is as good as with replacement, so SS is RDS-II.
        inclusion = degrees.astype(float)
    else:
        rng = np.random.default_rng(seed)
        for _ in range(iterations + 1):
            counts = population_counts(shares, size)
            drawn = successive_sample_counts(
                degrees=degrees, counts=counts, sample_size=n, samples=samples, rng=rng
            )
            # Count the observed sample as one more draw, so no class gets probability zero.
            inclusion = (drawn + observed) / ((samples + 1) * counts)
            shares = observed / inclusion
    weights = 1.0 / inclusion[row_class]
    return size * weights / weights.sum()


def _ss_shares(
    sample: RDSSample,
    answers: rds_sample.Indicators,
    population_size: int,
    seed: int,
    samples: int,
    iterations: int,
) -> dict[str, float]:
    """Return the SS-weighted share of answering respondents who ticked each option."""
    weights = ss_weights(
        sample,
        population_size=population_size,
        seed=seed,
        samples=samples,
        iterations=iterations,
    )
    return option_shares(weights, answers)


def ss_shares(
    sample: RDSSample,
    *,
    values: Sequence[str | None],
    population_size: int,
    seed: int = 20250101,
    samples: int = 500,
    iterations: int = 5,
) -> dict[str, float]:
    """Return Gile's SS share of each category among respondents who answered."""
    answers = rds_sample.single_choice(sample, values)
    return _ss_shares(sample, answers, population_size, seed, samples, iterations)


def ss_multi_shares(
    sample: RDSSample,
    *,
    ticked: np.ndarray,
    answered: np.ndarray,
    options: Sequence[str],
    population_size: int,
    seed: int = 20250101,
    samples: int = 500,
    iterations: int = 5,
) -> dict[str, float]:
    """Return Gile's SS share of answering respondents who ticked each option."""
    answers = rds_sample.multi_choice(sample, ticked, answered, options)
    return _ss_shares(sample, answers, population_size, seed, samples, iterations)
